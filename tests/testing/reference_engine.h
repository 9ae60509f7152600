#ifndef SLAD_TESTS_TESTING_REFERENCE_ENGINE_H_
#define SLAD_TESTS_TESTING_REFERENCE_ENGINE_H_

// The reference model for engine::Engine: the same contract (engine.h,
// docs/POLICY.md, the engine issue) written the plain way, for property
// tests. Tickets live in std::maps by id, every query is a linear scan,
// time advances by repeatedly firing the single earliest thing due among
// all tickets, and business time comes from RefCalendar below, which walks
// local days one by one instead of keeping an index (engine::Calendar).
//
// Deliberately slow and obvious; it shares no code with engine/ but the
// value types (Policy, Command, Event) and absl's time-zone conversion.
// Thread-safety: none.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/command.h"
#include "engine/policy.h"

namespace slad::testing {

// Business time of one CalendarSpec by walking local days. Each local
// boundary maps to UTC with absl::FromCivil, which is exact for the zones
// without DST transitions that the property tests use (UTC, Asia/Shanghai).
class RefCalendar {
 public:
  explicit RefCalendar(const engine::CalendarSpec& spec) : spec_(spec) {
    absl::LoadTimeZone(spec_.time_zone, &tz_);
    if (!spec_.workday_hours) spec_.workday_hours = spec_.weekly[0];
    day_ms_ = spec_.day_length_ms.value_or(0);
    if (day_ms_ == 0 && spec_.always) day_ms_ = 24 * kHourMs;
    for (int d = 0; d < 7 && day_ms_ == 0; ++d) {
      for (const auto& iv : spec_.weekly[d]) {
        day_ms_ += (iv.end_min - iv.begin_min) * kMinMs;
      }
    }
  }

  int64_t day_length_ms() const { return day_ms_; }

  // Working time inside [a, b).
  int64_t Between(int64_t a, int64_t b) const {
    if (a >= b) return 0;
    if (spec_.always) return b - a;
    int64_t total = 0;
    for (absl::CivilDay d = Day(a) - 1; d <= Day(b) + 1; ++d) {
      for (auto [begin, end] : Intervals(d)) {
        total += std::max<int64_t>(0, std::min(end, b) - std::max(begin, a));
      }
    }
    return total;
  }

  // The earliest t with Between(s, t) == d.
  int64_t Add(int64_t s, int64_t d) const {
    if (d == 0 || spec_.always) return s + d;
    for (absl::CivilDay day = Day(s) - 1;; ++day) {
      for (auto [begin, end] : Intervals(day)) {
        const int64_t from = std::max(begin, s);
        if (from >= end) continue;
        if (d <= end - from) return from + d;
        d -= end - from;
      }
    }
  }

  // The latest s <= e with Between(s, e) == d.
  int64_t Subtract(int64_t e, int64_t d) const {
    if (d == 0 || spec_.always) return e - d;
    for (absl::CivilDay day = Day(e) + 1;; --day) {
      std::vector<std::pair<int64_t, int64_t>> ivs = Intervals(day);
      for (auto it = ivs.rbegin(); it != ivs.rend(); ++it) {
        const int64_t to = std::min(it->second, e);
        if (to <= it->first) continue;
        if (d <= to - it->first) return to - d;
        d -= to - it->first;
      }
    }
  }

 private:
  static constexpr int64_t kMinMs = 60'000;
  static constexpr int64_t kHourMs = 60 * kMinMs;

  absl::CivilDay Day(int64_t ms) const {
    return absl::ToCivilDay(absl::FromUnixMillis(ms), tz_);
  }

  // The UTC working intervals of local date `day`, in order.
  std::vector<std::pair<int64_t, int64_t>> Intervals(absl::CivilDay day) const {
    const auto has = [day](const std::vector<absl::CivilDay>& days) {
      return std::find(days.begin(), days.end(), day) != days.end();
    };
    const std::vector<engine::LocalInterval>* hours =
        &spec_.weekly[static_cast<int>(absl::GetWeekday(day))];
    if (has(spec_.workdays)) hours = &*spec_.workday_hours;
    std::vector<std::pair<int64_t, int64_t>> out;
    if (has(spec_.holidays)) return out;
    for (const engine::LocalInterval& iv : *hours) {
      out.emplace_back(At(day, iv.begin_min), At(day, iv.end_min));
    }
    return out;
  }
  int64_t At(absl::CivilDay day, int minute) const {
    return absl::ToUnixMillis(
        absl::FromCivil(absl::CivilMinute(day) + minute, tz_));
  }

  engine::CalendarSpec spec_;
  absl::TimeZone tz_;
  int64_t day_ms_ = 0;
};

// What the reference reports for one target or ticket: the fields the
// property test compares with engine::TicketView.
struct RefTargetView {
  std::string state;  // pending, running, paused, breached, met, met_late
  int64_t start_ms = 0, deadline_ms = 0, remaining_ms = 0;
};
struct RefTicketView {
  std::string kind, priority, team, assignee, level;
  int64_t opened_ms = 0, resolved_ms = 0;
  bool paused = false;
  std::vector<RefTargetView> targets;
};
// One overdue or due-soon row: (deadline, id, target) identifies it.
struct RefItem {
  int64_t deadline_ms = 0;
  std::string id, target, level;
  int64_t delta_ms = 0;  // overdue_ms or due_in_ms
  friend bool operator==(const RefItem&, const RefItem&) = default;
};

class ReferenceEngine {
 public:
  ReferenceEngine(const engine::Policy& policy, int64_t now_ms);
  ReferenceEngine(const ReferenceEngine&) = delete;  // kinds_ point into policy_
  ReferenceEngine& operator=(const ReferenceEngine&) = delete;

  // As engine::Engine::Apply; events go to `out` (appended).
  absl::Status Apply(const engine::Command& cmd, std::vector<engine::Event>* out);
  // Fires everything due at or before `to_ms`.
  void Advance(int64_t to_ms, std::vector<engine::Event>* out);
  int64_t now_ms() const { return now_ms_; }

  std::optional<RefTicketView> Get(const std::string& id) const;
  // Every row, in no particular order (the caller sorts).
  // InvalidArgument if `f` names a kind, priority, level or target the
  // policy lacks; Overdue and DueSoon then have no answer.
  absl::Status CheckFilter(const engine::Filter& f) const;
  std::vector<RefItem> Overdue(const engine::Filter& f) const;
  std::vector<RefItem> DueSoon(const engine::Filter& f, int64_t within_ms) const;

 private:
  enum class State { kPending, kRunning, kMet, kMetLate };
  struct Target {
    State state = State::kPending;
    int64_t start_ms = 0, deadline_ms = 0, mark_ms = 0;
    bool paused = false, breached = false;
    size_t warned = 0;
    int steps = 0;
    // The pauses resumed since the start, [from, until): the clock ran
    // outside them.
    std::vector<std::pair<int64_t, int64_t>> pauses;
  };
  struct Ticket {
    std::string id, kind, priority, team, assignee;
    int level = 0;
    bool paused = false, rated = false;
    int64_t opened_ms = 0, resolved_ms = 0;
    std::vector<Target> targets;
  };
  struct Kind {
    const engine::KindSpec* spec;
    RefCalendar calendar;
  };
  enum class DueWhat { kWarning, kBreach, kStep };
  struct Due {
    DueWhat what;
    int64_t at_ms;
  };

  absl::Status Dispatch(const engine::Command& cmd, std::vector<engine::Event>* out);
  absl::Status Open(const engine::Command& cmd);
  absl::Status OnEvent(Ticket& t, const engine::Command& cmd,
                       std::vector<engine::Event>* out);
  void Pause(Ticket& t, int64_t at);
  void Resume(Ticket& t, int64_t at);
  absl::Status SetPriority(Ticket& t, const engine::Command& cmd,
                           std::vector<engine::Event>* out);
  absl::Status Escalate(Ticket& t, const engine::Command& cmd,
                        std::vector<engine::Event>* out);
  void Resolve(Ticket& t, int64_t at, std::vector<engine::Event>* out);
  absl::Status Reopen(const engine::Command& cmd);
  absl::Status Rate(const engine::Command& cmd);
  absl::Status ForAll(const engine::Command& cmd);

  const Kind& KindOf(const Ticket& t) const { return kinds_.at(t.kind); }
  int64_t Budget(const Ticket& t, size_t i) const;
  std::vector<int64_t> WarningPoints(const Ticket& t, int64_t budget) const;
  void Start(Ticket& t, const std::string& event, int64_t at);
  void Stop(Ticket& t, size_t i, int64_t at, std::vector<engine::Event>* out);
  std::optional<Due> NextDue(const Ticket& t, size_t i) const;
  int Desired(const Ticket& t, const Target& r) const;
  // step x budget; a positive step is at least 1 ms (0 would stop steps).
  int64_t StepMs(int64_t budget) const {
    const double ms = policy_.escalation.step * static_cast<double>(budget);
    return ms > 0 ? std::max<int64_t>(1, std::llround(ms)) : 0;
  }
  void Fire(Ticket& t, size_t i, const Due& due, std::vector<engine::Event>* out);
  int64_t Passed(const Ticket& t, const Target& r, int64_t x, bool to_pause_end) const;
  void Raise(Ticket& t, int level, int64_t at, absl::string_view target,
             int64_t deadline, std::vector<engine::Event>* out);
  bool Matches(const Ticket& t, const engine::Filter& f) const;
  void Purge(int64_t now);
  bool KnownEvent(absl::string_view name) const;
  int LevelOf(absl::string_view name) const;
  bool KnownPriority(absl::string_view name) const;
  static std::string StateName(const Target& r);

  engine::Policy policy_;
  std::map<std::string, Kind> kinds_;
  int64_t now_ms_;
  std::map<std::string, Ticket> open_;
  std::map<std::string, Ticket> resolved_;  // within the reopen window
};

// --- Implementation.

inline ReferenceEngine::ReferenceEngine(const engine::Policy& policy,
                                        int64_t now_ms)
    : policy_(policy), now_ms_(now_ms) {
  for (const auto& [name, kind] : policy_.kinds) {
    kinds_.emplace(name, Kind{&kind, RefCalendar(
                                         policy_.calendars.at(kind.calendar).spec())});
  }
}

inline absl::Status ReferenceEngine::Apply(const engine::Command& cmd,
                                           std::vector<engine::Event>* out) {
  if (engine::IsQuery(cmd.op)) return absl::InvalidArgumentError("query");
  if (cmd.at_ms < now_ms_) return absl::InvalidArgumentError("back in time");
  // Strictly before the command first: a stop at a deadline is on time.
  if (cmd.at_ms > now_ms_) Advance(cmd.at_ms - 1, out);
  Purge(cmd.at_ms);
  absl::Status s = Dispatch(cmd, out);
  // What is due at the instant waits for time to move past it, so that
  // every command at that instant comes first; what the command made due
  // before it fires now.
  Advance(cmd.at_ms - 1, out);
  now_ms_ = std::max(now_ms_, cmd.at_ms);
  return s;
}

inline void ReferenceEngine::Advance(int64_t to_ms,
                                     std::vector<engine::Event>* out) {
  for (;;) {  // fire the single earliest due thing, until none is <= to_ms
    Ticket* best = nullptr;
    size_t best_i = 0;
    std::optional<Due> best_due;
    for (auto& [id, t] : open_) {
      for (size_t i = 0; i < t.targets.size(); ++i) {
        std::optional<Due> d = NextDue(t, i);
        if (d && d->at_ms <= to_ms && (!best_due || d->at_ms < best_due->at_ms)) {
          best = &t, best_i = i, best_due = d;
        }
      }
    }
    if (!best) break;
    Fire(*best, best_i, *best_due, out);
  }
  now_ms_ = std::max(now_ms_, to_ms);
  Purge(now_ms_);
}

inline absl::Status ReferenceEngine::Dispatch(const engine::Command& cmd,
                                              std::vector<engine::Event>* out) {
  using engine::Op;
  switch (cmd.op) {
    case Op::kOpen: return Open(cmd);
    case Op::kReopen: return Reopen(cmd);
    case Op::kRate: return Rate(cmd);
    case Op::kPauseAll:
    case Op::kResumeAll: return ForAll(cmd);
    default: break;
  }
  auto it = open_.find(std::string(cmd.id));
  if (it == open_.end()) {
    return resolved_.count(std::string(cmd.id))
               ? absl::FailedPreconditionError("resolved")
               : absl::NotFoundError("no ticket");
  }
  Ticket& t = it->second;
  switch (cmd.op) {
    case Op::kEvent: return OnEvent(t, cmd, out);
    case Op::kPause:
      if (t.paused) return absl::FailedPreconditionError("paused");
      Pause(t, cmd.at_ms);
      return absl::OkStatus();
    case Op::kResume:
      if (!t.paused) return absl::FailedPreconditionError("not paused");
      Resume(t, cmd.at_ms);
      return absl::OkStatus();
    case Op::kPriority: return SetPriority(t, cmd, out);
    case Op::kAssign:
      if (cmd.team) t.team = std::string(*cmd.team);
      if (cmd.assignee) t.assignee = std::string(*cmd.assignee);
      return absl::OkStatus();
    case Op::kEscalate: return Escalate(t, cmd, out);
    case Op::kResolve: Resolve(t, cmd.at_ms, out); return absl::OkStatus();
    default: return absl::InvalidArgumentError("not a command");
  }
}

inline absl::Status ReferenceEngine::Open(const engine::Command& cmd) {
  const std::string id(cmd.id);
  if (id.empty()) return absl::InvalidArgumentError("empty id");
  if (open_.count(id) || resolved_.count(id)) {
    return absl::AlreadyExistsError("exists");
  }
  if (!kinds_.count(std::string(cmd.kind))) {
    return absl::InvalidArgumentError("unknown kind");
  }
  if (cmd.priority && !KnownPriority(*cmd.priority)) {
    return absl::InvalidArgumentError("unknown priority");
  }
  Ticket t;
  t.id = id;
  t.kind = std::string(cmd.kind);
  t.priority = cmd.priority ? std::string(*cmd.priority) : policy_.default_priority;
  t.team = cmd.team ? std::string(*cmd.team) : "";
  t.assignee = cmd.assignee ? std::string(*cmd.assignee) : "";
  t.opened_ms = cmd.at_ms;
  t.targets.resize(KindOf(t).spec->targets.size());
  Start(t, "open", cmd.at_ms);
  open_.emplace(id, std::move(t));
  return absl::OkStatus();
}

inline absl::Status ReferenceEngine::OnEvent(Ticket& t, const engine::Command& cmd,
                                             std::vector<engine::Event>* out) {
  if (!KnownEvent(cmd.name)) return absl::InvalidArgumentError("unknown event");
  if (cmd.name == "open" || cmd.name == "reopened" || cmd.name == "resolved") {
    return absl::InvalidArgumentError("built-in event");
  }
  const auto& specs = KindOf(t).spec->targets;
  for (size_t i = 0; i < specs.size(); ++i) {  // stops before starts
    const auto& stop = specs[i].stop;
    if (std::find(stop.begin(), stop.end(), cmd.name) != stop.end()) {
      Stop(t, i, cmd.at_ms, out);
    }
  }
  Start(t, std::string(cmd.name), cmd.at_ms);
  return absl::OkStatus();
}

inline void ReferenceEngine::Pause(Ticket& t, int64_t at) {
  t.paused = true;
  for (Target& r : t.targets) {
    if (r.state == State::kRunning) r.paused = true, r.mark_ms = at;
  }
}

// Each deadline moves by the business time its clock was paused.
inline void ReferenceEngine::Resume(Ticket& t, int64_t at) {
  t.paused = false;
  const RefCalendar& cal = KindOf(t).calendar;
  for (Target& r : t.targets) {
    if (r.state != State::kRunning || !r.paused) continue;
    r.deadline_ms = cal.Add(r.deadline_ms, cal.Between(r.mark_ms, at));
    r.paused = false;
    r.pauses.emplace_back(r.mark_ms, at);
  }
}

// Unbreached running targets keep the business time used (up to the
// pause, if paused) and get the rest of the new budget; a budget already
// used up puts the deadline where it ran out, warnings already passed are
// skipped.
inline absl::Status ReferenceEngine::SetPriority(Ticket& t,
                                                 const engine::Command& cmd,
                                                 std::vector<engine::Event>* out) {
  const std::string p = cmd.priority ? std::string(*cmd.priority)
                                     : policy_.default_priority;
  if (!KnownPriority(p)) return absl::InvalidArgumentError("unknown priority");
  const RefCalendar& cal = KindOf(t).calendar;
  Ticket changed = t;
  changed.priority = p;
  for (size_t i = 0; i < t.targets.size(); ++i) {
    Target& r = t.targets[i];
    if (r.state != State::kRunning || r.breached) continue;
    const int64_t ref = r.paused ? r.mark_ms : cmd.at_ms;
    // Signed: a target paused past a deadline that an earlier change moved
    // back has used more than its budget, not exactly its budget.
    const int64_t left_before = ref <= r.deadline_ms ? cal.Between(ref, r.deadline_ms)
                                                     : -cal.Between(r.deadline_ms, ref);
    const int64_t used = Budget(t, i) - left_before;
    const int64_t budget = Budget(changed, i);
    const int64_t left = budget - used;
    // Used up: where it ran out, the earliest instant with the overrun
    // before ref (as Add places a deadline on a closing time).
    r.deadline_ms = left > 0 ? cal.Add(ref, left)
                             : std::max(cal.Add(cal.Subtract(ref, -left + 1), 1),
                                        r.start_ms);
    // A point exactly equal to `left` is due now, not passed: what is due
    // at the command's instant fires after it.
    r.warned = 0;
    for (int64_t point : WarningPoints(t, budget)) r.warned += point > left;
  }
  t.priority = p;
  // A breach now asking for a higher level (major: the top, a shorter
  // budget: the steps it had due before the change) escalates now.
  const int top = static_cast<int>(policy_.escalation.levels.size()) - 1;
  for (size_t i = 0; i < t.targets.size(); ++i) {
    Target& r = t.targets[i];
    if (r.state != State::kRunning || !r.breached) continue;
    const int64_t step = StepMs(Budget(t, i));
    const int64_t ref = r.paused ? r.mark_ms : cmd.at_ms;
    while (step > 0 && Desired(t, r) < top &&
           cal.Add(r.deadline_ms, (r.steps + 1) * step) < ref) {
      ++r.steps;
    }
    Raise(t, Desired(t, r), cmd.at_ms, KindOf(t).spec->targets[i].name, r.deadline_ms,
          out);
  }
  return absl::OkStatus();
}

inline absl::Status ReferenceEngine::Escalate(Ticket& t, const engine::Command& cmd,
                                              std::vector<engine::Event>* out) {
  const int level = LevelOf(cmd.level);
  if (level < 0) return absl::InvalidArgumentError("unknown level");
  if (level <= t.level) return absl::FailedPreconditionError("not above");
  Raise(t, level, cmd.at_ms, "", 0, out);
  return absl::OkStatus();
}

inline void ReferenceEngine::Resolve(Ticket& t, int64_t at,
                                     std::vector<engine::Event>* out) {
  for (size_t i = 0; i < t.targets.size(); ++i) Stop(t, i, at, out);
  t.paused = false;
  t.resolved_ms = at;
  const std::string id = t.id;
  resolved_[id] = std::move(t);
  open_.erase(id);
}

inline absl::Status ReferenceEngine::Reopen(const engine::Command& cmd) {
  const std::string id(cmd.id);
  auto it = resolved_.find(id);
  if (it == resolved_.end()) {
    return open_.count(id) ? absl::FailedPreconditionError("open")
                           : absl::NotFoundError("not resolved in the window");
  }
  Ticket t = std::move(it->second);
  resolved_.erase(it);
  t.resolved_ms = 0;
  Start(t, "reopened", cmd.at_ms);
  open_.emplace(id, std::move(t));
  return absl::OkStatus();
}

inline absl::Status ReferenceEngine::Rate(const engine::Command& cmd) {
  if (cmd.score < 1 || cmd.score > 5) return absl::InvalidArgumentError("score");
  const std::string id(cmd.id);
  Ticket* t = open_.count(id)       ? &open_[id]
              : resolved_.count(id) ? &resolved_[id]
                                    : nullptr;
  if (!t) return absl::NotFoundError("no ticket");
  if (t->rated) return absl::AlreadyExistsError("rated");
  t->rated = true;
  return absl::OkStatus();
}

inline absl::Status ReferenceEngine::CheckFilter(const engine::Filter& f) const {
  const auto has = [](const auto& names, absl::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  bool target = f.target.empty();
  for (const auto& [name, kind] : policy_.kinds) {
    for (const engine::TargetSpec& spec : kind.targets) target |= spec.name == f.target;
  }
  if ((!f.kind.empty() && !policy_.kinds.count(std::string(f.kind))) ||
      (!f.priority.empty() && !has(policy_.priorities, f.priority)) ||
      (!f.level.empty() && !has(policy_.escalation.levels, f.level)) || !target) {
    return absl::InvalidArgumentError("a name the policy lacks");
  }
  return absl::OkStatus();
}

inline absl::Status ReferenceEngine::ForAll(const engine::Command& cmd) {
  const bool pause = cmd.op == engine::Op::kPauseAll;
  if (absl::Status s = CheckFilter(cmd.filter); !s.ok()) return s;
  for (auto& [id, t] : open_) {
    if (t.paused == pause || !Matches(t, cmd.filter)) continue;
    pause ? Pause(t, cmd.at_ms) : Resume(t, cmd.at_ms);
  }
  return absl::OkStatus();
}

inline int64_t ReferenceEngine::Budget(const Ticket& t, size_t i) const {
  const engine::TargetSpec& spec = KindOf(t).spec->targets[i];
  auto o = spec.within_by_priority.find(t.priority);
  const engine::DurationSpec& d =
      o == spec.within_by_priority.end() ? spec.within : o->second;
  return d.working_days * KindOf(t).calendar.day_length_ms() + d.ms;
}

// Business time left at each warning, most left (earliest) first.
inline std::vector<int64_t> ReferenceEngine::WarningPoints(const Ticket& t,
                                                          int64_t budget) const {
  std::vector<int64_t> points;
  for (double f : policy_.escalation.warn_at) {
    points.push_back(budget - std::llround(f * static_cast<double>(budget)));
  }
  for (const engine::DurationSpec& d : policy_.escalation.warn_before) {
    points.push_back(d.working_days * KindOf(t).calendar.day_length_ms() + d.ms);
  }
  std::erase_if(points, [&](int64_t p) { return p <= 0 || p >= budget; });
  std::sort(points.rbegin(), points.rend());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  return points;
}

// Starts the targets `event` starts: pending ones, or any stopped one on a
// reopen; a running clock is never restarted.
inline void ReferenceEngine::Start(Ticket& t, const std::string& event,
                                   int64_t at) {
  const auto& specs = KindOf(t).spec->targets;
  for (size_t i = 0; i < specs.size(); ++i) {
    const auto& start = specs[i].start;
    if (std::find(start.begin(), start.end(), event) == start.end()) continue;
    Target& r = t.targets[i];
    if (r.state == State::kRunning) continue;
    if (r.state != State::kPending && event != "reopened") continue;
    r = Target{};
    r.state = State::kRunning;
    r.start_ms = r.mark_ms = at;
    r.deadline_ms = KindOf(t).calendar.Add(at, Budget(t, i));
    r.paused = t.paused;
  }
}

inline void ReferenceEngine::Stop(Ticket& t, size_t i, int64_t at,
                                  std::vector<engine::Event>* out) {
  Target& r = t.targets[i];
  if (r.state != State::kRunning) return;
  r.state = r.breached ? State::kMetLate : State::kMet;
  r.paused = false;
  r.mark_ms = at;
  out->push_back({r.breached ? engine::EventType::kMetLate : engine::EventType::kMet,
                  at, t.id, KindOf(t).spec->targets[i].name, r.deadline_ms, {}, {}});
}

inline std::optional<ReferenceEngine::Due> ReferenceEngine::NextDue(
    const Ticket& t, size_t i) const {
  const Target& r = t.targets[i];
  if (r.state != State::kRunning) return std::nullopt;
  // Paused: nothing falls due, but a breach that happened before the pause
  // (a priority change while paused used the budget up) is sent at once,
  // and so is each step the clock had passed before the pause.
  const RefCalendar& cal = KindOf(t).calendar;
  const int64_t budget = Budget(t, i);
  if (r.paused) {
    if (!r.breached && r.deadline_ms < r.mark_ms) return Due{DueWhat::kBreach, r.deadline_ms};
    const int64_t step = StepMs(budget);
    if (r.breached && step > 0 &&
        Desired(t, r) < LevelOf(policy_.escalation.levels.back())) {
      const int64_t at = cal.Add(r.deadline_ms, (r.steps + 1) * step);
      if (at < r.mark_ms) return Due{DueWhat::kStep, at};
    }
    return std::nullopt;
  }
  if (!r.breached) {
    std::vector<int64_t> points = WarningPoints(t, budget);
    if (r.warned < points.size()) {
      const int64_t at = std::max(cal.Subtract(r.deadline_ms, points[r.warned]),
                                  r.start_ms);
      return Due{DueWhat::kWarning, std::min(at, r.deadline_ms)};
    }
    return Due{DueWhat::kBreach, r.deadline_ms};
  }
  const int64_t step = StepMs(budget);
  if (step <= 0 || Desired(t, r) >= LevelOf(policy_.escalation.levels.back())) {
    return std::nullopt;
  }
  return Due{DueWhat::kStep, cal.Add(r.deadline_ms, (r.steps + 1) * step)};
}

// One above the first level (the top for a major priority), plus one per
// step taken, capped at the top.
inline int ReferenceEngine::Desired(const Ticket& t, const Target& r) const {
  const int top = static_cast<int>(policy_.escalation.levels.size()) - 1;
  const auto& major = policy_.escalation.major;
  const bool is_major = std::find(major.begin(), major.end(), t.priority) != major.end();
  return std::min(top, (is_major ? top : 1) + r.steps);
}

// A deadline moved by pauses resumed after it stands in time the clock
// did not run: the clock passed a point `x` of it where the running time
// left before the latest resume equals the business time from x to that
// resume; the earliest such instant (a binary search on the running time).
inline int64_t ReferenceEngine::Passed(const Ticket& t, const Target& r,
                                       int64_t x, bool to_pause_end) const {
  const RefCalendar& cal = KindOf(t).calendar;
  const int64_t ref = r.pauses.back().second;
  const int64_t want = cal.Between(x, ref);
  const auto running = [&](int64_t y) {
    int64_t ran = cal.Between(y, ref);
    for (const auto& [from, until] : r.pauses) {
      const int64_t a = std::clamp(from, y, ref), b = std::clamp(until, y, ref);
      if (a < b) ran -= cal.Between(a, b);
    }
    return ran;
  };
  int64_t lo = r.start_ms, hi = x;  // running(hi) <= want
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (running(mid) <= want) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  if (!to_pause_end) return lo;
  // At a pause's start: the pause came first (as commands at a due's
  // instant do), so the clock passes x when it runs again.
  for (const auto& [from, until] : r.pauses) {
    if (from <= lo && lo < until) return until;
  }
  return lo;
}

inline void ReferenceEngine::Fire(Ticket& t, size_t i, const Due& due,
                                  std::vector<engine::Event>* out) {
  Target& r = t.targets[i];
  const std::string& name = KindOf(t).spec->targets[i].name;
  // Due before a resume that moved it (a priority change used the budget
  // up after the fact): dated where the clock passed it, with the
  // deadline it had then.
  int64_t at = due.at_ms, deadline = r.deadline_ms;
  if (!r.pauses.empty() && r.pauses.back().second >= due.at_ms) {
    at = Passed(t, r, due.at_ms, /*to_pause_end=*/true);
    // The deadline then: where the clock ran out, moved by the pauses
    // resumed between that and `at`.
    if (r.pauses.back().second >= deadline) deadline = Passed(t, r, deadline, false);
    int64_t moved = 0;
    for (const auto& [from, until] : r.pauses) {
      if (from >= deadline && until <= at) moved += KindOf(t).calendar.Between(from, until);
    }
    if (moved > 0) deadline = KindOf(t).calendar.Add(deadline, moved);
  }
  switch (due.what) {
    case DueWhat::kWarning:
      ++r.warned;
      out->push_back({engine::EventType::kWarning, at, t.id, name, deadline, {}, {}});
      break;
    case DueWhat::kBreach:
      r.breached = true;
      out->push_back({engine::EventType::kBreached, at, t.id, name, deadline, {}, {}});
      Raise(t, Desired(t, r), at, name, deadline, out);
      break;
    case DueWhat::kStep:
      ++r.steps;
      Raise(t, Desired(t, r), at, name, deadline, out);
      break;
  }
}

inline void ReferenceEngine::Raise(Ticket& t, int level, int64_t at,
                                   absl::string_view target, int64_t deadline,
                                   std::vector<engine::Event>* out) {
  if (level <= t.level) return;
  // `target` and the level names view the policy, which outlives the events.
  const auto& levels = policy_.escalation.levels;
  out->push_back({engine::EventType::kEscalated, at, t.id, target, deadline,
                  levels[t.level], levels[level]});
  t.level = level;
}

inline bool ReferenceEngine::Matches(const Ticket& t, const engine::Filter& f) const {
  return (f.kind.empty() || t.kind == f.kind) && (!f.team || t.team == *f.team) &&
         (!f.assignee || t.assignee == *f.assignee) &&
         (f.priority.empty() || t.priority == f.priority) &&
         (f.level.empty() || policy_.escalation.levels[t.level] == f.level);
}

inline void ReferenceEngine::Purge(int64_t now) {
  std::erase_if(resolved_, [&](const auto& kv) {
    return kv.second.resolved_ms + policy_.reopen_window_ms < now;
  });
}

inline bool ReferenceEngine::KnownEvent(absl::string_view name) const {
  if (name == "open" || name == "reopened" || name == "resolved") return true;
  for (const auto& [k, kind] : policy_.kinds) {
    for (const auto& spec : kind.targets) {
      for (const auto* list : {&spec.start, &spec.stop}) {
        if (std::find(list->begin(), list->end(), name) != list->end()) return true;
      }
    }
  }
  return false;
}

inline int ReferenceEngine::LevelOf(absl::string_view name) const {
  const auto& levels = policy_.escalation.levels;
  auto it = std::find(levels.begin(), levels.end(), name);
  return it == levels.end() ? -1 : static_cast<int>(it - levels.begin());
}

inline bool ReferenceEngine::KnownPriority(absl::string_view name) const {
  const auto& p = policy_.priorities;
  return std::find(p.begin(), p.end(), name) != p.end();
}

inline std::string ReferenceEngine::StateName(const Target& r) {
  switch (r.state) {
    case State::kPending: return "pending";
    case State::kMet: return "met";
    case State::kMetLate: return "met_late";
    case State::kRunning: return r.paused ? "paused" : r.breached ? "breached" : "running";
  }
  return "?";
}

inline std::optional<RefTicketView> ReferenceEngine::Get(const std::string& id) const {
  auto it = open_.find(id);
  if (it == open_.end()) it = resolved_.find(id);
  if (it == resolved_.end()) return std::nullopt;
  const Ticket& t = it->second;
  RefTicketView v{t.kind, t.priority, t.team, t.assignee,
                  policy_.escalation.levels[t.level], t.opened_ms, t.resolved_ms,
                  t.paused, {}};
  const RefCalendar& cal = KindOf(t).calendar;
  for (size_t i = 0; i < t.targets.size(); ++i) {
    const Target& r = t.targets[i];
    RefTargetView tv{StateName(r), 0, 0, Budget(t, i)};
    if (r.state != State::kPending) {
      tv.start_ms = r.start_ms;
      tv.deadline_ms = r.deadline_ms;
      const bool ticking = r.state == State::kRunning && !r.paused;
      const int64_t ref = ticking ? now_ms_ : r.mark_ms;
      tv.remaining_ms = ref <= r.deadline_ms ? cal.Between(ref, r.deadline_ms)
                                             : -cal.Between(r.deadline_ms, ref);
    }
    v.targets.push_back(tv);
  }
  return v;
}

inline std::vector<RefItem> ReferenceEngine::Overdue(const engine::Filter& f) const {
  std::vector<RefItem> items;
  for (const auto& [id, t] : open_) {
    if (!Matches(t, f)) continue;
    for (size_t i = 0; i < t.targets.size(); ++i) {
      const Target& r = t.targets[i];
      const std::string& name = KindOf(t).spec->targets[i].name;
      if (r.state != State::kRunning || !r.breached) continue;
      if (!f.target.empty() && f.target != name) continue;
      items.push_back({r.deadline_ms, id, name, policy_.escalation.levels[t.level],
                       now_ms_ - r.deadline_ms});
    }
  }
  return items;
}

inline std::vector<RefItem> ReferenceEngine::DueSoon(const engine::Filter& f,
                                                     int64_t within_ms) const {
  std::vector<RefItem> items;
  for (const auto& [id, t] : open_) {
    if (!Matches(t, f)) continue;
    for (size_t i = 0; i < t.targets.size(); ++i) {
      const Target& r = t.targets[i];
      const std::string& name = KindOf(t).spec->targets[i].name;
      if (r.state != State::kRunning || r.breached || r.paused) continue;
      if (r.deadline_ms > now_ms_ + within_ms) continue;
      if (!f.target.empty() && f.target != name) continue;
      items.push_back({r.deadline_ms, id, name, policy_.escalation.levels[t.level],
                       r.deadline_ms - now_ms_});
    }
  }
  return items;
}

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_REFERENCE_ENGINE_H_
