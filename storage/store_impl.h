#ifndef SLAD_STORAGE_STORE_IMPL_H_
#define SLAD_STORAGE_STORE_IMPL_H_

// Store's private state, shared by store.cc (open, staging, commit) and
// store_read.cc (recovery scan and reads). Not part of the interface.

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/group_commit.h"
#include "storage/history_retention.h"
#include "storage/store.h"

namespace slad::storage {

enum Family : int { kTickets = 0, kOutbox, kHistory, kMeta, kHeads, kFamilies };

struct Store::Impl {
  Options options;
  std::shared_ptr<rocksdb::Cache> cache;
  std::unique_ptr<HistoryRetention> retention;       // history
  std::unique_ptr<HistoryRetention> head_retention;  // history_heads
  std::shared_ptr<rocksdb::MergeOperator> stats_merge;  // StatsCellMerge
  // The writer thread reopens the database to leave an error state (see
  // store.cc, Reopen); db_mu guards db and the handles against that: the
  // writer's writes and every read hold it shared, Reopen exclusive. db is
  // null while a reopen is failing.
  mutable std::shared_mutex db_mu;
  std::unique_ptr<rocksdb::DB> db;
  absl::Status reopen_error;  // why db is null; guarded by db_mu
  // Indexed by Family; the default family (unused) and any family a newer
  // schema added are in `others`. Owned; destroyed before `db`.
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  std::vector<rocksdb::ColumnFamilyHandle*> others;
  std::unique_ptr<GroupCommitter> committer;
  // Options::defer_compactions until Load() is done: OpenDb (a reopen
  // too) opens the families with auto compactions off while it is set.
  std::atomic<bool> compactions_deferred{false};

  // Owning-thread state: the unit being staged and the counters it
  // advances. The counters are staged values (ahead of what is durable by
  // at most the units not yet written); a unit that changes any carries
  // all three as its trailer, written once per batch after its units, so
  // a batch is atomic with the counters it used.
  rocksdb::WriteBatch unit;
  rocksdb::WriteBatch counters;  // the unit's trailer (GroupCommitter)
  std::string scratch;
  uint64_t last_outbox = 0;    // last outbox seq assigned
  uint64_t outbox_floor = 0;   // every seq <= floor is deleted
  uint64_t last_history = 0;   // last history seq assigned
  int64_t clock_ms = 0;        // latest instant noted (NoteClock)
  bool counters_dirty = false;  // the current unit changed a counter
  std::map<std::string, uint64_t, std::less<>> groups;  // name -> acked
  // The values of `groups`: the lowest is what every group acknowledged,
  // found without a walk of every group on each ack.
  std::multiset<uint64_t> cursors;
  void MoveCursor(uint64_t from, uint64_t to) {
    cursors.erase(cursors.find(from));
    cursors.insert(to);
  }

  // Units closed by Commit, and (set on the writer thread) those written.
  uint64_t committed_units = 0;
  std::atomic<uint64_t> written_units{0};
  // History records and purged heads staged in units not known to be
  // written, oldest first, each with the unit it is in: ReadHistory steps
  // over such a record by its link, and PurgedHistoryHead finds such a
  // head, though neither is in RocksDB yet. Trimmed as units are written.
  struct PendingRecord {
    uint64_t unit, seq, prev;
  };
  struct PendingHead {
    uint64_t unit;
    uint64_t head;
  };
  std::deque<PendingRecord> pending_records;
  // By id (an open looks its id up: a mass purge must not make that a
  // scan), and the ids in staging order, for trimming.
  absl::flat_hash_map<std::string, PendingHead> pending_heads;
  std::deque<std::pair<uint64_t, std::string>> pending_head_ids;
  void TrimPending();

  ~Impl();
  void CloseDb();
  rocksdb::ColumnFamilyHandle* cf(Family f) const { return families[f]; }
  void Put(Family f, absl::string_view key, absl::string_view value);
  void StageCounters();
  // Deletes outbox events up to `seq` (inclusive) in the current unit.
  void DropOutboxThrough(uint64_t seq);
};

inline absl::string_view View(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

// For scans that read each block once: a large readahead turns the scan
// into sequential reads, and not filling the cache keeps the scan from
// evicting what serving needs.
inline rocksdb::ReadOptions ScanOptions() {
  rocksdb::ReadOptions ro;
  ro.readahead_size = 8 << 20;
  ro.fill_cache = false;
  return ro;
}

// What reads answer while the writer reopens the database (db is null).
inline absl::Status Closed() {
  return absl::UnavailableError(
      "storage is reopening after a write error; try again");
}

// Rewrites a schema 1 or 2 history family in schema 3's layout
// (store_history.cc); Open runs it once, before stamping the version.
absl::Status MigrateLegacyHistory(Store::Impl* impl);

}  // namespace slad::storage

#endif  // SLAD_STORAGE_STORE_IMPL_H_
