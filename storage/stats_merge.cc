#include "storage/stats_merge.h"

#include "engine/stats.h"
#include "storage/codec.h"

namespace slad::storage {

bool StatsCellMerge::Merge(const rocksdb::Slice& /*key*/,
                           const rocksdb::Slice* existing_value,
                           const rocksdb::Slice& value, std::string* new_value,
                           rocksdb::Logger* /*logger*/) const {
  if (existing_value == nullptr) {
    new_value->assign(value.data(), value.size());
    return true;
  }
  engine::StatsCellRecord sum, increment;
  if (!codec::DecodeStatsValue({existing_value->data(), existing_value->size()},
                               &sum)
           .ok() ||
      !codec::DecodeStatsValue({value.data(), value.size()}, &increment).ok()) {
    return false;
  }
  engine::AddStatsCell(increment, &sum);
  new_value->clear();
  codec::EncodeStatsCell(sum, new_value);
  return true;
}

}  // namespace slad::storage
