#include "engine/engine.h"

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/engine_internal.h"
#include "engine/status_macros.h"
#include "engine/time_format.h"

namespace slad::engine {

using internal::AddOrNever;
using internal::BetweenOrZero;
using internal::SubtractOrStart;

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(Policy policy,
                                                       int64_t now_ms) {
  ASSIGN_OR_RETURN(std::unique_ptr<CompiledPolicy> compiled,
                   CompiledPolicy::Compile(std::move(policy)));
  return std::unique_ptr<Engine>(new Engine(std::move(compiled), now_ms));
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::CreateAfter(
    Policy policy, const Engine& predecessor) {
  // The wheel where the predecessor's is: what is due after it is still to
  // fire, that at the clock's instant included.
  ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine,
                   Create(std::move(policy), predecessor.wheel_.now_ms()));
  engine->clock_ms_ = predecessor.now_ms();
  engine->predecessor_policy_ = predecessor.policy_.get();
  return engine;
}

Engine::Engine(std::unique_ptr<CompiledPolicy> policy, int64_t now_ms)
    : policy_(std::move(policy)),
      wheel_(now_ms),
      ids_(SlotHash{&tickets_}, SlotEq{&tickets_}) {
  for (int kind = 0; kind < policy_->kind_count(); ++kind) {
    std::vector<uint32_t>& ids = target_name_ids_.emplace_back();
    for (const CompiledTarget& target : policy_->kind(kind).targets) {
      ids.push_back(Intern(target.name));
    }
  }
}

void Engine::Reserve(size_t tickets) {
  wheel_.Reserve(tickets);
  ids_.reserve(tickets);
  tickets_.EnsureSize(tickets);
}

StatGroups Engine::Groups(const Ticket& t, int target) const {
  StatGroups g;
  g.ids[static_cast<int>(GroupBy::kKind)] = t.kind;
  g.ids[static_cast<int>(GroupBy::kTeam)] = t.team;
  g.ids[static_cast<int>(GroupBy::kAssignee)] = t.assignee;
  g.ids[static_cast<int>(GroupBy::kTarget)] =
      target < 0 ? 0 : target_name_ids_[t.kind][target];
  g.ids[static_cast<int>(GroupBy::kPriority)] = t.priority;
  return g;
}

absl::Status Engine::RoomInLog(const Ticket& t) {
  if (!t.log || t.log->size() < kMaxAdjustments) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "ticket has ", kMaxAdjustments,
      " pauses and priority changes, the most one ticket keeps"));
}

std::vector<Adjustment>& Engine::Log(Ticket& t) {
  if (!t.log) t.log = std::make_unique<std::vector<Adjustment>>();
  return *t.log;
}

absl::Status Engine::Apply(const Command& cmd, Effects* out) {
  if (IsQuery(cmd.op)) {
    return absl::InvalidArgumentError("a query does not change state");
  }
  SettleRestored();
  if (cmd.at_ms < now_ms()) {
    return absl::InvalidArgumentError(
        absl::StrCat("at ", cmd.at_ms, " (", FormatInstantMs(cmd.at_ms),
                     ") is before the engine's clock ", now_ms(), " (",
                     FormatInstantMs(now_ms()), "); commands must not go back in time"));
  }
  // Fire what fell due strictly before the command, so that a stop exactly
  // at a deadline is on time. What is due at the instant waits until time
  // moves past it (the next Advance, or a command at a later instant): had
  // it fired after this command, another command at the same instant would
  // find its ticket breached, and a stop exactly at the deadline would be
  // late or not by the order of commands on other tickets.
  if (cmd.at_ms > now_ms()) Advance(cmd.at_ms - 1, out);
  PurgeResolved(cmd.at_ms, out);
  out->command_begin = out->changed.size();
  out->events_begin = out->events.size();
  absl::Status status = Dispatch(cmd, out);
  out->command_end = out->changed.size();
  // What the command made due before its instant (a priority change that
  // used a budget up) fires now; the wheel fires a timer armed in its past
  // on the next Advance, even to where it already is.
  AdvanceBefore(cmd.at_ms, out);
  return status;
}

void Engine::AdvanceBefore(int64_t at_ms, Effects* out) {
  // A wheel already past at_ms - 1 fires only its late timers (those armed
  // at or before its position): what is due at its position has fired.
  Advance(at_ms - 1, out);
  clock_ms_ = std::max(clock_ms_, at_ms);
  // A resolved ticket whose window ended before at_ms is gone for a query
  // at it, as for a command there (Apply).
  PurgeResolved(clock_ms_, out);
}

void Engine::ApplyBatch(
    absl::Span<const Command> cmds, Effects* out,
    absl::FunctionRef<void(size_t, const absl::Status&)> done) {
  // A pipeline of prefetches, each stage reading only what the one before
  // brought into cache, while command i applies:
  //   i + 8: the id table's probe position (control bytes and slot);
  //   i + 4: the slot found there (guessed, SlotGuess), its ticket record
  //          and timer node;
  //   i + 2: the timer's list neighbours (unlinking writes them) and the
  //          ticket's pause/priority log;
  //   i + 1: the log's last entry (pause appends, resume closes it).
  // A command at 1M tickets takes a few memory latencies, so this is far
  // enough ahead; further, and a ticket that an earlier command of the
  // batch opens or resolves makes more guesses wrong. A wrong guess costs
  // a useless prefetch, nothing else: every stage only reads.
  constexpr size_t kAhead = 8;
  std::array<size_t, kAhead> hashes;   // command i's id hash, at i % kAhead
  std::array<uint32_t, kAhead> slots;  // command i's guessed slot
  auto hash_of = [&](size_t i) -> size_t& { return hashes[i % kAhead]; };
  auto slot_of = [&](size_t i) -> uint32_t& { return slots[i % kAhead]; };
  const size_t n = cmds.size();
  auto stage = [&](size_t i, size_t ahead) {
    if (i >= n) return;
    switch (ahead) {
      case 8:
        hash_of(i) = ids_.hash_function()(cmds[i].id);
        if (!cmds[i].id.empty()) ids_.prefetch(cmds[i].id, hash_of(i));
        break;
      case 4: slot_of(i) = PrefetchTicket(cmds[i].id, hash_of(i)); break;
      case 2: PrefetchLinks(slot_of(i)); break;
      case 1: PrefetchLog(slot_of(i)); break;
    }
  };
  for (size_t i = 0; i < kAhead; ++i) stage(i, 8);
  for (size_t i = 0; i < 4; ++i) stage(i, 4);
  for (size_t i = 0; i < 2; ++i) stage(i, 2);
  stage(0, 1);
  for (size_t i = 0; i < n; ++i) {
    stage(i + 4, 4);
    stage(i + 2, 2);
    stage(i + 1, 1);
    const absl::Status status = Apply(cmds[i], out);
    stage(i + 8, 8);  // after command i, whose ring entries it reuses
    done(i, status);
  }
}

void Engine::Prefetch(absl::string_view id, Hint hint) const {
  // No ticket has a longer id: not worth hashing.
  if (id.empty() || id.size() > kMaxIdBytes) return;
  const size_t hash = ids_.hash_function()(id);
  if (hint == Hint::kProbe) {
    ids_.prefetch(id, hash);
  } else {
    PrefetchTicket(id, hash);
  }
}

uint32_t Engine::PrefetchTicket(absl::string_view id, size_t hash) const {
  if (id.empty()) return kNoSlot;
  auto it = ids_.find(SlotGuess{id}, hash);
  if (it == ids_.end()) return kNoSlot;
  // Every cache line the record touches (it need not start on one).
  const auto begin = reinterpret_cast<uintptr_t>(&tickets_[*it]);
  for (uintptr_t line = begin & ~uintptr_t{63}; line < begin + sizeof(Ticket);
       line += 64) {
    __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
  wheel_.Prefetch(*it);
  return *it;
}

void Engine::PrefetchLinks(uint32_t slot) const {
  if (slot == kNoSlot) return;
  wheel_.PrefetchNeighbours(slot);
  if (const auto& log = tickets_[slot].log) __builtin_prefetch(log.get());
}

void Engine::PrefetchLog(uint32_t slot) const {
  if (slot == kNoSlot) return;
  const auto& log = tickets_[slot].log;
  if (log != nullptr && !log->empty()) __builtin_prefetch(&log->back());
}

absl::Status Engine::Dispatch(const Command& cmd, Effects* out) {
  switch (cmd.op) {
    case Op::kOpen: return Open(cmd, out);
    case Op::kReopen: return Reopen(cmd, out);
    case Op::kRate: return Rate(cmd, out);
    case Op::kPauseAll:
    case Op::kResumeAll: return ForAll(cmd, out);
    default: break;
  }
  ASSIGN_OR_RETURN(const uint32_t slot, Find(cmd.id));
  absl::Status status;
  switch (cmd.op) {
    case Op::kEvent: status = OnEvent(slot, cmd, out); break;
    case Op::kPause: status = Pause(slot, cmd.at_ms); break;
    case Op::kResume: status = Resume(slot, cmd.at_ms); break;
    case Op::kPriority: status = SetPriority(slot, cmd, out); break;
    case Op::kAssign: status = Assign(slot, cmd); break;
    case Op::kEscalate: status = Escalate(slot, cmd, out); break;
    case Op::kResolve: return Resolve(slot, cmd.at_ms, out);
    default: return absl::InvalidArgumentError("not a command");
  }
  if (status.ok()) {
    Rearm(slot);
    out->changed.push_back(tickets_[slot].id.str());
  }
  return status;
}

absl::StatusOr<uint32_t> Engine::Find(absl::string_view id) const {
  auto it = ids_.find(id);
  if (it != ids_.end()) return *it;
  if (resolved_.contains(id)) {
    return absl::FailedPreconditionError(
        absl::StrCat("ticket \"", id, "\" is resolved"));
  }
  return absl::NotFoundError(absl::StrCat("no open ticket \"", id, "\""));
}

// --- Commands.

absl::Status Engine::Open(const Command& cmd, Effects* out) {
  if (cmd.id.empty() || cmd.id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a ticket id is 1 to ", kMaxIdBytes, " bytes"));
  }
  if (ids_.contains(cmd.id)) {
    return absl::AlreadyExistsError(absl::StrCat("ticket \"", cmd.id, "\" is open"));
  }
  if (resolved_.contains(cmd.id)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "ticket \"", cmd.id, "\" was resolved; reopen it instead"));
  }
  const int kind = policy_->KindId(cmd.kind);
  if (kind < 0) {
    return absl::InvalidArgumentError(absl::StrCat("unknown kind \"", cmd.kind, "\""));
  }
  ASSIGN_OR_RETURN(const int priority, PriorityOf(cmd));
  const TimerHandle h = AllocateSlot();
  if (!h.valid()) return absl::ResourceExhaustedError("ticket table is full");
  tickets_.EnsureSize(h.index + 1);
  Ticket& t = tickets_[h.index];
  ResetTicket(t);
  t.id = TicketId(cmd.id);
  t.opened_ms = cmd.at_ms;
  t.kind = static_cast<uint16_t>(kind);
  t.priority = static_cast<uint8_t>(priority);
  t.team = cmd.team ? Intern(*cmd.team) : 0;
  t.assignee = cmd.assignee ? Intern(*cmd.assignee) : 0;
  t.targets.resize(policy_->kind(kind).targets.size());
  ids_.insert(h.index);
  LinkDesk(h.index);
  stats_.Opened(Groups(t, -1), cmd.at_ms);
  StartTargetsOn(h.index, kOpenEventId, cmd.at_ms);
  Rearm(h.index);
  out->changed.push_back(t.id.str());
  return absl::OkStatus();
}

// A slot beyond what an index key can name is returned to the wheel.
TimerHandle Engine::AllocateSlot() {
  const TimerHandle h = wheel_.Allocate();
  if (h.valid() && h.index >= kMaxSlots) {
    (void)wheel_.Release(h);
    return TimerHandle{};
  }
  return h;
}

// Rebuilt in place: the same as assigning a fresh Ticket, without the
// temporary.
void Engine::ResetTicket(Ticket& t) {
  std::destroy_at(&t);
  std::construct_at(&t);
}

absl::StatusOr<int> Engine::PriorityOf(const Command& cmd) const {
  if (!cmd.priority) return policy_->default_priority();
  const int priority = policy_->PriorityId(*cmd.priority);
  if (priority < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown priority \"", *cmd.priority, "\""));
  }
  return priority;
}

absl::Status Engine::OnEvent(uint32_t slot, const Command& cmd, Effects* out) {
  const int event = policy_->EventId(cmd.name);
  if (event < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown event \"", cmd.name, "\""));
  }
  if (event <= kResolvedEventId) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event \"", cmd.name, "\" is sent as its own op"));
  }
  // Stops before starts: one event may end a clock and start the next one
  // (a return's approval ends its review and starts its completion).
  Ticket& t = tickets_[slot];
  const auto& targets = policy_->kind(t.kind).targets;
  for (size_t i = 0; i < targets.size(); ++i) {
    if ((targets[i].stop_events >> event) & 1) StopTarget(slot, i, cmd.at_ms, out);
  }
  StartTargetsOn(slot, event, cmd.at_ms);
  return absl::OkStatus();
}

absl::Status Engine::Pause(uint32_t slot, int64_t at_ms) {
  Ticket& t = tickets_[slot];
  if (t.paused) return absl::FailedPreconditionError("ticket is already paused");
  RETURN_IF_ERROR(RoomInLog(t));
  t.paused = true;
  for (size_t i = 0; i < t.targets.size(); ++i) {
    TargetRun& r = t.targets[i];
    if (r.state != TargetState::kRunning) continue;
    const IndexPlace was = PlaceOf(t, i);
    r.paused = true;
    r.mark_ms = at_ms;
    Reindex(slot, i, was);
  }
  Log(t).push_back(Adjustment{at_ms, 0, Adjustment::kPause, 0, 0});
  return absl::OkStatus();
}

absl::Status Engine::Resume(uint32_t slot, int64_t at_ms) {
  Ticket& t = tickets_[slot];
  if (!t.paused) return absl::FailedPreconditionError("ticket is not paused");
  t.paused = false;
  Calendar& cal = CalendarOf(t);
  for (size_t i = 0; i < t.targets.size(); ++i) {
    TargetRun& r = t.targets[i];
    if (r.state != TargetState::kRunning || !r.paused) continue;
    // The deadline moves by exactly the business time the pause took.
    const int64_t paused_ms = BetweenOrZero(cal, r.mark_ms, at_ms);
    const IndexPlace was = PlaceOf(t, i);
    r.deadline_ms = AddOrNever(cal, r.deadline_ms, paused_ms);
    r.paused = false;
    Reindex(slot, i, was);
  }
  // Only the latest pause can be open (a paused ticket cannot be paused
  // again), so the log is walked back to it, not from its start: a ticket
  // paused many times does not make each resume slower.
  std::vector<Adjustment>& log = Log(t);
  for (auto a = log.rbegin(); a != log.rend(); ++a) {
    if (a->what != Adjustment::kPause) continue;
    if (a->until_ms == 0) a->until_ms = at_ms;
    break;
  }
  return absl::OkStatus();
}

// Running targets keep the business time they used (counted from their
// start and pauses, not from the budget their deadline was placed with,
// which a policy reload may have changed); their deadlines are recomputed
// with the current policy's durations for the new priority. A breach
// already happened stays a fact: breached targets keep their deadline, and
// a breach now asking for a higher level (a major priority asks for the
// top) escalates at once.
absl::Status Engine::SetPriority(uint32_t slot, const Command& cmd, Effects* out) {
  ASSIGN_OR_RETURN(const int priority, PriorityOf(cmd));
  Ticket& t = tickets_[slot];
  if (priority != t.priority) RETURN_IF_ERROR(RoomInLog(t));
  Calendar& cal = CalendarOf(t);
  for (size_t i = 0; i < t.targets.size(); ++i) {
    TargetRun& r = t.targets[i];
    if (r.state != TargetState::kRunning) continue;
    if (r.breached) {
      // The deadline stays, so it no longer gives the policy's budget.
      if (policy_->kind(t.kind).targets[i].budget_ms[priority] != BudgetMs(t, i)) {
        r.other_budget = true;
      }
      continue;
    }
    const IndexPlace was = PlaceOf(t, i);
    const int64_t ref_ms = r.paused ? int64_t{r.mark_ms} : cmd.at_ms;
    const int64_t used_ms = ClockUsedMs(t, i, ref_ms);
    const int64_t left_ms =
        policy_->kind(t.kind).targets[i].budget_ms[priority] - used_ms;
    r.deadline_ms = left_ms > 0
                        ? AddOrNever(cal, ref_ms, left_ms)
                        : internal::RanOutAt(cal, ref_ms, -left_ms, r.start_ms);
    // Warnings whose threshold already passed are not sent late; one due
    // exactly now still fires, after the command, like any due instant.
    const std::vector<int64_t>& points =
        policy_->kind(t.kind).targets[i].warn_points[priority];
    r.warned = static_cast<uint8_t>(std::count_if(
        points.begin(), points.end(),
        [&](int64_t left) { return left > left_ms; }));
    r.other_budget = false;  // placed with the policy's budget now
    Reindex(slot, i, was);
  }
  if (priority != t.priority) {
    Log(t).push_back(Adjustment{cmd.at_ms, 0, Adjustment::kPriority,
                                t.priority, static_cast<uint8_t>(priority)});
  }
  const StatGroups was = Groups(t, -1);
  t.priority = static_cast<uint8_t>(priority);
  stats_.Moved(was, Groups(t, -1), t.opened_ms, t.resolution_counted);
  for (size_t i = 0; i < t.targets.size(); ++i) {
    TargetRun& r = t.targets[i];
    if (r.state != TargetState::kRunning || !r.breached) continue;
    // Steps the new priority's budget had due before the change (a shorter
    // `within` brings them earlier) are taken now, not sent dated in the
    // past, when another priority asked for none.
    const int64_t step_ms = policy_->StepMs(BudgetMs(t, i));
    const int64_t ref_ms = r.paused ? int64_t{r.mark_ms} : cmd.at_ms;
    while (step_ms > 0 && DesiredLevel(t, r) < policy_->top_level() &&
           AddOrNever(cal, r.deadline_ms, (r.steps + 1) * step_ms) < ref_ms) {
      ++r.steps;
    }
    RaiseLevel(t, DesiredLevel(t, r), cmd.at_ms, policy_->kind(t.kind).targets[i].name,
               r.deadline_ms, out);
  }
  return absl::OkStatus();
}

absl::Status Engine::Assign(uint32_t slot, const Command& cmd) {
  Ticket& t = tickets_[slot];
  const StatGroups was = Groups(t, -1);
  if (cmd.team) {
    const uint32_t team = Intern(*cmd.team);
    // Its overdue entries move to the new team's part of overdue_by_team_.
    for (size_t i = 0; i < t.targets.size(); ++i) {
      const TargetRun& r = t.targets[i];
      if (IndexOf(r) != &overdue_ || team == t.team) continue;
      const TargetKey key(r.deadline_ms, slot, static_cast<uint32_t>(i));
      DropTeamEntry(t.team, key);
      overdue_by_team_[team].insert(key);
    }
    UnlinkDesk(slot);
    t.team = team;
    LinkDesk(slot);
  }
  if (cmd.assignee) t.assignee = Intern(*cmd.assignee);
  stats_.Moved(was, Groups(t, -1), t.opened_ms, t.resolution_counted);
  return absl::OkStatus();
}

absl::Status Engine::Escalate(uint32_t slot, const Command& cmd, Effects* out) {
  const int level = policy_->LevelId(cmd.level);
  if (level < 0) {
    return absl::InvalidArgumentError(absl::StrCat("unknown level \"", cmd.level, "\""));
  }
  Ticket& t = tickets_[slot];
  if (level <= t.level) {
    return absl::FailedPreconditionError(absl::StrCat(
        "ticket is already at level \"", policy_->level_name(t.level), "\"",
        level == t.level ? "" : absl::StrCat(", above \"", cmd.level, "\": escalate only raises")));
  }
  RaiseLevel(t, level, cmd.at_ms, "", 0, out);
  return absl::OkStatus();
}

absl::Status Engine::Resolve(uint32_t slot, int64_t at_ms, Effects* out) {
  Ticket& t = tickets_[slot];
  for (size_t i = 0; i < t.targets.size(); ++i) StopTarget(slot, i, at_ms, out);
  (void)wheel_.Release(wheel_.HandleAt(slot));
  UnlinkDesk(slot);
  ids_.erase(slot);
  t.paused = false;
  if (!t.resolution_counted) {
    stats_.Resolved(Groups(t, -1), t.opened_ms);
    t.resolution_counted = true;
  }
  out->changed.push_back(t.id.str());
  resolved_.Add(std::move(t), at_ms);
  ResetTicket(t);
  return absl::OkStatus();
}

absl::Status Engine::Reopen(const Command& cmd, Effects* out) {
  ResolvedTicket* done = resolved_.Find(cmd.id);
  if (done == nullptr) {
    if (ids_.contains(cmd.id)) {
      return absl::FailedPreconditionError(
          absl::StrCat("ticket \"", cmd.id, "\" is open"));
    }
    return absl::NotFoundError(absl::StrCat(
        "no ticket \"", cmd.id, "\" resolved within the reopen window"));
  }
  const TimerHandle h = AllocateSlot();
  if (!h.valid()) return absl::ResourceExhaustedError("ticket table is full");
  tickets_.EnsureSize(h.index + 1);
  Ticket& t = tickets_[h.index];
  t = resolved_.Take(done);
  ids_.insert(h.index);
  LinkDesk(h.index);
  StartTargetsOn(h.index, kReopenedEventId, cmd.at_ms);
  Rearm(h.index);
  out->changed.push_back(t.id.str());
  return absl::OkStatus();
}

absl::Status Engine::Rate(const Command& cmd, Effects* out) {
  if (cmd.score < 1 || cmd.score > 5) {
    return absl::InvalidArgumentError("score must be 1 to 5");
  }
  Ticket* t = FindAny(cmd.id);
  if (t == nullptr) {
    return absl::NotFoundError(absl::StrCat("no ticket \"", cmd.id, "\""));
  }
  if (t->rated) {
    return absl::AlreadyExistsError(absl::StrCat("ticket \"", cmd.id, "\" is rated"));
  }
  t->rated = true;
  stats_.Rated(Groups(*t, -1), cmd.at_ms, cmd.score);
  out->changed.push_back(t->id.str());
  return absl::OkStatus();
}

// Visits only the desks (kind, team) the filter allows: time in proportion
// to their tickets, the ones touched when the filter names kind and team
// only. Pause and resume keep desk membership, so the lists are walked as
// they are changed.
absl::Status Engine::ForAll(const Command& cmd, Effects* out) {
  const bool pause = cmd.op == Op::kPauseAll;
  out->count = 0;
  RETURN_IF_ERROR(CheckFilter(cmd.filter));
  const int kind = cmd.filter.kind.empty() ? -1 : policy_->KindId(cmd.filter.kind);
  std::optional<uint32_t> team;
  if (cmd.filter.team) {
    auto it = name_ids_.find(*cmd.filter.team);
    if (it == name_ids_.end()) return absl::OkStatus();
    team = it->second;
  }
  for (auto& [desk, head] : desks_) {
    if ((kind >= 0 && desk.first != kind) || (team && desk.second != *team)) continue;
    for (uint32_t slot = head; slot != kNoSlot; slot = tickets_[slot].desk_next) {
      Ticket& t = tickets_[slot];
      if (t.paused == pause || !Matches(t, cmd.filter)) continue;
      // Only a ticket at its log's limit refuses (Pause); it stays as it is.
      absl::Status s = pause ? Pause(slot, cmd.at_ms) : Resume(slot, cmd.at_ms);
      if (!s.ok()) continue;
      Rearm(slot);
      out->changed.push_back(t.id.str());
      ++out->count;
    }
  }
  return absl::OkStatus();
}

void Engine::LinkDesk(uint32_t slot) {
  Ticket& t = tickets_[slot];
  uint32_t& head = desks_.try_emplace({t.kind, t.team}, kNoSlot).first->second;
  t.desk_prev = kNoSlot;
  t.desk_next = head;
  if (head != kNoSlot) tickets_[head].desk_prev = slot;
  head = slot;
}

void Engine::UnlinkDesk(uint32_t slot) {
  Ticket& t = tickets_[slot];
  if (t.desk_next != kNoSlot) tickets_[t.desk_next].desk_prev = t.desk_prev;
  if (t.desk_prev != kNoSlot) {
    tickets_[t.desk_prev].desk_next = t.desk_next;
    return;
  }
  auto it = desks_.find({t.kind, t.team});
  if (t.desk_next == kNoSlot) {
    desks_.erase(it);
  } else {
    it->second = t.desk_next;
  }
}

// Teams and assignees are free names (one nobody has matches nothing);
// kinds, priorities, levels and targets are the policy's, and a name it
// does not have is a mistake to report, not a filter that silently
// matches nothing (a typo in pause_all would otherwise answer count 0).
absl::Status Engine::CheckFilter(const Filter& f) const {
  if (!f.kind.empty() && policy_->KindId(f.kind) < 0) {
    return absl::InvalidArgumentError(absl::StrCat("unknown kind \"", f.kind, "\""));
  }
  if (!f.priority.empty() && policy_->PriorityId(f.priority) < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown priority \"", f.priority, "\""));
  }
  if (!f.level.empty() && policy_->LevelId(f.level) < 0) {
    return absl::InvalidArgumentError(absl::StrCat("unknown level \"", f.level, "\""));
  }
  // A target some kind has is a fair filter even beside a kind without it
  // (an empty page), as two names that exist match no ticket together.
  if (!f.target.empty()) {
    bool known = false;
    for (int k = 0; k < policy_->kind_count() && !known; ++k) {
      known = policy_->TargetId(k, f.target) >= 0;
    }
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat("no kind has a target \"", f.target, "\""));
    }
  }
  return absl::OkStatus();
}

bool Engine::Matches(const Ticket& t, const Filter& f) const {
  return (f.kind.empty() || policy_->kind(t.kind).name == f.kind) &&
         (!f.team || Name(t.team) == *f.team) &&
         (!f.assignee || Name(t.assignee) == *f.assignee) &&
         (f.priority.empty() || policy_->priority_name(t.priority) == f.priority) &&
         (f.level.empty() || policy_->level_name(t.level) == f.level);
}

void Engine::PurgeResolved(int64_t now_ms, Effects* out) {
  resolved_.Purge(now_ms, policy_->reopen_window_ms(), [&](const Ticket& t) {
    out->changed.emplace_back(t.id.view());
    out->purged.push_back({t.id.str(), t.history_head()});
  });
}

void Engine::Emit(Effects* out, EventType type, const Ticket& t, int64_t at_ms,
                  absl::string_view target, int64_t deadline_ms) {
  out->events.push_back(
      Event{type, at_ms, t.id.str(), target, deadline_ms, {}, {}, Name(t.team)});
}

uint32_t Engine::Intern(absl::string_view name) {
  auto [it, inserted] =
      name_ids_.try_emplace(name, static_cast<uint32_t>(names_.size()));
  if (inserted) names_.emplace_back(name);
  return it->second;
}

}  // namespace slad::engine
