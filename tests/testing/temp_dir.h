#ifndef SLAD_TESTS_TESTING_TEMP_DIR_H_
#define SLAD_TESTS_TESTING_TEMP_DIR_H_

// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with
// everything in it when the object goes.

#include <cstdlib>
#include <filesystem>
#include <string>

namespace slad::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr ? base : "/tmp") + "/slad-test-XXXXXX";
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_TEMP_DIR_H_
