#ifndef SLAD_TESTS_TESTING_SHELL_H_
#define SLAD_TESTS_TESTING_SHELL_H_

// Runs a command line the way a user's shell would, for tests of the
// command-line tools: its exit status, stdout and stderr.

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace slad::testing {

struct ShellResult {
  int status;  // exit status; -1 if killed by a signal
  std::string out;
  std::string err;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `command` with /bin/sh; its output goes through the files
// `scratch` + "out" and `scratch` + "err", which the caller makes unique
// (ctest may run several tests of one binary at once).
inline ShellResult RunShell(const std::string& command,
                            const std::string& scratch) {
  const std::string out = scratch + "out", err = scratch + "err";
  const int rc = std::system((command + " >" + out + " 2>" + err).c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, ReadFile(out), ReadFile(err)};
}

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_SHELL_H_
