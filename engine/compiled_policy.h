#ifndef SLAD_ENGINE_COMPILED_POLICY_H_
#define SLAD_ENGINE_COMPILED_POLICY_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/calendar.h"
#include "engine/policy.h"

namespace slad::engine {

inline constexpr int kMaxTargets = 8;  // per kind: a byte-sized mask
inline constexpr int kMaxEvents = 64;  // per policy: 64-bit event masks

// Built-in event ids: every policy has them, in this order.
inline constexpr uint8_t kOpenEventId = 0;
inline constexpr uint8_t kReopenedEventId = 1;
inline constexpr uint8_t kResolvedEventId = 2;

struct CompiledTarget {
  std::string name;
  uint64_t start_events = 0;  // bit e: event id e starts the clock
  uint64_t stop_events = 0;   // bit e: event id e stops it (resolved always)
  std::vector<int64_t> budget_ms;  // business ms, per priority id
  // WarningPoints() of each priority's budget, computed once.
  std::vector<std::vector<int64_t>> warn_points;
};

struct CompiledKind {
  std::string name;
  std::string calendar_name;
  Calendar* calendar;  // owned by CompiledPolicy's Policy
  std::vector<CompiledTarget> targets;
};

// A Policy with every name turned into a small integer, so the engine's hot
// path compares integers and indexes vectors. Built once per policy load.
//
// Thread-safety: none; owned by the event-loop thread (calendars cache).
// Memory: owns the Policy (and so its calendars); CompiledKind::calendar
// points into it and is stable for this object's lifetime.
class CompiledPolicy {
 public:
  // InvalidArgument if a kind names an unknown calendar, an event name is
  // beyond kMaxEvents, a kind has more than kMaxTargets targets, or the
  // priorities, default priority, major list or levels are inconsistent.
  static absl::StatusOr<std::unique_ptr<CompiledPolicy>> Compile(Policy policy);

  // Each returns -1 for an unknown name.
  int KindId(absl::string_view name) const { return Find(kind_ids_, name); }
  int PriorityId(absl::string_view name) const { return Find(priority_ids_, name); }
  int EventId(absl::string_view name) const { return Find(event_ids_, name); }
  int LevelId(absl::string_view name) const { return Find(level_ids_, name); }
  int TargetId(int kind, absl::string_view name) const;

  const CompiledKind& kind(int id) const { return kinds_[id]; }
  int kind_count() const { return static_cast<int>(kinds_.size()); }
  const std::string& priority_name(int id) const { return priorities_[id]; }
  const std::string& level_name(int id) const { return levels_[id]; }
  int default_priority() const { return default_priority_; }
  int top_level() const { return static_cast<int>(levels_.size()) - 1; }
  bool is_major(int priority) const { return (major_mask_ >> priority) & 1; }
  int64_t reopen_window_ms() const { return policy_.reopen_window_ms; }
  // The policy as loaded (its calendars answer queries only through the
  // kinds: const here).
  const Policy& source() const { return policy_; }

  // The business time left before a deadline at which each warning is due,
  // for a target with `budget_ms`: latest-remaining (earliest) first.
  // Thresholds at or beyond the whole budget are dropped: they would fall
  // at or before the clock's start.
  // `warn_before` durations in working days use the kind's calendar.
  void WarningPoints(int kind, int64_t budget_ms,
                     std::vector<int64_t>* out) const;

  // The business time between escalation steps after a breach; 0: none,
  // only for `step = 0`. A positive step is at least 1 ms (rounded to 0 it
  // would stop the steps), and at most kMaxStepMs, so that
  // (steps + 1) * StepMs() cannot overflow for steps < kMaxLevels.
  static constexpr int64_t kMaxStepMs =
      std::numeric_limits<int64_t>::max() / kMaxLevels;
  int64_t StepMs(int64_t budget_ms) const {
    const double ms = policy_.escalation.step * static_cast<double>(budget_ms);
    if (!(ms > 0)) return 0;
    if (ms >= static_cast<double>(kMaxStepMs)) return kMaxStepMs;
    return std::max<int64_t>(1, std::llround(ms));
  }

 private:
  using Ids = absl::flat_hash_map<std::string, int>;
  static int Find(const Ids& ids, absl::string_view name) {
    auto it = ids.find(name);
    return it == ids.end() ? -1 : it->second;
  }
  absl::Status CompileKinds();

  Policy policy_;
  std::vector<CompiledKind> kinds_;
  std::vector<std::string> priorities_;
  std::vector<std::string> levels_;
  std::vector<std::string> events_;
  Ids kind_ids_, priority_ids_, event_ids_, level_ids_;
  int default_priority_ = 0;
  uint64_t major_mask_ = 0;
  std::vector<double> warn_fractions_;     // of the budget used
  std::vector<DurationSpec> warn_before_;  // business time left
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_COMPILED_POLICY_H_
