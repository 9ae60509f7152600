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

#include <deque>
#include <string>

#include "rocksdb/merge_operator.h"

namespace slad::storage {

class StatsCellMerge : public rocksdb::MergeOperator {
 public:
  // Both decode the base (if any) and every operand once, add them up and
  // encode the sum once: a cell may gather thousands of increments between
  // flushes, and merging them two at a time would re-encode its whole
  // histogram for each.
  bool FullMergeV2(const MergeOperationInput& in,
                   MergeOperationOutput* out) const override;
  bool PartialMergeMulti(const rocksdb::Slice& key,
                         const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value,
                         rocksdb::Logger* logger) const override;
  const char* Name() const override { return "slad.StatsCellMerge"; }
};

}  // namespace slad::storage

#endif  // SLAD_STORAGE_STATS_MERGE_H_
