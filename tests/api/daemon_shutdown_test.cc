// The real `slad` binary stopping: what its last log line promises, and
// how SIGTERM ends a connection with requests still coming.

#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/daemon_fixture.h"

namespace slad {
namespace {

using testing::DaemonProcess;
using testing::DaemonTest;
using testing::IsOk;
using testing::kMonday9;
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

// A first start makes its data folder (parents included) without the
// "[ERROR]" RocksDB logs when it finds none: alerts watch for that word.
TEST_F(DaemonTest, AFirstStartMakesItsFolderWithoutAnError) {
  const std::string log = RunAndStop({"--data", Path("new/data")});
  EXPECT_EQ(log.find("ERROR"), std::string::npos) << log;
  EXPECT_TRUE(std::filesystem::is_directory(Path("new/data")));
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

// A client pipelining far more than the daemon has taken in when SIGTERM
// comes: it must get every reply owed, as complete lines, then a clean
// EOF. Closing with its requests unread would send a reset instead, and a
// reset can destroy replies not yet read. What was not taken in is not
// executed: after a restart exactly the tickets answered ok exist.
TEST_F(DaemonTest, SigtermEndsAPipeliningClientWithEofNotReset) {
  // Four requests in flight at most: the rest waits in the socket buffers.
  WriteFile("slad.toml", "[limits]\nmax_in_flight = 4\n");
  StartDaemon({"--config", Path("slad.toml")});
  LineClient c = daemon_->Connect();
  constexpr int kN = 20000;  // about 2.5 MB: more than socket buffers hold
  std::string batch;
  for (int i = 0; i < kN; ++i) {
    absl::StrAppend(&batch,
                    Open(absl::StrCat("P", i), "east", kMonday9,
                         absl::StrCat(i)),
                    "\n");
  }
  std::atomic<bool> sent_all{false};
  std::thread writer([&] {
    size_t sent = 0;
    while (sent < batch.size()) {
      const ssize_t n = ::send(c.fd(), batch.data() + sent,
                               batch.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    sent_all = sent == batch.size();
    ::shutdown(c.fd(), SHUT_WR);
  });
  const std::string first = c.ReadLine().value_or("");
  EXPECT_TRUE(IsOk(first, "0")) << first;
  daemon_->Signal(SIGTERM);
  std::vector<std::string> replies;
  std::string partial;
  const LineClient::End end = c.ReadToEnd(&replies, &partial);
  writer.join();
  EXPECT_EQ(end, LineClient::End::kEof);
  EXPECT_EQ(partial, "");
  EXPECT_TRUE(sent_all);  // the daemon read (and dropped) the rest
  ASSERT_LT(replies.size() + 1, size_t{kN});
  for (size_t i = 0; i < replies.size(); ++i) {
    EXPECT_TRUE(IsOk(replies[i], absl::StrCat(i + 1))) << replies[i];
  }
  c.Close();
  ASSERT_EQ(daemon_->Wait(), 0) << daemon_->log();
  StartDaemon();
  EXPECT_NE(daemon_->log().find(absl::StrCat("recovered ", replies.size() + 1,
                                             " tickets")),
            std::string::npos)
      << daemon_->log();
}

}  // namespace
}  // namespace slad
