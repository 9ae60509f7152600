// Store: opening the database, staging writes, committing them
// (store_read.cc has the recovery scan and the reads).

#include "storage/store.h"

#include "rocksdb/memtablerep.h"
#include "rocksdb/perf_level.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "rocksdb/convenience.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "storage/codec.h"
#include "storage/rocksdb_status.h"
#include "storage/stats_merge.h"
#include "storage/store_impl.h"

namespace slad::storage {
namespace {

constexpr const char* kFamilyNames[kFamilies] = {
    "tickets", "outbox", "history", "meta", "history_heads"};

// Memory (docs/STORAGE.md, "Tuning"): memtables are bounded together by
// db_write_buffer_size, and the block cache holds data, index and filter
// blocks alike, so RocksDB's resident memory stays near their sum however
// many tickets there are.
constexpr size_t kMemtableBudget = 96 << 20;
constexpr size_t kBlockCacheBytes = 32 << 20;
// History is written in key order and never read back from the memtable
// in bulk: a small buffer flushes it sooner and keeps 48 MiB of peak
// memtable memory off the daemon.
constexpr size_t kWriteBufferBytes[kFamilies] = {32 << 20, 8 << 20, 8 << 20,
                                                 4 << 20, 4 << 20};
// History files are written in key order and never overlap, so compactions
// move them down without reading them; retention's filter then only runs
// when a file is compacted for its age. 30 days: a record outlives its
// retention by at most that, and the whole history is rewritten once a
// month, a trickle next to what comes in.
constexpr uint64_t kHistoryRecompactSeconds = 30 * 24 * 3600;

// LZ4 where this RocksDB has it (Debian's does), else whatever RocksDB
// picks itself (Snappy if it has that, else none). Flushes and compactions
// compress every block they write: with Snappy that was 9 % of slad's CPU
// flat out (docs/BENCHMARKS.md, "Fifth session"), and LZ4 does the same
// work for less.
rocksdb::CompressionType BlockCompression() {
  const std::vector<rocksdb::CompressionType> have =
      rocksdb::GetSupportedCompressions();
  return std::find(have.begin(), have.end(), rocksdb::kLZ4Compression) !=
                 have.end()
             ? rocksdb::kLZ4Compression
             : rocksdb::ColumnFamilyOptions().compression;
}

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RocksDB's warnings and errors on slad's stderr, beside its own log, and
// no LOG file in the data folder: on a full disk the LOG's failed append
// tripped an assertion in Debian's RocksDB build (WritableFileWriter's
// sync_without_flush_called_) and aborted the daemon, where a failed write
// must only make the store read-only and retry.
// While the store retries a failing disk RocksDB repeats its errors (and
// dumps of what it was writing) every attempt: each message is cut to its
// first line, and at most 10 go out every 10 s, the rest counted.
class StderrLogger final : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[512];
    std::vsnprintf(line, sizeof line, format, ap);
    line[std::strcspn(line, "\n")] = '\0';
    const int64_t now_ms = SystemNowMs();
    std::lock_guard<std::mutex> lock(mu_);
    if (now_ms - window_ms_ >= 10'000) {
      if (suppressed_ > 0) {
        std::fprintf(stderr, "slad: rocksdb: %d more messages not shown\n", suppressed_);
      }
      window_ms_ = now_ms;
      shown_ = suppressed_ = 0;
    }
    if (++shown_ > 10) {
      ++suppressed_;
      return;
    }
    std::fprintf(stderr, "slad: rocksdb: %s\n", line);
  }

 private:
  std::mutex mu_;
  int64_t window_ms_ = 0;
  int shown_ = 0;
  int suppressed_ = 0;
};

rocksdb::DBOptions DbOptions(const Options& options) {
  rocksdb::DBOptions o;
  o.info_log = std::make_shared<StderrLogger>();
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  if (options.env != nullptr) o.env = options.env;
  o.max_background_jobs = 2;
  o.db_write_buffer_size = kMemtableBudget;
  // Every family shares the WAL; this makes RocksDB flush the family that
  // pins the oldest log (meta, typically) instead of keeping logs forever.
  o.max_total_wal_size = 128 << 20;
  // SSTs written by flushes and compactions are synced every MiB, not in
  // one burst at their end that the WAL's next sync queues behind on the
  // device (RocksDB's advice for a sync-bound WAL). The device still has
  // stalls of its own: 10-130 ms at p99.9 under background writes
  // (docs/BENCHMARKS.md, "End to end").
  o.bytes_per_sync = 1 << 20;
  o.keep_log_file_num = 2;
  o.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // A torn tail after a crash is cut at the last whole record: everything
  // acknowledged was synced before that.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Close after a write error must not try to flush through the broken
  // log; the WAL replays on the next open anyway.
  o.avoid_flush_during_shutdown = true;
  // A restart replays the WAL into memtables and serves from them; writing
  // them out first (up to max_total_wal_size) only delays serving.
  o.avoid_flush_during_recovery = true;
  // The vector memtables of tickets and meta (FamilyOptions) do not
  // support concurrent inserts; there is one writer thread anyway.
  o.allow_concurrent_memtable_write = false;
  return o;
}

rocksdb::ColumnFamilyOptions FamilyOptions(const Store::Impl& impl,
                                           Family f) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = impl.cache;
  table.cache_index_and_filter_blocks = true;
  table.block_size = 16 << 10;  // tickets are read by scans, not lookups
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  o.write_buffer_size = kWriteBufferBytes[f];
  // A family whose memtables all wait for the one flush thread stops every
  // write of the daemon (RocksDB's "Stopping writes ... immutable
  // memtables"): with 2, a burst of stats cells or history stalled commits
  // for 100-300 ms (docs/BENCHMARKS.md, "End to end"). The total stays
  // bounded by db_write_buffer_size.
  o.max_write_buffer_number = 4;
  o.level_compaction_dynamic_level_bytes = true;
  o.compression = BlockCompression();
  o.disable_auto_compactions = impl.compactions_deferred.load();
  if (f == kHistory) {
    o.compaction_filter = impl.retention.get();
    o.periodic_compaction_seconds = kHistoryRecompactSeconds;
  }
  if (f == kHeads) {
    // Looked up by id at every open (a reused id links to its purged
    // chain): a filter answers "none" without reading a block.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    o.compaction_filter = impl.head_retention.get();
    o.periodic_compaction_seconds = kHistoryRecompactSeconds;
  }
  if (f == kMeta) o.merge_operator = impl.stats_merge;
  // Ticket records arrive in random id order, and meta takes every unit's
  // stats increments (merges into a few hundred hot cells) and counters;
  // both are read only when the store opens, never while serving. An
  // append-only vector memtable (sorted once, at flush or scan) replaces a
  // skip-list search per write: for tickets that was the writer thread's
  // largest cost (docs/BENCHMARKS.md, "Daemon throughput"), for meta a
  // tenth of slad's CPU flat out ("Seventh session").
  if (f == kTickets || f == kMeta) {
    o.memtable_factory.reset(new rocksdb::VectorRepFactory());
  }
  return o;
}

absl::Status OpenDb(Store::Impl* impl) {
  const rocksdb::DBOptions db_options = DbOptions(impl->options);
  // Made here rather than by RocksDB, which logs a new folder's absence as
  // an [ERROR] first: an alert on every first start.
  std::error_code made;
  std::filesystem::create_directories(impl->options.dir, made);
  if (made) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", impl->options.dir, ": ", made.message()));
  }
  std::vector<std::string> names;
  // A new directory has no families yet: the error just means "none".
  if (!rocksdb::DB::ListColumnFamilies(db_options, impl->options.dir, &names)
           .ok()) {
    names.clear();
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int f = 0; f < kFamilies; ++f) {
    descriptors.emplace_back(kFamilyNames[f],
                             FamilyOptions(*impl, static_cast<Family>(f)));
  }
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           rocksdb::ColumnFamilyOptions());
  // Families a newer schema added must be opened too, or RocksDB refuses
  // the database before we can read its schema version.
  for (const std::string& name : names) {
    if (std::none_of(descriptors.begin(), descriptors.end(),
                     [&](const auto& d) { return d.name == name; })) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status opened =
      rocksdb::DB::Open(db_options, impl->options.dir, descriptors, &handles, &db);
  // Another process holds the folder's LOCK ("While lock file"), or this
  // one does ("lock hold by current process").
  if (opened.IsIOError() && (absl::StrContains(opened.ToString(), "lock file") ||
                             absl::StrContains(opened.ToString(), "lock hold"))) {
    return absl::FailedPreconditionError(absl::StrCat(
        impl->options.dir, " is in use (another slad holds its LOCK?): ",
        opened.ToString()));
  }
  RETURN_IF_ERROR(FromRocks(opened, "open " + impl->options.dir));
  impl->db.reset(db);
  impl->families.assign(handles.begin(), handles.begin() + kFamilies);
  impl->others.assign(handles.begin() + kFamilies, handles.end());
  return absl::OkStatus();
}

absl::Status ReadFixed(Store::Impl* impl, absl::string_view key,
                       uint64_t* out) {
  std::string value;
  rocksdb::Status s = impl->db->Get(rocksdb::ReadOptions(), impl->cf(kMeta),
                                    rocksdb::Slice(key.data(), key.size()),
                                    &value);
  if (s.IsNotFound()) {
    *out = 0;
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(FromRocks(s, "read meta"));
  if (value.size() != 8) {
    return absl::DataLossError("meta key " + std::string(key) +
                               " has a malformed value");
  }
  *out = codec::DecodeFixed64BE(value.data());
  return absl::OkStatus();
}

// Refuses a newer schema; stamps a new or older database with ours (every
// older version is readable by this one: docs/STORAGE.md, "Schema
// versioning").
absl::Status CheckSchema(Store::Impl* impl) {
  uint64_t version = 0;
  RETURN_IF_ERROR(ReadFixed(impl, codec::kSchemaKey, &version));
  if (version > Store::kSchemaVersion) {
    return absl::FailedPreconditionError(
        "the database in " + impl->options.dir +
        " was written with storage schema version " + std::to_string(version) +
        "; this slad reads versions up to " +
        std::to_string(Store::kSchemaVersion) +
        ": run a newer slad, or restore a backup");
  }
  uint64_t migrating = 0;
  RETURN_IF_ERROR(ReadFixed(impl, codec::kHistoryMigrationKey, &migrating));
  if (version == Store::kSchemaVersion && migrating == 0) {
    return absl::OkStatus();
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  std::string value;
  codec::PutFixed64BE(&value, Store::kSchemaVersion);
  const std::string schema_key(codec::kSchemaKey);
  const std::string marker_key(codec::kHistoryMigrationKey);
  if (version == 0) {  // a new database: nothing to migrate
    return FromRocks(impl->db->Put(wo, impl->cf(kMeta), schema_key, value),
                     "write schema version");
  }
  if (version < Store::kSchemaVersion) {
    // Versions 1 and 2 keyed history by id. The new version is stamped
    // first, with a marker, so that an older slad refuses a database half
    // migrated and a start cut off resumes the migration.
    rocksdb::WriteBatch stamp;
    RETURN_IF_ERROR(FromRocks(stamp.Put(impl->cf(kMeta), schema_key, value),
                              "write schema version"));
    RETURN_IF_ERROR(FromRocks(stamp.Put(impl->cf(kMeta), marker_key, value),
                              "write schema version"));
    RETURN_IF_ERROR(
        FromRocks(impl->db->Write(wo, &stamp), "write schema version"));
  }
  RETURN_IF_ERROR(MigrateLegacyHistory(impl));
  return FromRocks(impl->db->Delete(wo, impl->cf(kMeta), marker_key),
                   "write schema version");
}

absl::Status ReadCounters(Store::Impl* impl) {
  RETURN_IF_ERROR(ReadFixed(impl, codec::kOutboxSeqKey, &impl->last_outbox));
  RETURN_IF_ERROR(ReadFixed(impl, codec::kHistorySeqKey, &impl->last_history));
  RETURN_IF_ERROR(ReadFixed(impl, codec::kOutboxFloorKey, &impl->outbox_floor));
  uint64_t clock = 0;
  RETURN_IF_ERROR(ReadFixed(impl, codec::kClockKey, &clock));
  impl->clock_ms = static_cast<int64_t>(clock);
  std::unique_ptr<rocksdb::Iterator> it(
      impl->db->NewIterator(rocksdb::ReadOptions(), impl->cf(kMeta)));
  const rocksdb::Slice prefix(codec::kGroupPrefix.data(),
                              codec::kGroupPrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    if (it->value().size() != 8) {
      return absl::DataLossError("malformed subscriber group cursor");
    }
    std::string name = it->key().ToString().substr(prefix.size());
    const uint64_t acked = codec::DecodeFixed64BE(it->value().data());
    if (auto [g, inserted] = impl->groups.try_emplace(name, acked); inserted) {
      impl->cursors.insert(acked);
    } else {
      impl->MoveCursor(std::exchange(g->second, acked), acked);
    }
  }
  return FromRocks(it->status(), "read subscriber groups");
}

// Leaves an error state by closing and reopening the database. RocksDB
// 7.8's own DB::Resume() keeps appending to a log whose write failed (and
// its Debian build asserts on that), so the log must be dropped: the
// reopen replays every whole record of it, and the writer then writes the
// failed batch again (idempotent if it was in fact logged).
absl::Status Reopen(Store::Impl* impl) {
  std::unique_lock<std::shared_mutex> lock(impl->db_mu);
  impl->CloseDb();
  impl->reopen_error = OpenDb(impl);
  return impl->reopen_error;
}

GroupCommitter::Sink SinkOf(Store::Impl* impl) {
  rocksdb::WriteOptions wo;
  wo.sync = impl->options.sync;
  return GroupCommitter::Sink{
      .write =
          [impl, wo](rocksdb::WriteBatch& batch) {
            // RocksDB's per-operation perf counters are unused here.
            rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
            std::shared_lock<std::shared_mutex> lock(impl->db_mu);
            // A reopen that found corruption makes this write fatal too.
            if (impl->db == nullptr) return impl->reopen_error;
            return FromRocks(impl->db->Write(wo, &batch), "write");
          },
      .resume = [impl] { return Reopen(impl); },
  };
}

}  // namespace

Store::Impl::~Impl() {
  // Drains first: it writes through db. Then, unless writes were failing,
  // flush the memtables so that the next start reads table files instead
  // of replaying the log (RocksDB's own flush on close is off: it would
  // write through a log that failed).
  const bool healthy = committer == nullptr || (committer->writable() &&
                                                committer->fatal_error().ok());
  committer.reset();
  if (db != nullptr && healthy) {
    db->Flush(rocksdb::FlushOptions(), families).PermitUncheckedError();
  }
  CloseDb();
}

void Store::Impl::CloseDb() {
  if (db == nullptr) return;
  for (auto* h : families) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  for (auto* h : others) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  families.clear();
  others.clear();
  db->Close().PermitUncheckedError();
  db.reset();
}

void Store::Impl::Put(Family f, absl::string_view key,
                      absl::string_view value) {
  // WriteBatch::Put fails only for a key or value over 4 GiB, which the
  // protocol's line limit rules out.
  rocksdb::Status s = unit.Put(cf(f), rocksdb::Slice(key.data(), key.size()),
                               rocksdb::Slice(value.data(), value.size()));
  assert(s.ok());
  s.PermitUncheckedError();
}

void Store::Impl::StageCounters() {
  if (!counters_dirty) return;
  counters_dirty = false;
  std::string v;
  for (auto [key, value] : {std::pair{codec::kOutboxSeqKey, last_outbox},
                            std::pair{codec::kHistorySeqKey, last_history},
                            std::pair{codec::kOutboxFloorKey, outbox_floor},
                            std::pair{codec::kClockKey,
                                      static_cast<uint64_t>(clock_ms)}}) {
    v.clear();
    codec::PutFixed64BE(&v, value);
    rocksdb::Status s = counters.Put(cf(kMeta),
                                     rocksdb::Slice(key.data(), key.size()), v);
    assert(s.ok());
    s.PermitUncheckedError();
  }
}

void Store::Impl::DropOutboxThrough(uint64_t seq) {
  if (seq <= outbox_floor) return;
  rocksdb::Status s = unit.DeleteRange(cf(kOutbox), codec::OutboxKey(outbox_floor + 1),
                                       codec::OutboxKey(seq + 1));
  assert(s.ok());
  s.PermitUncheckedError();
  outbox_floor = seq;
  counters_dirty = true;
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->compactions_deferred = options.defer_compactions;
  if (!impl->options.now_ms) impl->options.now_ms = SystemNowMs;
  impl->cache = rocksdb::NewLRUCache(kBlockCacheBytes);
  impl->stats_merge = std::make_shared<StatsCellMerge>();
  impl->retention = std::make_unique<HistoryRetention>(
      impl->options.retention_ms, impl->options.now_ms,
      codec::HistoryKeptFromMs);
  impl->head_retention = std::make_unique<HistoryRetention>(
      impl->options.retention_ms, impl->options.now_ms,
      codec::HistoryHeadAtMs);
  RETURN_IF_ERROR(OpenDb(impl.get()));
  RETURN_IF_ERROR(CheckSchema(impl.get()));
  RETURN_IF_ERROR(ReadCounters(impl.get()));
  impl->committer = std::make_unique<GroupCommitter>(
      SinkOf(impl.get()), impl->options.max_batch_bytes,
      impl->options.min_commit_interval);
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

void Store::PutTicket(const engine::TicketRecord& ticket) {
  impl_->scratch.clear();
  codec::EncodeTicket(ticket, &impl_->scratch);
  impl_->Put(kTickets, ticket.id, impl_->scratch);
}

void Store::DeleteTicket(absl::string_view id) {
  rocksdb::Status s =
      impl_->unit.Delete(impl_->cf(kTickets), rocksdb::Slice(id.data(), id.size()));
  assert(s.ok());
  s.PermitUncheckedError();
}

void Store::AddStatsCell(const engine::StatsCellRecord& increment) {
  impl_->scratch.clear();
  codec::EncodeStatsCell(increment, &impl_->scratch);
  const std::string key = codec::StatsKey(increment);
  rocksdb::Status s = impl_->unit.Merge(impl_->cf(kMeta), key, impl_->scratch);
  assert(s.ok());
  s.PermitUncheckedError();
}

uint64_t Store::AppendOutbox(OutboxEvent event) {
  Impl& s = *impl_;
  event.seq = ++s.last_outbox;
  s.counters_dirty = true;
  s.scratch.clear();
  codec::EncodeOutboxEvent(event, &s.scratch);
  s.Put(kOutbox, codec::OutboxKey(event.seq), s.scratch);
  if (const uint64_t through =
          OutboxOverflow(s.last_outbox, s.outbox_floor, s.options.max_outbox_events)) {
    s.DropOutboxThrough(through);
  }
  return event.seq;
}

uint64_t OutboxOverflow(uint64_t last_seq, uint64_t floor, uint64_t max) {
  // The bound is enforced in steps of 1/16 so that a full outbox costs one
  // range deletion per many events, not one per event.
  if (max == 0 || last_seq - floor <= max + max / 16) return 0;
  const uint64_t through = last_seq - max;
  std::fprintf(stderr,
               "slad: outbox over %llu events: dropping events up to seq "
               "%llu that a subscriber group never acknowledged\n",
               static_cast<unsigned long long>(max),
               static_cast<unsigned long long>(through));
  return through;
}

void Store::NoteClock(int64_t now_ms) {
  Impl& s = *impl_;
  if (now_ms <= s.clock_ms) return;
  s.clock_ms = now_ms;
  s.counters_dirty = true;
}

void Store::RegisterGroup(absl::string_view group) {
  Impl& s = *impl_;
  auto [it, inserted] = s.groups.try_emplace(std::string(group), s.outbox_floor);
  if (!inserted) return;
  s.cursors.insert(it->second);
  std::string v;
  codec::PutFixed64BE(&v, it->second);
  s.Put(kMeta, std::string(codec::kGroupPrefix) + it->first, v);
}

absl::Status Store::DropGroup(absl::string_view group) {
  Impl& s = *impl_;
  const auto it = s.groups.find(group);
  if (it == s.groups.end()) {
    return absl::NotFoundError(absl::StrCat("no subscriber group \"", group, "\""));
  }
  const rocksdb::Status status =
      s.unit.Delete(s.cf(kMeta), std::string(codec::kGroupPrefix) + it->first);
  assert(status.ok());
  status.PermitUncheckedError();
  s.cursors.erase(s.cursors.find(it->second));
  s.groups.erase(it);
  if (!s.cursors.empty()) s.DropOutboxThrough(*s.cursors.begin());
  return absl::OkStatus();
}

void Store::Ack(absl::string_view group, uint64_t seq) {
  Impl& s = *impl_;
  RegisterGroup(group);
  auto it = s.groups.find(group);
  seq = std::min(seq, s.last_outbox);
  if (seq <= it->second) return;
  s.MoveCursor(std::exchange(it->second, seq), seq);
  std::string v;
  codec::PutFixed64BE(&v, seq);
  s.Put(kMeta, std::string(codec::kGroupPrefix) + it->first, v);
  s.DropOutboxThrough(*s.cursors.begin());
}

void Store::Commit(std::function<void(absl::Status)> done) {
  Impl& s = *impl_;
  s.StageCounters();
  const uint64_t unit = ++s.committed_units;
  s.committer->Append(
      &s.unit, &s.counters,
      [impl = &s, unit, done = std::move(done)](absl::Status status) {
        // Units complete in commit order; a failed one leaves the mark.
        if (status.ok()) {
          impl->written_units.store(unit, std::memory_order_release);
        }
        done(std::move(status));
      });
  s.TrimPending();
}

bool Store::writable() const { return impl_->committer->writable(); }
absl::Status Store::fatal_error() const {
  return impl_->committer->fatal_error();
}
size_t Store::pending_bytes() const {
  return impl_->committer->pending_bytes();
}
void Store::Flush() { impl_->committer->Flush(); }

}  // namespace slad::storage
