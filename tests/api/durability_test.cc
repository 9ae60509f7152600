// The two Durability implementations (RocksDB and `--data :memory:`) keep
// subscriber groups and the outbox alike: what a client sees must not
// depend on the store it tries slad with. Each case runs on both.

#include "api/durability.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "config/policy_file.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace slad::api {
namespace {

constexpr int64_t kT0 = 1'767'571'200'000;  // Monday 2026-01-05Z

class DurabilityTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    auto engine = engine::Engine::Create(*config::LoadDefaultPolicy(), kT0);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    if (GetParam()) {
      auto store = OpenStoreDurability(dir_.path());
      ASSERT_TRUE(store.ok()) << store.status();
      durability_ = *std::move(store);
    } else {
      durability_ = NewMemoryDurability();
    }
    std::string report;
    ASSERT_TRUE(durability_->Recover(engine_.get(), &report).ok());
  }
  void TearDown() override {
    if (durability_ != nullptr) durability_->Flush();
  }

  // Stages and commits `n` warning events; returns their seqs.
  std::vector<uint64_t> Emit(int n) {
    engine::Effects effects;
    for (int i = 0; i < n; ++i) {
      effects.events.push_back(engine::Event{engine::EventType::kWarning, kT0, "T-1",
                                             "response", kT0 + 60'000, "", ""});
    }
    std::vector<storage::OutboxEvent> outbox;
    durability_->Stage("", kT0, nullptr, effects, &outbox);
    durability_->Commit([](absl::Status s) { EXPECT_TRUE(s.ok()) << s; });
    durability_->Flush();
    std::vector<uint64_t> seqs;
    for (const auto& e : outbox) seqs.push_back(e.seq);
    return seqs;
  }
  // The seqs a group reading from its cursor is sent.
  std::vector<uint64_t> Pending(const std::string& group) {
    const absl::StatusOr<uint64_t> acked = durability_->AckedUpTo(group);
    EXPECT_TRUE(acked.ok()) << acked.status();
    std::vector<storage::OutboxEvent> events;
    EXPECT_TRUE(durability_->ReadOutbox(acked.value_or(0), 100, &events).ok());
    std::vector<uint64_t> seqs;
    for (const auto& e : events) seqs.push_back(e.seq);
    return seqs;
  }

  slad::testing::TempDir dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Durability> durability_;
};

// An ack past the last event stops at it: later events still reach the
// group (the in-memory store once took 2^64 - 1 and left the group deaf).
TEST_P(DurabilityTest, AnAckStopsAtTheLastEvent) {
  durability_->RegisterGroup("g");
  EXPECT_EQ(Emit(2), (std::vector<uint64_t>{1, 2}));
  durability_->Ack("g", UINT64_MAX);
  EXPECT_EQ(*durability_->AckedUpTo("g"), 2u);
  EXPECT_EQ(Emit(1), (std::vector<uint64_t>{3}));
  EXPECT_EQ(Pending("g"), (std::vector<uint64_t>{3}));
}

// What every group acknowledged is gone: a group registered later starts
// after it, not from the first event.
TEST_P(DurabilityTest, ANewGroupStartsAfterWhatEveryGroupAcknowledged) {
  durability_->RegisterGroup("a");
  Emit(4);
  durability_->Ack("a", 2);
  durability_->RegisterGroup("b");
  EXPECT_EQ(Pending("b"), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(Pending("a"), (std::vector<uint64_t>{3, 4}));
  // Dropping the group that held the oldest events lets them go.
  durability_->Ack("b", 4);
  EXPECT_EQ(Pending("a"), (std::vector<uint64_t>{3, 4}));
  ASSERT_TRUE(durability_->DropGroup("a").ok());
  durability_->RegisterGroup("c");
  EXPECT_EQ(Pending("c"), std::vector<uint64_t>{});
  EXPECT_EQ(durability_->DropGroup("a").code(), absl::StatusCode::kNotFound);
}

// With no group at all, events are kept for the first group to come.
TEST_P(DurabilityTest, WithoutGroupsEventsWaitForTheFirst) {
  Emit(3);
  durability_->RegisterGroup("first");
  EXPECT_EQ(Pending("first"), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(durability_->last_outbox_seq(), 3u);
}

// pause_all is in the history of every ticket it touched, once each.
TEST_P(DurabilityTest, PauseAllIsInTheHistoryOfEveryTicketItTouched) {
  std::vector<storage::OutboxEvent> outbox;
  auto run = [&](const engine::Command& cmd, absl::string_view line) {
    engine::Effects effects;
    ASSERT_TRUE(engine_->Apply(cmd, &effects).ok());
    durability_->Stage(line, cmd.at_ms, &cmd, effects, &outbox);
    durability_->Commit([](absl::Status s) { EXPECT_TRUE(s.ok()) << s; });
  };
  for (const char* id : {"A", "B"}) {
    run(engine::Command{.op = engine::Op::kOpen, .at_ms = kT0, .id = id,
                        .kind = "first_contact"},
        absl::StrCat(R"({"op":"open","id":")", id, R"(","kind":"first_contact"})"));
  }
  engine::Command all{.op = engine::Op::kPauseAll, .at_ms = kT0 + 1};
  all.reason = "outage";
  run(all, R"({"op":"pause_all","reason":"outage"})");
  durability_->Flush();
  for (const char* id : {"A", "B"}) {
    std::vector<storage::HistoryRecord> history;
    ASSERT_TRUE(durability_->ReadHistory(id, durability_->HistoryHead(id), 10, &history).ok());
    ASSERT_EQ(history.size(), 2u) << id;
    EXPECT_EQ(history[1].json, R"({"op":"pause_all","reason":"outage"})") << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, DurabilityTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "RocksDB" : "InMemory";
                         });

}  // namespace
}  // namespace slad::api
