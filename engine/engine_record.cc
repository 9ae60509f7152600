// Engine <-> TicketRecord / StatsCellRecord: the durable state that
// storage/ persists and that a policy reload carries from one engine to
// the next. Records hold names, so ids are resolved against this engine's
// policy and interning on the way in.

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/engine_internal.h"
#include "engine/status_macros.h"

namespace slad::engine {

const Ticket* Engine::FindAny(absl::string_view id) const {
  if (auto open = ids_.find(id); open != ids_.end()) return &tickets_[*open];
  if (auto* done = resolved_.Find(id)) return &done->ticket;
  return nullptr;
}

std::optional<absl::string_view> Engine::TeamOf(absl::string_view id) const {
  const Ticket* t = FindAny(id);
  if (t == nullptr) return std::nullopt;
  return Name(t->team);
}

std::optional<int64_t> Engine::OpenedAt(absl::string_view id) const {
  const Ticket* t = FindAny(id);
  if (t == nullptr) return std::nullopt;
  return t->opened_ms;
}

std::optional<uint64_t> Engine::HistoryHead(absl::string_view id) const {
  const Ticket* t = FindAny(id);
  if (t == nullptr) return std::nullopt;
  return t->history_head();
}

void Engine::SetHistoryHead(absl::string_view id, uint64_t seq) {
  if (Ticket* t = FindAny(id)) t->set_history_head(seq);
}

void Engine::ToRecord(const Ticket& t, int64_t resolved_ms,
                      TicketRecord* out) const {
  out->id = std::string(t.id.view());
  out->kind = policy_->kind(t.kind).name;
  out->priority = policy_->priority_name(t.priority);
  out->team = std::string(Name(t.team));
  out->assignee = std::string(Name(t.assignee));
  out->level = policy_->level_name(t.level);
  out->opened_ms = t.opened_ms;
  out->resolved_ms = resolved_ms;
  out->paused = t.paused;
  out->rated = t.rated;
  out->resolution_counted = t.resolution_counted;
  out->history_head = t.history_head();
  out->targets.resize(t.targets.size());
  const auto& targets = policy_->kind(t.kind).targets;
  for (size_t i = 0; i < t.targets.size(); ++i) {
    const TargetRun& r = t.targets[i];
    out->targets[i] = TargetRecord{targets[i].name, r.start_ms, r.deadline_ms,
                                   r.mark_ms, static_cast<uint8_t>(r.state),
                                   r.paused, r.breached, r.warned, r.steps};
  }
  out->log.clear();
  if (!t.log) return;
  for (const Adjustment& a : *t.log) {
    AdjustmentRecord& rec = out->log.emplace_back();
    rec.what = a.what;
    rec.at_ms = a.at_ms;
    rec.until_ms = a.until_ms;
    if (a.what == Adjustment::kPriority) {
      rec.from = policy_->priority_name(a.from);
      rec.to = policy_->priority_name(a.to);
    }
  }
}

bool Engine::Export(absl::string_view id, TicketRecord* out) const {
  if (auto open = ids_.find(id); open != ids_.end()) {
    ToRecord(tickets_[*open], 0, out);
    return true;
  }
  if (const auto* done = resolved_.Find(id)) {
    ToRecord(done->ticket, done->resolved_ms, out);
    return true;
  }
  return false;
}

void Engine::ExportAll(const std::function<void(TicketRecord&&)>& fn) const {
  for (uint32_t slot : ids_) {
    TicketRecord record;
    ToRecord(tickets_[slot], 0, &record);
    fn(std::move(record));
  }
  resolved_.ForEach([&](const ResolvedTicket& resolved) {
    TicketRecord record;
    ToRecord(resolved.ticket, resolved.resolved_ms, &record);
    fn(std::move(record));
  });
}

namespace {

absl::Status Unknown(absl::string_view what, absl::string_view name,
                     absl::string_view id) {
  return absl::InvalidArgumentError(absl::StrCat(
      "ticket \"", id, "\": the policy has no ", what, " \"", name, "\""));
}

}  // namespace

absl::Status Engine::FromRecord(TicketRecord& rec, Ticket* t) {
  if (rec.id.empty() || rec.id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError("a ticket record without a valid id");
  }
  const int kind = policy_->KindId(rec.kind);
  if (kind < 0) return Unknown("kind", rec.kind, rec.id);
  const int priority = policy_->PriorityId(rec.priority);
  if (priority < 0) return Unknown("priority", rec.priority, rec.id);
  const int level = policy_->LevelId(rec.level);
  if (level < 0) return Unknown("level", rec.level, rec.id);
  t->id = TicketId(rec.id);
  t->opened_ms = rec.opened_ms;
  t->team = Intern(rec.team);
  t->assignee = Intern(rec.assignee);
  t->kind = static_cast<uint16_t>(kind);
  t->priority = static_cast<uint8_t>(priority);
  t->level = static_cast<uint8_t>(level);
  t->paused = rec.paused;
  t->rated = rec.rated;
  // Records older than the flag: a resolved one was counted when resolved.
  t->resolution_counted = rec.resolution_counted || rec.resolved_ms != 0;
  if (rec.history_head > kMaxHistorySeq) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ticket \"", rec.id, "\": history sequence out of range"));
  }
  t->set_history_head(rec.history_head);
  t->targets.assign(policy_->kind(kind).targets.size(), TargetRun{});
  for (const TargetRecord& tr : rec.targets) {
    const int i = policy_->TargetId(kind, tr.name);
    // A clock that never started holds nothing: a policy without its
    // target (a reload undoing one that added it) drops it.
    if (i < 0 && tr.state == static_cast<uint8_t>(TargetState::kPending)) continue;
    if (i < 0) return Unknown(absl::StrCat(rec.kind, " target"), tr.name, rec.id);
    if (tr.state > static_cast<uint8_t>(TargetState::kMetLate)) {
      return absl::InvalidArgumentError(
          absl::StrCat("ticket \"", rec.id, "\": bad target state"));
    }
    t->targets[i] = TargetRun{.start_ms = tr.start_ms,
                              .deadline_ms = tr.deadline_ms,
                              .mark_ms = tr.mark_ms,
                              .state = static_cast<TargetState>(tr.state),
                              .paused = tr.paused,
                              .breached = tr.breached,
                              .warned = tr.warned,
                              .steps = tr.steps};
  }
  for (const AdjustmentRecord& a : rec.log) {
    Adjustment adj{a.at_ms, a.until_ms, Adjustment::kPause, 0, 0};
    if (a.what == Adjustment::kPriority) {
      const int from = policy_->PriorityId(a.from), to = policy_->PriorityId(a.to);
      if (from < 0) return Unknown("priority", a.from, rec.id);
      if (to < 0) return Unknown("priority", a.to, rec.id);
      adj.what = Adjustment::kPriority;
      adj.from = static_cast<uint8_t>(from);
      adj.to = static_cast<uint8_t>(to);
    } else if (a.what != Adjustment::kPause) {
      return absl::InvalidArgumentError(
          absl::StrCat("ticket \"", rec.id, "\": bad log entry"));
    }
    Log(*t).push_back(adj);
  }
  return absl::OkStatus();
}

absl::Status Engine::Restore(TicketRecord&& rec) {
  const auto exists = [&] {
    return absl::AlreadyExistsError(absl::StrCat("ticket \"", rec.id, "\" exists"));
  };
  if (resolved_.contains(rec.id)) return exists();
  Ticket t;
  RETURN_IF_ERROR(FromRecord(rec, &t));
  if (rec.resolved_ms != 0) {
    if (ids_.contains(rec.id)) return exists();
    resolved_.Add(std::move(t), rec.resolved_ms);
    return absl::OkStatus();
  }
  const TimerHandle h = AllocateSlot();
  if (!h.valid()) return absl::ResourceExhaustedError("ticket table is full");
  tickets_.EnsureSize(h.index + 1);
  Ticket& slot = tickets_[h.index];
  slot = std::move(t);
  // One hash lookup both checks and inserts (recovery restores millions).
  if (!ids_.insert(h.index).second) {
    ResetTicket(slot);
    (void)wheel_.Release(h);
    return exists();
  }
  LinkDesk(h.index);
  // Index keys arrive in id order, i.e. random deadline order: they are
  // collected and inserted sorted by SettleRestored(), before the next
  // call that reads or changes an index.
  for (size_t i = 0; i < slot.targets.size(); ++i) {
    SettlePlacedBudget(slot, i);
    const TargetRun& r = slot.targets[i];
    if (!Indexed(r)) continue;
    const TargetKey key(r.deadline_ms, h.index, static_cast<uint32_t>(i));
    // The team is taken now, while the ticket is in cache: read back in
    // deadline order, each overdue key's ticket would be a memory miss.
    if (r.breached) {
      restored_overdue_.push_back(TeamKey{slot.team, key});
    } else {
      restored_due_.push_back(key);
    }
  }
  Rearm(h.index);
  return absl::OkStatus();
}

// A running clock whose deadline was placed under another policy (the
// record comes from a reload, or from a restart with another policy file)
// keeps that deadline, so it warns at the points of the budget the deadline
// gives, by the current policy's warn_at and warn_before: a 2 h clock
// reloaded under 4 h with warn_at 0.5 warns 1 h before its deadline, not
// 2 h. The record's count of warnings sent counted another list, so it is
// settled here: the points passed by the restore count as sent, and none
// is sent dated before it. The common case, a deadline the policy's budget
// placed, costs one Calendar::Between here (and a walk of the ticket's log,
// if it has one) and nothing in NextDue.
namespace {

// Of `points` (business time left at each warning, earliest first): how
// many fall before `until_ms`, and how many at or before it.
std::pair<uint8_t, uint8_t> PointsBy(Calendar& cal, const TargetRun& r,
                                     const std::vector<int64_t>& points,
                                     int64_t until_ms) {
  uint8_t before = 0, by = 0;
  for (const int64_t left : points) {
    const int64_t at_ms = internal::WarningAtMs(cal, r, left);
    before += at_ms < until_ms;
    by += at_ms <= until_ms;
  }
  return {before, by};
}

}  // namespace

void Engine::SettlePlacedBudget(Ticket& t, size_t target) {
  TargetRun& r = t.targets[target];
  if (r.state != TargetState::kRunning) return;
  // A breached clock warns no more; for it the flag only tells
  // ClockUsedMs that its deadline (kept through a priority change, or
  // placed under another policy) gives another budget. Checked even
  // without a log: a pause after the restore starts one.
  Calendar& cal = CalendarOf(t);
  if (r.deadline_ms == Calendar::kMaxMs) return;  // past the calendars: never
  const int64_t placed_ms = internal::PlacedBudgetMs(cal, t, r);
  if (placed_ms != BudgetMs(t, target)) {
    r.other_budget = true;
  } else if (records_clock_ms_ > 0) {
    // Placed by this policy's budget and restored by a recovery: the
    // record's count of warnings sent counted this list, unless the policy
    // file changed between the runs (not covered, POLICY.md). Recounting
    // would cost every clock of a 10M-ticket restart a calendar walk.
    return;
  }
  if (r.breached) return;
  // A reload keeps the budget but may change the list of warnings
  // (warn_at, warn_before) the record's count counted. The old engine
  // fired every point due by now, so those of the new list count as sent.
  // Nothing fires while a clock is paused, so a paused clock has passed
  // the points before its pause, and those at its very instant if they
  // fired before the pause came (the record's count says whether); a
  // running one, everything due before the record was written (the engine
  // it came from fired all that), and those at its very instant if that
  // engine had fired them (what is due at a command's instant waits for
  // time to move on: the record's count says whether). A recovery's engine
  // starts behind the store's clock and advances to it after the restore:
  // the store's clock, not the engine's, is what the old engine had fired
  // through (a restart under a changed policy sends nothing dated before
  // its last commit, as a reload sends nothing dated before the reload).
  const int64_t written_ms = records_clock_ms_ > 0 ? records_clock_ms_ : now_ms();
  if (written_ms < r.start_ms) return;
  const int64_t until_ms = r.paused ? int64_t{r.mark_ms} : written_ms;
  // The policy's list for its own budget is compiled already.
  if (r.other_budget) policy_->WarningPoints(t.kind, placed_ms, &warn_scratch_);
  const std::vector<int64_t>& points =
      r.other_budget ? warn_scratch_
                     : policy_->kind(t.kind).targets[target].warn_points[t.priority];
  const auto [passed, at_instant] = PointsBy(cal, r, points, until_ms);
  const uint8_t recorded = r.warned;
  r.warned = std::clamp(static_cast<uint8_t>(r.warned), passed, at_instant);
  // Whether the points at that very instant were sent is in the record's
  // count only as a count of the old list: where the lists differ before
  // the instant, it says nothing of the new one ([0.25, 0.5] fired at 1 h by
  // an `advance`, reloaded under [0.1, 0.25, 0.5], counts 1: the 0.1 one).
  // A reload still has the old list: its points at the instant fired if
  // the count covers them.
  if (predecessor_policy_ != nullptr && at_instant > passed) {
    const int old_kind = predecessor_policy_->KindId(policy_->kind(t.kind).name);
    if (old_kind >= 0) {
      std::vector<int64_t> old_points;  // rare: a point at the very instant
      predecessor_policy_->WarningPoints(old_kind, placed_ms, &old_points);
      const auto [old_passed, old_at] = PointsBy(cal, r, old_points, until_ms);
      const bool sent = old_at > old_passed && recorded >= old_at;
      r.warned = sent ? at_instant : passed;
    }
  }
  // A reload's count now differs from the stored record's, which a
  // restart would read against the new list: the record must be written.
  if (r.warned != recorded && records_clock_ms_ == 0) {
    recounted_.emplace_back(t.id.str());
  }
}

const std::vector<int64_t>& Engine::PlacedWarnPoints(Ticket& t,
                                                     const TargetRun& r) {
  policy_->WarningPoints(t.kind, internal::PlacedBudgetMs(CalendarOf(t), t, r),
                         &warn_scratch_);
  return warn_scratch_;
}

absl::Status Engine::RestoreBatch(absl::Span<TicketRecord> records) {
  // Far enough ahead for the line to arrive while the records between are
  // restored (about a microsecond each), near enough to stay in cache.
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i + kAhead < records.size()) {
      const absl::string_view id = records[i + kAhead].id;
      ids_.prefetch(SlotGuess{id}, ids_.hash_function()(id));
    }
    RETURN_IF_ERROR(Restore(std::move(records[i])));
  }
  return absl::OkStatus();
}

void Engine::SettleRestored() {
  predecessor_policy_ = nullptr;
  if (restored_due_.empty() && restored_overdue_.empty()) return;
  std::sort(restored_due_.begin(), restored_due_.end());
  for (const TargetKey& key : restored_due_) due_.insert(due_.end(), key);
  std::sort(restored_overdue_.begin(), restored_overdue_.end(),
            [](const TeamKey& a, const TeamKey& b) { return a.key < b.key; });
  for (const TeamKey& e : restored_overdue_) overdue_.insert(overdue_.end(), e.key);
  std::sort(restored_overdue_.begin(), restored_overdue_.end());
  absl::btree_set<TargetKey>* part = nullptr;
  for (size_t i = 0; i < restored_overdue_.size(); ++i) {
    const TeamKey& e = restored_overdue_[i];
    if (i == 0 || e.team != restored_overdue_[i - 1].team) part = &overdue_by_team_[e.team];
    part->insert(part->end(), e.key);
  }
  restored_due_ = {};
  restored_overdue_ = {};
}

std::string Engine::StatsGroupName(GroupBy by, uint32_t id) const {
  switch (by) {
    case GroupBy::kKind: return policy_->kind(id).name;
    case GroupBy::kPriority: return policy_->priority_name(id);
    default: return std::string(Name(id));
  }
}

void Engine::DrainStats(const std::function<void(StatsCellRecord&&)>& fn) {
  stats_.DrainChanges(
      [this](GroupBy by, uint32_t id) { return StatsGroupName(by, id); }, fn);
}

void Engine::ExportAllStats(
    const std::function<void(StatsCellRecord&&)>& fn) const {
  stats_.ExportAll(
      [this](GroupBy by, uint32_t id) { return StatsGroupName(by, id); }, fn);
  for (const StatsCellRecord& cell : dormant_stats_) {
    StatsCellRecord copy = cell;
    fn(std::move(copy));
  }
}

absl::Status Engine::RestoreStats(StatsCellRecord&& cell) {
  if (cell.by > static_cast<uint8_t>(GroupBy::kPriority)) {
    return absl::InvalidArgumentError("a stats cell of an unknown dimension");
  }
  int id = 0;
  switch (static_cast<GroupBy>(cell.by)) {
    case GroupBy::kKind: id = policy_->KindId(cell.group); break;
    case GroupBy::kPriority: id = policy_->PriorityId(cell.group); break;
    default: id = static_cast<int>(Intern(cell.group)); break;
  }
  if (id < 0) {
    dormant_stats_.push_back(std::move(cell));
    return absl::OkStatus();
  }
  stats_.Restore(static_cast<uint32_t>(id), std::move(cell));
  return absl::OkStatus();
}

}  // namespace slad::engine
