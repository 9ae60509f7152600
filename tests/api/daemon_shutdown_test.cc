// The real `slad` binary stopping: what its last log line promises, and
// how SIGTERM ends a connection with requests still coming.

#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/daemon_fixture.h"

namespace slad {
namespace {

using testing::CodeOf;
using testing::DaemonProcess;
using testing::DaemonTest;
using testing::IsOk;
using testing::LineClient;
using testing::Open;

// Starts slad on `data` (and `args`), opens a ticket, stops it with
// SIGTERM and returns its log.
std::string RunAndStop(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"--listen", "127.0.0.1:0", "--clock",
                                  "manual"};
  all.insert(all.end(), args.begin(), args.end());
  std::string error;
  std::unique_ptr<DaemonProcess> daemon =
      DaemonProcess::Start(SLAD_PATH, all, &error);
  if (daemon == nullptr) {
    ADD_FAILURE() << error;
    return "";
  }
  {
    LineClient c = daemon->Connect();
    EXPECT_TRUE(c.SendLine(Open("A")));
    EXPECT_TRUE(IsOk(c.ReadLine().value_or(""), "1"));
  }
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(), 0) << daemon->log();
  return daemon->log();
}

TEST_F(DaemonTest, AnInMemoryStoreIsNeverCalledDurable) {
  const std::string log = RunAndStop({"--data", ":memory:"});
  EXPECT_NE(log.find("recovered nothing (in-memory store: nothing survives "
                     "a restart)"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("stopped; the store was in memory: nothing survives "
                     "this exit"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("durable"), std::string::npos) << log;
}

// In a config file ":memory:" is no relative path: it used to become a
// RocksDB folder named ":memory:" beside the file.
TEST_F(DaemonTest, DataMemoryInTheConfigFileIsTheInMemoryStore) {
  WriteFile("slad.toml", "data = \":memory:\"\n");
  const std::string log = RunAndStop({"--config", Path("slad.toml")});
  EXPECT_NE(log.find("in-memory store"), std::string::npos) << log;
  EXPECT_EQ(log.find("durable"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(Path(":memory:")));
}

}  // namespace
}  // namespace slad
