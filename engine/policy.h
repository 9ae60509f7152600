#ifndef SLAD_ENGINE_POLICY_H_
#define SLAD_ENGINE_POLICY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/calendar.h"
#include "engine/time_format.h"

namespace slad::engine {

// The built-in events. `open` and `reopened` are raised by the open and
// reopen commands and may start targets; `resolved` (the resolve command)
// stops every running target and is never a start.
inline constexpr std::string_view kEventOpen = "open";
inline constexpr std::string_view kEventReopened = "reopened";
inline constexpr std::string_view kEventResolved = "resolved";

// Limits config/ enforces at load (pointing at the line), so the engine can
// keep per-ticket state compact: event sets and the major-priority set are
// 64-bit masks (event names count the three built-ins), a kind's targets
// and the levels fit a byte.
inline constexpr int kMaxTargetsPerKind = 8;
inline constexpr int kMaxEventNames = 64;
inline constexpr int kMaxPriorities = 64;
inline constexpr int kMinLevels = 2;
inline constexpr int kMaxLevels = 8;

// One service-level target of a request kind: a clock that starts on one
// of `start` events and stops on one of `stop` events, and must stop
// within `within` of business time on the kind's calendar.
struct TargetSpec {
  std::string name;                // "response", "review", "complete", ...
  std::vector<std::string> start;  // event names; "open", "reopened" built in
  std::vector<std::string> stop;   // event names; "resolved" stops all
  DurationSpec within;  // > 0; wd are working days of the kind's calendar
  // Per priority overrides of `within` (priority name → duration).
  // Every key is one of Policy::priorities; every value is > 0.
  std::map<std::string, DurationSpec, std::less<>> within_by_priority;
};

// A kind of request ("return", "complaint", ...) and its targets.
struct KindSpec {
  std::string name;
  std::string calendar;             // a key of Policy::calendars
  std::vector<TargetSpec> targets;  // 1..kMaxTargetsPerKind, unique names
};

// The escalation ladder shared by every kind (docs/POLICY.md).
struct EscalationSpec {
  // Lowest first: a ticket starts at levels[0]; a breach moves it up one.
  std::vector<std::string> levels = {"agent", "supervisor", "management"};
  // Warn when this fraction of a target's business time is used: each in
  // (0, 1), sorted ascending, unique. Empty (the default when the policy
  // omits it): no fraction warnings.
  std::vector<double> warn_at;
  // ...and/or this long (business time on the kind's calendar; each > 0)
  // before its deadline, as written. Empty by default.
  std::vector<DurationSpec> warn_before;
  // Still unmet `step` x within after the breach (business time): up one
  // more level, and again after each further step. 0 disables.
  double step = 0.5;
  // Priorities whose breach escalates straight to the top level; each one
  // of Policy::priorities. Empty by default.
  std::vector<std::string> major;
};

// Everything a policy file defines, as engine types (docs/POLICY.md).
// config/ builds it from TOML; Engine compiles it (names to indices).
//
// Thread-safety: none; owned by the event-loop thread (Calendar caches).
struct Policy {
  // By name; ordered so listings and error messages are deterministic.
  std::map<std::string, Calendar, std::less<>> calendars;
  // May be empty (a calendar-only policy); the engine then refuses to
  // open tickets of any kind.
  std::map<std::string, KindSpec, std::less<>> kinds;
  EscalationSpec escalation;
  // Allowed priorities (1..kMaxPriorities unique names, in the order the
  // policy lists them), and the one a ticket opened without one gets.
  std::vector<std::string> priorities = {"low", "normal", "high", "urgent",
                                         "major"};
  std::string default_priority = "normal";
  // A resolved ticket may be reopened (and rated) this long after it was
  // resolved; wall-clock time, > 0.
  int64_t reopen_window_ms = 7LL * 24 * 3600 * 1000;
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_POLICY_H_
