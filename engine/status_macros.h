#ifndef SLAD_ENGINE_STATUS_MACROS_H_
#define SLAD_ENGINE_STATUS_MACROS_H_

// The two status-propagation macros the project uses everywhere. Debian 12's
// Abseil (20220623) has absl::Status but not these, so they live here once.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SLAD_STATUS_CONCAT_INNER_(a, b) a##b
#define SLAD_STATUS_CONCAT_(a, b) SLAD_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                         \
  do {                                                \
    ::absl::Status slad_status_ = (expr);             \
    if (!slad_status_.ok()) return slad_status_;      \
  } while (0)

// `ASSIGN_OR_RETURN(T x, StatusOr-expr)`: declares/assigns `x` from the
// value, or returns the error from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr) \
  SLAD_ASSIGN_OR_RETURN_IMPL_(      \
      SLAD_STATUS_CONCAT_(slad_statusor_, __LINE__), lhs, expr)

#define SLAD_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // SLAD_ENGINE_STATUS_MACROS_H_
