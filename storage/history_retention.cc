#include "storage/history_retention.h"

namespace slad::storage {

bool HistoryRetention::Filter(int /*level*/, const rocksdb::Slice& /*key*/,
                              const rocksdb::Slice& existing_value,
                              std::string* /*new_value*/,
                              bool* /*value_changed*/) const {
  int64_t at_ms;
  if (!at_ms_of_(
          absl::string_view(existing_value.data(), existing_value.size()),
          &at_ms)) {
    return false;
  }
  return now_ms_() - at_ms > retention_ms_;
}

}  // namespace slad::storage
