#ifndef SLAD_ENGINE_ENGINE_H_
#define SLAD_ENGINE_ENGINE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/chunked_vector.h"
#include "engine/command.h"
#include "engine/compiled_policy.h"
#include "engine/resolved_tickets.h"
#include "engine/sharded_map.h"
#include "engine/stats.h"
#include "engine/ticket.h"
#include "engine/ticket_record.h"
#include "engine/timer_wheel.h"

namespace slad::engine {

// What one Engine call changed: the events subscribers must receive, in the
// order they happened, and the tickets whose stored state changed (storage
// re-encodes those). Reuse one across calls; Clear() keeps capacity.
struct Effects {
  std::vector<Event> events;
  // Ticket ids, possibly repeated: changed by the command or by timers, or
  // gone (a resolved ticket whose reopen window ended: Export is false).
  std::vector<std::string> changed;
  // changed[command_begin, command_end) are the tickets the command itself
  // touched (the rest: timers that fired before or after it).
  size_t command_begin = 0, command_end = 0;
  // events[0, events_begin) fell due before the last command's instant
  // (what a client is told before the command's reply); the rest are the
  // command's own (and what it made due before its instant).
  size_t events_begin = 0;
  uint64_t count = 0;  // pause_all/resume_all: tickets touched
  // Tickets purged after their reopen window (also in `changed`), with
  // their newest history record: storage keeps it, since the engine no
  // longer does and the history outlives the ticket.
  struct Purged {
    std::string id;
    uint64_t history_head = 0;
  };
  std::vector<Purged> purged;

  void Clear() {
    events.clear();
    changed.clear();
    purged.clear();
    command_begin = command_end = events_begin = 0;
    count = 0;
  }
};

// The SLA engine: tickets, their targets' clocks, warnings, breaches and
// escalation (agent → supervisor → management), and the queries operators
// ask. Pure: no I/O, no clock of its own; every call carries its instant.
//
// One wheel timer per open ticket, armed at the earliest of its pending
// warnings, deadlines and escalation steps; when it fires, the ticket does
// everything due and re-arms. Indexes (overdue) are kept current on every
// change, so queries cost what they return.
//
// Thread-safety: none; owned by the event-loop thread.
class Engine {
 public:
  static constexpr size_t kMaxIdBytes = 256;
  // The pauses and priority changes one ticket keeps. Each is stored with
  // the ticket's record and walked by its queries: a client looping pause
  // and resume on one ticket must not grow it without bound. Past it, both
  // commands fail with FailedPrecondition; pause_all leaves it as it is.
  static constexpr size_t kMaxAdjustments = 1024;

  // InvalidArgument if the policy does not compile. `now_ms` is the
  // engine's starting clock.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(Policy policy,
                                                        int64_t now_ms);
  // An empty engine on `policy` where `predecessor` stands: at its clock,
  // with what is due at that instant still to fire, as in `predecessor`
  // (Apply). The engine a reload restores `predecessor`'s tickets into.
  static absl::StatusOr<std::unique_ptr<Engine>> CreateAfter(
      Policy policy, const Engine& predecessor);

  // Applies a command at `cmd.at_ms`: what falls due before that instant
  // fires first (into `out`), then the command, then what it made due
  // before its instant. What is due at the instant itself fires once time
  // moves past it, after every command at that instant: a target stopped
  // exactly at its deadline is met on time, whatever else shares it.
  // Errors (the command changes nothing unless OK; timers due before
  // at_ms fire all the same, since time has moved):
  //   InvalidArgument: at_ms before now_ms(), unknown kind/priority/event/
  //     level, bad score; a query op.
  //   NotFound: unknown ticket id. AlreadyExists: open of an open id, a
  //     second rating. FailedPrecondition: the command does not apply in
  //     the ticket's state (pause of a paused ticket, reopen after the
  //     window, escalate to a level not above the current one, ...).
  absl::Status Apply(const Command& cmd, Effects* out);

  // Applies cmds[0], cmds[1], ... in order, exactly as Apply() on each in
  // turn would: the same statuses, effects and state. After command i,
  // done(i, status) runs with *out as Apply(cmds[i], out) would have left
  // it (command_begin/end and events_begin are command i's); it may read
  // and Clear() *out, and call the engine's queries.
  // Faster than that loop when the tickets are out of cache: while one
  // command applies, the id-table slots, ticket records and timer nodes of
  // the next few are prefetched, so their memory misses overlap instead of
  // following one another. A batch is what the daemon reads in one turn.
  void ApplyBatch(absl::Span<const Command> cmds, Effects* out,
                  absl::FunctionRef<void(size_t, const absl::Status&)> done);

  // A hint that a command on ticket `id` comes soon, for a caller that
  // sees its commands coming one at a time (the daemon reading pipelined
  // lines): their memory misses then overlap with the work before them,
  // as ApplyBatch's do within a batch. kProbe fetches the id table's probe
  // position; kRecord, given for the same id a few commands later, reads
  // that position and fetches the ticket record and timer node it names.
  // Only reads: a wrong or stale hint costs a useless prefetch.
  enum class Hint { kProbe, kRecord };
  void Prefetch(absl::string_view id, Hint hint) const;

  // Fires everything due at or before `now_ms`, in deadline order.
  void Advance(int64_t now_ms, Effects* out);

  // The earliest instant at which something falls due, if any.
  std::optional<int64_t> NextDue() const { return wheel_.NextExpiry(); }
  // The engine's clock: the latest instant advanced to or commanded at.
  int64_t now_ms() const { return std::max(wheel_.now_ms(), clock_ms_); }
  // Fires what is due before `at_ms` into `out` and moves the clock to
  // `at_ms`, leaving what is due at it to wait, as Apply does: for a query
  // at an instant commands may still come at, and for an engine restored
  // at another's clock. Nothing if `at_ms` is not after now_ms() - 1.
  void AdvanceBefore(int64_t at_ms, Effects* out);

  // Sizes the tables for `tickets` open tickets, so that opening them does
  // not rehash or regrow on the event loop.
  void Reserve(size_t tickets);
  size_t open_tickets() const { return ids_.size(); }
  // Resolved tickets kept for reopen and rating until their window ends.
  size_t resolved_tickets() const { return resolved_.size(); }

  // The ticket, open or resolved within the reopen window, as of
  // now_ms(). NotFound otherwise.
  absl::StatusOr<TicketView> Get(absl::string_view id);

  // Breached, still unmet targets of open tickets, most overdue first,
  // after `cmd.cursor`, at most `cmd.limit`, matching `cmd.filter`.
  // InvalidArgument for a malformed cursor.
  absl::Status Overdue(const Command& cmd, OverduePage* out);

  // Running, unbreached targets of open tickets due within
  // [now_ms(), now_ms() + cmd.within_ms], soonest first, after `cmd.cursor`,
  // at most `cmd.limit`, matching `cmd.filter`. InvalidArgument for a
  // malformed cursor or a negative window.
  absl::Status DueSoon(const Command& cmd, DueSoonPage* out);

  // overdue and due_soon cursors carry this; one made under another is
  // refused. Slots (a cursor's position among equal deadlines) are
  // numbered anew by each engine a restart or a policy reload makes, so
  // the daemon gives each a random one. 0 by default (simulate, tests).
  void set_cursor_epoch(uint32_t epoch) { cursor_epoch_ = epoch; }

  // How many index entries the last Overdue or DueSoon passed, matched or
  // not: what it cost, for tests that hold a query to what it returns.
  size_t last_query_passed() const { return last_query_passed_; }
  // At most this many entries are passed per page: a filter that matches
  // few entries (an assignee, a level, a team in due_soon) answers with
  // what it matched so far and a cursor to go on from, so that no query
  // holds the loop for longer than this many steps.
  static constexpr size_t kMaxPassedPerPage = 4096;

  // Why target `target` of ticket `id` has its deadline. NotFound for an
  // unknown ticket or target; FailedPrecondition for a pending target.
  absl::StatusOr<Explanation> Explain(absl::string_view id,
                                      absl::string_view target);

  // Per group, the figures supervisors are judged by, over
  // [cmd.from_ms, cmd.to_ms). InvalidArgument if from > to.
  absl::StatusOr<StatsTable> Stats(const Command& cmd);

  const CompiledPolicy& policy() const { return *policy_; }

  // --- Durable state (engine_record.cc), for storage and policy reload.

  // The ticket's record, open or resolved within the reopen window; false
  // if neither (never opened, or purged: storage deletes it).
  bool Export(absl::string_view id, TicketRecord* out) const;
  // Every ticket's record, open ones first.
  void ExportAll(const std::function<void(TicketRecord&&)>& fn) const;
  // Recreates a ticket exactly as exported, under this engine's policy
  // (matched by names; a target the record lacks starts pending). Nothing
  // fires and no stats change here: what fell due while the ticket was
  // stored fires on the next Advance/Apply, in deadline order, once.
  // A resolved record goes back to the reopen window (purged on the next
  // call if its window has ended). Errors: InvalidArgument if the record
  // names a kind, priority, level or target this policy lacks, or is
  // malformed; AlreadyExists if the id is present.
  absl::Status Restore(TicketRecord&& record);
  // When the records about to be restored were written: the store's last
  // clock for a recovery; 0 (the default) means now_ms(), as for a reload.
  // A clock whose deadline was placed under another policy counts the
  // warnings due by then as sent, and sends those due after it on the next
  // Advance, dated at their thresholds, as every other clock does for what
  // fell due while the daemon was down.
  void set_records_clock(int64_t ms) { records_clock_ms_ = ms; }
  // The tickets whose count of warnings sent a reload's Restore recounted
  // against this policy's lists (warn_at, warn_before changed): their
  // records must be stored again, or a restart would read the old count
  // against the new lists. Empties the list.
  std::vector<std::string> TakeRecounted() { return std::move(recounted_); }
  // Drops the CreateAfter predecessor's policy, which Restore's recount
  // reads: call it before the predecessor goes (the first call that
  // settles the restores drops it too).
  void ForgetPredecessor() { predecessor_policy_ = nullptr; }
  // Restore on each record in turn, stopping at the first error, which it
  // returns. While one record is restored the id table's probe position of
  // a later one is prefetched: at millions of tickets each insert is
  // otherwise a cache miss the next one waits behind.
  absl::Status RestoreBatch(absl::Span<TicketRecord> records);
  // Each stats cell changed since the last DrainStats, once, as what was
  // added to it since then: storage adds these up (AddStatsCell). A commit
  // of a few commands thus writes a few numbers per cell, not its whole
  // histogram. ExportAllStats gives every cell whole.
  void DrainStats(const std::function<void(StatsCellRecord&&)>& fn);
  void ExportAllStats(const std::function<void(StatsCellRecord&&)>& fn) const;
  // Sets one cell (replacing it). A cell whose kind or priority this
  // policy lacks is kept aside (OK): no query can name it, but
  // ExportAllStats hands it on, so a later policy that has the kind again
  // shows it (as the store, which keeps it, would after a restart).
  absl::Status RestoreStats(StatsCellRecord&& cell);
  // The ticket's team ("" for none), open or resolved within the window;
  // nullopt if unknown. Valid until the next call that changes the engine.
  std::optional<absl::string_view> TeamOf(absl::string_view id) const;
  // When the ticket (open or resolved within the window) was opened;
  // nullopt if unknown.
  std::optional<int64_t> OpenedAt(absl::string_view id) const;
  // The sequence number of the ticket's newest history record, open or
  // resolved within the window (0 if it has none yet); nullopt if unknown.
  // Storage links each new record to it (docs/STORAGE.md, "History").
  std::optional<uint64_t> HistoryHead(absl::string_view id) const;
  // Makes `seq` the ticket's newest history record; ignored for an unknown
  // ticket. REQUIRES: seq <= kMaxHistorySeq.
  void SetHistoryHead(absl::string_view id, uint64_t seq);

 private:
  Engine(std::unique_ptr<CompiledPolicy> policy, int64_t now_ms);

  // Ids of open tickets, stored as slots; looked up by id text.
  // A lookup key that matches the first slot whose hash tag matches, without
  // reading the ticket: a guess at a command's slot, good enough to
  // prefetch its record (a wrong guess costs a useless prefetch).
  struct SlotGuess {
    absl::string_view id;
  };
  struct SlotHash {
    using is_transparent = void;
    const ChunkedVector<Ticket>* tickets;
    size_t operator()(absl::string_view id) const {
      return absl::Hash<absl::string_view>()(id);
    }
    size_t operator()(uint32_t slot) const { return (*this)((*tickets)[slot].id.view()); }
    size_t operator()(const SlotGuess& g) const { return (*this)(g.id); }
  };
  struct SlotEq {
    using is_transparent = void;
    const ChunkedVector<Ticket>* tickets;
    bool operator()(uint32_t, const SlotGuess&) const { return true; }
    bool operator()(const SlotGuess&, uint32_t) const { return true; }
    absl::string_view Id(uint32_t slot) const { return (*tickets)[slot].id.view(); }
    absl::string_view Id(absl::string_view id) const { return id; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const { return Id(a) == Id(b); }
  };
  // A target in an index: (deadline, slot, target) orders soonest (or
  // most overdue) first and is unique. Packed to 12 bytes, since the due
  // index holds one per running target: slot and target share a word
  // (target in the low kTargetBits), which keeps their order.
  static constexpr int kTargetBits = 3;  // kMaxTargets == 8
  static constexpr uint32_t kMaxSlots = uint32_t{1} << (32 - kTargetBits);
#pragma pack(push, 4)
  struct TargetKey {
    int64_t deadline_ms;
    uint32_t slot_target;

    TargetKey() = default;
    TargetKey(int64_t deadline, uint32_t slot, uint32_t target)
        : deadline_ms(deadline), slot_target(slot << kTargetBits | target) {}
    uint32_t slot() const { return slot_target >> kTargetBits; }
    uint32_t target() const { return slot_target & ((1u << kTargetBits) - 1); }
    friend bool operator<(const TargetKey& a, const TargetKey& b) {
      const int64_t ad = a.deadline_ms, bd = b.deadline_ms;
      return ad != bd ? ad < bd : a.slot_target < b.slot_target;
    }
  };
#pragma pack(pop)
  static_assert(sizeof(TargetKey) == 12);
  static_assert(kMaxTargets <= (1 << kTargetBits));

  struct Due;  // what falls due next for one target (engine.cc)

  // Commands, each REQUIRES the ticket to exist where it takes a slot.
  absl::Status Dispatch(const Command& cmd, Effects* out);
  // ApplyBatch's prefetch stages (engine.cc); each only reads. The first
  // returns the guessed slot of `id` (hash `hash`), kNoSlot if none.
  uint32_t PrefetchTicket(absl::string_view id, size_t hash) const;
  void PrefetchLinks(uint32_t slot) const;
  void PrefetchLog(uint32_t slot) const;
  TimerHandle AllocateSlot();
  static void ResetTicket(Ticket& t);
  absl::StatusOr<int> PriorityOf(const Command& cmd) const;
  absl::Status Open(const Command& cmd, Effects* out);
  absl::Status OnEvent(uint32_t slot, const Command& cmd, Effects* out);
  absl::Status Pause(uint32_t slot, int64_t at_ms);
  absl::Status Resume(uint32_t slot, int64_t at_ms);
  absl::Status SetPriority(uint32_t slot, const Command& cmd, Effects* out);
  absl::Status Assign(uint32_t slot, const Command& cmd);
  absl::Status Escalate(uint32_t slot, const Command& cmd, Effects* out);
  absl::Status Resolve(uint32_t slot, int64_t at_ms, Effects* out);
  absl::Status Reopen(const Command& cmd, Effects* out);
  absl::Status Rate(const Command& cmd, Effects* out);
  absl::Status ForAll(const Command& cmd, Effects* out);
  // Desk lists: open tickets by (kind, team), for pause_all/resume_all.
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  void LinkDesk(uint32_t slot);
  void UnlinkDesk(uint32_t slot);
  // InvalidArgument for a kind, priority, level or target the policy lacks.
  absl::Status CheckFilter(const Filter& f) const;
  bool Matches(const Ticket& t, const Filter& f) const;

  // Target clock arithmetic on the ticket's calendar.
  Calendar& CalendarOf(const Ticket& t) const;
  int64_t BudgetMs(const Ticket& t, size_t target) const;
  // internal::UsedMs of running target `target` by `ref_ms`, without the
  // walk of the ticket's log when the policy's budget placed its deadline:
  // that budget less the time left. Commands on a ticket paused a thousand
  // times cost what they cost on one paused once.
  int64_t ClockUsedMs(Ticket& t, size_t target, int64_t ref_ms);
  // Starts the pending targets of ticket `slot` that `event` starts.
  void StartTargetsOn(uint32_t slot, int event, int64_t at_ms);
  void StopTarget(uint32_t slot, size_t target, int64_t at_ms, Effects* out);
  std::optional<Due> NextDue(Ticket& t, size_t target);
  // For running target `r` of `t` with r.other_budget (engine_record.cc):
  // the warning points of the budget its deadline gives, in warn_scratch_,
  // valid until the next call. Walks the ticket's log.
  const std::vector<int64_t>& PlacedWarnPoints(Ticket& t, const TargetRun& r);
  // Restore's check of a target's deadline against the policy's budget:
  // sets other_budget and settles `warned` if they differ.
  void SettlePlacedBudget(Ticket& t, size_t target);
  // The level a breached target asks for: one above the first level (the
  // top for a major priority), plus one per escalation step taken.
  int DesiredLevel(const Ticket& t, const TargetRun& r) const;

  // Timers and indexes.
  void OnTimer(uint32_t slot, int64_t due_ms, Effects* out);
  void FireDue(uint32_t slot, size_t target, const Due& due, Effects* out);
  // Where running target `r`'s clock passed `due_ms`, a deadline or a point
  // counted from it that a resume moved after the fact (a catch-up): the
  // real instant, `pauses` (internal::PausesOf, every one resumed) skipped.
  // due_ms itself when no resume came after.
  using Pauses = std::vector<std::pair<int64_t, int64_t>>;
  int64_t PassedAt(Ticket& t, const TargetRun& r, const Pauses& pauses, int64_t due_ms,
                   bool to_pause_end);
  int64_t DeadlineAt(Ticket& t, const TargetRun& r, const Pauses& pauses, int64_t at_ms);
  // Re-arms the ticket's timer at its earliest due, or disarms it.
  void Rearm(uint32_t slot);
  void Arm(uint32_t slot, const std::optional<Due>& due);
  // The earliest due among the ticket's targets, and which target's.
  std::optional<Due> EarliestDue(Ticket& t, size_t* which);
  void RaiseLevel(Ticket& t, int level, int64_t at_ms, absl::string_view target,
                  int64_t deadline_ms, Effects* out);
  // A deferred overdue entry of Restore(): the ticket's team, then
  // overdue_'s key; sorted, each team's keys go to its part of
  // overdue_by_team_.
#pragma pack(push, 4)
  struct TeamKey {
    uint32_t team;
    TargetKey key;
    friend bool operator<(const TeamKey& a, const TeamKey& b) {
      return a.team != b.team ? a.team < b.team : a.key < b.key;
    }
  };
#pragma pack(pop)
  // Whether a target has an index entry: running, and breached or not paused.
  static bool Indexed(const TargetRun& r) {
    return r.state == TargetState::kRunning && (r.breached || !r.paused);
  }
  absl::btree_set<TargetKey>* IndexOf(const TargetRun& r) {
    if (!Indexed(r)) return nullptr;
    return r.breached ? &overdue_ : &due_;
  }
  // Adds (removes) `key` of a ticket of team `team` to (from) `index`, and
  // to (from) overdue_by_team_ when the index is overdue_.
  void AddEntry(absl::btree_set<TargetKey>* index, uint32_t team, const TargetKey& key);
  void DropEntry(absl::btree_set<TargetKey>* index, uint32_t team, const TargetKey& key);
  // Removes `key` from `team`'s part of overdue_by_team_ (the part too,
  // once empty).
  void DropTeamEntry(uint32_t team, const TargetKey& key);
  void IndexTarget(uint32_t slot, size_t target);
  // Where a target's index entry is: its index (null: none) and deadline.
  struct IndexPlace {
    absl::btree_set<TargetKey>* index;
    int64_t deadline_ms;
  };
  IndexPlace PlaceOf(const Ticket& t, size_t target) {
    const TargetRun& r = t.targets[target];
    return {IndexOf(r), r.deadline_ms};
  }
  // Moves target's entry from `was` to where its state now puts it.
  void Reindex(uint32_t slot, size_t target, const IndexPlace& was);
  void UnindexTarget(uint32_t slot, size_t target);
  // The groups a fact about target `target` (-1: the whole ticket) of `t`
  // counts in.
  StatGroups Groups(const Ticket& t, int target) const;
  std::vector<Adjustment>& Log(Ticket& t);
  // FailedPrecondition once the ticket holds kMaxAdjustments.
  absl::Status RoomInLog(const Ticket& t);
  void ExplainSpan(Ticket& t, const TargetRun& r, Explanation* out);
  Ticket* FindAny(absl::string_view id);  // open, or resolved in the window
  const Ticket* FindAny(absl::string_view id) const;
  void ToRecord(const Ticket& t, int64_t resolved_ms, TicketRecord* out) const;
  absl::Status FromRecord(TicketRecord& record, Ticket* t);
  std::string StatsGroupName(GroupBy by, uint32_t id) const;
  template <typename Visit>
  absl::Status Walk(bool overdue, const Command& cmd,
                    int64_t end_ms, std::string* next_cursor, Visit&& visit);
  void PurgeResolved(int64_t now_ms, Effects* out);
  // Inserts the index keys Restore() deferred. Every call that reads or
  // changes an index (Apply, Advance, Overdue, DueSoon) runs it first.
  void SettleRestored();
  void Emit(Effects* out, EventType type, const Ticket& t, int64_t at_ms,
            absl::string_view target, int64_t deadline_ms);

  uint32_t Intern(absl::string_view name);
  absl::string_view Name(uint32_t id) const { return names_[id]; }
  absl::StatusOr<uint32_t> Find(absl::string_view id) const;
  TicketView View(Ticket& t, int64_t resolved_ms);

  std::unique_ptr<CompiledPolicy> policy_;
  TimerWheel wheel_;
  ChunkedVector<Ticket> tickets_;  // by slot == the ticket's wheel timer index
  // Sharded like resolved_: growth and tombstone clean-up of a 1M-entry
  // set stalled the loop 10-155 ms at a time (sharded_map.h).
  ShardedSet<uint32_t, SlotHash, SlotEq> ids_;
  absl::btree_set<TargetKey> overdue_;  // breached, unmet targets
  absl::btree_set<TargetKey> due_;      // running toward a deadline
  // overdue_ again, by team: a team's overdue page (every query of a
  // team-limited token names its team) passes none of other teams'
  // entries. Overdue entries are few beside due ones, so the copy is
  // cheap where one of due_ would cost every running target 12 bytes.
  // A set per team, not one set of (team, key): each team's breaches
  // arrive in deadline order, appends that leave its nodes full, and a
  // key costs 12 bytes, not 16. A team with none has no entry.
  absl::flat_hash_map<uint32_t, absl::btree_set<TargetKey>> overdue_by_team_;
  // Restore()'s deferred index entries: due_'s, and overdue_'s with their
  // ticket's team (for overdue_by_team_).
  std::vector<TargetKey> restored_due_;
  std::vector<TeamKey> restored_overdue_;
  size_t last_query_passed_ = 0;
  uint32_t cursor_epoch_ = 0;
  // Head slot of each (kind, team) list of open tickets; Ticket::desk_prev
  // and desk_next link the rest. An ordered map: a filter on kind is a
  // range of it.
  absl::btree_map<std::pair<uint16_t, uint32_t>, uint32_t> desks_;
  StatsBook stats_;
  std::vector<StatsCellRecord> dormant_stats_;  // RestoreStats' kept aside
  // Interned name id of each kind's targets, for grouping stats by target.
  std::vector<std::vector<uint32_t>> target_name_ids_;

  // Resolved tickets kept for reopen and rating, until their window ends.
  ResolvedTickets resolved_;

  // Interned team and assignee names; id 0 is "" (none).
  // A deque: names never move as others are added, so the views events
  // hold (Event::team) stay valid for as long as the engine.
  std::deque<std::string> names_{""};
  absl::flat_hash_map<std::string, uint32_t> name_ids_{{"", 0}};

  std::vector<int64_t> warn_scratch_;  // PlacedWarnPoints' answer
  int64_t records_clock_ms_ = 0;       // set_records_clock
  // CreateAfter's predecessor's policy, which Restore's recount of
  // warnings sent reads (SettlePlacedBudget): the predecessor outlives the
  // restores of a reload. Dropped by the first call that settles them.
  const CompiledPolicy* predecessor_policy_ = nullptr;
  std::vector<std::string> recounted_;  // TakeRecounted
  // The latest command's instant. The wheel stays just before it until
  // time moves on: what falls due at a command's instant fires after every
  // command at that instant (Apply).
  int64_t clock_ms_ = 0;

};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_ENGINE_H_
