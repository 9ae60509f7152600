#ifndef SLAD_ENGINE_ENGINE_INTERNAL_H_
#define SLAD_ENGINE_ENGINE_INTERNAL_H_

// Small helpers shared by engine.cc (commands, timers) and
// engine_queries.cc (queries). Not part of the engine's interface.

#include <algorithm>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "engine/calendar.h"
#include "engine/ticket.h"

namespace slad::engine::internal {

// Calendars answer for 1970..2200 only; an instant past that range is
// "never" for a deadline and "always" for an elapsed time.
inline int64_t AddOrNever(Calendar& cal, int64_t start_ms,
                          int64_t business_ms) {
  absl::StatusOr<int64_t> t = cal.Add(start_ms, business_ms);
  return t.ok() ? *t : Calendar::kMaxMs;
}
inline int64_t SubtractOrStart(Calendar& cal, int64_t end_ms,
                               int64_t business_ms,
                               int64_t floor_ms) {
  absl::StatusOr<int64_t> t = cal.Subtract(end_ms, business_ms);
  return std::max(t.ok() ? *t : floor_ms, floor_ms);
}
inline int64_t BetweenOrZero(Calendar& cal, int64_t a_ms, int64_t b_ms) {
  absl::StatusOr<int64_t> d = cal.Between(a_ms, b_ms);
  return d.ok() ? *d : 0;
}
// Business time left at `ref_ms` before `deadline_ms`; negative, the
// overrun, once past it. A target has used its budget less this.
inline int64_t RemainingMs(Calendar& cal, int64_t ref_ms, int64_t deadline_ms) {
  return ref_ms <= deadline_ms ? BetweenOrZero(cal, ref_ms, deadline_ms)
                               : -BetweenOrZero(cal, deadline_ms, ref_ms);
}

inline absl::string_view StateName(const TargetRun& r) {
  switch (r.state) {
    case TargetState::kPending: return "pending";
    case TargetState::kMet: return "met";
    case TargetState::kMetLate: return "met_late";
    case TargetState::kRunning:
      if (r.paused) return "paused";
      return r.breached ? "breached" : "running";
  }
  return "unknown";
}


}  // namespace slad::engine::internal

#endif  // SLAD_ENGINE_ENGINE_INTERNAL_H_
