// Integration tests of the real `slad` binary on 127.0.0.1, a free port, a
// temporary data folder and a manual clock: pipelining, subscribers and
// redelivery, restart, bad input, roles and teams, limits, signals, TLS.

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "config/policy_file.h"
#include "gtest/gtest.h"
#include "tests/testing/daemon_fixture.h"

namespace slad {
namespace {

using testing::Advance;
using testing::Auth;
using testing::CodeOf;
using testing::DaemonProcess;
using testing::DaemonTest;
using testing::ExpectAllOkInOrder;
using testing::IsOk;
using testing::kHour;
using testing::kMonday9;
using testing::kTokens;
using testing::LineClient;
using testing::Open;

TEST_F(DaemonTest, PipelinedRequestsAreAnsweredInOrder) {
  StartDaemon();
  LineClient c = daemon_->Connect();
  ASSERT_TRUE(c.connected());
  std::string batch;
  constexpr int kN = 300;
  for (int i = 0; i < kN; ++i) {
    // Commands (durable first) and queries (answered at once) interleaved:
    // the queries' replies must still wait for the commands before them.
    if (i % 3 == 2) {
      absl::StrAppend(&batch, "{\"op\":\"get\",\"req\":", i, ",\"id\":\"T", i - 1,
                      "\"}\n");
    } else {
      absl::StrAppend(&batch, Open(absl::StrCat("T", i), "east", kMonday9,
                                   absl::StrCat(i)),
                      "\n");
    }
  }
  const std::vector<std::string> replies = ExpectAllOkInOrder(c, batch, kN);
  ASSERT_EQ(replies.size(), size_t{kN});
  EXPECT_NE(replies[2].find("\"history\":[{"), std::string::npos) << replies[2];
}

// A command whose `at` is past deadlines not yet fired: what fell due
// before it comes before it in the ticket's history (and the outbox), as
// it happened; the command's own `met_late` after it.
TEST_F(DaemonTest, HistoryIsInTheOrderThingsHappened) {
  StartDaemon();
  LineClient c = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(c, Open("A")), "1"));
  EXPECT_TRUE(IsOk(Ask(c, absl::StrCat(R"({"op":"event","req":2,"id":"A",)",
                                       R"("name":"responded","at":)",
                                       kMonday9 + 25 * kHour, "}")),
                   "2"));
  const std::string a = Ask(c, R"({"op":"get","req":3,"id":"A"})");
  const size_t breached = a.find(R"("event":"breached")");
  const size_t responded = a.find(R"("name":"responded")");
  const size_t met_late = a.find(R"("event":"met_late")");
  ASSERT_NE(breached, std::string::npos) << a;
  ASSERT_NE(responded, std::string::npos) << a;
  ASSERT_NE(met_late, std::string::npos) << a;
  EXPECT_LT(breached, responded) << a;
  EXPECT_LT(responded, met_late) << a;
}

TEST_F(DaemonTest, EscalationsReachSubscribersAndComeBackUntilAcked) {
  StartDaemon();
  LineClient sub = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":1,"group":"crm"})"), "1"));
  LineClient c = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(c, Open("A")), "1"));
  EXPECT_TRUE(IsOk(Ask(c, Advance(kMonday9 + 25 * kHour)), "\"adv\""));
  // Two warnings, two breaches, one escalation (complaint: 24 h targets).
  const std::vector<std::string> events = sub.ReadLines(5);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_NE(events[0].find("\"event\":\"warning\""), std::string::npos);
  EXPECT_NE(events[0].find("\"group\":\"crm\",\"seq\":1"), std::string::npos);
  EXPECT_NE(events[4].find("\"seq\":5"), std::string::npos);

  // Disconnect without ack: everything comes again.
  sub.Close();
  sub = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":2,"group":"crm"})"), "2"));
  const std::vector<std::string> again = sub.ReadLines(5);
  EXPECT_EQ(again, events);
  EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"ack","req":3,"group":"crm","seq":3})"), "3"));

  // After an ack up to 3, a reconnect gets 4 and 5 only.
  sub.Close();
  sub = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":4,"group":"crm"})"), "4"));
  const std::vector<std::string> rest = sub.ReadLines(2);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0], events[3]);
  EXPECT_EQ(rest[1], events[4]);
  EXPECT_FALSE(sub.ReadLine(200).has_value());
}

TEST_F(DaemonTest, EveryBadInputGetsItsCodeAndTheConnectionLivesOn) {
  StartDaemon();
  LineClient c = daemon_->Connect();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "bad_json"},
      {R"({"op":"opne","id":"X"})", "unknown_op"},
      {R"({"op":"open","id":"X"})", "missing_field"},
      {R"({"op":"open","id":7,"kind":"complaint"})", "bad_field"},
      {R"({"op":"open","id":"X","kind":"complaint","colour":"red"})",
       "unknown_field"},
      {R"({"op":"get","id":"nobody"})", "not_found"},
      {R"({"op":"open","id":"X","kind":"nonsense"})", "bad_field"},
      {std::string(70 * 1024, 'x'), "line_too_long"},
      {R"({"op":"resume","id":"X"})", "not_found"},
  };
  for (const auto& [line, code] : cases) {
    EXPECT_EQ(CodeOf(Ask(c, line)), code) << line.substr(0, 80);
    EXPECT_TRUE(IsOk(Ask(c, R"({"op":"stats","req":0,"from":0,"to":1})"), "0"))
        << "after " << line.substr(0, 80);
  }
  // A too-long line split over many writes is discarded as it arrives.
  ASSERT_TRUE(c.SendRaw(std::string(40 * 1024, ' ')));
  ASSERT_TRUE(c.SendRaw(std::string(40 * 1024, ' ')));
  ASSERT_TRUE(c.SendRaw(std::string(40 * 1024, ' ') + "\n"));
  EXPECT_EQ(CodeOf(c.ReadLine().value_or("")), "line_too_long");
  EXPECT_TRUE(IsOk(Ask(c, R"({"op":"stats","req":0,"from":0,"to":1})"), "0"));
  // A command error does not break the pipeline either.
  EXPECT_TRUE(IsOk(Ask(c, Open("X")), "1"));
  EXPECT_EQ(CodeOf(Ask(c, Open("X"))), "already_exists");
}

// slad runs itself again with huge pages behind malloc (slad_main.cc,
// SetTunables) unless the environment already names that tunable.
TEST_F(DaemonTest, SetsItsMallocTunablesUnlessTheEnvironmentDecides) {
  // The daemon's GLIBC_TUNABLES as "\nname=value\n..." (glibc splits the
  // value in place, so /proc shows its ':' as '\0' or ':' by version).
  auto tunables_of = [](pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/environ");
    std::string all((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
    const size_t at = all.find("GLIBC_TUNABLES=");
    if (at == std::string::npos) return std::string();
    std::string value = "\n" + all.substr(at + 15);
    std::replace(value.begin(), value.end(), '\0', '\n');
    std::replace(value.begin(), value.end(), ':', '\n');
    return value;
  };
  const char* outer = std::getenv("GLIBC_TUNABLES");
  const std::string saved = outer != nullptr ? outer : "";
  unsetenv("GLIBC_TUNABLES");
  StartDaemon();
  std::string tunables = tunables_of(daemon_->pid());
  EXPECT_NE(tunables.find("\nglibc.malloc.hugetlb=1\n"), std::string::npos) << tunables;
  daemon_.reset();

  // Another tunable of the environment's is kept beside it.
  setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536", 1);
  StartDaemon();
  tunables = tunables_of(daemon_->pid());
  EXPECT_NE(tunables.find("\nglibc.malloc.mmap_threshold=65536\n"), std::string::npos)
      << tunables;
  EXPECT_NE(tunables.find("\nglibc.malloc.hugetlb=1\n"), std::string::npos) << tunables;
  daemon_.reset();

  setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0", 1);
  StartDaemon();
  tunables = tunables_of(daemon_->pid());
  EXPECT_NE(tunables.find("\nglibc.malloc.hugetlb=0\n"), std::string::npos) << tunables;
  EXPECT_EQ(tunables.find("hugetlb=1"), std::string::npos) << tunables;
  LineClient c = daemon_->Connect();
  EXPECT_EQ(CodeOf(Ask(c, Advance(kMonday9))), "");  // it serves
  if (outer != nullptr) {
    setenv("GLIBC_TUNABLES", saved.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
}

TEST_F(DaemonTest, SystemClockRefusesAdvance) {
  std::string error;
  daemon_ = DaemonProcess::Start(
      SLAD_PATH, {"--listen", "127.0.0.1:0", "--data", Path("data")}, &error);
  ASSERT_NE(daemon_, nullptr) << error;
  LineClient c = daemon_->Connect();
  EXPECT_EQ(CodeOf(Ask(c, Advance(kMonday9))), "failed_precondition");
}

// Data whose clock is ahead of the system clock (here a manual clock
// moved to 2030) dates every request at that future instant: said at start.
TEST_F(DaemonTest, ASystemClockBehindTheDataIsReported) {
  StartDaemon();
  {
    LineClient c = daemon_->Connect();
    EXPECT_TRUE(IsOk(Ask(c, Advance(1'893'456'000'000)), "\"adv\""));  // 2030
  }
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->Wait(), 0) << daemon_->log();
  std::string error;
  daemon_ = DaemonProcess::Start(
      SLAD_PATH, {"--listen", "127.0.0.1:0", "--data", Path("data")}, &error);
  ASSERT_NE(daemon_, nullptr) << error;
  EXPECT_NE(daemon_->log().find("warning: the data's clock, 2030-01-01T00:00:00"),
            std::string::npos)
      << daemon_->log();
}

// On the manual clock a query or a refused command moves time by its
// `at` too; once answered, that holds across a crash: a later request
// dated before it is refused after the restart as it was before.
TEST_F(DaemonTest, TimeAQueryOrARefusalMovedToSurvivesACrash) {
  StartDaemon();
  {
    LineClient c = daemon_->Connect();
    EXPECT_TRUE(IsOk(Ask(c, Open("A", "east", kMonday9)), "1"));
    EXPECT_TRUE(IsOk(Ask(c, absl::StrCat(R"({"op":"get","req":2,"id":"A","at":)",
                                         kMonday9 + kHour, "}")),
                     "2"));
  }
  daemon_->Signal(SIGKILL);
  daemon_->Wait();
  StartDaemon();
  {
    LineClient c = daemon_->Connect();
    EXPECT_EQ(CodeOf(Ask(c, absl::StrCat(R"({"op":"pause","id":"A","reason":"r","at":)",
                                         kMonday9 + kHour / 2, "}"))),
              "bad_field");
    EXPECT_EQ(CodeOf(Ask(c, absl::StrCat(R"({"op":"resume","id":"A","at":)",
                                         kMonday9 + 2 * kHour, "}"))),
              "failed_precondition");
  }
  daemon_->Signal(SIGKILL);
  daemon_->Wait();
  StartDaemon();
  LineClient c = daemon_->Connect();
  EXPECT_EQ(CodeOf(Ask(c, absl::StrCat(R"({"op":"pause","id":"A","reason":"r","at":)",
                                       kMonday9 + 3 * kHour / 2, "}"))),
            "bad_field");
}

TEST_F(DaemonTest, NoTokensRefusesANonLoopbackAddress) {
  std::string log;
  const int status = DaemonProcess::RunToExit(
      SLAD_PATH, {"--listen", "0.0.0.0:0", "--data", Path("data")}, &log);
  EXPECT_EQ(status, 2) << log;
  EXPECT_NE(log.find("without tokens"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(Path("data")));
}

// A data folder that holds other files and no store (a mistyped --data,
// ".") is refused and left as it was; an empty one, or a mount point's
// lost+found beside nothing else, is taken.
TEST_F(DaemonTest, AFolderOfOtherFilesIsNotTakenForTheStore) {
  std::filesystem::create_directories(Path("other/lost+found"));
  WriteFile("other/notes.txt", "hi\n");
  std::string log;
  EXPECT_EQ(DaemonProcess::RunToExit(SLAD_PATH, {"--data", Path("other")}, &log), 1) << log;
  EXPECT_NE(log.find("holds \"notes.txt\" and no slad store"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(Path("other/CURRENT")));
  std::filesystem::remove(Path("other/notes.txt"));
  std::string error;
  daemon_ = DaemonProcess::Start(
      SLAD_PATH, {"--listen", "127.0.0.1:0", "--data", Path("other"), "--clock", "manual"},
      &error);
  ASSERT_NE(daemon_, nullptr) << error;
  EXPECT_TRUE(std::filesystem::exists(Path("other/CURRENT")));
}

// A start refused for its configuration leaves no data folder behind, and
// one whose address is taken says so before it opens and recovers its
// data (seconds at millions of tickets).
TEST_F(DaemonTest, AStartRefusedLeavesNoDataFolderAndATakenPortFailsFirst) {
  WriteFile("bad.toml", "[kinds.x]\ncalendar = \"nowhere\"\n");
  std::string log;
  EXPECT_EQ(DaemonProcess::RunToExit(
                SLAD_PATH, {"--policy", Path("bad.toml"), "--data", Path("data")}, &log),
            2)
      << log;
  EXPECT_NE(log.find("bad.toml"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(Path("data")));

  StartDaemon();
  const std::string taken = absl::StrCat("127.0.0.1:", daemon_->port());
  const int status = DaemonProcess::RunToExit(
      SLAD_PATH, {"--listen", taken, "--data", Path("data2")}, &log);
  EXPECT_NE(status, 0) << log;
  EXPECT_NE(log.find("cannot listen"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(Path("data2")));
}

// `policy` (the default policy's text) without its complaint kind: a
// policy the tickets `Open` makes do not fit.
std::string WithoutComplaints(const std::string& policy) {
  const size_t begin = policy.find("[kinds.complaint]");
  const size_t end = policy.find("[kinds.technical_support]");
  EXPECT_NE(begin, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  if (begin == std::string::npos || end == std::string::npos) return policy;
  std::string without = policy;
  without.erase(begin, end - begin);
  return without;
}

// A data folder that opens but does not recover (its tickets do not fit
// the policy) is the data's failure, exit status 1, as one that does not
// open; a mistake found before the data is reached is 2 (above).
TEST_F(DaemonTest, DataThatDoesNotRecoverExitsOne) {
  const std::string policy(config::DefaultPolicyText());
  StartDaemon();
  {
    LineClient c = daemon_->Connect();
    ASSERT_TRUE(IsOk(Ask(c, Open("A")), "1"));
  }
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->Wait(), 0) << daemon_->log();
  daemon_.reset();

  WriteFile("without.toml", WithoutComplaints(policy));
  std::string log;
  EXPECT_EQ(DaemonProcess::RunToExit(SLAD_PATH,
                                     {"--listen", "127.0.0.1:0", "--policy",
                                      Path("without.toml"), "--data", Path("data")},
                                     &log),
            1)
      << log;
  EXPECT_NE(log.find(absl::StrCat("cannot recover the data in ", Path("data"), " under ",
                                   Path("without.toml"),
                                   R"(: ticket "A": the policy has no kind)")),
            std::string::npos)
      << log;
}

// Whether process `pid` blocks `signal` and has no handler for it yet
// (SigBlk and SigCgt in /proc).
bool BlocksButDoesNotCatch(pid_t pid, int signal) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  bool blocked = false, caught = true;
  for (std::string line; std::getline(status, line);) {
    const bool blk = line.rfind("SigBlk:", 0) == 0, cgt = line.rfind("SigCgt:", 0) == 0;
    if (!blk && !cgt) continue;
    const bool bit = (std::stoull(line.substr(7), nullptr, 16) >> (signal - 1)) & 1;
    (blk ? blocked : caught) = bit;
  }
  return blocked && !caught;
}

// A SIGHUP in the first milliseconds of main(), before the daemon catches
// signals (it re-executes itself, then reads its configuration and
// policy), waits for it instead of killing it: main() blocks it until the
// server has its handler. The test sends it inside that window. (Before
// main() runs, while the loader does, it still kills: a supervisor
// signals a daemon it saw start.)
TEST_F(DaemonTest, ASighupAtStartIsReloadNotDeath) {
  std::string error;
  bool in_window = false;
  daemon_ = DaemonProcess::Start(
      SLAD_PATH, {"--listen", "127.0.0.1:0", "--data", Path("data"), "--clock", "manual"},
      &error, 10000, [&in_window](pid_t pid) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!(in_window = BlocksButDoesNotCatch(pid, SIGHUP)) &&
               std::chrono::steady_clock::now() < until) {
          std::this_thread::yield();
        }
        ::kill(pid, SIGHUP);
      });
  ASSERT_TRUE(in_window) << "slad never blocked SIGHUP before catching it";
  ASSERT_NE(daemon_, nullptr) << error;
  EXPECT_TRUE(daemon_->WaitForLog("SIGHUP: policy reloaded")) << daemon_->log();
  LineClient c = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(c, Open("A")), "1"));
}

TEST_F(DaemonTest, SigtermAnswersWhatIsInFlightThenExitsZero) {
  StartDaemon();
  LineClient c = daemon_->Connect();
  std::string batch;
  for (int i = 0; i < 100; ++i) {
    absl::StrAppend(&batch, Open(absl::StrCat("S", i), "east", kMonday9,
                                 absl::StrCat(i)),
                    "\n");
  }
  ASSERT_TRUE(c.SendRaw(batch));
  ASSERT_TRUE(c.ReadLine().has_value());  // the batch has been read
  daemon_->Signal(SIGTERM);
  const std::vector<std::string> rest = c.ReadLines(99);
  ASSERT_EQ(rest.size(), 99u);
  EXPECT_TRUE(IsOk(rest.back(), "99")) << rest.back();
  EXPECT_TRUE(c.WaitForClose());
  c.Close();  // the daemon waits for it (at most 2 s) before it exits
  EXPECT_EQ(daemon_->Wait(), 0) << daemon_->log();
  EXPECT_NE(daemon_->log().find("stopped; state is durable"),
            std::string::npos);
}

// Once it has said it stopped, a second SIGTERM (a supervisor that
// repeats itself) does not kill the process while the store closes: its
// exit status stays 0.
TEST_F(DaemonTest, ASecondSigtermAfterStoppingKeepsExitZero) {
  StartDaemon();
  {
    LineClient c = daemon_->Connect();
    std::string batch;
    for (int i = 0; i < 2000; ++i) {
      absl::StrAppend(&batch, Open(absl::StrCat("Q", i), "east", kMonday9, absl::StrCat(i)),
                      "\n");
    }
    ASSERT_TRUE(c.SendRaw(batch));
    ASSERT_EQ(c.ReadLines(2000).size(), 2000u);
  }
  daemon_->Signal(SIGTERM);
  ASSERT_TRUE(daemon_->WaitForLog("stopped; state is durable")) << daemon_->log();
  // SIGTERM after SIGTERM until it has exited: one lands while it tears
  // down.
  int status = -1;
  for (int i = 0; i < 10000 && status == -1; ++i) {
    daemon_->Signal(SIGTERM);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    status = daemon_->Wait(0);
  }
  if (status == -1) status = daemon_->Wait();
  EXPECT_EQ(status, 0) << daemon_->log();
}

TEST_F(DaemonTest, SighupKeepsTheOldPolicyIfTheNewOneIsBad) {
  const std::string policy(config::DefaultPolicyText());
  WriteFile("policy.toml", policy);
  StartDaemon({"--policy", Path("policy.toml")});
  LineClient c = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(c, Open("A")), "1"));

  WriteFile("policy.toml", policy + "\n[kinds.complaint.oops\n");
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(daemon_->WaitForLog("policy reload refused")) << daemon_->log();
  EXPECT_TRUE(IsOk(Ask(c, R"({"op":"get","req":2,"id":"A"})"), "2"));

  // A policy the open tickets do not fit (no complaint kind) is refused
  // too: the ticket would have nowhere to go.
  WriteFile("policy.toml", WithoutComplaints(policy));
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(daemon_->WaitForLog(R"(ticket "A": the policy has no kind)")) << daemon_->log();
  EXPECT_TRUE(IsOk(Ask(c, R"({"op":"get","req":2,"id":"A"})"), "2"));

  // A good policy is applied: the complaint response target becomes 12 h,
  // and the ticket opened before moves across.
  const std::string shorter = absl::StrReplaceAll(
      policy, {{R"(stop = ["responded"], within = "24h" },
  { name = "handling")",
                R"(stop = ["responded"], within = "12h" },
  { name = "handling")"}});
  ASSERT_NE(shorter, policy);
  WriteFile("policy.toml", shorter);
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(daemon_->WaitForLog("policy reloaded")) << daemon_->log();
  EXPECT_TRUE(IsOk(Ask(c, R"({"op":"get","req":3,"id":"A"})"), "3"));
  const std::string reply = Ask(c, Open("B", "east", kMonday9 + 1, "4"));
  EXPECT_TRUE(IsOk(reply, "4")) << reply;
  const std::string b = Ask(c, R"({"op":"get","req":5,"id":"B"})");
  EXPECT_NE(b.find(absl::StrCat("\"deadline\":", kMonday9 + 1 + 12 * kHour)),
            std::string::npos)
      << b;
}

// A reload that changes the warning lists recounts each clock's warnings
// sent against the new lists; a restart then reads the stored count. It
// read the old list's count against the new one: a probe saw the 0.5
// warning sent again after a restart, dated before the reload. The
// recounted records are stored with the reload.
TEST_F(DaemonTest, AReloadsRecountOfWarningsSurvivesARestart) {
  auto policy = [](const std::string& warn_at) {
    return absl::StrCat(R"(
[escalation]
warn_at = )", warn_at, R"(
[calendars.always]
always = true
[kinds.k1]
calendar = "always"
targets = [ { name = "t", start = ["open"], stop = ["done"], within = "2h" } ]
)");
  };
  const int64_t kMin = 60'000;
  WriteFile("policy.toml", policy("[0.5]"));
  StartDaemon({"--policy", Path("policy.toml")});
  {
    LineClient c = daemon_->Connect();
    LineClient sub = daemon_->Connect();
    ASSERT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":1,"group":"g"})"), "1"));
    ASSERT_TRUE(IsOk(Ask(c, absl::StrCat(R"({"op":"open","req":1,"id":"a","kind":"k1","at":)",
                                         kMonday9, "}")),
                     "1"));
    ASSERT_TRUE(IsOk(Ask(c, Advance(kMonday9 + 70 * kMin)), "\"adv\""));
    const std::optional<std::string> warned = sub.ReadLine();
    ASSERT_TRUE(warned.has_value());
    EXPECT_NE(warned->find(absl::StrCat("\"at\":", kMonday9 + 60 * kMin)), std::string::npos)
        << *warned;
    ASSERT_TRUE(IsOk(Ask(sub, R"({"op":"ack","req":2,"group":"g","seq":1})"), "2"));
    WriteFile("policy.toml", policy("[0.25, 0.5, 0.9]"));
    daemon_->Signal(SIGHUP);
    ASSERT_TRUE(daemon_->WaitForLog("policy reloaded")) << daemon_->log();
  }
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->Wait(), 0) << daemon_->log();

  StartDaemon({"--policy", Path("policy.toml")});
  LineClient c = daemon_->Connect();
  LineClient sub = daemon_->Connect();
  ASSERT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":1,"group":"g"})"), "1"));
  ASSERT_TRUE(IsOk(Ask(c, Advance(kMonday9 + 119 * kMin)), "\"adv\""));
  // 0.25 (30 min) and 0.5 (60 min) had passed at the reload: only 0.9.
  const std::vector<std::string> events = sub.ReadLines(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].find(absl::StrCat("\"at\":", kMonday9 + 108 * kMin)), std::string::npos)
      << events[0];
  EXPECT_FALSE(sub.ReadLine(300).has_value());
}

// Answers exactly at a shared deadline are on time in any order, also
// across a policy reload and a restart between them: the new engine, and
// the recovered one, keep what is due at the clock's instant waiting
// (Engine::AdvanceBefore) instead of firing it at once.
TEST_F(DaemonTest, AnswersAtTheDeadlinesInstantStayOnTimeAcrossReloadAndRestart) {
  const int64_t deadline = kMonday9 + 2 * kHour;  // after_sales: 2h
  auto open = [&](const std::string& id) {
    return absl::StrCat(R"({"op":"open","req":1,"id":")", id,
                        R"(","kind":"after_sales","at":)", kMonday9, "}");
  };
  auto respond = [&](const std::string& id) {
    return absl::StrCat(R"({"op":"event","req":2,"id":")", id,
                        R"(","name":"responded","at":)", deadline, "}");
  };
  StartDaemon();
  {
    LineClient c = daemon_->Connect();
    for (const char* id : {"V1", "V2", "V3"}) ASSERT_TRUE(IsOk(Ask(c, open(id)), "1"));
    ASSERT_TRUE(IsOk(Ask(c, respond("V1")), "2"));
    daemon_->Signal(SIGHUP);
    ASSERT_TRUE(daemon_->WaitForLog("policy reloaded")) << daemon_->log();
    ASSERT_TRUE(IsOk(Ask(c, respond("V2")), "2"));
  }
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->Wait(), 0) << daemon_->log();
  StartDaemon();
  LineClient c = daemon_->Connect();
  ASSERT_TRUE(IsOk(Ask(c, respond("V3")), "2"));
  for (const char* id : {"V1", "V2", "V3"}) {
    const std::string got = Ask(c, absl::StrCat(R"({"op":"get","req":3,"id":")", id, "\"}"));
    EXPECT_NE(got.find(R"("name":"response","state":"met")"), std::string::npos) << got;
    EXPECT_EQ(got.find(R"("breached":true)"), std::string::npos) << got;
  }
}

TEST_F(DaemonTest, RolesDecideWhatEachTokenMayDo) {
  WriteFile("slad.toml", kTokens);
  StartDaemon({"--config", Path("slad.toml")});
  EXPECT_EQ(daemon_->log().find("secret"), std::string::npos);

  LineClient anon = daemon_->Connect();
  EXPECT_EQ(CodeOf(Ask(anon, Open("A"))), "unauthorized");
  EXPECT_EQ(CodeOf(Ask(anon, Auth("wrong"))), "unauthorized");
  EXPECT_EQ(CodeOf(Ask(anon, R"({"op":"overdue"})")), "unauthorized");

  LineClient ingest = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(ingest, Auth("ingest-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(ingest, Open("A")), "1"));
  EXPECT_EQ(CodeOf(Ask(ingest, R"({"op":"overdue"})")), "forbidden");
  EXPECT_EQ(CodeOf(Ask(ingest, Advance(kMonday9 + kHour))), "forbidden");
  EXPECT_EQ(CodeOf(Ask(ingest, R"({"op":"subscribe","group":"g"})")),
            "forbidden");
  // A refused auth undoes the earlier one: the connection is
  // unauthenticated until an auth succeeds again.
  EXPECT_EQ(CodeOf(Ask(ingest, Auth("wrong"))), "unauthorized");
  EXPECT_EQ(CodeOf(Ask(ingest, Open("A2"))), "unauthorized");
  EXPECT_TRUE(IsOk(Ask(ingest, Auth("ingest-secret")), "\"a\""));

  LineClient op = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(op, Auth("operator-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(op, R"({"op":"overdue","req":1})"), "1"));
  EXPECT_TRUE(IsOk(Ask(op, R"({"op":"escalate","req":2,"id":"A","level":"supervisor"})"), "2"));
  EXPECT_EQ(CodeOf(Ask(op, Open("B"))), "forbidden");

  LineClient sub = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(sub, Auth("sub-secret")), "\"a\""));
  EXPECT_EQ(CodeOf(Ask(sub, R"({"op":"get","id":"A"})")), "forbidden");
  EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":1,"group":"g"})"), "1"));

  LineClient admin = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(admin, Auth("admin-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(admin, Advance(kMonday9 + kHour)), "\"adv\""));
  EXPECT_TRUE(IsOk(Ask(admin, Open("C", "west", kMonday9 + kHour)), "1"));
}

TEST_F(DaemonTest, ATeamLimitedTokenSeesAndTouchesOnlyItsTeams) {
  WriteFile("slad.toml", kTokens);
  StartDaemon({"--config", Path("slad.toml")});
  LineClient admin = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(admin, Auth("admin-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(admin, Open("W1", "west")), "1"));

  LineClient east = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(east, Auth("east-secret")), "\"a\""));
  LineClient events = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(events, Auth("east-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(events, R"({"op":"subscribe","req":0,"group":"east"})"), "0"));
  EXPECT_TRUE(IsOk(Ask(east, Open("E1", "east")), "1"));
  EXPECT_EQ(CodeOf(Ask(east, Open("E2", "west"))), "forbidden");
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"open","id":"E3","kind":"complaint"})")),
            "forbidden");
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"get","id":"W1"})")), "not_found");
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"resolve","id":"W1"})")), "not_found");
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"assign","id":"E1","team":"west"})")),
            "forbidden");
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"overdue","team":"west"})")),
            "forbidden");
  // Tickets without a team are no team's, and no ticket of east's leaves it.
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"overdue","team":null})")), "forbidden");
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"pause_all","reason":"x","team":null})")),
            "forbidden");
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"assign","id":"E1","team":null})")),
            "forbidden");
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"open","id":"E3","kind":"complaint","team":null})")),
            "forbidden");
  EXPECT_TRUE(IsOk(Ask(east, R"({"op":"assign","req":9,"id":"E1","assignee":null})"), "9"));
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"stats","from":0,"to":1})")),
            "forbidden");
  EXPECT_TRUE(IsOk(Ask(east, R"({"op":"get","req":2,"id":"E1"})"), "2"));

  // Both tickets breach; the east token's query and events show E1 only.
  EXPECT_TRUE(IsOk(Ask(admin, Advance(kMonday9 + 25 * kHour)), "\"adv\""));
  const std::string overdue = Ask(east, R"({"op":"overdue","req":3})");
  EXPECT_TRUE(IsOk(overdue, "3")) << overdue;
  EXPECT_NE(overdue.find("\"E1\""), std::string::npos);
  EXPECT_EQ(overdue.find("\"W1\""), std::string::npos);
  int seen = 0;
  for (std::optional<std::string> line = events.ReadLine(300);
       line.has_value(); line = events.ReadLine(300)) {
    EXPECT_EQ(line->find("\"W1\""), std::string::npos) << *line;
    EXPECT_NE(line->find("\"E1\""), std::string::npos) << *line;
    ++seen;
  }
  EXPECT_EQ(seen, 5);

  // E4's warnings, breaches and escalation fall due while it is east's;
  // the command that fires them (its `at` is after them) moves it to west.
  // They are east's events: they were routed by the team the ticket had
  // after the command, and east never heard of its own breach.
  const int64_t opened = kMonday9 + 25 * kHour;
  EXPECT_TRUE(IsOk(Ask(admin, Open("E4", "east", opened)), "1"));
  EXPECT_TRUE(IsOk(Ask(admin, absl::StrCat(R"({"op":"assign","req":5,"id":"E4",)",
                                           R"("team":"west","at":)", opened + 30 * kHour,
                                           "}")),
                   "5"));
  seen = 0;
  for (std::optional<std::string> line = events.ReadLine(300);
       line.has_value(); line = events.ReadLine(300)) {
    EXPECT_EQ(line->find("\"W1\""), std::string::npos) << *line;
    seen += line->find("\"E4\"") != std::string::npos;  // (and E1's step)
  }
  EXPECT_EQ(seen, 5);

  // An auth on the subscribing connection, right or wrong, is refused and
  // grants nothing: its events are still east's only (an emptied
  // principal once meant every team).
  EXPECT_EQ(CodeOf(Ask(events, Auth("wrong"))), "failed_precondition");
  EXPECT_EQ(CodeOf(Ask(events, Auth("admin-secret"))), "failed_precondition");
  const int64_t later = opened + 31 * kHour;
  EXPECT_TRUE(IsOk(Ask(admin, Open("W5", "west", later)), "1"));
  EXPECT_TRUE(IsOk(Ask(admin, Advance(later + 25 * kHour)), "\"adv\""));
  for (std::optional<std::string> line = events.ReadLine(300);
       line.has_value(); line = events.ReadLine(300)) {
    EXPECT_EQ(line->find("\"W5\""), std::string::npos) << *line;
  }
}

// Every op on a ticket of another team gets, byte for byte, the reply an
// id no ticket has gets: the token cannot learn that the ticket exists.
TEST_F(DaemonTest, ATeamLimitedTokenCannotTellAnotherTeamsTicketFromNone) {
  WriteFile("slad.toml", kTokens);
  StartDaemon({"--config", Path("slad.toml")});
  LineClient admin = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(admin, Auth("admin-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(admin, Open("WEST-OPEN", "west")), "1"));
  EXPECT_TRUE(IsOk(Ask(admin, Open("WEST-DONE", "west")), "1"));
  EXPECT_TRUE(IsOk(Ask(admin, R"({"op":"resolve","req":2,"id":"WEST-DONE"})"),
                   "2"));
  EXPECT_TRUE(IsOk(Ask(admin, Advance(kMonday9 + kHour)), "\"adv\""));
  LineClient east = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(east, Auth("east-secret")), "\"a\""));
  // Each request, with ID in place of the ticket id; `at` before the
  // clock or an unknown name must fail the same way for both ids too.
  const std::string requests[] = {
      R"({"op":"get","req":1,"id":"ID"})",
      R"({"op":"explain","req":2,"id":"ID","target":"response"})",
      R"({"op":"event","req":3,"id":"ID","name":"responded"})",
      R"({"op":"event","req":4,"id":"ID","name":"no-such-event"})",
      R"({"op":"pause","req":5,"id":"ID","reason":"r"})",
      R"({"op":"resume","req":6,"id":"ID"})",
      R"({"op":"priority","req":7,"id":"ID","priority":"high"})",
      R"({"op":"assign","req":8,"id":"ID","assignee":"bob"})",
      R"({"op":"assign","req":9,"id":"ID","team":"west"})",
      R"({"op":"escalate","req":10,"id":"ID","level":"supervisor"})",
      R"({"op":"resolve","req":11,"id":"ID"})",
      R"({"op":"reopen","req":12,"id":"ID"})",
      R"({"op":"rate","req":13,"id":"ID","score":4})",
      R"({"op":"resume","req":14,"id":"ID","at":1})",
  };
  for (const std::string& request : requests) {
    const std::string none =
        Ask(east, absl::StrReplaceAll(request, {{"ID", "NO-SUCH"}}));
    ASSERT_NE(none, "") << request;
    for (const char* id : {"WEST-OPEN", "WEST-DONE"}) {
      const std::string hidden =
          Ask(east, absl::StrReplaceAll(request, {{"ID", id}}));
      EXPECT_EQ(absl::StrReplaceAll(hidden, {{id, "NO-SUCH"}}), none)
          << request;
    }
  }
  // Opening either id fails alike: ids are one namespace, but whether the
  // other team's ticket is open or resolved is not east's to learn.
  std::string opened[2];
  for (int i = 0; i < 2; ++i) {
    const std::string id = i == 0 ? "WEST-OPEN" : "WEST-DONE";
    opened[i] = absl::StrReplaceAll(Ask(east, Open(id, "east", kMonday9 + kHour)),
                                    {{id, "ID"}});
    EXPECT_EQ(CodeOf(opened[i]), "already_exists") << opened[i];
  }
  EXPECT_EQ(opened[0], opened[1]);
  // Nothing happened to them.
  const std::string open = Ask(admin, R"({"op":"get","req":3,"id":"WEST-OPEN"})");
  EXPECT_NE(open.find("\"paused\":false"), std::string::npos) << open;
  EXPECT_NE(open.find("\"level\":\"agent\""), std::string::npos) << open;
  EXPECT_EQ(open.find("\"resolved\":"), std::string::npos) << open;
}

TEST_F(DaemonTest, GetShowsTheHistoryOfATicketTheEngineHasForgotten) {
  WriteFile("slad.toml", kTokens);
  StartDaemon({"--config", Path("slad.toml")});
  LineClient admin = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(admin, Auth("admin-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(admin, Open("A")), "1"));
  EXPECT_TRUE(IsOk(Ask(admin, R"({"op":"resolve","req":2,"id":"A"})"), "2"));
  // The reopen window (7 days) ends; the next request purges the ticket.
  EXPECT_TRUE(IsOk(Ask(admin, Advance(kMonday9 + 8 * 24 * kHour)), "\"adv\""));
  EXPECT_TRUE(IsOk(Ask(admin, Open("B", "east", kMonday9 + 8 * 24 * kHour)), "1"));
  const std::string a = Ask(admin, R"({"op":"get","req":3,"id":"A"})");
  EXPECT_EQ(a.rfind(R"({"req":3,"ok":true,"history":[)", 0), 0u) << a;
  EXPECT_NE(a.find(R"("op":"resolve")"), std::string::npos) << a;
  // A team-limited token cannot tell whose it was: not_found.
  LineClient east = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(east, Auth("east-secret")), "\"a\""));
  EXPECT_EQ(CodeOf(Ask(east, R"({"op":"get","id":"A"})")), "not_found");
}

// An id is free again once its ticket is purged, and its history goes on
// (an admin reads it whole), but a team-limited token that opens the id
// anew sees only its own ticket's: what came before was another ticket's,
// perhaps another team's.
TEST_F(DaemonTest, ATeamLimitedTokenSeesNoHistoryFromBeforeItsTicket) {
  WriteFile("slad.toml", kTokens);
  StartDaemon({"--config", Path("slad.toml")});
  LineClient admin = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(admin, Auth("admin-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(admin, Open("A", "west")), "1"));
  EXPECT_TRUE(IsOk(Ask(admin, R"({"op":"pause","req":2,"id":"A","reason":"west-secret"})"),
                   "2"));
  EXPECT_TRUE(IsOk(Ask(admin, R"({"op":"resolve","req":3,"id":"A"})"), "3"));
  const int64_t later = kMonday9 + 8 * 24 * kHour;  // past the reopen window
  EXPECT_TRUE(IsOk(Ask(admin, Advance(later)), "\"adv\""));
  LineClient east = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(east, Auth("east-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(east, Open("A", "east", later)), "1"));
  const std::string mine = Ask(east, R"({"op":"get","req":4,"id":"A"})");
  EXPECT_TRUE(IsOk(mine, "4")) << mine;
  EXPECT_EQ(mine.find("west"), std::string::npos) << mine;
  EXPECT_NE(mine.find(R"("op":"open")"), std::string::npos) << mine;
  const std::string all = Ask(admin, R"({"op":"get","req":5,"id":"A"})");
  EXPECT_NE(all.find("west-secret"), std::string::npos) << all;
}

// With tokens, a connection that does not authenticate in time is told
// so and ended: idle ones cannot hold every connection slot. One that
// authenticated stays.
TEST_F(DaemonTest, AConnectionThatDoesNotAuthenticateInTimeIsEnded) {
  WriteFile("slad.toml", absl::StrCat(kTokens, "\n[limits]\nauth_timeout_ms = 300\n"));
  StartDaemon({"--config", Path("slad.toml")});
  LineClient idle = daemon_->Connect();
  LineClient authed = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(authed, Auth("admin-secret")), "\"a\""));
  const std::string told = idle.ReadLine(5000).value_or("");
  EXPECT_EQ(CodeOf(told), "unauthorized") << told;
  EXPECT_FALSE(idle.ReadLine(3000).has_value());  // then its end
  EXPECT_TRUE(IsOk(Ask(authed, R"({"op":"stats","req":0,"from":0,"to":1})"), "0"));
}

// A team-limited subscriber catching up skips other teams' events without
// writing anything: read a few pages a turn (so that a large outbox does
// not stall every other client), it still gets all of its own, after
// thousands of the others'.
TEST_F(DaemonTest, ATeamLimitedSubscriberCatchesUpPastOtherTeamsEvents) {
  WriteFile("slad.toml", kTokens);
  StartDaemon({"--config", Path("slad.toml")});
  LineClient admin = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(admin, Auth("admin-secret")), "\"a\""));
  std::string batch;
  constexpr int kWest = 1500;  // 5 events each: about 30 outbox pages
  for (int i = 0; i < kWest; ++i) {
    absl::StrAppend(&batch, Open(absl::StrCat("W", i), "west", kMonday9, "0"), "\n");
  }
  ASSERT_TRUE(admin.SendRaw(batch));
  ASSERT_EQ(admin.ReadLines(kWest, 30'000).size(), static_cast<size_t>(kWest));
  EXPECT_TRUE(IsOk(Ask(admin, Open("E1", "east", kMonday9 + kHour)), "1"));
  EXPECT_TRUE(IsOk(Ask(admin, Advance(kMonday9 + 26 * kHour)), "\"adv\""));
  LineClient east = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(east, Auth("east-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(east, R"({"op":"subscribe","req":0,"group":"e"})"), "0"));
  int seen = 0;
  for (std::optional<std::string> line = east.ReadLine(1000); line.has_value();
       line = east.ReadLine(1000)) {
    EXPECT_NE(line->find("\"E1\""), std::string::npos) << *line;
    ++seen;
  }
  EXPECT_EQ(seen, 5);
}

// A group has one cursor, so a team-limited token's groups are its own: a
// "shared" it subscribes is not the "shared" of an unlimited token, and
// its acks cannot drop events it was never sent.
TEST_F(DaemonTest, ATeamLimitedTokensAcksMoveOnlyItsOwnGroup) {
  WriteFile("slad.toml", kTokens);
  StartDaemon({"--config", Path("slad.toml")});
  LineClient admin = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(admin, Auth("admin-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(admin, Open("W1", "west")), "1"));
  EXPECT_TRUE(IsOk(Ask(admin, Open("E1", "east")), "1"));
  {
    // The unlimited consumer's "shared" exists and has acked nothing.
    LineClient sub = daemon_->Connect();
    EXPECT_TRUE(IsOk(Ask(sub, Auth("sub-secret")), "\"a\""));
    EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":0,"group":"shared"})"), "0"));
  }
  EXPECT_TRUE(IsOk(Ask(admin, Advance(kMonday9 + 25 * kHour)), "\"adv\""));

  LineClient east = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(east, Auth("east-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(east, R"({"op":"subscribe","req":0,"group":"shared"})"), "0"));
  std::string last_seq;
  for (std::optional<std::string> line = east.ReadLine(300); line.has_value();
       line = east.ReadLine(300)) {
    EXPECT_NE(line->find("\"E1\""), std::string::npos) << *line;
    EXPECT_NE(line->find(R"("group":"shared","seq":)"), std::string::npos) << *line;
    last_seq = line->substr(line->rfind(':') + 1);
    last_seq.pop_back();  // "}"
  }
  ASSERT_FALSE(last_seq.empty());
  EXPECT_TRUE(IsOk(Ask(east, absl::StrCat(R"({"op":"ack","req":1,"group":"shared","seq":)",
                                          last_seq, "}")),
                   "1"));

  LineClient sub = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(sub, Auth("sub-secret")), "\"a\""));
  EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":0,"group":"shared"})"), "0"));
  int west = 0, all = 0;
  for (std::optional<std::string> line = sub.ReadLine(300); line.has_value();
       line = sub.ReadLine(300)) {
    west += line->find("\"W1\"") != std::string::npos;
    ++all;
  }
  EXPECT_EQ(west, 5);
  EXPECT_EQ(all, 10);
}

// A refused connection is answered and closed; what it sent is read and
// dropped, never executed, or a refused client could still change tickets.
TEST_F(DaemonTest, ARefusedConnectionsRequestsAreNotExecuted) {
  WriteFile("slad.toml", "[limits]\nmax_connections = 1\n");
  StartDaemon({"--config", Path("slad.toml")});
  LineClient a = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(a, R"({"op":"stats","req":0,"from":0,"to":1})"), "0"));
  LineClient refused = daemon_->Connect();
  ASSERT_TRUE(refused.SendLine(R"({"op":"open","id":"SNEAK","kind":"inquiry"})"));
  EXPECT_EQ(CodeOf(refused.ReadLine().value_or("")), "too_many_connections");
  EXPECT_TRUE(refused.WaitForClose());
  refused.Close();
  // Its bytes were in the server's hands before it closed: a commit on the
  // open connection, then the ticket must still be unknown.
  EXPECT_TRUE(IsOk(Ask(a, R"({"op":"open","req":1,"id":"OTHER","kind":"inquiry"})"), "1"));
  EXPECT_EQ(CodeOf(Ask(a, R"({"op":"get","id":"SNEAK"})")), "not_found");
}

TEST_F(DaemonTest, ConnectionLimitRepliesThenCloses) {
  WriteFile("slad.toml", "[limits]\nmax_connections = 2\n");
  StartDaemon({"--config", Path("slad.toml")});
  LineClient a = daemon_->Connect();
  LineClient b = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(a, R"({"op":"stats","req":0,"from":0,"to":1})"), "0"));
  EXPECT_TRUE(IsOk(Ask(b, R"({"op":"stats","req":0,"from":0,"to":1})"), "0"));
  LineClient third = daemon_->Connect();
  EXPECT_EQ(CodeOf(third.ReadLine().value_or("")), "too_many_connections");
  EXPECT_TRUE(third.WaitForClose());
  a.Close();
  // The slot frees once the server has seen the close.
  ASSERT_TRUE(daemon_->WaitForLog("refused: connection limit"));
  for (int attempt = 0; attempt < 100; ++attempt) {
    LineClient d = daemon_->Connect();
    const std::string reply = Ask(d, R"({"op":"stats","req":0,"from":0,"to":1})");
    if (IsOk(reply, "0")) return;
  }
  ADD_FAILURE() << "no connection accepted after one closed";
}

TEST_F(DaemonTest, ASubscriberThatCannotKeepUpIsDisconnected) {
  WriteFile("slad.toml", "[limits]\nmax_output_bytes = 1024\n");
  StartDaemon({"--config", Path("slad.toml")});
  LineClient sub = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":1,"group":"g"})"), "1"));
  LineClient c = daemon_->Connect();
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(IsOk(Ask(c, Open(absl::StrCat("T", i))), "1"));
  }
  // 10 tickets × (2 warnings + 2 breaches + 1 escalation) in one burst:
  // far more than 1 KiB for a subscriber at once.
  EXPECT_TRUE(IsOk(Ask(c, Advance(kMonday9 + 25 * kHour)), "\"adv\""));
  EXPECT_TRUE(daemon_->WaitForLog("slow consumer")) << daemon_->log();
  // Its socket was keeping up, so it is told why (the events are dropped
  // from its buffer, not from the outbox).
  EXPECT_EQ(CodeOf(sub.ReadLine().value_or("")), "slow_consumer");
  EXPECT_TRUE(sub.WaitForClose());
  // The daemon and other clients carry on (a small reply: a get with its
  // history would be over this test's 1 KiB limit itself).
  const std::string stats = Ask(c, R"({"op":"stats","req":2,"from":0,"to":1})");
  EXPECT_TRUE(IsOk(stats, "2")) << stats << daemon_->log();
  // Cut off, it subscribes no more, though its socket (still open on this
  // side) lingers: the group has no connection and can be dropped now.
  const std::string groups = Ask(c, R"({"op":"groups","req":3})");
  EXPECT_NE(groups.find(R"("key":"g")"), std::string::npos) << groups;
  EXPECT_NE(groups.find(R"("connections":0)"), std::string::npos) << groups;
  EXPECT_TRUE(IsOk(Ask(c, R"({"op":"drop_group","req":4,"key":"g"})"), "4"));
}

TEST_F(DaemonTest, ARestartKeepsTicketsHistoryAndUnackedEvents) {
  StartDaemon();
  int events = 0;
  {
    LineClient c = daemon_->Connect();
    LineClient sub = daemon_->Connect();
    EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":1,"group":"crm"})"), "1"));
    EXPECT_TRUE(IsOk(Ask(c, Open("A")), "1"));
    EXPECT_TRUE(IsOk(Ask(c, Open("B")), "1"));
    EXPECT_TRUE(IsOk(Ask(c, R"({"op":"resolve","req":2,"id":"B","at":)" +
                                std::to_string(kMonday9 + kHour) + "}"),
                     "2"));
    EXPECT_TRUE(IsOk(Ask(c, Advance(kMonday9 + 25 * kHour)), "\"adv\""));
    // B's two targets met, then A's warnings, breaches and escalation.
    for (std::optional<std::string> e = sub.ReadLine(300); e.has_value();
         e = sub.ReadLine(300)) {
      ++events;
    }
    EXPECT_EQ(events, 7);
    EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"ack","req":2,"group":"crm","seq":2})"), "2"));
  }
  daemon_->Signal(SIGTERM);
  ASSERT_EQ(daemon_->Wait(), 0) << daemon_->log();

  StartDaemon();
  EXPECT_NE(daemon_->log().find("recovered 2 tickets"), std::string::npos)
      << daemon_->log();
  LineClient c = daemon_->Connect();
  const std::string a = Ask(c, R"({"op":"get","req":3,"id":"A"})");
  EXPECT_TRUE(IsOk(a, "3")) << a;
  EXPECT_NE(a.find("\"level\":\"supervisor\""), std::string::npos) << a;
  EXPECT_NE(a.find("\"kind\":\"event\""), std::string::npos) << a;
  const std::string b = Ask(c, R"({"op":"get","req":4,"id":"B"})");
  EXPECT_NE(b.find("\"resolved\":"), std::string::npos) << b;
  EXPECT_NE(b.find("\"op\":\"resolve\""), std::string::npos) << b;
  const std::string overdue = Ask(c, R"({"op":"overdue","req":5})");
  EXPECT_NE(overdue.find("\"A\""), std::string::npos) << overdue;
  // Events 3.. were not acknowledged: they come again.
  LineClient sub = daemon_->Connect();
  EXPECT_TRUE(IsOk(Ask(sub, R"({"op":"subscribe","req":6,"group":"crm"})"), "6"));
  const std::vector<std::string> again = sub.ReadLines(events - 2);
  ASSERT_EQ(again.size(), size_t(events - 2));
  EXPECT_NE(again[0].find("\"seq\":3"), std::string::npos) << again[0];
  EXPECT_FALSE(sub.ReadLine(200).has_value());
}

// Past max_in_flight the session waits for replies before it parses more
// of what it read: a pipelining client is slowed down, never refused.
TEST_F(DaemonTest, RequestsPastMaxInFlightWaitAndAreAllAnswered) {
  WriteFile("slad.toml", "[limits]\nmax_in_flight = 2\n");
  StartDaemon({"--config", Path("slad.toml")});
  LineClient c = daemon_->Connect();
  std::string batch;
  constexpr int kN = 50;
  for (int i = 0; i < kN; ++i) {
    absl::StrAppend(&batch, Open(absl::StrCat("T", i), "east", kMonday9,
                                 absl::StrCat(i)),
                    "\n");
  }
  ExpectAllOkInOrder(c, batch, kN);
}

// --- TLS, with a self-signed certificate made by the openssl binary.

class TlsClient {
 public:
  ~TlsClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }
  bool Connect(uint16_t port) {
    tcp_ = LineClient::Connect(port);
    if (!tcp_.connected()) return false;
    ctx_ = SSL_CTX_new(TLS_client_method());
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, Fd());
    return SSL_connect(ssl_) == 1;
  }
  // After the daemon ends the connection: whether it said so with a
  // close_notify (a clean TLS end) rather than just closing the socket.
  bool ReadsCloseNotify() {
    char c;
    const int n = SSL_read(ssl_, &c, 1);
    return n <= 0 && SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN;
  }
  std::string Ask(const std::string& line) {
    return Send(line + "\n") ? ReadLine() : "";
  }
  bool Send(const std::string& bytes) {
    return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) > 0;
  }
  std::string ReadLine() {
    std::string reply;
    char c;
    while (SSL_read(ssl_, &c, 1) == 1 && c != '\n') reply.push_back(c);
    return reply;
  }

 private:
  int Fd() const { return tcp_.fd(); }

  LineClient tcp_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

void MakeCertificate(const std::string& key, const std::string& cert) {
  const std::string cmd = absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 1 -subj /CN=localhost -keyout ",
      key, " -out ", cert, " 2>/dev/null");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

TEST_F(DaemonTest, TlsConnectionsWork) {
  MakeCertificate(Path("key.pem"), Path("cert.pem"));
  WriteFile("slad.toml", absl::StrCat("[tls]\ncert = \"cert.pem\"\n"
                                      "key = \"key.pem\"\n"));
  StartDaemon({"--config", Path("slad.toml")});
  EXPECT_NE(daemon_->log().find("(tls)"), std::string::npos);
  TlsClient tls;
  ASSERT_TRUE(tls.Connect(daemon_->port()));
  EXPECT_TRUE(IsOk(tls.Ask(Open("A")), "1"));
  const std::string get = tls.Ask(R"({"op":"get","req":2,"id":"A"})");
  EXPECT_TRUE(IsOk(get, "2")) << get;
  // A plain-text client gets nothing useful from a TLS port.
  LineClient plain = daemon_->Connect();
  plain.SendLine(Open("B"));
  EXPECT_FALSE(plain.ReadLine(1000).has_value());
  // SIGTERM ends the TLS connection cleanly, with a close_notify.
  daemon_->Signal(SIGTERM);
  EXPECT_TRUE(tls.ReadsCloseNotify());
}

// A key with a passphrase is refused with that reason, without OpenSSL
// asking for the passphrase on a terminal the daemon does not have.
TEST_F(DaemonTest, AnEncryptedTlsKeyIsRefusedWithoutAPrompt) {
  MakeCertificate(Path("key.pem"), Path("cert.pem"));
  const std::string cmd = absl::StrCat("openssl pkey -in ", Path("key.pem"),
                                       " -aes256 -passout pass:secret -out ",
                                       Path("enc.pem"), " 2>/dev/null");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  WriteFile("slad.toml", "[tls]\ncert = \"cert.pem\"\nkey = \"enc.pem\"\n");
  std::string log;
  EXPECT_EQ(DaemonProcess::RunToExit(
                SLAD_PATH, {"--config", Path("slad.toml"), "--data", Path("data")}, &log),
            2)
      << log;
  EXPECT_NE(log.find("the key is encrypted"), std::string::npos) << log;
  EXPECT_EQ(log.find("pass phrase"), std::string::npos) << log;
}

// A refused TLS client that goes on sending still reads its reply and the
// close_notify: the daemon's shutdown fails on the data that follows, and
// it then reads and drops that data instead of resetting the connection.
TEST_F(DaemonTest, ARefusedTlsClientThatGoesOnSendingReadsItsReply) {
  signal(SIGPIPE, SIG_IGN);  // a reset must fail the test, not kill it
  MakeCertificate(Path("key.pem"), Path("cert.pem"));
  WriteFile("slad.toml", absl::StrCat("[limits]\nmax_connections = 1\n"
                                      "[tls]\ncert = \"cert.pem\"\n"
                                      "key = \"key.pem\"\n"));
  StartDaemon({"--config", Path("slad.toml")});
  TlsClient first;
  ASSERT_TRUE(first.Connect(daemon_->port()));
  EXPECT_TRUE(IsOk(first.Ask(Open("A")), "1"));
  TlsClient refused;
  ASSERT_TRUE(refused.Connect(daemon_->port()));
  std::string batch;
  for (int i = 0; i < 40000; ++i) absl::StrAppend(&batch, Open(absl::StrCat("R", i)), "\n");
  EXPECT_TRUE(refused.Send(batch));
  EXPECT_EQ(CodeOf(refused.ReadLine()), "too_many_connections");
  EXPECT_TRUE(refused.ReadsCloseNotify());
  EXPECT_TRUE(IsOk(first.Ask(R"({"op":"get","req":2,"id":"A"})"), "2"));
}

}  // namespace
}  // namespace slad
