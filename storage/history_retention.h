#ifndef SLAD_STORAGE_HISTORY_RETENTION_H_
#define SLAD_STORAGE_HISTORY_RETENTION_H_

// HistoryRetention drops history records (and the heads of purged
// tickets' chains) older than the retention period while RocksDB compacts
// their column family, so that no scan in the serving path ever deletes
// them (docs/STORAGE.md, "Retention"). A value is dropped when
// now_ms() - t > retention_ms, t the instant `at_ms_of` reads from it; a
// value it cannot read (a newer format) is kept.
//
// Thread-safety: Filter() runs on RocksDB's compaction threads, several at
// once; `now_ms` must be callable from any thread.

#include <cstdint>
#include <functional>

#include "absl/strings/string_view.h"
#include "rocksdb/compaction_filter.h"

namespace slad::storage {

class HistoryRetention : public rocksdb::CompactionFilter {
 public:
  using AtMsOf = bool (*)(absl::string_view value, int64_t* at_ms);
  HistoryRetention(int64_t retention_ms, std::function<int64_t()> now_ms,
                   AtMsOf at_ms_of)
      : retention_ms_(retention_ms),
        now_ms_(std::move(now_ms)),
        at_ms_of_(at_ms_of) {}

  bool Filter(int level, const rocksdb::Slice& key,
              const rocksdb::Slice& existing_value, std::string* new_value,
              bool* value_changed) const override;
  const char* Name() const override { return "slad.HistoryRetention"; }

 private:
  const int64_t retention_ms_;
  const std::function<int64_t()> now_ms_;
  const AtMsOf at_ms_of_;
};

}  // namespace slad::storage

#endif  // SLAD_STORAGE_HISTORY_RETENTION_H_
