// Runs the built `slactl` (SLACTL_PATH) against the real `slad`
// (SLAD_PATH) on a free 127.0.0.1 port, with a manual clock and a
// temporary data folder: tables, --json, exit statuses, tail and its acks.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/daemon_process.h"
#include "tests/testing/shell.h"
#include "tests/testing/temp_dir.h"

namespace {

using ::slad::testing::DaemonProcess;
using ::slad::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using Result = slad::testing::ShellResult;

class SlactlRemoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    daemon_ = DaemonProcess::Start(
        SLAD_PATH,
        {"--listen", "127.0.0.1:0", "--clock", "manual", "--data",
         dir_.Sub("data")},
        &error);
    ASSERT_NE(daemon_, nullptr) << error;
    addr_ = "127.0.0.1:" + std::to_string(daemon_->port());
    ASSERT_EQ(Slactl("advance 2026-01-05T00:00:00Z").status, 0);
  }

  // Runs `slactl --addr ADDR ARGS` (ARGS pasted into a shell line).
  Result Slactl(const std::string& args, const std::string& env = "") {
    return slad::testing::RunShell(
        env + " '" + SLACTL_PATH + "' --addr " + addr_ + " " + args,
        dir_.Sub(""));
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::string addr_;
};

TEST_F(SlactlRemoteTest, OpenThenGetShowsTheTicketAsTables) {
  Result r = Slactl("open RET-1 return --team east --at 2026-01-05T01:00:00Z");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
  r = Slactl("get RET-1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("team      east\n"));
  EXPECT_THAT(r.out, HasSubstr("opened    2026-01-05T01:00:00Z\n"));
  EXPECT_THAT(r.out, HasSubstr("TARGET    STATE    START"));
  // Review: 2 working days of cn_office from Monday 09:00 Shanghai.
  EXPECT_THAT(r.out, HasSubstr("review    running  2026-01-05T01:00:00Z  "
                               "2026-01-06T10:00:00Z"));
  // Business time left in hours: complete's 3 working days are 24 h of
  // it, not a day.
  EXPECT_THAT(r.out, HasSubstr("  0s       16h        no\n"));
  EXPECT_THAT(r.out, HasSubstr("  0s       24h        no\n"));
}

// After the reopen window the engine forgets a resolved ticket; get still
// answers ok with its stored history, and slactl prints it.
TEST_F(SlactlRemoteTest, GetOfAForgottenTicketPrintsItsHistory) {
  ASSERT_EQ(Slactl("open RET-9 return --at 2026-01-05T01:00:00Z").status, 0);
  ASSERT_EQ(Slactl("resolve RET-9").status, 0);
  ASSERT_EQ(Slactl("advance 2026-01-20T00:00:00Z").status, 0);
  const Result r = Slactl("get RET-9");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ticket forgotten"));
  EXPECT_THAT(r.out, HasSubstr(R"("op":"resolve")"));
}

TEST_F(SlactlRemoteTest, JsonPrintsTheRawReplyLine) {
  ASSERT_EQ(Slactl("open RET-1 return").status, 0);
  const Result r = Slactl("--json get RET-1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith(R"({"req":1,"ok":true,"ticket":{"id":"RET-1")"));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
}

TEST_F(SlactlRemoteTest, ServerErrorExitsOneWithItsCode) {
  ASSERT_EQ(Slactl("open RET-1 return").status, 0);
  Result r = Slactl("open RET-1 return");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, StartsWith(R"({"error":{"code":"already_exists")"));
  r = Slactl("get NOPE");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(R"("code":"not_found")"));
  r = Slactl("--json resume NOPE");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, StartsWith(R"({"req":1,"ok":false)"));
}

TEST_F(SlactlRemoteTest, UsageErrorExitsTwoAndSendsNothing) {
  Result r = Slactl("open ONLY-ID");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr(R"("code":"usage")"));
  // Named as typed, not as the op.
  EXPECT_THAT(Slactl("due-soon").err, HasSubstr("due-soon takes 1 argument, got 0"));
  EXPECT_EQ(Slactl("overdue --bogus 1").status, 2);
  EXPECT_EQ(Slactl("overdue --limit many").status, 2);
  EXPECT_EQ(Slactl("get ONLY-ID").status, 1);  // nothing was opened
}

TEST_F(SlactlRemoteTest, UnreachableExitsThree) {
  // A port that was just free: nothing listens there.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), len), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  addr_ = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  const Result r = Slactl("get RET-1");
  EXPECT_EQ(r.status, 3);
  EXPECT_THAT(r.err, HasSubstr(R"("code":"unreachable")"));
}

TEST_F(SlactlRemoteTest, EnvironmentGivesTheAddress) {
  const std::string addr = addr_;
  addr_ = "127.0.0.1:1";
  const std::string cmd = "SLAD_ADDR=" + addr + " '" + SLACTL_PATH +
                          "' open ENV-1 return >/dev/null 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 0);
  addr_ = addr;
  EXPECT_EQ(Slactl("get ENV-1").status, 0);
}

TEST_F(SlactlRemoteTest, OverduePagesWithACursor) {
  ASSERT_EQ(Slactl("open A first_contact --team east").status, 0);
  ASSERT_EQ(Slactl("open B first_contact --assignee bob").status, 0);
  ASSERT_EQ(Slactl("advance 2026-01-05T01:00:00Z").status, 0);
  Result r = Slactl("overdue --target response --limit 1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("ID  KIND           TARGET    TEAM  ASSIGNEE"));
  EXPECT_THAT(r.out, HasSubstr("2026-01-05T00:15:00Z  45m\n"));
  const std::string more = "more: the same command with --cursor ";
  const size_t at = r.out.find(more);
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string cursor = r.out.substr(at + more.size());
  cursor.pop_back();
  r = Slactl("overdue --target response --limit 1 --cursor " + cursor);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("B   first_contact"));
  // Without the filters it is another query, which the cursor does not page.
  r = Slactl("overdue --limit 1 --cursor " + cursor);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("bad_field"));
  EXPECT_THAT(Slactl("overdue --team nobody").out, "(none)\n");
}

TEST_F(SlactlRemoteTest, StatsTable) {
  ASSERT_EQ(Slactl("open A first_contact --team east").status, 0);
  ASSERT_EQ(Slactl("event A responded").status, 0);
  const Result r = Slactl(
      "stats --from 2026-01-01T00:00:00Z --to 2026-01-06T00:00:00Z "
      "--group-by team");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("GROUP  STARTED  MET  MET_LATE"));
  EXPECT_THAT(r.out, HasSubstr("east   2        1    0         0"));
}

TEST_F(SlactlRemoteTest, TailPrintsEventsAndAcknowledgesThem) {
  ASSERT_EQ(Slactl("open A first_contact").status, 0);
  ASSERT_EQ(Slactl("advance 2026-01-05T00:20:00Z").status, 0);
  // Warning at 80 % of 15 min, then the breach and the escalation.
  Result r = Slactl("tail --group ops --count 2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "2026-01-05T00:12:00Z  warning    A  response  deadline "
            "2026-01-05T00:15:00Z  seq 1\n"
            "2026-01-05T00:15:00Z  breached   A  response  deadline "
            "2026-01-05T00:15:00Z  seq 2\n");
  // Acknowledged: the next tail starts after them.
  r = Slactl("--json tail --group ops --count 1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith(R"({"event":"escalated")"));
  EXPECT_THAT(r.out, HasSubstr(R"("seq":3)"));
  // --ack no leaves it for the next subscriber.
  ASSERT_EQ(Slactl("open B first_contact").status, 0);
  ASSERT_EQ(Slactl("advance 2026-01-05T00:33:00Z").status, 0);
  r = Slactl("tail --group ops --count 1 --ack no");
  EXPECT_THAT(r.out, HasSubstr("escalated  A  response"));
  EXPECT_THAT(r.out, HasSubstr("supervisor -> management  seq 4\n"));
  r = Slactl("tail --group ops --count 1");
  EXPECT_THAT(r.out, HasSubstr("seq 4\n"));
  r = Slactl("tail --group ops --count 1");
  EXPECT_THAT(r.out, HasSubstr("warning    B  response"));
  EXPECT_THAT(r.out, HasSubstr("seq 5\n"));
}

TEST_F(SlactlRemoteTest, GroupsListsAndDropGroupForgetsASubscriberGroup) {
  ASSERT_EQ(Slactl("open A first_contact").status, 0);
  ASSERT_EQ(Slactl("advance 2026-01-05T00:20:00Z").status, 0);
  ASSERT_EQ(Slactl("tail --group ops --count 2").status, 0);  // acks 1..2 of 3
  Result r = Slactl("groups");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("GROUP  TEAMS  ACKED  BEHIND  CONNECTIONS\n"
                                "ops    -      2      1       "));
  // Its tail has exited, but the daemon may not have seen the close yet.
  for (int i = 0; i < 100; ++i) {
    r = Slactl("drop-group ops");
    if (r.err.find("failed_precondition") == std::string::npos) break;
  }
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
  EXPECT_EQ(Slactl("groups").out, "(no groups)\n");
  // A team-limited token's group is named with its teams.
  r = Slactl("drop-group ops --teams west,east");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("not_found"));
  EXPECT_THAT(r.err, HasSubstr(R"(no subscriber group \"ops\" of teams \"east\", \"west\")"));
}

// A socket listening on 127.0.0.1 at a free port (*port), for a fake peer;
// -1 on failure.
int ListenOnLoopback(int backlog, uint16_t* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

// A peer that takes the connection and never answers (a stuck daemon, not
// slad at all) does not hang a script: --timeout bounds the wait for each
// reply (exit status 3, code timeout), and a bad value is a usage error.
TEST(SlactlTimeoutTest, ASilentPeerTimesOut) {
  uint16_t port = 0;
  const int listener = ListenOnLoopback(4, &port);  // never accepted
  ASSERT_GE(listener, 0);
  const std::string slactl =
      std::string("'") + SLACTL_PATH + "' --addr 127.0.0.1:" + std::to_string(port);
  const TempDir dir;
  Result r = slad::testing::RunShell(slactl + " --timeout 0.3 get X", dir.Sub(""));
  EXPECT_EQ(r.status, 3);
  EXPECT_THAT(r.err, HasSubstr(R"("code":"timeout")"));
  EXPECT_THAT(r.err, HasSubstr("no reply within 0.3 s"));
  r = slad::testing::RunShell(slactl + " get X --timeout=0.3", dir.Sub(""));
  EXPECT_EQ(r.status, 3) << r.err;
  r = slad::testing::RunShell(slactl + " --timeout soon get X", dir.Sub(""));
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--timeout takes seconds"));
  // Before the command and again after it: given twice, not the last wins.
  r = slad::testing::RunShell(slactl + " --timeout 0.3 get X --timeout 600", dir.Sub(""));
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--timeout given twice"));
  ::close(listener);
}

// A peer that is not slad (a web server on a mistyped port) is a
// connection problem, exit status 3 with code not_slad, not a slactl bug
// (`internal`, exit 1); with --json its answer is not printed as a reply.
TEST(SlactlTimeoutTest, APeerThatIsNotSladIsSaidSo) {
  uint16_t port = 0;
  const int listener = ListenOnLoopback(1, &port);
  ASSERT_GE(listener, 0);
  std::thread server([&] {
    const int c = ::accept(listener, nullptr, nullptr);
    if (c < 0) return;
    char buf[512];
    (void)::read(c, buf, sizeof buf);
    const std::string answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    (void)::write(c, answer.data(), answer.size());
    ::close(c);
  });
  const TempDir dir;
  const Result r = slad::testing::RunShell(std::string("'") + SLACTL_PATH +
                                               "' --json --timeout 5 --addr 127.0.0.1:" +
                                               std::to_string(port) + " get X",
                                           dir.Sub(""));
  server.join();
  ::close(listener);
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr(R"("code":"not_slad")"));
  EXPECT_THAT(r.err, HasSubstr("does not speak slad's protocol"));
  EXPECT_EQ(r.out, "");
}

// A burst that ends on the reply to an ack (the events queued before the
// reply came in the same read) is printed at once and acknowledged, not
// left waiting for the next event. A fake server sends event 2 and then
// the reply to the ack of event 1 in one write, and waits for the ack of 2.
// It waits past the client's --timeout first, which a tail does not apply
// to events.
TEST(SlactlTailTest, ABurstEndingOnAnAckReplyIsAcknowledged) {
  uint16_t port = 0;
  const int listener = ListenOnLoopback(1, &port);
  ASSERT_GE(listener, 0);
  const auto event = [](int seq) {
    return std::string(R"({"event":"warning","at":1767571200000,"id":"A",)") +
           R"("target":"response","deadline":1767572100000,"group":"g","seq":)" +
           std::to_string(seq) + "}\n";
  };
  std::string acks;  // what the client sent after its subscribe
  std::thread server([&] {
    const int c = ::accept(listener, nullptr, nullptr);
    if (c < 0) return;
    timeval wait{3, 0};  // the longest a missing ack is waited for
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    std::string in;
    const auto read_until = [&](const std::string& text) {
      char buf[4096];
      while (in.find(text) == std::string::npos) {
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) return false;
        in.append(buf, static_cast<size_t>(n));
      }
      return true;
    };
    const auto send = [&](const std::string& text) {
      (void)!::write(c, text.data(), text.size());
    };
    if (read_until("subscribe")) {
      send(R"({"req":"subscribe","ok":true})" "\n" + event(1));
      if (read_until(R"("seq":1})")) {
        // Longer than the client's --timeout: tail waits for events
        // without a limit.
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        send(event(2) + R"({"req":"ack","ok":true})" "\n");
        read_until(R"("seq":2})");
      }
    }
    acks = in;
    ::close(c);
  });
  const TempDir dir;
  const Result r = slad::testing::RunShell(
      std::string("'") + SLACTL_PATH + "' --addr 127.0.0.1:" +
          std::to_string(port) + " --timeout 0.2 tail --group g",
      dir.Sub(""));
  server.join();
  ::close(listener);
  EXPECT_THAT(acks, HasSubstr(R"("seq":2})"));
  EXPECT_THAT(r.out, HasSubstr("seq 2\n"));
}

TEST_F(SlactlRemoteTest, CommandsOnATicket) {
  ASSERT_EQ(Slactl("open A return").status, 0);
  EXPECT_EQ(Slactl("pause A 'waiting on customer'").status, 0);
  EXPECT_THAT(Slactl("get A").out, HasSubstr("paused    yes\n"));
  EXPECT_EQ(Slactl("resume A").status, 0);
  EXPECT_EQ(Slactl("priority A high").status, 0);
  EXPECT_EQ(Slactl("assign A --team west").status, 0);
  EXPECT_EQ(Slactl("escalate A supervisor --note 'angry customer'").status, 0);
  EXPECT_EQ(Slactl("event A approved").status, 0);
  const Result r = Slactl("get A");
  EXPECT_THAT(r.out, HasSubstr("priority  high\n"));
  EXPECT_THAT(r.out, HasSubstr("level     supervisor\n"));
  EXPECT_THAT(r.out, HasSubstr("complete  running"));
  EXPECT_EQ(Slactl("resolve A").status, 0);
  EXPECT_EQ(Slactl("rate A 5").status, 0);
  EXPECT_EQ(Slactl("explain A review").status, 0);
}

// After a lone "--" every argument is positional: an id or a reason that
// begins with "--" can be given (ids may: API.md), and flags still work
// before it.
TEST_F(SlactlRemoteTest, ADoubleDashEndsTheFlags) {
  Result r = Slactl("open --team east -- --odd-id return");
  ASSERT_EQ(r.status, 0) << r.err;
  r = Slactl("get -- --odd-id");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("team      east\n"));
  EXPECT_EQ(Slactl("pause -- --odd-id --reason-like-text").status, 0);
  EXPECT_THAT(Slactl("get --odd-id").err, HasSubstr("unknown flag --odd-id"));
}

TEST_F(SlactlRemoteTest, PauseAllAndResumeAllCount) {
  ASSERT_EQ(Slactl("open A return --team east").status, 0);
  ASSERT_EQ(Slactl("open B return").status, 0);
  EXPECT_EQ(Slactl("pause-all outage --team east").out, "ok: 1 ticket\n");
  EXPECT_THAT(Slactl("get A").out, HasSubstr("paused    yes\n"));
  EXPECT_THAT(Slactl("--json resume-all").out, HasSubstr(R"("count":1)"));
  EXPECT_EQ(Slactl("pause-all outage").out, "ok: 2 tickets\n");
}

// --team '' names no team (null on the wire): assign clears one, a filter
// finds the tickets without one.
// An empty team in --teams (an unset variable) would name the group of a
// token of every team, which drop-group would drop: a usage error instead.
TEST_F(SlactlRemoteTest, DropGroupRefusesAnEmptyTeamName) {
  for (const char* teams : {"''", "east,,west", "east,", ",east"}) {
    const Result r = Slactl(std::string("drop-group g --teams ") + teams);
    EXPECT_EQ(r.status, 2) << teams;
    EXPECT_THAT(r.err, HasSubstr("no empty name")) << teams;
  }
}

TEST_F(SlactlRemoteTest, AnEmptyTeamOrAssigneeMeansNone) {
  ASSERT_EQ(Slactl("open A return --team east --assignee ann").status, 0);
  ASSERT_EQ(Slactl("open B return").status, 0);
  EXPECT_EQ(Slactl("pause-all outage --team ''").out, "ok: 1 ticket\n");
  EXPECT_THAT(Slactl("get B").out, HasSubstr("paused    yes\n"));
  EXPECT_EQ(Slactl("assign A --team '' --assignee ''").status, 0);
  const Result r = Slactl("get A");
  EXPECT_THAT(r.out, HasSubstr("team      -\nassignee  -\n"));
  EXPECT_THAT(r.out, HasSubstr(R"("assignee":null,"team":null)"));  // as sent
  EXPECT_EQ(Slactl("pause-all outage --assignee ''").out, "ok: 1 ticket\n");
}

// slaload (built beside slactl) against the real slad on the system
// clock: short runs, a few connections, each well under a few seconds.
class SlaloadTest : public ::testing::Test {
 protected:
  // Starts slad; `config`, when not empty, is its TOML (tokens, say).
  void StartDaemon(const std::string& config = "") {
    std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--data",
                                     dir_.Sub("data")};
    if (!config.empty()) {
      std::ofstream(dir_.Sub("slad.toml")) << config;
      args.push_back("--config");
      args.push_back(dir_.Sub("slad.toml"));
    }
    std::string error;
    daemon_ = DaemonProcess::Start(SLAD_PATH, args, &error);
    ASSERT_NE(daemon_, nullptr) << error;
    addr_ = "127.0.0.1:" + std::to_string(daemon_->port());
  }

  // Runs `slaload --addr ADDR --quiet ARGS`; *wall_s: how long it took.
  Result Slaload(const std::string& args, double* wall_s = nullptr) {
    std::string path = SLACTL_PATH;
    path.replace(path.rfind("slactl"), 6, "slaload");
    const auto start = std::chrono::steady_clock::now();
    Result r = slad::testing::RunShell(
        "'" + path + "' --addr " + (addr_.empty() ? "127.0.0.1:1" : addr_) +
            " --quiet " + args,
        dir_.Sub(""));
    if (wall_s != nullptr) {
      *wall_s = std::chrono::duration<double>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    }
    return r;
  }

  // The number after `"key":` in a JSON report ("" if absent).
  static std::string Field(const std::string& json, const std::string& key) {
    const std::string k = "\"" + key + "\":";
    const size_t at = json.find(k);
    if (at == std::string::npos) return "";
    const size_t begin = at + k.size();
    return json.substr(begin, json.find_first_of(",}", begin) - begin);
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::string addr_;
};

// --requests N over 4 connections: exactly N in all (not N / 4 each), and
// the run ends once they are answered, not after --seconds.
TEST_F(SlaloadTest, RequestsSendsExactlyNAndStopsWhenAnswered) {
  StartDaemon();
  for (const char* n : {"3", "10", "1001"}) {
    double wall_s = 0;
    const Result r = Slaload(std::string("--connections 4 --seconds 20 "
                                         "--no-subscribe --json --prefix R") +
                                 n + " --requests " + n,
                             &wall_s);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(Field(r.out, "requests"), n) << r.out;
    EXPECT_LT(wall_s, 10) << n;
  }
}

// --rate is the total over all connections from the start: no request per
// connection at t = 0, and a slow rate does not hold the run past
// --seconds.
TEST_F(SlaloadTest, RateIsTheTotalFromTheStartAndTheRunEndsOnTime) {
  StartDaemon();
  Result r = Slaload("--rate 1 --seconds 2 --connections 4 --no-subscribe "
                     "--json --prefix A");
  ASSERT_EQ(r.status, 0) << r.err;
  const int sent = std::stoi(Field(r.out, "requests"));
  EXPECT_GE(sent, 2) << r.out;
  EXPECT_LE(sent, 3) << r.out;
  double wall_s = 0;
  r = Slaload("--rate 0.2 --seconds 0.5 --connections 1 --no-subscribe "
              "--prefix B",
              &wall_s);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_LT(wall_s, 2.5);
}

// --json keeps the fractions the text report shows rounded: a truncated
// --rate 0.1 would read as 0, "as fast as possible".
TEST_F(SlaloadTest, JsonRateAndThroughputKeepTheirFractions) {
  StartDaemon();
  const Result r = Slaload("--rate 1.5 --seconds 1.2 --connections 1 "
                           "--no-subscribe --json --prefix J");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Field(r.out, "rate"), "1.5") << r.out;
  EXPECT_THAT(Field(r.out, "throughput"), HasSubstr(".")) << r.out;
  const double throughput = std::stod(Field(r.out, "throughput"));
  EXPECT_GT(throughput, 0.5) << r.out;
  EXPECT_LT(throughput, 2.5) << r.out;
}

// Values outside a flag's range, or that would wrap in its width, and a
// malformed --addr are usage errors (2), refused before connecting.
TEST_F(SlaloadTest, OutOfRangeNumbersAndAMalformedAddrAreUsageErrors) {
  for (const char* args :
       {"--tickets 4294967296", "--connections 4294967297",
        "--connections 0", "--depth -1", "--seconds -1", "--drain -1",
        "--seconds nan", "--rate inf", "--requests -3", "--verify x",
        "--poll-ms 99999999999", "--addr bogus", "--addr host:0"}) {
    const Result r = Slaload(args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.err;
  }
}

// A mistyped flag is named as unknown even last on the line (not "needs a
// value"), a flag given twice is refused (the last would silently win),
// and a switch takes no value.
TEST_F(SlaloadTest, UnknownRepeatedAndValuedSwitchFlagsAreUsageErrors) {
  for (const auto& [args, message] :
       std::vector<std::pair<std::string, std::string>>{
           {"--seconds 1 --bogus", "unknown option --bogus"},
           {"--bogus=1", "unknown option --bogus"},
           {"--seconds 1 --seconds 2", "--seconds given twice"},
           {"--quiet --quiet", "--quiet given twice"},
           {"--no-subscribe=yes", "--no-subscribe takes no value"},
           {"--token", "--token needs a value"}}) {
    const Result r = Slaload(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_THAT(r.err, HasSubstr("slaload: " + message + "\n")) << args;
  }
}

// --mix gives the whole mix: operations not named weigh 0. A repeated
// operation is refused.
TEST_F(SlaloadTest, MixReplacesTheDefaultsAndRefusesARepeatedKey) {
  EXPECT_EQ(Slaload("--mix open=1,open=2").status, 2);
  EXPECT_EQ(Slaload("--mix open=0").status, 2);
  StartDaemon();
  const Result r = Slaload("--mix open=1 --requests 40 --connections 1 "
                           "--no-subscribe --json --prefix M");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"ops\":{\"open\":")) << r.out;
  for (const char* op : {"\"event\":{", "\"pause\":{", "\"resolve\":{",
                         "\"priority\":{"}) {
    EXPECT_THAT(r.out, Not(HasSubstr(op))) << r.out;
  }
}

// slactl without a token, against a daemon that has tokens, says how to
// give one.
TEST_F(SlaloadTest, SlactlWithoutATokenSaysHowToGiveOne) {
  StartDaemon("[[tokens]]\ntoken = \"ops-secret\"\nroles = [\"operator\"]\n");
  const Result r = slad::testing::RunShell(
      "env -u SLAD_TOKEN '" + std::string(SLACTL_PATH) + "' --addr " + addr_ + " get X",
      dir_.Sub(""));
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("unauthorized"));
  EXPECT_THAT(r.err, HasSubstr("--token T or SLAD_TOKEN"));
}

// A token without the roles --verify (get: operator) or the subscriber
// (subscribe: subscriber) need is refused at the start, rather than a
// report of tickets "lost" and escalations "never delivered".
TEST_F(SlaloadTest, ATokenWithoutTheRolesTheChecksNeedIsRefused) {
  StartDaemon(R"(
[[tokens]]
token = "ingest-secret"
roles = ["ingest"]

[[tokens]]
token = "ingest-operator-secret"
roles = ["ingest", "operator"]

[[tokens]]
token = "watcher-secret"
roles = ["operator", "subscriber"]

[[tokens]]
token = "team0-secret"
roles = ["ingest", "subscriber"]
teams = ["team0"]
)");
  // Limited to one of the sixteen teams the load opens tickets in.
  Result limited = Slaload("--token team0-secret --seconds 1");
  EXPECT_EQ(limited.status, 2) << limited.out;
  EXPECT_THAT(limited.err, HasSubstr("opens tickets in teams team0 to team15"));
  // A token that may not send the load's commands; a wrong token; none.
  Result r = Slaload("--token watcher-secret --seconds 1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("the load needs its commands (role ingest)"));
  r = Slaload("--token wrong --seconds 1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("auth refused"));
  r = Slaload("--seconds 1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("the daemon wants a token: --token T"));
  r = Slaload("--token ingest-secret --verify 10 --no-subscribe "
                     "--seconds 1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("--verify needs get (role operator)"));
  EXPECT_THAT(r.out, Not(HasSubstr("lost")));
  r = Slaload("--token ingest-operator-secret --verify 10 --seconds 1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("role subscriber"));
  r = Slaload("--token ingest-operator-secret --verify 10 --no-subscribe "
              "--seconds 0.3 --connections 1 --prefix V");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("lost: 0"));
  EXPECT_THAT(r.out, HasSubstr("errors: none"));
}

}  // namespace
