// The engine's clocks and timers: starting and stopping target clocks,
// what each falls due for next, the wheel timer that fires it, and the
// due/overdue indexes the queries read. Commands are in engine.cc.

#include "engine/engine.h"

#include <algorithm>
#include <cassert>
#include <optional>

#include "engine/engine_internal.h"

namespace slad::engine {

using internal::AddOrNever;
using internal::UsedMs;
using internal::WarningAtMs;

// What falls due next for one target, and what it is.
struct Engine::Due {
  enum What { kWarning, kBreach, kStep } what;
  int64_t at_ms;
};

// --- Target clocks.

Calendar& Engine::CalendarOf(const Ticket& t) const {
  return *policy_->kind(t.kind).calendar;
}

int64_t Engine::BudgetMs(const Ticket& t, size_t target) const {
  return policy_->kind(t.kind).targets[target].budget_ms[t.priority];
}

int64_t Engine::ClockUsedMs(Ticket& t, size_t target, int64_t ref_ms) {
  const TargetRun& r = t.targets[target];
  Calendar& cal = CalendarOf(t);
  // Without a log the walk is one Between; a deadline past the calendars
  // was not placed by the budget (AddOrNever).
  if (!t.log || r.other_budget || r.deadline_ms == Calendar::kMaxMs) {
    return UsedMs(cal, t, r, ref_ms);
  }
  if (ref_ms <= r.start_ms) return 0;
  // The deadline's budget is the working time from the start to it less
  // the pauses resumed (PlacedBudgetMs); the clock used the working time
  // from the start to ref_ms less the same pauses, since every resume of
  // a running clock is at or before ref_ms (now, or the start of the
  // pause it is in). The difference is the time left at ref_ms.
  const int64_t used_ms = BudgetMs(t, target) - internal::RemainingMs(cal, ref_ms, r.deadline_ms);
  assert(used_ms == UsedMs(cal, t, r, ref_ms));
  return used_ms;
}

void Engine::StartTargetsOn(uint32_t slot, int event, int64_t at_ms) {
  Ticket& t = tickets_[slot];
  const auto& targets = policy_->kind(t.kind).targets;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (!((targets[i].start_events >> event) & 1)) continue;
    // A clock starts once; only a reopen restarts a stopped one.
    TargetRun& r = t.targets[i];
    if (r.state == TargetState::kRunning) continue;
    if (r.state != TargetState::kPending && event != kReopenedEventId) continue;
    r = TargetRun{};
    r.state = TargetState::kRunning;
    r.start_ms = at_ms;
    r.deadline_ms = AddOrNever(CalendarOf(t), at_ms, BudgetMs(t, i));
    r.paused = t.paused;
    r.mark_ms = at_ms;
    IndexTarget(slot, i);
    stats_.Started(Groups(t, i), at_ms);
  }
}

void Engine::StopTarget(uint32_t slot, size_t target, int64_t at_ms,
                        Effects* out) {
  Ticket& t = tickets_[slot];
  TargetRun& r = t.targets[target];
  if (r.state != TargetState::kRunning) return;
  // Apply() fires every deadline before `at_ms` first, so "breached" alone
  // says whether the stop is late; a stop exactly at the deadline is not.
  UnindexTarget(slot, target);
  // Business time from start to stop, pauses taken out (a pause before the
  // stop counts from its start), from the facts: the policy's budget may
  // not be the one the deadline was placed with (a reload, a priority
  // change that kept a breached deadline).
  const int64_t ref_ms = r.paused ? int64_t{r.mark_ms} : at_ms;
  const int64_t took_ms = ClockUsedMs(t, target, ref_ms);
  stats_.Stopped(Groups(t, target), at_ms, r.breached, took_ms);
  r.state = r.breached ? TargetState::kMetLate : TargetState::kMet;
  // r.paused stays: the clock stopped in a pause, which then never moves
  // its deadline (internal::ForEachPause).
  r.mark_ms = at_ms;
  Emit(out, r.breached ? EventType::kMetLate : EventType::kMet, t, at_ms,
       policy_->kind(t.kind).targets[target].name, r.deadline_ms);
}

std::optional<Engine::Due> Engine::NextDue(Ticket& t, size_t target) {
  const TargetRun& r = t.targets[target];
  if (r.state != TargetState::kRunning) return std::nullopt;
  if (r.paused) {
    // A paused clock waits, unless it had run out before its pause (a
    // priority change while paused gave it a budget it had used up): that
    // breach is a fact already, sent at once and dated where it ran out.
    if (!r.breached && r.deadline_ms < r.mark_ms) return Due{Due::kBreach, r.deadline_ms};
    // So is a step it had run past before the pause (only such a breach,
    // known late, leaves one unsent): no pause lies between the deadline
    // and the pause's start, so the step stands where the clock passed it.
    if (r.breached) {
      const int64_t step_ms = policy_->StepMs(BudgetMs(t, target));
      if (step_ms > 0 && DesiredLevel(t, r) < policy_->top_level()) {
        const int64_t step_at =
            AddOrNever(CalendarOf(t), r.deadline_ms, (r.steps + 1) * step_ms);
        if (step_at < r.mark_ms) return Due{Due::kStep, step_at};
      }
    }
    return std::nullopt;
  }
  Calendar& cal = CalendarOf(t);
  if (!r.breached) {
    // A deadline the calendars could not place stands at their end and
    // means never (AddOrNever): no warning counted back from it, no breach.
    if (r.deadline_ms == Calendar::kMaxMs) return std::nullopt;
    const std::vector<int64_t>& points =
        r.other_budget
            ? PlacedWarnPoints(t, r)
            : policy_->kind(t.kind).targets[target].warn_points[t.priority];
    if (r.warned < points.size()) {
      return Due{Due::kWarning, WarningAtMs(cal, r, points[r.warned])};
    }
    return Due{Due::kBreach, r.deadline_ms};
  }
  const int64_t step_ms = policy_->StepMs(BudgetMs(t, target));
  if (step_ms <= 0 || DesiredLevel(t, r) >= policy_->top_level()) {
    return std::nullopt;
  }
  return Due{Due::kStep, AddOrNever(cal, r.deadline_ms, (r.steps + 1) * step_ms)};
}

int Engine::DesiredLevel(const Ticket& t, const TargetRun& r) const {
  const int base = policy_->is_major(t.priority) ? policy_->top_level() : 1;
  return std::min(policy_->top_level(), base + r.steps);
}

// --- Timers and indexes.

void Engine::Advance(int64_t now_ms, Effects* out) {
  SettleRestored();
  wheel_.Advance(now_ms, [&](TimerHandle h, int64_t due_ms) {
    OnTimer(h.index, due_ms, out);
  });
  PurgeResolved(wheel_.now_ms(), out);
}

// Does everything the ticket has due at or before `due_ms`, earliest
// first, then re-arms its one timer at what is due next, which the last
// search already found.
void Engine::OnTimer(uint32_t slot, int64_t due_ms, Effects* out) {
  Ticket& t = tickets_[slot];
  size_t which = 0;
  std::optional<Due> next = EarliestDue(t, &which);
  while (next && next->at_ms <= due_ms) {
    FireDue(slot, which, *next, out);
    next = EarliestDue(t, &which);
  }
  Arm(slot, next);
  out->changed.push_back(t.id.str());
}

std::optional<Engine::Due> Engine::EarliestDue(Ticket& t, size_t* which) {
  std::optional<Due> earliest;
  for (size_t i = 0; i < t.targets.size(); ++i) {
    std::optional<Due> due = NextDue(t, i);
    if (due && (!earliest || due->at_ms < earliest->at_ms)) {
      earliest = due;
      *which = i;
    }
  }
  return earliest;
}

void Engine::FireDue(uint32_t slot, size_t target, const Due& due,
                     Effects* out) {
  Ticket& t = tickets_[slot];
  TargetRun& r = t.targets[target];
  const absl::string_view name = policy_->kind(t.kind).targets[target].name;
  // A due a later resume had moved is a catch-up: it is dated where the
  // clock passed it, with the deadline the target had then.
  int64_t at_ms = due.at_ms;
  int64_t deadline_ms = r.deadline_ms;
  // At the resume's instant too: the clock may have passed it before the
  // pause that resume ended (an earliest instant, back across a night).
  if (internal::LatestResumeMs(t) >= due.at_ms) {
    const Pauses pauses = internal::PausesOf(t, r, std::numeric_limits<int64_t>::max());
    at_ms = PassedAt(t, r, pauses, due.at_ms, /*to_pause_end=*/true);
    deadline_ms = DeadlineAt(t, r, pauses, at_ms);
  }
  switch (due.what) {
    case Due::kWarning:
      ++r.warned;
      Emit(out, EventType::kWarning, t, at_ms, name, deadline_ms);
      break;
    case Due::kBreach: {
      const IndexPlace was = PlaceOf(t, target);
      r.breached = true;
      Reindex(slot, target, was);
      stats_.Breached(Groups(t, target), at_ms);
      Emit(out, EventType::kBreached, t, at_ms, name, deadline_ms);
      RaiseLevel(t, DesiredLevel(t, r), at_ms, name, deadline_ms, out);
      break;
    }
    case Due::kStep:
      ++r.steps;
      RaiseLevel(t, DesiredLevel(t, r), at_ms, name, deadline_ms, out);
      break;
  }
}

// Deadlines move by the business time of each pause resumed after them,
// so a due before the latest resume lies in that moved time: the clock
// passed it at the earliest instant with as much running time left before
// that resume as the due has business time before it, pauses skipped (as
// RanOutAt places one). With `to_pause_end`, an instant a pause began at
// is taken to the pause's end: a pause at a due's instant comes before it,
// as any command at that instant does, and the clock passes the due when
// it runs again.
int64_t Engine::PassedAt(Ticket& t, const TargetRun& r, const Pauses& pauses,
                         int64_t due_ms, bool to_pause_end) {
  if (pauses.empty() || pauses.back().second < due_ms) return due_ms;
  Calendar& cal = CalendarOf(t);
  int64_t cursor_ms = pauses.back().second;
  int64_t left_ms = internal::BetweenOrZero(cal, due_ms, cursor_ms);
  int64_t at_ms = 0;
  bool found = false;
  for (auto p = pauses.rbegin(); p != pauses.rend() && !found; ++p) {
    const int64_t ran_ms = internal::BetweenOrZero(cal, p->second, cursor_ms);
    if (left_ms < ran_ms) {
      at_ms = internal::RanOutAt(cal, cursor_ms, left_ms, p->second);
      found = true;
    } else {
      left_ms -= ran_ms;
      cursor_ms = p->first;
    }
  }
  if (!found) at_ms = internal::RanOutAt(cal, cursor_ms, left_ms, r.start_ms);
  if (!to_pause_end) return at_ms;
  for (const auto& [from_ms, until_ms] : pauses) {
    if (from_ms <= at_ms && at_ms < until_ms) return until_ms;
  }
  return at_ms;
}

// The deadline a breached target had at `at_ms`, an instant PassedAt gave:
// where its clock ran out (the earliest such instant, a pause's start
// included, as a deadline is placed), moved by each pause resumed since.
int64_t Engine::DeadlineAt(Ticket& t, const TargetRun& r, const Pauses& pauses,
                           int64_t at_ms) {
  const int64_t ran_out_ms = PassedAt(t, r, pauses, r.deadline_ms, /*to_pause_end=*/false);
  Calendar& cal = CalendarOf(t);
  int64_t paused_ms = 0;
  for (const auto& [from_ms, until_ms] : pauses) {
    if (from_ms >= ran_out_ms && until_ms <= at_ms) {
      paused_ms += internal::BetweenOrZero(cal, from_ms, until_ms);
    }
  }
  return paused_ms == 0 ? ran_out_ms : AddOrNever(cal, ran_out_ms, paused_ms);
}

void Engine::Rearm(uint32_t slot) {
  size_t which = 0;
  Arm(slot, EarliestDue(tickets_[slot], &which));
}

void Engine::Arm(uint32_t slot, const std::optional<Due>& due) {
  const TimerHandle h = wheel_.HandleAt(slot);
  (void)(due ? wheel_.Reschedule(h, due->at_ms) : wheel_.Cancel(h));
}

void Engine::RaiseLevel(Ticket& t, int level, int64_t at_ms,
                        absl::string_view target, int64_t deadline_ms,
                        Effects* out) {
  if (level <= t.level) return;
  const int from = t.level;
  t.level = static_cast<uint8_t>(level);
  Emit(out, EventType::kEscalated, t, at_ms, target, deadline_ms);
  out->events.back().from = policy_->level_name(from);
  out->events.back().to = policy_->level_name(level);
}

// A running target is in exactly one index: overdue_ once breached (paused
// or not), due_ while its clock runs toward an unbreached deadline; an
// overdue one is in overdue_by_team_ too, under its ticket's team. Callers
// take PlaceOf() before changing a target's state or deadline and Reindex
// after (or Unindex before and Index after); Assign moves the team's.
void Engine::AddEntry(absl::btree_set<TargetKey>* index, uint32_t team,
                      const TargetKey& key) {
  index->insert(key);
  if (index == &overdue_) overdue_by_team_[team].insert(key);
}

void Engine::DropEntry(absl::btree_set<TargetKey>* index, uint32_t team,
                       const TargetKey& key) {
  index->erase(key);
  if (index == &overdue_) DropTeamEntry(team, key);
}

void Engine::DropTeamEntry(uint32_t team, const TargetKey& key) {
  const auto it = overdue_by_team_.find(team);
  if (it == overdue_by_team_.end()) return;
  it->second.erase(key);
  if (it->second.empty()) overdue_by_team_.erase(it);
}

void Engine::IndexTarget(uint32_t slot, size_t target) {
  const Ticket& t = tickets_[slot];
  const TargetRun& r = t.targets[target];
  if (auto* index = IndexOf(r)) {
    AddEntry(index, t.team, TargetKey(r.deadline_ms, slot, static_cast<uint32_t>(target)));
  }
}

// An entry moves only if its index or its deadline changed: a breached
// target's pause, or a priority change that leaves a deadline where it
// was, costs no btree operation.
void Engine::Reindex(uint32_t slot, size_t target, const IndexPlace& was) {
  const Ticket& t = tickets_[slot];
  const TargetRun& r = t.targets[target];
  absl::btree_set<TargetKey>* index = IndexOf(r);
  if (index == was.index && r.deadline_ms == was.deadline_ms) return;
  const auto i = static_cast<uint32_t>(target);
  if (was.index != nullptr) DropEntry(was.index, t.team, TargetKey(was.deadline_ms, slot, i));
  if (index != nullptr) AddEntry(index, t.team, TargetKey(r.deadline_ms, slot, i));
}

void Engine::UnindexTarget(uint32_t slot, size_t target) {
  const Ticket& t = tickets_[slot];
  const TargetRun& r = t.targets[target];
  if (auto* index = IndexOf(r)) {
    DropEntry(index, t.team, TargetKey(r.deadline_ms, slot, static_cast<uint32_t>(target)));
  }
}

}  // namespace slad::engine
