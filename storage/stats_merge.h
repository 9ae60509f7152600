#ifndef SLAD_STORAGE_STATS_MERGE_H_
#define SLAD_STORAGE_STATS_MERGE_H_

// StatsCellMerge adds up the stats-cell increments the daemon writes with
// Store::AddStatsCell: a stored cell is its first record plus every later
// increment (engine::AddStatsCell), combined by RocksDB when the `meta`
// family is read, flushed or compacted (docs/STORAGE.md, "meta").
//
// A value it cannot decode fails the merge, which RocksDB reports as
// Corruption to the reader: recovery then stops with DataLoss rather than
// restore wrong figures.
//
// Thread-safety: stateless; RocksDB calls it from any thread.

#include <string>

#include "rocksdb/merge_operator.h"

namespace slad::storage {

class StatsCellMerge : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing_value,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* logger) const override;
  const char* Name() const override { return "slad.StatsCellMerge"; }
};

}  // namespace slad::storage

#endif  // SLAD_STORAGE_STATS_MERGE_H_
