#ifndef SLAD_STORAGE_HISTORY_RETENTION_H_
#define SLAD_STORAGE_HISTORY_RETENTION_H_

// HistoryRetention drops history records older than the retention period
// while RocksDB compacts the `history` column family, so that no scan in
// the serving path ever deletes them (docs/STORAGE.md, "Retention"). A
// record is dropped when now_ms() - at_ms > retention_ms; a value it
// cannot read (a newer format) is kept.
//
// Thread-safety: Filter() runs on RocksDB's compaction threads, several at
// once; `now_ms` must be callable from any thread.

#include <cstdint>
#include <functional>

#include "rocksdb/compaction_filter.h"

namespace slad::storage {

class HistoryRetention : public rocksdb::CompactionFilter {
 public:
  HistoryRetention(int64_t retention_ms, std::function<int64_t()> now_ms)
      : retention_ms_(retention_ms), now_ms_(std::move(now_ms)) {}

  bool Filter(int level, const rocksdb::Slice& key,
              const rocksdb::Slice& existing_value, std::string* new_value,
              bool* value_changed) const override;
  const char* Name() const override { return "slad.HistoryRetention"; }

 private:
  const int64_t retention_ms_;
  const std::function<int64_t()> now_ms_;
};

}  // namespace slad::storage

#endif  // SLAD_STORAGE_HISTORY_RETENTION_H_
