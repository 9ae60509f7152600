#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "engine/status_macros.h"

// The engine's queries: each reads indexes kept current by the commands
// (engine.cc) and costs what it returns.

namespace slad::engine {

using internal::BetweenOrZero;
using internal::RemainingMs;
using internal::StateName;
using internal::UsedMs;

namespace internal {

void ForEachPause(const Ticket& t, const TargetRun& r, int64_t ref_ms,
                  absl::FunctionRef<void(int64_t, int64_t)> fn) {
  if (!t.log) return;
  const std::vector<Adjustment>& log = *t.log;
  // The log is in time order: nothing from ref_ms on matters.
  size_t end = 0, last_pause = log.size();
  for (; end < log.size() && log[end].at_ms < ref_ms; ++end) {
    if (log[end].what == Adjustment::kPause) last_pause = end;
  }
  // A clock stopped while paused stopped in the last pause begun before
  // the stop, if that was still on: resumed later, even at the stop's
  // instant, it moved nothing. (One resumed, paused again and then stopped
  // all at that instant reads the same and is taken for that.)
  const bool stopped_paused = r.paused && r.state != TargetState::kRunning;
  for (size_t k = 0; k < end; ++k) {
    const Adjustment& a = log[k];
    if (a.what != Adjustment::kPause) continue;
    if (a.until_ms == 0 || a.until_ms > ref_ms) continue;  // moved nothing yet
    if (stopped_paused && k == last_pause && a.until_ms == ref_ms) continue;
    const int64_t from_ms = std::max(a.at_ms, int64_t{r.start_ms});
    if (from_ms < a.until_ms) fn(from_ms, a.until_ms);
  }
}

int64_t UsedMs(Calendar& cal, const Ticket& t, const TargetRun& r, int64_t ref_ms) {
  if (ref_ms <= r.start_ms) return 0;
  int64_t used_ms = BetweenOrZero(cal, r.start_ms, ref_ms);
  ForEachPause(t, r, ref_ms, [&](int64_t from_ms, int64_t until_ms) {
    used_ms -= BetweenOrZero(cal, from_ms, until_ms);
  });
  return used_ms;
}

int64_t PlacedBudgetMs(Calendar& cal, const Ticket& t, const TargetRun& r) {
  int64_t budget_ms = BetweenOrZero(cal, r.start_ms, r.deadline_ms);
  // A running clock stopped in no pause; one still on moved nothing yet.
  ForEachPause(t, r, std::numeric_limits<int64_t>::max(),
               [&](int64_t from_ms, int64_t until_ms) {
                 budget_ms -= BetweenOrZero(cal, from_ms, until_ms);
               });
  return budget_ms;
}

}  // namespace internal

namespace {

// The instant up to which a started target's clock has counted: now while
// it runs, else when it was paused or stopped.
int64_t ClockRefMs(const TargetRun& r, int64_t now_ms) {
  return r.state == TargetState::kRunning && !r.paused ? now_ms : int64_t{r.mark_ms};
}

// Explanation::counted: the working time of [start, ref) less the pauses
// (what the clock ran), then of [ref, deadline) (what it has left), cut at
// `budget_ms` in all, which cuts only a target past its deadline. Adds up
// to budget_ms, which is used + remaining.
// At most `max_out` of them; true if there were more.
bool CountedIntervals(Calendar& cal, const Ticket& t, const TargetRun& r,
                      int64_t ref_ms, int64_t budget_ms, size_t max_out,
                      std::vector<std::pair<int64_t, int64_t>>* out) {
  const auto pauses = internal::PausesOf(t, r, ref_ms);
  // One more than fits tells whether the calendar's list goes on; a pause
  // can split an interval in two, so what is kept is cut again below.
  std::vector<Calendar::Interval> work;
  const int64_t start_ms = r.start_ms;  // by value: TargetRun is packed
  (void)cal.WorkingIntervals(start_ms, std::max(start_ms, ref_ms), &work, max_out + 1);
  const size_t ran_end = work.size();
  if (ref_ms < r.deadline_ms) {
    (void)cal.WorkingIntervals(ref_ms, r.deadline_ms, &work, max_out + 1);
  }
  int64_t left_ms = budget_ms;
  const auto keep = [&](int64_t begin, int64_t end) {
    end = std::min(end, begin + std::max<int64_t>(left_ms, 0));
    if (begin >= end) return;
    left_ms -= end - begin;
    if (!out->empty() && out->back().second == begin) {
      out->back().second = end;  // one interval split at ref_ms
    } else {
      out->emplace_back(begin, end);
    }
  };
  for (size_t i = 0; i < work.size(); ++i) {
    int64_t begin = work[i].begin_ms;
    for (size_t p = 0; i < ran_end && p < pauses.size(); ++p) {
      const auto [from, until] = pauses[p];
      if (until <= begin || from >= work[i].end_ms) continue;
      if (from > begin) keep(begin, from);
      begin = std::max(begin, until);
    }
    if (begin < work[i].end_ms) keep(begin, work[i].end_ms);
  }
  if (out->size() > max_out) {
    out->resize(max_out);
    return true;
  }
  // The calendar's list stopped early: cut only if budget was left for
  // what it did not list (a breached clock's first budget_ms may end long
  // before the years it has run since).
  return work.size() > max_out && left_ms > 0;
}

}  // namespace

// --- Queries.

absl::StatusOr<TicketView> Engine::Get(absl::string_view id) {
  if (auto open = ids_.find(id); open != ids_.end()) {
    return View(tickets_[*open], 0);
  }
  if (auto* done = resolved_.Find(id)) return View(done->ticket, done->resolved_ms);
  return absl::NotFoundError(absl::StrCat("no ticket \"", id, "\""));
}

TicketView Engine::View(Ticket& t, int64_t resolved_ms) {
  TicketView v;
  v.id = t.id.view();
  v.kind = policy_->kind(t.kind).name;
  v.priority = policy_->priority_name(t.priority);
  v.team = Name(t.team);
  v.assignee = Name(t.assignee);
  v.level = policy_->level_name(t.level);
  v.opened_ms = t.opened_ms;
  v.resolved_ms = resolved_ms;
  v.paused = t.paused;
  Calendar& cal = CalendarOf(t);
  for (size_t i = 0; i < t.targets.size(); ++i) {
    const TargetRun& r = t.targets[i];
    TargetView tv;
    tv.name = policy_->kind(t.kind).targets[i].name;
    tv.state = StateName(r);
    tv.breached = r.breached;
    tv.paused = r.paused && r.state == TargetState::kRunning;
    tv.remaining_ms = BudgetMs(t, i);  // pending: what it will get
    if (r.state != TargetState::kPending) {
      tv.start_ms = r.start_ms;
      tv.deadline_ms = r.deadline_ms;
      if (r.state != TargetState::kRunning) tv.stopped_ms = r.mark_ms;
      // Both from the facts (start, pauses, deadline), not the policy's
      // budget, which a priority change or reload may have changed since
      // the deadline was placed: their sum is what that deadline gives.
      const int64_t ref_ms = ClockRefMs(r, now_ms());
      tv.remaining_ms = RemainingMs(cal, ref_ms, r.deadline_ms);
      tv.elapsed_ms = UsedMs(cal, t, r, ref_ms);
    }
    v.targets.push_back(tv);
  }
  return v;
}

namespace {

// Cursor text: "<deadline_ms>.<slot>.<target>.<epoch>", the last key
// passed and the engine's cursor epoch. The key names a position in the
// index's order, so it stays valid (and skips nothing still there) however
// tickets change between pages. The epoch tells a cursor of this engine's
// from one of an engine before a restart or a policy reload, which
// numbered the slots anew: there the key names no position.
std::string EncodeCursor(int64_t deadline_ms, uint32_t slot, uint32_t target,
                         uint32_t epoch) {
  return absl::StrCat(deadline_ms, ".", slot, ".", target, ".", epoch);
}

template <typename T>
bool ParseNumber(absl::string_view text, T* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

// Walks the due (or overdue) entries from after `cmd.cursor`, up to a key
// deadline of `end_ms`, calling `visit(key, ticket)` for each key whose
// ticket and target match the filter, until `cmd.limit` matched or
// kMaxPassedPerPage entries were passed. An overdue query naming a team
// walks that team's entries only (overdue_by_team_, in overdue_'s order,
// so a cursor means the same either way); every other filter costs the
// entries it skips, at most kMaxPassedPerPage a page.
template <typename Visit>
absl::Status Engine::Walk(bool overdue, const Command& cmd, int64_t end_ms,
                          std::string* next_cursor, Visit&& visit) {
  next_cursor->clear();
  last_query_passed_ = 0;
  RETURN_IF_ERROR(CheckFilter(cmd.filter));
  std::optional<TargetKey> after;
  if (!cmd.cursor.empty()) {
    std::vector<absl::string_view> parts =
        absl::StrSplit(cmd.cursor, absl::MaxSplits('.', 3));
    int64_t deadline_ms;
    uint32_t slot, target, epoch;
    if (parts.size() != 4 || !ParseNumber(parts[0], &deadline_ms) ||
        !ParseNumber(parts[1], &slot) || !ParseNumber(parts[2], &target) ||
        slot >= kMaxSlots || target >= (1u << kTargetBits)) {
      return absl::InvalidArgumentError("malformed cursor");
    }
    // Another engine's (an older slad's ended in a ticket id instead).
    if (!ParseNumber(parts[3], &epoch) || epoch != cursor_epoch_) {
      return absl::InvalidArgumentError(
          "cursor from before a restart or a policy reload: ask again "
          "without a cursor");
    }
    after = TargetKey(deadline_ms, slot, target);
  }
  uint32_t matched = 0;
  std::optional<TargetKey> last;  // the last entry passed
  // Visits `key`; false once the page is full, its cursor written.
  auto step = [&](const TargetKey& key) {
    if (matched >= cmd.limit || last_query_passed_ >= kMaxPassedPerPage) {
      if (last) {
        *next_cursor =
            EncodeCursor(last->deadline_ms, last->slot(), last->target(), cursor_epoch_);
      }
      return false;
    }
    last = key;
    ++last_query_passed_;
    const Ticket& t = tickets_[key.slot()];
    if (!Matches(t, cmd.filter)) return true;
    if (!cmd.filter.target.empty() &&
        cmd.filter.target != policy_->kind(t.kind).targets[key.target()].name) {
      return true;
    }
    visit(key, t);
    ++matched;
    return true;
  };
  if (overdue && cmd.filter.team) {
    const auto team = name_ids_.find(*cmd.filter.team);
    if (team == name_ids_.end()) return absl::OkStatus();  // no ticket ever had it
    const auto part = overdue_by_team_.find(team->second);
    if (part == overdue_by_team_.end()) return absl::OkStatus();
    const absl::btree_set<TargetKey>& keys = part->second;
    for (auto it = after ? keys.upper_bound(*after) : keys.begin(); it != keys.end(); ++it) {
      if (!step(*it)) break;
    }
    return absl::OkStatus();
  }
  const absl::btree_set<TargetKey>& index = overdue ? overdue_ : due_;
  auto it = after ? index.upper_bound(*after) : index.begin();
  for (; it != index.end() && it->deadline_ms <= end_ms; ++it) {
    if (!step(*it)) break;
  }
  return absl::OkStatus();
}

absl::Status Engine::Overdue(const Command& cmd, OverduePage* out) {
  SettleRestored();
  out->items.clear();
  return Walk(/*overdue=*/true, cmd, std::numeric_limits<int64_t>::max(),
              &out->next_cursor, [&](const TargetKey& key, const Ticket& t) {
                out->items.push_back(OverdueItem{
                    t.id.view(), policy_->kind(t.kind).name,
                    policy_->kind(t.kind).targets[key.target()].name,
                    Name(t.team), Name(t.assignee), policy_->level_name(t.level),
                    key.deadline_ms, now_ms() - key.deadline_ms});
              });
}

absl::Status Engine::DueSoon(const Command& cmd, DueSoonPage* out) {
  SettleRestored();
  out->items.clear();
  if (cmd.within_ms < 0) return absl::InvalidArgumentError("negative window");
  const int64_t end_ms =
      now_ms() > std::numeric_limits<int64_t>::max() - cmd.within_ms
          ? std::numeric_limits<int64_t>::max()
          : now_ms() + cmd.within_ms;
  return Walk(/*overdue=*/false, cmd, end_ms, &out->next_cursor,
              [&](const TargetKey& key, const Ticket& t) {
                out->items.push_back(DueItem{
                    t.id.view(), policy_->kind(t.kind).name,
                    policy_->kind(t.kind).targets[key.target()].name,
                    Name(t.team), Name(t.assignee), policy_->level_name(t.level),
                    key.deadline_ms, key.deadline_ms - now_ms()});
              });
}

Ticket* Engine::FindAny(absl::string_view id) {
  if (auto open = ids_.find(id); open != ids_.end()) return &tickets_[*open];
  if (auto* done = resolved_.Find(id)) return &done->ticket;
  return nullptr;
}

absl::StatusOr<Explanation> Engine::Explain(absl::string_view id,
                                            absl::string_view target) {
  Ticket* t = FindAny(id);
  if (t == nullptr) return absl::NotFoundError(absl::StrCat("no ticket \"", id, "\""));
  const int i = policy_->TargetId(t->kind, target);
  if (i < 0) {
    return absl::InvalidArgumentError(absl::StrCat("ticket \"", id, "\" has no target \"",
                                            target, "\""));
  }
  const TargetRun& r = t->targets[i];
  if (r.state == TargetState::kPending) {
    return absl::FailedPreconditionError(
        absl::StrCat("target \"", target, "\" has not started"));
  }
  Calendar& cal = CalendarOf(*t);
  const int64_t ref_ms = ClockRefMs(r, now_ms());
  Explanation e;
  e.id = t->id.view();
  e.target = policy_->kind(t->kind).targets[i].name;
  e.calendar = policy_->kind(t->kind).calendar_name;
  e.state = StateName(r);
  e.priority = policy_->priority_name(t->priority);
  e.start_ms = r.start_ms;
  e.deadline_ms = r.deadline_ms;
  // What the deadline gives (as `get` reports it: elapsed + remaining),
  // not the policy's budget, which a reload or a priority change that kept
  // a breached deadline may have changed since.
  e.budget_ms = UsedMs(cal, *t, r, ref_ms) + RemainingMs(cal, ref_ms, r.deadline_ms);
  e.truncated =
      CountedIntervals(cal, *t, r, ref_ms, e.budget_ms, Explanation::kMaxItems, &e.counted);
  ExplainSpan(*t, r, &e);
  return e;
}

// The pauses and priority changes of the target's span, and its special
// days from the start to the deadline. The pauses are those `counted`
// takes out (ForEachPause), and the one the running clock is in now: not
// one begun after the clock stopped, nor the one it stopped in, which
// moved nothing. A stopped clock lists the priority changes up to its
// stop only.
void Engine::ExplainSpan(Ticket& t, const TargetRun& r, Explanation* e) {
  Calendar& cal = CalendarOf(t);
  const int64_t ref_ms = ClockRefMs(r, now_ms());
  internal::ForEachPause(t, r, ref_ms, [&](int64_t from_ms, int64_t until_ms) {
    e->pauses.push_back({from_ms, until_ms, BetweenOrZero(cal, from_ms, until_ms)});
  });
  if (r.state == TargetState::kRunning && r.paused) {
    const int64_t from_ms = r.mark_ms;
    e->pauses.push_back({from_ms, 0, BetweenOrZero(cal, from_ms, now_ms())});
  }
  if (t.log) {
    const bool stopped = r.state != TargetState::kRunning;
    for (const Adjustment& a : *t.log) {
      if (a.what != Adjustment::kPriority) continue;
      if (stopped && a.at_ms > r.mark_ms) {  // the log is in time order
        // The priority the clock stopped under, not the ticket's now.
        e->priority = policy_->priority_name(a.from);
        break;
      }
      if (a.at_ms < r.start_ms) continue;
      e->priority_changes.push_back({a.at_ms, policy_->priority_name(a.from),
                                     policy_->priority_name(a.to)});
    }
  }
  std::vector<Calendar::Day> days;
  (void)cal.SpecialDays(r.start_ms, r.deadline_ms, &days, Explanation::kMaxItems + 1);
  if (days.size() > Explanation::kMaxItems) {
    days.resize(Explanation::kMaxItems);
    e->truncated = true;
  }
  for (const Calendar::Day& d : days) {
    e->days.push_back({absl::FormatCivilTime(d.date),
                       d.kind == Calendar::DayKind::kHoliday   ? "holiday"
                       : d.kind == Calendar::DayKind::kWeekend ? "weekend"
                                                               : "make_up_day"});
  }
}

absl::StatusOr<StatsTable> Engine::Stats(const Command& cmd) {
  if (cmd.from_ms > cmd.to_ms) {
    return absl::InvalidArgumentError("stats: from is after to");
  }
  return stats_.Query(cmd.group_by, cmd.from_ms, cmd.to_ms,
                      [&](uint32_t id) -> std::string {
                        switch (cmd.group_by) {
                          case GroupBy::kKind: return policy_->kind(id).name;
                          case GroupBy::kPriority: return policy_->priority_name(id);
                          default: return id == 0 ? "(none)" : std::string(Name(id));
                        }
                      });
}

}  // namespace slad::engine
