// Executor on the default policy: what it writes, in which order, and the
// wire code of each refusal.

#include "api/executor.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "config/policy_file.h"
#include "gtest/gtest.h"

namespace slad::api {
namespace {

// 2026-01-05T09:00:00+08:00, a Monday.
constexpr int64_t kMonday9 = 1767574800000;
constexpr int64_t kHour = 3600000;

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<engine::Policy> policy = config::LoadDefaultPolicy();
    ASSERT_TRUE(policy.ok()) << policy.status();
    auto engine = engine::Engine::Create(*std::move(policy), kMonday9);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    executor_ = std::make_unique<Executor>(engine_.get());
  }

  // Decodes and executes `line` at `now_ms`; returns the lines written.
  std::vector<std::string> Run(const std::string& line,
                               int64_t now_ms = kMonday9) {
    Request request;
    const absl::Status decoded = decoder_.Decode(line, &request);
    EXPECT_TRUE(decoded.ok()) << line << " → " << decoded;
    std::string out;
    last_ = executor_->Execute(request, now_ms, &out);
    return absl::StrSplit(out, '\n', absl::SkipEmpty());
  }

  RequestDecoder decoder_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Executor> executor_;
  absl::Status last_;
};

TEST_F(ExecutorTest, CommandRepliesOk) {
  EXPECT_EQ(Run(R"({"op":"open","req":"a","id":"I-1","kind":"inquiry"})"),
            std::vector<std::string>{R"({"req":"a","ok":true})"});
  EXPECT_TRUE(last_.ok());
  EXPECT_EQ(engine_->open_tickets(), 1u);
}

TEST_F(ExecutorTest, NoAtMeansTheCallersNow) {
  Run(R"({"op":"open","id":"I-1","kind":"inquiry"})", kMonday9 + kHour);
  EXPECT_EQ(engine_->now_ms(), kMonday9 + kHour);
  // A caller's now behind the engine's clock is the clock.
  Run(R"({"op":"open","id":"I-2","kind":"inquiry"})", kMonday9);
  EXPECT_TRUE(last_.ok()) << last_;
  EXPECT_EQ(engine_->now_ms(), kMonday9 + kHour);
}

TEST_F(ExecutorTest, AtBeforeTheClockIsBadFieldAndChangesNothing) {
  Run(R"({"op":"advance","to":)" + std::to_string(kMonday9 + kHour) + "}");
  const std::vector<std::string> lines =
      Run(R"({"op":"open","req":3,"id":"I-1","kind":"inquiry","at":)" +
          std::to_string(kMonday9) + "}");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind(R"({"req":3,"ok":false,"error":{"code":"bad_field")", 0),
            0u)
      << lines[0];
  EXPECT_EQ(engine_->open_tickets(), 0u);
}

TEST_F(ExecutorTest, EventsBeforeTheInstantPrecedeTheReply) {
  Run(R"({"op":"open","id":"A-1","kind":"after_sales"})");
  // 2h response: warning at 80 % (1h36m), breach at 2h, then the reply.
  const std::vector<std::string> lines =
      Run(R"({"op":"event","req":2,"id":"A-1","name":"responded","at":)" +
          std::to_string(kMonday9 + 3 * kHour) + "}");
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].rfind(R"({"event":"warning","at":1767580560000,)", 0), 0u);
  EXPECT_EQ(lines[1].rfind(R"({"event":"breached","at":1767582000000,)", 0), 0u);
  EXPECT_EQ(lines[2].rfind(R"({"event":"escalated","at":1767582000000,)", 0), 0u);
  EXPECT_EQ(lines[3], R"({"req":2,"ok":true})");
  EXPECT_EQ(lines[4].rfind(R"({"event":"met_late","at":1767585600000,)", 0), 0u);
}

// effects() is what the last call did, never more: the daemon's timer
// calls AdvanceTo between requests and journals (stores, sends) whatever
// effects() holds, so events of the request before must not linger there.
// They once did, and every escalation went out dozens of times under load.
TEST_F(ExecutorTest, AdvanceToReportsOnlyWhatItFired) {
  Run(R"({"op":"open","id":"A-1","kind":"after_sales"})");
  Run(R"({"op":"escalate","id":"A-1","level":"supervisor"})");
  ASSERT_EQ(executor_->effects().events.size(), 1u);  // escalated
  std::string out;
  executor_->AdvanceTo(kMonday9 + 1, &out);  // nothing due yet
  EXPECT_TRUE(executor_->effects().events.empty());
  EXPECT_TRUE(executor_->effects().changed.empty());
  EXPECT_EQ(out, "");
  executor_->AdvanceTo(kMonday9 + 2 * kHour, &out);  // the 2 h response
  EXPECT_FALSE(executor_->effects().events.empty());
  const size_t fired = executor_->effects().events.size();
  executor_->AdvanceTo(kMonday9 + 2 * kHour, &out);
  EXPECT_TRUE(executor_->effects().events.empty()) << fired << " again";
}

TEST_F(ExecutorTest, EngineErrorsKeepTheirWireCode) {
  const std::vector<std::string> lines =
      Run(R"({"op":"resolve","req":9,"id":"nope"})");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind(R"({"req":9,"ok":false,"error":{"code":"not_found")", 0),
            0u);
  EXPECT_TRUE(absl::IsNotFound(last_));
}

// A query answers as of its instant: a deadline at that very instant is
// not passed yet (a command at it would still stop the clock on time), so
// it fires, and the ticket is overdue, from the next millisecond on. The
// query's instant is the clock's from then on.
TEST_F(ExecutorTest, QueryAnswersAsOfItsInstant) {
  Run(R"({"op":"open","id":"A-1","kind":"after_sales"})");
  const int64_t deadline = kMonday9 + 2 * kHour;
  std::vector<std::string> lines =
      Run(R"({"op":"overdue","req":1,"at":)" + std::to_string(deadline) + "}");
  ASSERT_EQ(lines.size(), 2u);  // the warning, then the reply
  EXPECT_EQ(lines[0].rfind(R"({"event":"warning",)", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1], R"({"req":1,"ok":true,"items":[]})");
  EXPECT_EQ(engine_->now_ms(), deadline);
  lines = Run(R"({"op":"event","req":2,"id":"A-1","name":"responded","at":)" +
              std::to_string(deadline) + "}");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].rfind(R"({"event":"met",)", 0), 0u) << lines[1];
  lines = Run(R"({"op":"open","id":"A-2","kind":"after_sales","at":)" +
              std::to_string(deadline) + "}");
  lines = Run(R"({"op":"overdue","req":3,"at":)" +
              std::to_string(deadline + 2 * kHour + 1) + "}");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind(R"({"req":3,"ok":true,"items":[{"id":"A-2",)", 0), 0u)
      << lines.back();
}

TEST_F(ExecutorTest, QueryErrorWritesNoPartialReply) {
  const std::vector<std::string> lines = Run(R"({"op":"get","req":1,"id":"x"})");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind(R"({"req":1,"ok":false,"error":{"code":"not_found")", 0),
            0u);
}

TEST_F(ExecutorTest, PauseAllRepliesWithTheCount) {
  Run(R"({"op":"open","id":"A-1","kind":"after_sales"})");
  Run(R"({"op":"open","id":"A-2","kind":"after_sales"})");
  EXPECT_EQ(Run(R"({"op":"pause_all","reason":"outage"})"),
            std::vector<std::string>{R"({"ok":true,"count":2})"});
}

TEST_F(ExecutorTest, AdvanceFiresAndReplies) {
  Run(R"({"op":"open","id":"A-1","kind":"after_sales"})");
  const std::vector<std::string> lines =
      Run(R"({"op":"advance","req":1,"to":)" +
          std::to_string(kMonday9 + 2 * kHour) + "}");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[3], R"({"req":1,"ok":true})");
  EXPECT_EQ(engine_->now_ms(), kMonday9 + 2 * kHour);
  EXPECT_EQ(executor_->effects().events.size(), 3u);
}

TEST_F(ExecutorTest, AdvanceBackIsBadField) {
  Run(R"({"op":"advance","to":)" + std::to_string(kMonday9 - 1) + "}");
  EXPECT_EQ(WireCodeOf(last_), WireCode::kBadField);
}

TEST_F(ExecutorTest, OtherSessionOpsAreFailedPrecondition) {
  const std::vector<std::string> lines =
      Run(R"({"op":"subscribe","req":1,"group":"crm"})");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind(
                R"({"req":1,"ok":false,"error":{"code":"failed_precondition")", 0),
            0u);
}

}  // namespace
}  // namespace slad::api
