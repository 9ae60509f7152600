#ifndef SLAD_TESTS_TESTING_DAEMON_FIXTURE_H_
#define SLAD_TESTS_TESTING_DAEMON_FIXTURE_H_

// The fixture and helpers of the tests that drive the real `slad` binary
// (SLAD_PATH, from CMake): a temporary data folder, a daemon on
// 127.0.0.1 port 0 with a manual clock, request lines and reply checks.

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/daemon_process.h"

namespace slad::testing {

constexpr int64_t kMonday9 = 1767574800000;  // 2026-01-05T09:00+08:00
constexpr int64_t kHour = 3600000;

// The wire code of an error line, or "" for anything else.
inline std::string CodeOf(const std::string& line) {
  const std::string key = "\"code\":\"";
  const size_t at = line.find(key);
  if (at == std::string::npos) return "";
  const size_t begin = at + key.size();
  return line.substr(begin, line.find('"', begin) - begin);
}

inline bool IsOk(const std::string& line, const std::string& req) {
  return line.rfind(absl::StrCat("{\"req\":", req, ",\"ok\":true"), 0) == 0;
}

// Sends `batch` (lines whose `req` are 0..n-1) in one write; every reply
// must be ok, in request order. Returns the replies.
inline std::vector<std::string> ExpectAllOkInOrder(
    LineClient& c, const std::string& batch, int n) {
  EXPECT_TRUE(c.SendRaw(batch));
  const std::vector<std::string> replies = c.ReadLines(n);
  EXPECT_EQ(replies.size(), static_cast<size_t>(n));
  for (size_t i = 0; i < replies.size(); ++i) {
    EXPECT_TRUE(IsOk(replies[i], absl::StrCat(i))) << replies[i];
  }
  return replies;
}

inline std::string Open(const std::string& id,
                        const std::string& team = "east",
                        int64_t at_ms = kMonday9,
                        const std::string& req = "1") {
  return absl::StrCat("{\"op\":\"open\",\"req\":", req, ",\"id\":\"", id,
                      "\",\"kind\":\"complaint\",\"team\":\"", team,
                      "\",\"at\":", at_ms, "}");
}

inline std::string Advance(int64_t to_ms,
                           const std::string& req = "\"adv\"") {
  return absl::StrCat("{\"op\":\"advance\",\"req\":", req, ",\"to\":", to_ms,
                      "}");
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/slad-daemon-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    daemon_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  void WriteFile(const std::string& name, const std::string& text) const {
    std::ofstream(Path(name)) << text;
  }

  // Starts slad on the temp data folder with a manual clock, plus `args`.
  void StartDaemon(std::vector<std::string> args = {}) {
    std::vector<std::string> all = {"--listen", "127.0.0.1:0", "--data",
                                    Path("data"), "--clock", "manual"};
    all.insert(all.end(), args.begin(), args.end());
    std::string error;
    daemon_ = DaemonProcess::Start(SLAD_PATH, all, &error);
    ASSERT_NE(daemon_, nullptr) << error;
  }

  // Sends `line` and returns the reply (or "" on timeout).
  static std::string Ask(LineClient& c, const std::string& line) {
    EXPECT_TRUE(c.SendLine(line));
    return c.ReadLine().value_or("");
  }

  std::string dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

// Tokens for the access-control tests: one per role, and a team-limited
// one.
inline constexpr char kTokens[] = R"(
[[tokens]]
token = "ingest-secret"
roles = ["ingest"]

[[tokens]]
token = "operator-secret"
roles = ["operator"]

[[tokens]]
token = "sub-secret"
roles = ["subscriber"]

[[tokens]]
token = "admin-secret"
roles = ["admin"]

[[tokens]]
token = "east-secret"
roles = ["ingest", "operator", "subscriber"]
teams = ["east"]
)";

inline std::string Auth(const std::string& token) {
  return absl::StrCat(R"({"op":"auth","req":"a","token":")", token, "\"}");
}

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_DAEMON_FIXTURE_H_
