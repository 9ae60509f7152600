#include "storage/stats_merge.h"

#include "engine/stats.h"
#include "storage/codec.h"

namespace slad::storage {
namespace {

// Sum of `base` (if not null) and every operand, encoded into *out; false
// if any of them cannot be decoded.
template <typename Operands>
bool Sum(const rocksdb::Slice* base, const Operands& operands,
         std::string* out) {
  if (base == nullptr && operands.empty()) return false;
  engine::StatsCellRecord sum, increment;
  auto first = operands.begin();
  const rocksdb::Slice& start = base != nullptr ? *base : *first++;
  if (!codec::DecodeStatsValue({start.data(), start.size()}, &sum).ok()) {
    return false;
  }
  for (auto it = first; it != operands.end(); ++it) {
    if (!codec::DecodeStatsValue({it->data(), it->size()}, &increment).ok()) {
      return false;
    }
    engine::AddStatsCell(increment, &sum);
  }
  out->clear();
  codec::EncodeStatsCell(sum, out);
  return true;
}

}  // namespace

bool StatsCellMerge::FullMergeV2(const MergeOperationInput& in,
                                 MergeOperationOutput* out) const {
  return Sum(in.existing_value, in.operand_list, &out->new_value);
}

bool StatsCellMerge::PartialMergeMulti(
    const rocksdb::Slice& /*key*/, const std::deque<rocksdb::Slice>& operands,
    std::string* new_value, rocksdb::Logger* /*logger*/) const {
  return Sum(nullptr, operands, new_value);
}

}  // namespace slad::storage
