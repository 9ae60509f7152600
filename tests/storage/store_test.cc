// Store on a real RocksDB in a temporary directory: reopen keeps what was
// committed, a newer schema is refused, the outbox sequence has no gaps and
// acks delete what every group has seen, history reads and retention.

#include "storage/store.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/options_util.h"
#include "engine/stats.h"
#include "storage/codec.h"
#include "tests/testing/random_records.h"
#include "tests/testing/store_helpers.h"
#include "tests/testing/temp_dir.h"

namespace slad::storage {
namespace {

using slad::testing::SplitMix64;
using slad::testing::CommitAndWait;
using slad::testing::OpenAt;
using slad::testing::TempDir;

struct Loaded {
  std::vector<engine::TicketRecord> tickets;
  std::vector<engine::StatsCellRecord> cells;
  RecoveryReport report;
};

Loaded LoadAll(Store* store) {
  Loaded out;
  EXPECT_TRUE(store
                  ->Load(
                      [&](absl::Span<engine::TicketRecord> chunk) {
                        for (auto& t : chunk) out.tickets.push_back(std::move(t));
                        return absl::OkStatus();
                      },
                      [&](engine::StatsCellRecord&& c) {
                        out.cells.push_back(std::move(c));
                        return absl::OkStatus();
                      },
                      &out.report)
                  .ok());
  return out;
}

OutboxEvent Event(const std::string& id) {
  return OutboxEvent{.type = 1, .at_ms = 1000, .id = id, .target = "response",
                     .deadline_ms = 1000};
}

TEST(StoreTest, CommittedTicketsAndCellsSurviveReopen) {
  TempDir dir;
  SplitMix64 rng(7);
  std::vector<engine::TicketRecord> tickets;
  engine::StatsCellRecord cell = slad::testing::RandomStatsCell(rng);
  {
    auto store = OpenAt({.dir = dir.path()});
    for (int i = 0; i < 100; ++i) {
      engine::TicketRecord t = slad::testing::RandomTicket(rng);
      t.id = "T-" + std::to_string(1000 + i);
      store->PutTicket(t);
      tickets.push_back(t);
    }
    store->DeleteTicket(tickets[5].id);
    tickets.erase(tickets.begin() + 5);
    store->AddStatsCell(cell);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
  }
  auto store = OpenAt({.dir = dir.path()});
  Loaded loaded = LoadAll(store.get());
  EXPECT_EQ(loaded.tickets, tickets);  // ids sort like the T-1000.. above
  ASSERT_EQ(loaded.cells.size(), 1u);
  EXPECT_EQ(loaded.cells[0], cell);
  EXPECT_EQ(loaded.report.tickets, 99u);
  EXPECT_EQ(loaded.report.stats_cells, 1u);
}

// The daemon writes each cell's increments (Engine::DrainStats) as RocksDB
// merges; what is loaded is their sum, across commits, flushes and reopens.
TEST(StoreTest, StatsIncrementsAddUpAcrossCommitsAndReopens) {
  TempDir dir;
  const engine::StatsCellRecord first{
      .by = 1, .hour = 490'000, .group = "east", .started = 3, .met = 2,
      .stop_sum_ms = 5000, .stop_hist = {{10, 1}, {40, 1}}};
  engine::StatsCellRecord second = first;
  second.started = 1;
  second.met = 0;
  second.met_late = 1;
  second.stop_sum_ms = 7000;
  second.stop_hist = {{40, 2}, {70, 1}};
  engine::StatsCellRecord third = first;
  third.started = 0;
  third.met = 1;
  third.stop_sum_ms = 100;
  third.stop_hist = {{5, 1}};
  engine::StatsCellRecord want = first;
  engine::AddStatsCell(second, &want);
  {
    auto store = OpenAt({.dir = dir.path()});
    store->AddStatsCell(first);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
    store->AddStatsCell(second);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
  }
  {
    auto store = OpenAt({.dir = dir.path()});
    Loaded loaded = LoadAll(store.get());
    ASSERT_EQ(loaded.cells.size(), 1u);
    EXPECT_EQ(loaded.cells[0], want);
    store->AddStatsCell(third);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
  }
  engine::AddStatsCell(third, &want);
  auto store = OpenAt({.dir = dir.path()});
  Loaded loaded = LoadAll(store.get());
  ASSERT_EQ(loaded.cells.size(), 1u);
  EXPECT_EQ(loaded.cells[0], want);
  EXPECT_EQ(want.started, 4u);
  EXPECT_EQ(want.stop_sum_ms, 12100);
}

TEST(StoreTest, LoadStopsAtTheFirstErrorOfItsCallback) {
  TempDir dir;
  auto store = OpenAt({.dir = dir.path()});
  for (int i = 0; i < 10000; ++i) {  // several scan chunks
    store->PutTicket({.id = "T-" + std::to_string(100000 + i), .kind = "k"});
  }
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  int seen = 0;
  RecoveryReport report;
  int chunks = 0;
  absl::Status s = store->Load(
      [&](absl::Span<engine::TicketRecord> chunk) {
        ++chunks;
        for (const auto& t : chunk) {
          if (++seen == 5000) return absl::InvalidArgumentError("no: " + t.id);
        }
        return absl::OkStatus();
      },
      [](engine::StatsCellRecord&&) { return absl::OkStatus(); }, &report);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_EQ(s.message(), "no: T-104999");
  EXPECT_EQ(seen, 5000);
  EXPECT_EQ(chunks, 2);  // none after the failing one
  EXPECT_LT(report.tickets, 5000u);  // only whole chunks accepted
}

// Blocks are compressed with LZ4 where RocksDB has it (else as RocksDB
// chooses): Snappy cost more CPU for the same work (docs/BENCHMARKS.md,
// "Fifth session"). Read back from the OPTIONS file RocksDB writes beside
// the data.
TEST(StoreTest, FamiliesCompressWithLz4) {
  TempDir dir;
  OpenAt({.dir = dir.path()});
  rocksdb::ConfigOptions config;
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  ASSERT_TRUE(
      rocksdb::LoadLatestOptions(config, dir.path(), &db_options, &families)
          .ok());
  const std::vector<rocksdb::CompressionType> have =
      rocksdb::GetSupportedCompressions();
  const bool lz4 = std::find(have.begin(), have.end(),
                             rocksdb::kLZ4Compression) != have.end();
  int ours = 0;
  for (const auto& f : families) {
    if (f.name == rocksdb::kDefaultColumnFamilyName) continue;
    ++ours;
    EXPECT_EQ(f.options.compression,
              lz4 ? rocksdb::kLZ4Compression
                  : rocksdb::ColumnFamilyOptions().compression)
        << f.name;
  }
  EXPECT_EQ(ours, 5);
}

TEST(StoreTest, DeferredCompactionsStartWhenLoadReturns) {
  TempDir dir;
  EXPECT_TRUE(OpenAt({.dir = dir.path()})->compactions_on());
  auto store = OpenAt({.dir = dir.path(), .defer_compactions = true});
  store->PutTicket({.id = "T-1", .kind = "k"});
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  EXPECT_FALSE(store->compactions_on());
  EXPECT_EQ(LoadAll(store.get()).tickets.size(), 1u);
  EXPECT_TRUE(store->compactions_on());
}

TEST(StoreTest, DeferredCompactionsStartEvenWhenLoadFails) {
  TempDir dir;
  auto store = OpenAt({.dir = dir.path(), .defer_compactions = true});
  store->PutTicket({.id = "T-1", .kind = "k"});
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  RecoveryReport report;
  EXPECT_FALSE(store
                   ->Load([](absl::Span<engine::TicketRecord>) { return absl::InternalError("no"); },
                          [](engine::StatsCellRecord&&) { return absl::OkStatus(); },
                          &report)
                   .ok());
  EXPECT_TRUE(store->compactions_on());
}

TEST(StoreTest, UncommittedStagingIsNotWritten) {
  TempDir dir;
  {
    auto store = OpenAt({.dir = dir.path()});
    store->PutTicket({.id = "T-1", .kind = "k"});
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
    store->PutTicket({.id = "T-2", .kind = "k"});  // never committed
  }
  auto store = OpenAt({.dir = dir.path()});
  Loaded loaded = LoadAll(store.get());
  ASSERT_EQ(loaded.tickets.size(), 1u);
  EXPECT_EQ(loaded.tickets[0].id, "T-1");
}

// Writes key=value into the meta family as another slad version would,
// with RocksDB alone (no merge operator: nothing merged is read).
void PutRawMeta(const std::string& dir, const std::string& key,
                const std::string& value) {
  rocksdb::DBOptions db_options;
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(db_options, dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db;
  ASSERT_TRUE(rocksdb::DB::Open(db_options, dir, descriptors, &handles, &db).ok());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "meta") {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[i], key, value).ok());
    }
  }
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  delete db;
}

// A folder another store holds is refused with a message that says so,
// not only RocksDB's "IO error: lock ...".
TEST(StoreTest, AFolderInUseIsRefusedAsInUse) {
  TempDir dir;
  auto first = Store::Open({.dir = dir.path()});
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Store::Open({.dir = dir.path()});
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
  EXPECT_NE(second.status().message().find("is in use"),
            std::string::npos)
      << second.status();
}

TEST(StoreTest, NewerSchemaIsRefused) {
  TempDir dir;
  { OpenAt({.dir = dir.path()}); }
  std::string v;
  codec::PutFixed64BE(&v, Store::kSchemaVersion + 1);
  PutRawMeta(dir.path(), "schema", v);
  auto store = Store::Open({.dir = dir.path()});
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(store.status())) << store.status();
  EXPECT_NE(store.status().message().find(absl::StrCat(
                "schema version ", Store::kSchemaVersion + 1)),
            std::string::npos)
      << store.status();
}

// Schema 1 stored whole cells with Put; schema 2 adds increments to them.
TEST(StoreTest, SchemaOneCellsTakeIncrements) {
  TempDir dir;
  { OpenAt({.dir = dir.path()}); }
  const engine::StatsCellRecord whole{
      .by = 0, .hour = 490'000, .group = "after_sales", .started = 7, .met = 5,
      .stop_sum_ms = 9000, .stop_hist = {{12, 5}}};
  std::string schema, cell;
  codec::PutFixed64BE(&schema, 1);
  codec::EncodeStatsCell(whole, &cell);
  PutRawMeta(dir.path(), "schema", schema);
  PutRawMeta(dir.path(), codec::StatsKey(whole), cell);
  engine::StatsCellRecord increment = whole;
  increment.started = 1;
  increment.met = 1;
  increment.stop_sum_ms = 1000;
  increment.stop_hist = {{12, 1}};
  {
    auto store = OpenAt({.dir = dir.path()});
    store->AddStatsCell(increment);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
  }
  auto store = OpenAt({.dir = dir.path()});
  Loaded loaded = LoadAll(store.get());
  ASSERT_EQ(loaded.cells.size(), 1u);
  EXPECT_EQ(loaded.cells[0].started, 8u);
  EXPECT_EQ(loaded.cells[0].met, 6u);
  EXPECT_EQ(loaded.cells[0].stop_sum_ms, 10000);
  const std::vector<std::pair<uint16_t, uint32_t>> hist = {{12, 6}};
  EXPECT_EQ(loaded.cells[0].stop_hist, hist);
}

TEST(StoreTest, OutboxSequenceHasNoGapsAcrossReopen) {
  TempDir dir;
  {
    auto store = OpenAt({.dir = dir.path()});
    EXPECT_EQ(store->last_outbox_seq(), 0u);
    EXPECT_EQ(store->AppendOutbox(Event("a")), 1u);
    EXPECT_EQ(store->AppendOutbox(Event("b")), 2u);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
  }
  auto store = OpenAt({.dir = dir.path()});
  EXPECT_EQ(store->last_outbox_seq(), 2u);
  EXPECT_EQ(store->AppendOutbox(Event("c")), 3u);
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  std::vector<OutboxEvent> events;
  ASSERT_TRUE(store->ReadOutbox(0, 100, &events).ok());
  ASSERT_EQ(events.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(events[i].seq, uint64_t(i + 1));
  EXPECT_EQ(events[2].id, "c");
  events.clear();
  ASSERT_TRUE(store->ReadOutbox(1, 1, &events).ok());  // redelivery page
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].seq, 2u);
}

TEST(StoreTest, EventsEveryGroupAckedAreDeleted) {
  TempDir dir;
  {
    auto store = OpenAt({.dir = dir.path()});
    store->RegisterGroup("pager");
    store->RegisterGroup("mail");
    for (int i = 0; i < 5; ++i) store->AppendOutbox(Event("x"));
    store->Ack("pager", 4);
    store->Ack("mail", 2);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
    EXPECT_EQ(*store->AckedUpTo("pager"), 4u);
    EXPECT_TRUE(absl::IsNotFound(store->AckedUpTo("sms").status()));
    std::vector<OutboxEvent> events;
    ASSERT_TRUE(store->ReadOutbox(0, 100, &events).ok());
    ASSERT_EQ(events.size(), 3u);  // 3..5: mail has not seen them
    EXPECT_EQ(events[0].seq, 3u);
  }
  auto store = OpenAt({.dir = dir.path()});
  EXPECT_EQ(*store->AckedUpTo("mail"), 2u);
  EXPECT_EQ(store->Groups(), (std::vector<std::string>{"mail", "pager"}));
  // A new group starts from the oldest event still kept.
  store->RegisterGroup("sms");
  EXPECT_EQ(*store->AckedUpTo("sms"), 2u);
  store->Ack("mail", 99);  // past the last seq: clamped
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  EXPECT_EQ(*store->AckedUpTo("mail"), 5u);
  std::vector<OutboxEvent> events;
  ASSERT_TRUE(store->ReadOutbox(0, 100, &events).ok());
  EXPECT_EQ(events.size(), 3u);  // sms still needs 3..5
  RecoveryReport report = LoadAll(store.get()).report;
  EXPECT_EQ(report.outbox_events, 3u);
  EXPECT_EQ(report.groups, 3u);
}

// A group retired for good is dropped: its cursor no longer holds events
// the other groups have acknowledged, and it stays gone after a reopen.
TEST(StoreTest, ADroppedGroupNoLongerHoldsTheOutbox) {
  TempDir dir;
  {
    auto store = OpenAt({.dir = dir.path()});
    store->RegisterGroup("pager");
    store->RegisterGroup("retired");
    for (int i = 0; i < 5; ++i) store->AppendOutbox(Event("x"));
    store->Ack("pager", 4);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
    std::vector<OutboxEvent> events;
    ASSERT_TRUE(store->ReadOutbox(0, 100, &events).ok());
    EXPECT_EQ(events.size(), 5u);  // "retired" has acked none
    EXPECT_TRUE(absl::IsNotFound(store->DropGroup("nobody")));
    ASSERT_TRUE(store->DropGroup("retired").ok());
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
    events.clear();
    ASSERT_TRUE(store->ReadOutbox(0, 100, &events).ok());
    ASSERT_EQ(events.size(), 1u);  // only 5, which pager has not acked
    EXPECT_EQ(events[0].seq, 5u);
  }
  auto store = OpenAt({.dir = dir.path()});
  EXPECT_EQ(store->Groups(), (std::vector<std::string>{"pager"}));
  EXPECT_TRUE(absl::IsNotFound(store->AckedUpTo("retired").status()));
  // The last group dropped: what is left stays for the next group.
  ASSERT_TRUE(store->DropGroup("pager").ok());
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  EXPECT_TRUE(store->Groups().empty());
  std::vector<OutboxEvent> events;
  ASSERT_TRUE(store->ReadOutbox(0, 100, &events).ok());
  EXPECT_EQ(events.size(), 1u);
  store->RegisterGroup("pager");  // subscribed again: from the oldest kept
  EXPECT_EQ(*store->AckedUpTo("pager"), 4u);
}

TEST(StoreTest, OutboxBoundDropsTheOldest) {
  TempDir dir;
  auto store = OpenAt({.dir = dir.path(), .max_outbox_events = 16});
  store->RegisterGroup("never-acks");
  for (int i = 0; i < 40; ++i) store->AppendOutbox(Event("x"));
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  std::vector<OutboxEvent> events;
  ASSERT_TRUE(store->ReadOutbox(0, 100, &events).ok());
  EXPECT_LE(events.size(), 17u);
  EXPECT_EQ(events.back().seq, 40u);
}

TEST(StoreTest, HistoryReadsOneTicketOldestFirstNewestKept) {
  TempDir dir;
  auto store = OpenAt({.dir = dir.path()});
  uint64_t head1 = 0, head10 = 0;
  for (int i = 0; i < 5; ++i) {
    head1 = store->AppendHistory(
        "T-1", head1, {.at_ms = i, .json = "a" + std::to_string(i)});
    head10 = store->AppendHistory("T-10", head10, {.at_ms = i, .json = "b"});
  }
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  std::vector<HistoryRecord> records;
  ASSERT_TRUE(store->ReadHistory("T-1", head1, 100, &records).ok());
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].json, "a0");
  EXPECT_LT(records[0].seq, records[1].seq);
  records.clear();
  ASSERT_TRUE(store->ReadHistory("T-1", head1, 2, &records).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].json, "a3");
  EXPECT_EQ(records[1].json, "a4");
  records.clear();
  ASSERT_TRUE(store->ReadHistory("T-", 0, 100, &records).ok());
  EXPECT_TRUE(records.empty());
  // A head that leads into another ticket's chain is corruption, not
  // another ticket's history.
  EXPECT_TRUE(
      absl::IsDataLoss(store->ReadHistory("T-1", head10, 100, &records)));
}

TEST(StoreTest, RetentionDropsOldHistoryAtCompaction) {
  TempDir dir;
  std::atomic<int64_t> now{1'000'000};
  constexpr int64_t kRetention = 10'000;
  uint64_t head = 0;
  {
    auto store = OpenAt({.dir = dir.path(),
                         .retention_ms = kRetention,
                         .now_ms = [&] { return now.load(); }});
    head = store->AppendHistory("T-1", 0, {.at_ms = 995'000, .json = "old"});
    head = store->AppendHistory("T-1", head, {.at_ms = 1'004'000, .json = "new"});
    store->PutHistoryHead("T-old", head, 995'000);
    store->PutHistoryHead("T-new", head, 1'004'000);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
  }
  now = 1'012'000;  // "old" is 17 s old, "new" 8 s
  {
    auto store = OpenAt({.dir = dir.path(),
                         .retention_ms = kRetention,
                         .now_ms = [&] { return now.load(); }});
    std::vector<HistoryRecord> records;
    ASSERT_TRUE(store->ReadHistory("T-1", head, 10, &records).ok());
    EXPECT_EQ(records.size(), 2u);  // not yet compacted
  }
  // Compaction is what drops: what the periodic compactions do over time,
  // forced here. The chain ends where retention cut it; a purged ticket's
  // head goes once it is past retention itself.
  {
    auto store = OpenAt({.dir = dir.path(),
                         .retention_ms = kRetention,
                         .now_ms = [&] { return now.load(); }});
    ASSERT_TRUE(store->CompactHistory().ok());
    std::vector<HistoryRecord> records;
    ASSERT_TRUE(store->ReadHistory("T-1", head, 10, &records).ok());
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].json, "new");
    EXPECT_EQ(store->PurgedHistoryHead("T-old").value_or(99), 0u);
    EXPECT_EQ(store->PurgedHistoryHead("T-new").value_or(99), head);
  }
}

}  // namespace
}  // namespace slad::storage
