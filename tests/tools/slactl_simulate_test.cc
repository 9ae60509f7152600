// Runs the built `slactl simulate` (SLACTL_PATH, from CMake) on scripted
// inputs and checks every output line, its instants and its order.

#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/shell.h"

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Monday 2026-01-05 09:00 in Shanghai (cn_office), and landmarks of a
// return's 2-working-day review that starts then (8 working hours a day).
constexpr char kOpen[] =
    R"({"op":"open","req":1,"id":"RET-1","kind":"return","team":"east","at":"2026-01-05T09:00:00+08:00"})";
constexpr int64_t kMonday9 = 1767574800000;
// 80 % of 16 h = 12 h 48 min of work: Tuesday 14:48.
constexpr int64_t kWarning = 1767682080000;
// Tuesday 18:00, the end of the second working day.
constexpr int64_t kDeadline = 1767693600000;
// Deadline + step (0.5 × 2 wd = 8 working hours): Wednesday 18:00.
constexpr int64_t kStep = 1767780000000;

struct Result {
  int status;
  std::vector<std::string> lines;  // stdout, split at "\n"
  std::string err;
};

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "slactl_simulate_test." +
         std::to_string(getpid()) + "." + name;
}

// Runs `slactl simulate ARGS` with `input` on stdin. `args` is pasted
// into a shell command line.
Result Simulate(const std::string& input, const std::string& args = "") {
  const std::string in = TempPath("in");
  std::ofstream(in) << input;
  slad::testing::ShellResult r = slad::testing::RunShell(
      std::string("'") + SLACTL_PATH + "' simulate " + args + " <" + in,
      TempPath(""));
  return {r.status, absl::StrSplit(r.out, '\n', absl::SkipEmpty()),
          std::move(r.err)};
}

std::string Event(const std::string& type, int64_t at_ms,
                  const std::string& rest = "") {
  return R"({"event":")" + type + R"(","at":)" + std::to_string(at_ms) +
         R"(,"id":"RET-1","target":"review","deadline":)" +
         std::to_string(kDeadline) + rest + "}";
}

TEST(SlactlSimulateTest, ReturnBreachesAndEscalatesAtExactInstants) {
  const Result r =
      Simulate(std::string(kOpen) + "\n", "--until 2026-01-08T00:00:00+08:00");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(
      r.lines,
      ElementsAre(R"({"req":1,"ok":true})", Event("warning", kWarning),
                  Event("breached", kDeadline),
                  Event("escalated", kDeadline,
                        R"(,"from":"agent","to":"supervisor")"),
                  Event("escalated", kStep,
                        R"(,"from":"supervisor","to":"management")")));
}

TEST(SlactlSimulateTest, EventsBetweenRequestsComeBeforeTheLaterReply) {
  const Result r = Simulate(
      std::string(kOpen) + "\n" +
      R"({"op":"event","req":2,"id":"RET-1","name":"approved","at":"2026-01-07T09:00:00+08:00"})"
      "\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(
      r.lines,
      ElementsAre(R"({"req":1,"ok":true})", Event("warning", kWarning),
                  Event("breached", kDeadline),
                  Event("escalated", kDeadline,
                        R"(,"from":"agent","to":"supervisor")"),
                  R"({"req":2,"ok":true})",
                  Event("met_late", kDeadline + 15 * 3600000)));
}

// Two answers exactly at the shared deadline are both on time, and what
// falls due at the last request's instant is written at the end of the
// input even without --until.
TEST(SlactlSimulateTest, StopsAtTheDeadlinesInstantAreOnTimeInAnyOrder) {
  const Result r = Simulate(
      R"({"op":"open","req":1,"id":"V1","kind":"after_sales","at":1768352400000})" "\n"
      R"({"op":"open","req":2,"id":"V2","kind":"after_sales","at":1768352400000})" "\n"
      R"({"op":"event","req":3,"id":"V1","name":"responded","at":1768359600000})" "\n"
      R"({"op":"event","req":4,"id":"V2","name":"responded","at":1768359600000})" "\n"
      R"({"op":"open","req":5,"id":"V3","kind":"after_sales","at":1768359600000})" "\n");
  EXPECT_EQ(r.status, 0) << r.err;
  std::vector<std::string> lines;
  for (const std::string& line : r.lines) {
    if (line.find(R"("event":"warning")") == std::string::npos) lines.push_back(line);
  }
  EXPECT_THAT(
      lines,
      ElementsAre(
          R"({"req":1,"ok":true})", R"({"req":2,"ok":true})", R"({"req":3,"ok":true})",
          R"({"event":"met","at":1768359600000,"id":"V1","target":"response","deadline":1768359600000})",
          R"({"req":4,"ok":true})",
          R"({"event":"met","at":1768359600000,"id":"V2","target":"response","deadline":1768359600000})",
          R"({"req":5,"ok":true})"));
  // The same without V1's and V2's answers: both breach at the last
  // request's instant, written after its reply.
  const Result late = Simulate(
      R"({"op":"open","req":1,"id":"V1","kind":"after_sales","at":1768352400000})" "\n"
      R"({"op":"open","req":5,"id":"V3","kind":"after_sales","at":1768359600000})" "\n");
  ASSERT_FALSE(late.lines.empty());
  EXPECT_THAT(late.lines.back(), ::testing::HasSubstr(R"("event":"escalated","at":1768359600000,"id":"V1")"));
  // An --until before the last request's instant still writes them.
  const Result early = Simulate(
      R"({"op":"open","req":1,"id":"V1","kind":"after_sales","at":1768352400000})" "\n"
      R"({"op":"open","req":5,"id":"V3","kind":"after_sales","at":1768359600000})" "\n",
      "--until 1768356000000");
  ASSERT_FALSE(early.lines.empty());
  EXPECT_EQ(early.lines.back(), late.lines.back());
}

TEST(SlactlSimulateTest, LineGoingBackInTimeIsAnErrorAndTheRunGoesOn) {
  const Result r = Simulate(
      std::string(kOpen) + "\n" +
      R"({"op":"open","req":2,"id":"RET-2","kind":"return","at":"2026-01-05T08:00:00+08:00"})"
      "\n"
      R"({"op":"event","req":3,"id":"RET-1","name":"approved","at":"2026-01-05T10:00:00+08:00"})"
      "\n");
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 4u);
  EXPECT_THAT(r.lines[1],
              StartsWith(R"({"req":2,"ok":false,"error":{"code":"bad_field",)"));
  EXPECT_THAT(r.lines[1], HasSubstr("before the engine's clock"));
  EXPECT_EQ(r.lines[2], R"({"req":3,"ok":true})");
  EXPECT_EQ(r.lines[3],
            R"({"event":"met","at":1767578400000,"id":"RET-1","target":"review","deadline":1767693600000})");
}

TEST(SlactlSimulateTest, MalformedLinesGetErrorRepliesNeverAbort) {
  const Result r = Simulate(
      "{\"op\":\"open\",\"req\":5,\"id\":\n"
      "{\"op\":\"open\",\"req\":8,\"id\":\"Y\",\"bogus\":1}\n"
      "\n"
      "{\"op\":\"opne\",\"req\":6}\n"
      "{\"op\":\"open\",\"req\":7,\"id\":\"X\",\"kind\":\"return\"}\n" +
      std::string(kOpen) + "\n");
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 5u);  // the blank line is skipped
  // Truncated JSON: refused, but `req` was readable, so it is echoed.
  EXPECT_THAT(r.lines[0],
              StartsWith(R"({"req":5,"ok":false,"error":{"code":"bad_json")"));
  EXPECT_THAT(r.lines[1], StartsWith(
                              R"({"req":8,"ok":false,"error":{"code":"unknown_field")"));
  EXPECT_THAT(r.lines[2],
              StartsWith(R"({"req":6,"ok":false,"error":{"code":"unknown_op")"));
  // simulate needs `at`.
  EXPECT_THAT(r.lines[3], StartsWith(
                              R"({"req":7,"ok":false,"error":{"code":"missing_field")"));
  EXPECT_EQ(r.lines[4], R"({"req":1,"ok":true})");
}

TEST(SlactlSimulateTest, TooLongLineIsRefusedAndSkipped) {
  const std::string long_line =
      R"({"op":"open","id":")" + std::string(70000, 'x') + "\"}";
  const Result r = Simulate(long_line + "\n" + kOpen + "\n");
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_THAT(r.lines[0],
              StartsWith(R"({"ok":false,"error":{"code":"line_too_long")"));
  EXPECT_EQ(r.lines[1], R"({"req":1,"ok":true})");
}

TEST(SlactlSimulateTest, UntilFiresOnlyWhatIsDueByThen) {
  const Result r =
      Simulate(std::string(kOpen) + "\n", "--until=" + std::to_string(kDeadline));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.lines,
              ElementsAre(R"({"req":1,"ok":true})", Event("warning", kWarning),
                          Event("breached", kDeadline),
                          Event("escalated", kDeadline,
                                R"(,"from":"agent","to":"supervisor")")));
  // Without --until nothing after the last request fires.
  EXPECT_THAT(Simulate(std::string(kOpen) + "\n").lines,
              ElementsAre(R"({"req":1,"ok":true})"));
}

TEST(SlactlSimulateTest, QueriesAnswerAsOfTheirInstant) {
  const Result r = Simulate(
      std::string(kOpen) + "\n" +
      R"({"op":"get","req":2,"id":"RET-1","at":)" + std::to_string(kMonday9 + 3600000) + "}\n" +
      R"({"op":"overdue","req":3,"at":)" + std::to_string(kDeadline + 1) + "}\n" +
      R"({"op":"stats","req":4,"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","at":)" +
      std::to_string(kDeadline + 1) + "}\n");
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 7u);
  EXPECT_EQ(r.lines[1],
            R"({"req":2,"ok":true,"ticket":{"id":"RET-1","kind":"return","priority":"normal","team":"east","level":"agent","paused":false,"opened":1767574800000,"targets":[)"
            R"({"name":"review","state":"running","start":1767574800000,"deadline":1767693600000,"elapsed_ms":3600000,"remaining_ms":54000000,"breached":false,"paused":false},)"
            R"({"name":"complete","state":"pending","elapsed_ms":0,"remaining_ms":86400000,"breached":false,"paused":false}]}})");
  // The query a millisecond past the deadline sees the breach it fired
  // (at the deadline itself the review is not late yet).
  EXPECT_EQ(r.lines[4], Event("escalated", kDeadline,
                              R"(,"from":"agent","to":"supervisor")"));
  EXPECT_EQ(r.lines[5],
            R"({"req":3,"ok":true,"items":[{"id":"RET-1","kind":"return","target":"review","team":"east","level":"supervisor","deadline":1767693600000,"overdue_ms":1}]})");
  EXPECT_EQ(r.lines[6],
            R"({"req":4,"ok":true,"rows":[{"group":"return","started":1,"met":0,"met_late":0,"breached":1,"attainment":0,"mean_stop_ms":0,"p90_stop_ms":0,"opened":1,"resolved":0,"resolution_rate":0,"rated":0,"mean_score":0,"satisfied":0}]})");
}

TEST(SlactlSimulateTest, AdvanceMovesTheClock) {
  const Result r = Simulate(std::string(kOpen) + "\n" +
                            R"({"op":"advance","req":2,"to":)" +
                            std::to_string(kWarning) + "}\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.lines, ElementsAre(R"({"req":1,"ok":true})",
                                   Event("warning", kWarning),
                                   R"({"req":2,"ok":true})"));
}

TEST(SlactlSimulateTest, UsageAndPolicyErrorsExit2WithJson) {
  Result r = Simulate("", "--until yesterday");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, StartsWith(R"({"error":{"code":"invalid_argument")"));
  r = Simulate("", "--bogus 1");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, StartsWith(R"({"error":{"code":"usage")"));
  r = Simulate("", "--policy /nonexistent.toml");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, StartsWith(R"({"error":{"code":"policy_unreadable")"));
  const std::string bad = TempPath("bad.toml");
  std::ofstream(bad) << "priorities = 7\n";
  r = Simulate("", "--policy '" + bad + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, StartsWith(R"({"error":{"code":"bad_policy")"));
  EXPECT_TRUE(r.lines.empty());
}

TEST(SlactlSimulateTest, EmptyInputIsFine) {
  const Result r = Simulate("");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.lines.empty());
}

// kOpen padded with spaces before its "}" to exactly `bytes` bytes.
std::string OpenOfSize(size_t bytes) {
  std::string line = kOpen;
  line.pop_back();
  line.append(bytes - line.size() - 1, ' ');
  return line + "}";
}

// The limit is the daemon's (docs/API.md): 65,536 bytes of request, not
// counting a CRLF ending's '\r' or a leading byte order mark, wherever the
// line falls in simulate's read buffer.
TEST(SlactlSimulateTest, LineLimitIsTheDaemonsWithCrlfAndBom) {
  const std::string line = OpenOfSize(65536);
  const std::string bom = "\xEF\xBB\xBF";
  Result r = Simulate(line + "\r\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.lines, ElementsAre(R"({"req":1,"ok":true})"));
  r = Simulate(bom + line + "\r\n");
  EXPECT_THAT(r.lines, ElementsAre(R"({"req":1,"ok":true})"));
  // The same line straddling the end of the first read (1 MiB + 64 KiB +
  // 1 bytes): more than 64 KiB of it read before its "\n".
  r = Simulate(std::string(1048575, '\n') + bom + line + "\n");
  EXPECT_THAT(r.lines, ElementsAre(R"({"req":1,"ok":true})"));
  r = Simulate(std::string(1048575, '\n') + line + "\r\n");
  EXPECT_THAT(r.lines, ElementsAre(R"({"req":1,"ok":true})"));
  // One byte more is too long, CRLF or not.
  r = Simulate(OpenOfSize(65537) + "\r\n" + bom + OpenOfSize(65537) + "\n");
  ASSERT_EQ(r.lines.size(), 2u);
  for (const std::string& reply : r.lines) {
    EXPECT_THAT(reply, HasSubstr(R"("code":"line_too_long")"));
  }
}

// --until outside 1970-01-01 .. 2200-01-01 is out_of_range (docs/CLI.md).
TEST(SlactlSimulateTest, UntilOutsideTheSupportedRangeIsOutOfRange) {
  for (const char* until : {"99999999999999", "-5", "9999-12-31T00:00:00Z",
                            "7258118400001", "7258118400000"}) {
    SCOPED_TRACE(until);
    const Result r = Simulate("", std::string("--until=") + until);
    EXPECT_EQ(r.status, 2);
    EXPECT_THAT(r.err, StartsWith(R"({"error":{"code":"out_of_range")"));
  }
  EXPECT_EQ(Simulate("", "--until=7258118399999").status, 0);
  EXPECT_EQ(Simulate("", "--until=0").status, 0);
}

}  // namespace
