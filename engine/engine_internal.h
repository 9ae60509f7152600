#ifndef SLAD_ENGINE_ENGINE_INTERNAL_H_
#define SLAD_ENGINE_ENGINE_INTERNAL_H_

// Small helpers shared by engine.cc (commands, timers) and
// engine_queries.cc (queries). Not part of the engine's interface.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
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
// Where a clock that has used `overrun_ms` of business time more than its
// budget by `ref_ms` ran out: the earliest instant with that much working
// time before ref_ms, as Add() places a deadline (one that lands on a
// closing time is that closing time, not the next opening). Never before
// `floor_ms`, the clock's start.
inline int64_t RanOutAt(Calendar& cal, int64_t ref_ms, int64_t overrun_ms,
                        int64_t floor_ms) {
  absl::StatusOr<int64_t> before = cal.Subtract(ref_ms, overrun_ms + 1);
  if (!before.ok()) return floor_ms;
  absl::StatusOr<int64_t> t = cal.Add(*before, 1);
  return std::max(t.ok() ? *t : floor_ms, floor_ms);
}
// When the ticket's latest resumed pause ended (INT64_MIN: none). Pauses
// do not overlap, so it is the last one the log holds that has ended.
inline int64_t LatestResumeMs(const Ticket& t) {
  if (!t.log) return std::numeric_limits<int64_t>::min();
  for (auto a = t.log->rbegin(); a != t.log->rend(); ++a) {
    if (a->what == Adjustment::kPause && a->until_ms != 0) return a->until_ms;
  }
  return std::numeric_limits<int64_t>::min();
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

// The pauses of the ticket's log that had moved target `r`'s deadline by
// `ref_ms`: those resumed at or before it, oldest first, each as
// fn(from_ms, until_ms) with from_ms no earlier than the target's start.
// A pause still on at ref_ms has not moved it: a resume moves the
// deadline, and a clock stopped while paused (by an event, or by a
// resolve) is never resumed. Such a pause counts as time the clock ran,
// as it does in the remaining time measured against that deadline.
// Defined in engine_queries.cc.
void ForEachPause(const Ticket& t, const TargetRun& r, int64_t ref_ms,
                  absl::FunctionRef<void(int64_t, int64_t)> fn);
// The same pauses as a list of [from_ms, until_ms), for walks that go
// back through them.
inline std::vector<std::pair<int64_t, int64_t>> PausesOf(const Ticket& t,
                                                         const TargetRun& r,
                                                         int64_t ref_ms) {
  std::vector<std::pair<int64_t, int64_t>> pauses;
  ForEachPause(t, r, ref_ms, [&](int64_t from_ms, int64_t until_ms) {
    pauses.emplace_back(from_ms, until_ms);
  });
  return pauses;
}

// The business time target `r`'s clock ran from its start to `ref_ms`
// (now, the start of its pause, or when it stopped): the working time of
// [start, ref) less the pauses ForEachPause gives. From the facts, never
// the policy's budget, so elapsed + remaining is the budget the deadline
// was placed with even when the policy no longer gives it: a breached
// target kept its deadline through a priority change, or the policy was
// reloaded (docs/POLICY.md, "Changing the policy of a running desk").
int64_t UsedMs(Calendar& cal, const Ticket& t, const TargetRun& r, int64_t ref_ms);

// The business time running target `r`'s deadline gives: the working
// time from its start to its deadline less every pause resumed since the
// start (each moved the deadline by its length). It is UsedMs + the time
// left at any instant after the last resume: `explain`'s budget_ms. The
// policy's budget for the ticket's priority, unless the deadline was
// placed under another policy (a reload) or kept through a priority
// change once breached. Walks the ticket's log. REQUIRES: r is running.
int64_t PlacedBudgetMs(Calendar& cal, const Ticket& t, const TargetRun& r);

// When a warning `left_ms` of business time before target `r`'s deadline
// falls: never before the start, never after the deadline.
inline int64_t WarningAtMs(Calendar& cal, const TargetRun& r, int64_t left_ms) {
  // By value: TargetRun is packed, and std::min takes references.
  const int64_t deadline_ms = r.deadline_ms;
  return std::min(SubtractOrStart(cal, deadline_ms, left_ms, r.start_ms),
                  deadline_ms);
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
