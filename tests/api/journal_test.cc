// Journal + Store + Engine: a random command stream staged through the
// journal and recovered into a fresh engine gives the same tickets, views
// and stats; deadlines that passed while down fire at once, in deadline
// order, once; history holds commands and events, also after resolve.

#include "api/journal.h"

#include <algorithm>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "api/executor.h"
#include "api/protocol.h"
#include "config/policy_file.h"
#include "gtest/gtest.h"
#include "tests/testing/command_stream.h"
#include "tests/testing/temp_dir.h"

namespace slad::api {
namespace {

using slad::testing::StreamAtMs;
using slad::testing::StreamLine;
using slad::testing::TempDir;

constexpr int64_t kMin = 60'000;

std::unique_ptr<engine::Engine> NewEngine(int64_t now_ms) {
  absl::StatusOr<engine::Policy> policy = config::LoadDefaultPolicy();
  EXPECT_TRUE(policy.ok()) << policy.status();
  auto engine = engine::Engine::Create(*std::move(policy), now_ms);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return std::move(engine).value();
}

std::unique_ptr<storage::Store> OpenStore(const std::string& dir) {
  auto store = storage::Store::Open({.dir = dir});
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(store).value();
}

// The daemon's pipeline without the network: decode, execute, stage,
// commit.
class Pipeline {
 public:
  Pipeline(engine::Engine* engine, storage::Store* store)
      : engine_(engine), store_(store), executor_(engine), journal_(engine, store) {}

  absl::Status Run(const std::string& line) {
    Request request;
    absl::Status s = decoder_.Decode(line, &request);
    if (!s.ok()) return s;
    out_.clear();
    s = executor_.Execute(request, engine_->now_ms(), &out_);
    journal_.Stage(line, engine_->now_ms(), s.ok() ? &request.command : nullptr,
                   executor_.effects(), &outbox_);
    journal_.StageStats();
    store_->Commit([](absl::Status) {});
    return s;
  }
  void Advance(int64_t to_ms) {
    out_.clear();
    executor_.AdvanceTo(to_ms, &out_);
    journal_.Stage("", to_ms, nullptr, executor_.effects(), &outbox_);
    journal_.StageStats();
    store_->Commit([](absl::Status) {});
  }
  const std::vector<storage::OutboxEvent>& outbox() const { return outbox_; }
  std::vector<storage::HistoryRecord> History(absl::string_view id) {
    store_->Flush();
    std::vector<storage::HistoryRecord> records;
    const absl::Status s =
        journal_.ReadHistory(id, journal_.HistoryHead(id), 100, &records);
    EXPECT_TRUE(s.ok()) << s;
    return records;
  }

 private:
  engine::Engine* engine_;
  storage::Store* store_;
  RequestDecoder decoder_;
  Executor executor_;
  Journal journal_;
  std::string out_;
  std::vector<storage::OutboxEvent> outbox_;
};

std::vector<engine::TicketRecord> AllTickets(const engine::Engine& engine) {
  std::vector<engine::TicketRecord> out;
  engine.ExportAll([&](engine::TicketRecord&& t) { out.push_back(std::move(t)); });
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::vector<engine::StatsCellRecord> AllStats(const engine::Engine& engine) {
  std::vector<engine::StatsCellRecord> out;
  engine.ExportAllStats(
      [&](engine::StatsCellRecord&& c) { out.push_back(std::move(c)); });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.by, a.hour, a.group) < std::tie(b.by, b.hour, b.group);
  });
  return out;
}

std::string Describe(const std::vector<engine::Event>& events) {
  std::string out;
  for (const auto& e : events) AppendEvent(e, std::nullopt, &out);
  return out;
}

TEST(JournalTest, RecoveryRebuildsTheSameEngine) {
  TempDir dir;
  auto engine = NewEngine(StreamAtMs(0));
  {
    auto store = OpenStore(dir.path());
    Pipeline pipeline(engine.get(), store.get());
    for (uint64_t i = 0; i < 600; ++i) {
      pipeline.Run(StreamLine(/*seed=*/3, i)).IgnoreError();  // refusals too
    }
    store->Flush();
    EXPECT_GT(pipeline.outbox().size(), 10u);  // the stream did escalate
    EXPECT_EQ(store->last_outbox_seq(), pipeline.outbox().size());
  }
  auto store = OpenStore(dir.path());
  auto recovered = NewEngine(StreamAtMs(0));
  storage::RecoveryReport report;
  ASSERT_TRUE(Journal::Recover(store.get(), recovered.get(), &report).ok());
  const auto tickets = AllTickets(*engine);
  EXPECT_EQ(report.tickets, tickets.size());
  EXPECT_EQ(AllTickets(*recovered), tickets);
  EXPECT_EQ(AllStats(*recovered), AllStats(*engine));
  for (const auto& t : tickets) {
    auto a = engine->Get(t.id);
    auto b = recovered->Get(t.id);
    ASSERT_EQ(a.ok(), b.ok()) << t.id;
    if (!a.ok()) continue;
    EXPECT_EQ(a->level, b->level) << t.id;
    EXPECT_EQ(a->targets.size(), b->targets.size()) << t.id;
  }
}

// A manual clock only moves by requests: a restart must resume it where
// the last durable unit left it, not at the engine's creation instant.
TEST(JournalTest, RecoveryResumesTheClockOfTheLastUnit) {
  TempDir dir;
  const int64_t start = StreamAtMs(0);
  auto engine = NewEngine(start);
  {
    auto store = OpenStore(dir.path());
    Pipeline pipeline(engine.get(), store.get());
    ASSERT_TRUE(pipeline.Run(R"({"op":"open","id":"A","kind":"inquiry"})").ok());
    pipeline.Advance(start + 90 * kMin);  // nothing falls due: clock only
    store->Flush();
  }
  auto store = OpenStore(dir.path());
  auto recovered = NewEngine(0);
  storage::RecoveryReport report;
  ASSERT_TRUE(Journal::Recover(store.get(), recovered.get(), &report).ok());
  EXPECT_EQ(report.clock_ms, start + 90 * kMin);
  EXPECT_EQ(recovered->now_ms(), start + 90 * kMin);
  auto view = recovered->Get("A");
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->targets[0].elapsed_ms, 90 * kMin);
  store->Flush();
  EXPECT_EQ(store->last_outbox_seq(), 0u);  // nothing fired again
}

TEST(JournalTest, RecoveryFiresWhatFellDueWhileDownInDeadlineOrderOnce) {
  TempDir dir;
  const int64_t t0 = StreamAtMs(0);
  auto live = NewEngine(t0);  // the engine that never went down
  const std::vector<std::string> lines = {
      R"({"op":"open","id":"F-1","kind":"first_contact","at":)" +
          std::to_string(t0) + "}",
      R"({"op":"open","id":"F-2","kind":"first_contact","at":)" +
          std::to_string(t0 + 3 * kMin) + "}"};
  {
    auto store = OpenStore(dir.path());
    auto engine = NewEngine(t0);
    Pipeline down(engine.get(), store.get());
    // The reference applies the same lines (its own store, then ignored).
    TempDir scratch;
    auto other = OpenStore(scratch.path());
    Pipeline ref(live.get(), other.get());
    for (const std::string& line : lines) {
      ASSERT_TRUE(down.Run(line).ok());
      ASSERT_TRUE(ref.Run(line).ok());
    }
    store->Flush();
    other->Flush();
  }
  // Down for an hour: both 15-minute responses warned, breached and
  // escalated meanwhile.
  const int64_t t1 = t0 + 60 * kMin;
  auto store = OpenStore(dir.path());
  auto engine = NewEngine(t0 + 3 * kMin);
  storage::RecoveryReport report;
  ASSERT_TRUE(Journal::Recover(store.get(), engine.get(), &report).ok());
  EXPECT_EQ(report.tickets, 2u);
  engine::Effects fired, expected;
  engine->Advance(t1, &fired);
  live->Advance(t1, &expected);
  ASSERT_FALSE(expected.events.empty());
  EXPECT_EQ(Describe(fired.events), Describe(expected.events));
  for (size_t i = 1; i < fired.events.size(); ++i) {
    EXPECT_LE(fired.events[i - 1].at_ms, fired.events[i].at_ms);
  }
  engine::Effects again;
  engine->Advance(t1, &again);
  EXPECT_TRUE(again.events.empty());  // once
}

TEST(JournalTest, HistoryHoldsCommandsAndEventsAlsoAfterResolve) {
  TempDir dir;
  const int64_t t0 = StreamAtMs(0);
  auto engine = NewEngine(t0);
  auto store = OpenStore(dir.path());
  Pipeline pipeline(engine.get(), store.get());
  const std::string open = R"({"op":"open","id":"H-1","kind":"first_contact","at":)" +
                           std::to_string(t0) + "}";
  ASSERT_TRUE(pipeline.Run(open).ok());
  pipeline.Advance(t0 + 20 * kMin);  // warning, breach, escalation
  ASSERT_TRUE(pipeline
                  .Run(R"({"op":"resolve","id":"H-1","at":)" +
                       std::to_string(t0 + 21 * kMin) + "}")
                  .ok());
  ASSERT_TRUE(pipeline
                  .Run(R"({"op":"pause_all","reason":"x","at":)" +
                       std::to_string(t0 + 22 * kMin) + "}")
                  .ok());
  const std::vector<storage::HistoryRecord> records = pipeline.History("H-1");
  ASSERT_GE(records.size(), 4u);
  EXPECT_EQ(records.front().kind, storage::HistoryRecord::kCommand);
  EXPECT_EQ(records.front().json, open);
  EXPECT_EQ(records.front().at_ms, t0);
  int events = 0;
  for (const auto& r : records) events += r.kind == storage::HistoryRecord::kEvent;
  EXPECT_GE(events, 3);
  // The resolve (its met_late events follow it).
  EXPECT_TRUE(std::any_of(records.begin(), records.end(), [](const auto& r) {
    return r.kind == storage::HistoryRecord::kCommand &&
           r.json.find("\"resolve\"") != std::string::npos;
  }));
  // The pause_all touched no open ticket: H-1 is resolved.
  for (const auto& r : records) EXPECT_EQ(r.json.find("pause_all"), std::string::npos);
}

TEST(JournalTest, PauseAllIsInTheHistoryOfEachTicketItTouched) {
  TempDir dir;
  const int64_t t0 = StreamAtMs(0);
  auto engine = NewEngine(t0);
  auto store = OpenStore(dir.path());
  Pipeline pipeline(engine.get(), store.get());
  for (const char* id : {"P-1", "P-2"}) {
    ASSERT_TRUE(pipeline
                    .Run(std::string(R"({"op":"open","kind":"inquiry","team":"east","id":")") +
                         id + R"(","at":)" + std::to_string(t0) + "}")
                    .ok());
  }
  ASSERT_TRUE(pipeline
                  .Run(R"({"op":"pause_all","reason":"outage","team":"east","at":)" +
                       std::to_string(t0 + kMin) + "}")
                  .ok());
  for (const char* id : {"P-1", "P-2"}) {
    const std::vector<storage::HistoryRecord> records = pipeline.History(id);
    ASSERT_EQ(records.size(), 2u) << id;
    EXPECT_NE(records[1].json.find("pause_all"), std::string::npos) << id;
  }
}

// The engine's head goes into the ticket's record, so a restart continues
// the chain; a purge keeps it in storage, so the history outlives the
// ticket, and an id opened again continues it, as one id's history always
// read.
TEST(JournalTest, HistoryChainSurvivesRestartPurgeAndAReusedId) {
  TempDir dir;
  const int64_t t0 = StreamAtMs(0);
  const auto at = [](int64_t ms) { return std::to_string(ms) + "}"; };
  const std::string open =
      R"({"op":"open","id":"R-1","kind":"inquiry","at":)" + at(t0);
  {
    auto engine = NewEngine(t0);
    auto store = OpenStore(dir.path());
    Pipeline pipeline(engine.get(), store.get());
    ASSERT_TRUE(pipeline.Run(open).ok());
    store->Flush();
  }
  auto engine = NewEngine(t0);
  auto store = OpenStore(dir.path());
  storage::RecoveryReport report;
  ASSERT_TRUE(Journal::Recover(store.get(), engine.get(), &report).ok());
  Pipeline pipeline(engine.get(), store.get());
  const std::string resolve =
      R"({"op":"resolve","id":"R-1","at":)" + at(t0 + kMin);
  ASSERT_TRUE(pipeline.Run(resolve).ok());
  std::vector<storage::HistoryRecord> records = pipeline.History("R-1");
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records.front().json, open);
  const size_t before_purge = records.size();
  // Past the reopen window the engine forgets the ticket.
  const int64_t later = t0 + engine->policy().reopen_window_ms() + 2 * kMin;
  pipeline.Advance(later);
  ASSERT_FALSE(engine->HistoryHead("R-1").has_value());
  EXPECT_EQ(pipeline.History("R-1").size(), before_purge);
  const std::string again =
      R"({"op":"open","id":"R-1","kind":"inquiry","at":)" + at(later + kMin);
  ASSERT_TRUE(pipeline.Run(again).ok());
  records = pipeline.History("R-1");
  ASSERT_EQ(records.size(), before_purge + 1);
  EXPECT_EQ(records.front().json, open);
  EXPECT_EQ(records.back().json, again);
}

}  // namespace
}  // namespace slad::api
