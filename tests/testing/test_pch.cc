// The source of the slad_test_pch target (tests/CMakeLists.txt), whose
// precompiled header every test binary reuses. CMake needs a source to
// build the header with; this file has nothing else to compile.
