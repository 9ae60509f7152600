#ifndef SLAD_ENGINE_TICKET_H_
#define SLAD_ENGINE_TICKET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/ticket_id.h"
#include "engine/ticket_record.h"

namespace slad::engine {

// Where a target's clock is. "paused" and "breached" are flags beside the
// state of a running clock: a breached target can be paused, and both must
// survive the pause. Both stay when the clock stops: "paused" then says it
// stopped in a pause (which moves no deadline: nothing resumes it).
enum class TargetState : uint8_t { kPending, kRunning, kMet, kMetLate };

// One target of one ticket. The deadline already includes every pause that
// ended: on resume it moves by exactly the paused business time.
//
// Packed to 28 bytes (4-byte alignment, the flags in one byte): two of
// them and a count fit in 64 bytes (TargetRuns), where the natural layout
// took 32 each. Ten million tickets carry these.
#pragma pack(push, 4)
struct TargetRun {
  int64_t start_ms = 0;     // when the clock (last) started
  int64_t deadline_ms = 0;  // running/stopped: the deadline in force
  int64_t mark_ms = 0;      // paused: since when; stopped: when
  TargetState state = TargetState::kPending;
  bool paused : 1 = false;
  bool breached : 1 = false;
  // Running: the deadline gives another budget than the policy's for the
  // ticket's priority (it was placed under another policy, or kept through
  // a priority change once breached), so warnings fall at that budget's
  // points and the time used is counted from the log. Set by
  // Engine::Restore and priority changes, never stored.
  bool other_budget : 1 = false;
  uint8_t warned = 0;  // warnings emitted (see CompiledPolicy::WarningPoints)
  uint8_t steps = 0;   // escalation steps taken since the breach
};
#pragma pack(pop)
static_assert(sizeof(TargetRun) == 28);

// A ticket's targets: up to two in place (every kind of the default policy
// has one or two), more in a heap array of exactly their number. The count
// is fixed by the ticket's kind, so the array never grows in place: resize
// and assign build it anew. 64 bytes; absl::InlinedVector<TargetRun, 2>
// took 72.
//
// Thread-safety: as a plain value. Move-only.
// Packed to 4 so that the Ticket can keep a field in what would be its
// tail padding (see Ticket::history_lo).
#pragma pack(push, 4)
class TargetRuns {
 public:
  TargetRuns() : inline_{} {}
  TargetRuns(TargetRuns&& other) noexcept : inline_{} { Take(other); }
  TargetRuns& operator=(TargetRuns&& other) noexcept {
    if (this != &other) {
      Free();
      Take(other);
    }
    return *this;
  }
  TargetRuns(const TargetRuns&) = delete;
  TargetRuns& operator=(const TargetRuns&) = delete;
  ~TargetRuns() { Free(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  TargetRun& operator[](size_t i) { return data()[i]; }
  const TargetRun& operator[](size_t i) const { return data()[i]; }
  TargetRun* begin() { return data(); }
  TargetRun* end() { return data() + size_; }
  const TargetRun* begin() const { return data(); }
  const TargetRun* end() const { return data() + size_; }

  // n copies of `value`; what was there before is gone. `value` may be
  // one of this container's own targets: it is copied before they go.
  void assign(size_t n, const TargetRun& value) {
    const TargetRun copy = value;
    Free();
    if (n > kInline) heap_ = new TargetRun[n];
    size_ = static_cast<uint32_t>(n);
    for (TargetRun& r : *this) r = copy;
  }
  // Keeps the first min(n, size()) targets; new ones are pending.
  void resize(size_t n) {
    TargetRuns grown;
    grown.assign(n, TargetRun{});
    for (size_t i = 0; i < n && i < size_; ++i) grown[i] = (*this)[i];
    *this = std::move(grown);
  }

 private:
  static constexpr size_t kInline = 2;

  bool on_heap() const { return size_ > kInline; }
  TargetRun* data() { return on_heap() ? heap_ : inline_; }
  const TargetRun* data() const { return on_heap() ? heap_ : inline_; }
  void Take(TargetRuns& other) {
    size_ = other.size_;
    if (other.on_heap()) {
      heap_ = other.heap_;
    } else {
      for (size_t i = 0; i < size_; ++i) inline_[i] = other.inline_[i];
    }
    other.size_ = 0;
  }
  void Free() {
    if (on_heap()) delete[] heap_;
    size_ = 0;
  }

  union {
    TargetRun inline_[kInline];
    TargetRun* heap_;
  };
  uint32_t size_ = 0;
};
#pragma pack(pop)
static_assert(sizeof(TargetRuns) == 60);

// A change to a ticket's clocks that `explain` must be able to show.
struct Adjustment {
  enum What : uint8_t { kPause, kPriority };
  int64_t at_ms = 0;
  int64_t until_ms = 0;  // kPause: when it ended; 0 while paused
  What what = kPause;
  uint8_t from = 0;  // kPriority: priority ids
  uint8_t to = 0;
};

// One ticket: open in the table, or resolved (inside a ResolvedTicket).
// Names (team, assignee) are interned ids, 0 meaning none. Its slot in the
// table is its wheel timer's index.
struct Ticket {
  TicketId id;
  int64_t opened_ms = 0;
  uint32_t team = 0;
  uint32_t assignee = 0;
  // Neighbours in the list of open tickets of the same kind and team
  // (Engine::desks_), so pause_all/resume_all visit only those.
  uint32_t desk_prev = 0;
  uint32_t desk_next = 0;
  uint16_t kind = 0;
  uint8_t priority = 0;
  uint8_t level = 0;
  bool paused : 1 = false;
  bool rated : 1 = false;
  // Its resolution is in the stats (the first resolve counts it; one after
  // a reopen does not, or `resolved` would pass `opened`).
  bool resolution_counted : 1 = false;
  // The sequence number of the ticket's newest history record (0: none),
  // which links to the one before it (docs/STORAGE.md, "History"): 48
  // bits, split over two places the layout had as padding, so that the
  // ticket stays 128 bytes.
  uint16_t history_hi = 0;
  // Pauses and priority changes, oldest first; most tickets have none, so
  // the log costs one pointer until the first.
  std::unique_ptr<std::vector<Adjustment>> log;
  TargetRuns targets;
  uint32_t history_lo = 0;

  uint64_t history_head() const {
    return uint64_t{history_hi} << 32 | history_lo;
  }
  // REQUIRES: seq <= kMaxHistorySeq (the store never assigns more).
  void set_history_head(uint64_t seq) {
    history_hi = static_cast<uint16_t>(seq >> 32);
    history_lo = static_cast<uint32_t>(seq);
  }
};
// Two cache lines; a 2 MiB chunk of the ticket table (ChunkedVector) holds
// exactly 16,384.
static_assert(sizeof(Ticket) == 128);

// A resolved ticket, kept for reopening and rating within the window.
// When it was resolved lives here, not in Ticket: open tickets, the many,
// do not pay for it.
struct ResolvedTicket {
  Ticket ticket;
  int64_t resolved_ms = 0;
};

// --- What queries return. Views point into the engine and are valid until
// the next call that changes it.

struct TargetView {
  absl::string_view name;
  absl::string_view state;  // pending, running, paused, breached, met, met_late
  int64_t start_ms = 0;
  int64_t deadline_ms = 0;
  int64_t stopped_ms = 0;
  // Business time the clock ran (pauses it was resumed from taken out) and
  // has left before its deadline (negative when overdue). Their sum is
  // what the deadline gives, which after a policy reload need not be the
  // policy's budget.
  int64_t elapsed_ms = 0;
  int64_t remaining_ms = 0;
  bool breached = false;
  bool paused = false;
};

struct TicketView {
  absl::string_view id, kind, priority, team, assignee, level;
  int64_t opened_ms = 0;
  int64_t resolved_ms = 0;
  bool paused = false;
  std::vector<TargetView> targets;
};

struct OverdueItem {
  absl::string_view id, kind, target, team, assignee, level;
  int64_t deadline_ms = 0;
  int64_t overdue_ms = 0;  // wall-clock time since the deadline
};

struct OverduePage {
  std::vector<OverdueItem> items;
  std::string next_cursor;  // empty: no more
};

// A running, not yet breached target due within a window.
struct DueItem {
  absl::string_view id, kind, target, team, assignee, level;
  int64_t deadline_ms = 0;
  int64_t due_in_ms = 0;  // wall-clock time until the deadline
};

struct DueSoonPage {
  std::vector<DueItem> items;
  std::string next_cursor;  // empty: no more
};

// Why a target's deadline is what it is (the `explain` query).
struct Explanation {
  absl::string_view id, target, calendar, state, priority;
  int64_t start_ms = 0;
  int64_t deadline_ms = 0;
  // The business time the deadline gives: elapsed + remaining of the
  // target's view (the policy's budget unless a reload or a priority
  // change that kept a breached deadline came since it was placed).
  int64_t budget_ms = 0;
  // The working time the clock ran (pauses it was resumed from taken
  // out), then what it has left up to the deadline; past the deadline, the
  // first budget_ms of what it ran. These add up to budget_ms.
  std::vector<std::pair<int64_t, int64_t>> counted;  // [begin, end) ms
  // Local dates in that span without working time, or worked as make-up.
  struct Day {
    std::string date;      // YYYY-MM-DD, local to the calendar
    absl::string_view why;  // holiday, weekend, make_up_day
  };
  std::vector<Day> days;
  struct Pause {
    int64_t from_ms = 0;
    int64_t to_ms = 0;        // 0: still paused
    int64_t business_ms = 0;  // working time the pause took out
  };
  std::vector<Pause> pauses;
  struct PriorityChange {
    int64_t at_ms = 0;
    absl::string_view from, to;
  };
  std::vector<PriorityChange> priority_changes;
  // `counted` or `days` stopped at kMaxItems entries: a deadline years of
  // working time away (one past 2200, which means never, runs to 2200)
  // would list every working interval up to it.
  static constexpr size_t kMaxItems = 1000;
  bool truncated = false;
};

// One group of the `stats` query: targets by when they stopped (met,
// met late) or breached, tickets by when they were opened, ratings by when
// they were given, all within [from, to).
struct StatsRow {
  std::string group;          // the kind, team, assignee, target or priority
  uint64_t started = 0;       // target clocks started
  uint64_t met = 0;           // stopped on time
  uint64_t met_late = 0;      // stopped after the deadline
  uint64_t breached = 0;      // deadlines passed unmet
  double attainment = 0;      // met / (met + met_late); 0 when none stopped
  int64_t mean_stop_ms = 0;   // business time from start to stop
  int64_t p90_stop_ms = 0;    // 90th percentile of the same (±3 %)
  uint64_t opened = 0;        // tickets opened
  uint64_t resolved = 0;      // ... of which resolved by now
  double resolution_rate = 0; // resolved / opened
  uint64_t rated = 0;
  double mean_score = 0;      // 1..5
  double satisfied = 0;       // share of ratings 4 or 5
};

struct StatsTable {
  std::vector<StatsRow> rows;  // ordered by group
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_TICKET_H_
