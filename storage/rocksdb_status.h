#ifndef SLAD_STORAGE_ROCKSDB_STATUS_H_
#define SLAD_STORAGE_ROCKSDB_STATUS_H_

// The one place a rocksdb::Status becomes an absl::Status (STYLE.md: storage
// converts at its edge). The code says what the caller may do:
//   Unavailable       I/O error, disk full, busy: transient, retry later
//   DataLoss          corruption: never retried
//   FailedPrecondition, InvalidArgument, NotFound, Internal: as named

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace slad::storage {

inline absl::Status FromRocks(const rocksdb::Status& s,
                              absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string message = std::string(context) + ": " + s.ToString();
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsIOError() || s.IsBusy() || s.IsTryAgain() || s.IsIncomplete() ||
      s.IsTimedOut() || s.IsAborted() || s.IsShutdownInProgress()) {
    return absl::UnavailableError(message);
  }
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsNotSupported()) return absl::FailedPreconditionError(message);
  return absl::InternalError(message);
}

}  // namespace slad::storage

#endif  // SLAD_STORAGE_ROCKSDB_STATUS_H_
