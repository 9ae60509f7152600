// The history's chains on a real RocksDB: records staged but not written
// are stepped over, a purged ticket's head is found staged or written, and
// a schema 2 database (history keyed by id) is migrated at open, resumably.

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/codec.h"
#include "storage/store.h"
#include "tests/testing/store_helpers.h"
#include "tests/testing/temp_dir.h"

namespace slad::storage {
namespace {

using slad::testing::CommitAndWait;
using slad::testing::OpenAt;
using slad::testing::TempDir;

std::vector<std::string> Jsons(const Store& store, absl::string_view id,
                               std::optional<uint64_t> head) {
  std::vector<HistoryRecord> records;
  const absl::Status s = store.ReadHistory(id, head, 100, &records);
  EXPECT_TRUE(s.ok()) << s;
  std::vector<std::string> out;
  for (const HistoryRecord& r : records) out.push_back(r.json);
  return out;
}

// The database in `dir` opened with every family it has, by name, for
// writing what an older slad would have written.
class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies({}, dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    EXPECT_TRUE(
        rocksdb::DB::Open({}, dir, descriptors, &handles_, &db).ok());
    db_.reset(db);
    for (size_t i = 0; i < names.size(); ++i) by_name_[names[i]] = handles_[i];
  }
  ~RawDb() {
    for (auto* h : handles_) EXPECT_TRUE(db_->DestroyColumnFamilyHandle(h).ok());
  }
  void Put(const std::string& family, const std::string& key,
           const std::string& value) {
    EXPECT_TRUE(db_->Put({}, by_name_.at(family), key, value).ok());
  }
  std::vector<std::string> Keys(const std::string& family) {
    std::vector<std::string> keys;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator({}, by_name_.at(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
    return keys;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

std::string Fixed(uint64_t v) {
  std::string s;
  codec::PutFixed64BE(&s, v);
  return s;
}

// A schema 2 history value: format 1, kind, zigzag at_ms, the line.
std::string LegacyValue(int64_t at_ms, const std::string& json) {
  std::string v = "\x01";
  v.push_back(static_cast<char>(HistoryRecord::kCommand));
  codec::PutSigned(&v, at_ms);
  return v + json;
}

TEST(StoreHistoryTest, UnwrittenRecordsAreSteppedOverByTheirLinks) {
  TempDir dir;
  auto store = OpenAt({.dir = dir.path()});
  uint64_t head = store->AppendHistory("T-1", 0, {.at_ms = 1, .json = "a"});
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  head = store->AppendHistory("T-1", head, {.at_ms = 2, .json = "b"});
  // "b" is the engine's head but only staged: reads show what is written.
  EXPECT_EQ(Jsons(*store, "T-1", head), std::vector<std::string>{"a"});
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  EXPECT_EQ(Jsons(*store, "T-1", head), (std::vector<std::string>{"a", "b"}));
}

TEST(StoreHistoryTest, PurgedHeadsAreFoundStagedWrittenAndAfterReopen) {
  TempDir dir;
  uint64_t head = 0;
  {
    auto store = OpenAt({.dir = dir.path()});
    head = store->AppendHistory("T-1", 0, {.at_ms = 1, .json = "a"});
    head = store->AppendHistory("T-1", head, {.at_ms = 2, .json = "b"});
    store->PutHistoryHead("T-1", head, 3);
    EXPECT_EQ(store->PurgedHistoryHead("T-1").value_or(0), head);  // staged
    EXPECT_EQ(store->PurgedHistoryHead("T-2").value_or(99), 0u);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
    EXPECT_EQ(store->PurgedHistoryHead("T-1").value_or(0), head);
  }
  auto store = OpenAt({.dir = dir.path()});
  EXPECT_EQ(store->PurgedHistoryHead("T-1").value_or(0), head);
  // No engine head: the purged one is where the chain starts.
  EXPECT_EQ(Jsons(*store, "T-1", std::nullopt),
            (std::vector<std::string>{"a", "b"}));
  // The id purged again (opened meanwhile): the newer head wins, staged
  // and once the unit that staged the older one has been trimmed.
  store->PutHistoryHead("T-1", 41, 4);
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  store->PutHistoryHead("T-1", 42, 5);
  EXPECT_EQ(store->PurgedHistoryHead("T-1").value_or(0), 42u);
  store->Commit([](absl::Status) {});  // trims what is written, not this
  EXPECT_EQ(store->PurgedHistoryHead("T-1").value_or(0), 42u);
  store->Flush();
  EXPECT_EQ(store->PurgedHistoryHead("T-1").value_or(0), 42u);
}

// Writes what a schema 2 slad left: the live ticket T-live, history of it
// and of the purged T-gone keyed by id, and (seq 5) a record that a start
// cut off mid-migration had already rewritten. `version` and `marker`:
// the schema version and migration marker in meta.
void WriteSchemaTwo(const std::string& dir, uint64_t version, bool marker) {
  engine::TicketRecord live;
  live.id = "T-live";
  live.kind = "incident";
  live.priority = "p2";
  live.level = "agent";
  live.opened_ms = 1000;
  {
    auto store = OpenAt({.dir = dir});
    store->PutTicket(live);
    ASSERT_TRUE(CommitAndWait(store.get()).ok());
  }
  RawDb raw(dir);
  raw.Put("meta", "schema", Fixed(version));
  if (marker) raw.Put("meta", "migrating/history", Fixed(3));
  raw.Put("meta", "seq/history", Fixed(6));
  raw.Put("history", codec::LegacyHistoryKey("T-live", 1), LegacyValue(10, "l1"));
  raw.Put("history", codec::LegacyHistoryKey("T-gone", 2), LegacyValue(20, "g1"));
  raw.Put("history", codec::LegacyHistoryKey("T-live", 3), LegacyValue(30, "l2"));
  raw.Put("history", codec::LegacyHistoryKey("T-gone", 4), LegacyValue(40, "g2"));
  raw.Put("history", codec::LegacyHistoryKey("T-live", 6), LegacyValue(60, "l3"));
  std::string done;
  codec::EncodeHistory({.seq = 5, .at_ms = 50, .json = "x1"}, "T-done", 0,
                       50, &done);
  raw.Put("history", codec::HistoryKey(5), done);
}

void CheckMigrated(const std::string& dir) {
  auto store = OpenAt({.dir = dir});
  std::vector<engine::TicketRecord> tickets;
  RecoveryReport report;
  ASSERT_TRUE(store
                  ->Load(
                      [&](absl::Span<engine::TicketRecord> chunk) {
                        for (auto& t : chunk) tickets.push_back(std::move(t));
                        return absl::OkStatus();
                      },
                      [](engine::StatsCellRecord&&) { return absl::OkStatus(); },
                      &report)
                  .ok());
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0].history_head, 6u);  // the live ticket's newest
  EXPECT_EQ(Jsons(*store, "T-live", tickets[0].history_head),
            (std::vector<std::string>{"l1", "l2", "l3"}));
  EXPECT_EQ(Jsons(*store, "T-gone", std::nullopt),
            (std::vector<std::string>{"g1", "g2"}));
  EXPECT_EQ(Jsons(*store, "T-done", 5), std::vector<std::string>{"x1"});
  // New records continue the chains, after the old sequence numbers.
  const uint64_t next =
      store->AppendHistory("T-live", 6, {.at_ms = 70, .json = "l4"});
  EXPECT_EQ(next, 7u);
  ASSERT_TRUE(CommitAndWait(store.get()).ok());
  EXPECT_EQ(Jsons(*store, "T-live", next),
            (std::vector<std::string>{"l1", "l2", "l3", "l4"}));
  store.reset();
  RawDb raw(dir);
  for (const std::string& key : raw.Keys("history")) {
    EXPECT_EQ(key.size(), 8u) << "a schema 2 key is left";
  }
  EXPECT_EQ(raw.Keys("history_heads"), std::vector<std::string>{"T-gone"});
  for (const std::string& key : raw.Keys("meta")) {
    EXPECT_NE(key, "migrating/history");
  }
}


TEST(StoreHistoryTest, SchemaTwoHistoryIsMigratedIntoChains) {
  TempDir dir;
  WriteSchemaTwo(dir.path(), 2, false);
  CheckMigrated(dir.path());
}

// The version is stamped before the migration, with a marker (so an older
// slad refuses the half-migrated database); a start that finds the marker
// finishes the migration.
TEST(StoreHistoryTest, AMigrationCutOffIsResumed) {
  TempDir dir;
  WriteSchemaTwo(dir.path(), 3, true);
  CheckMigrated(dir.path());
}

}  // namespace
}  // namespace slad::storage
