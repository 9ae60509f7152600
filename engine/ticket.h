#ifndef SLAD_ENGINE_TICKET_H_
#define SLAD_ENGINE_TICKET_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/container/inlined_vector.h"

namespace slad::engine {

// Where a target's clock is. "paused" and "breached" are flags beside the
// state of a running clock: a breached target can be paused, and both must
// survive the pause.
enum class TargetState : uint8_t { kPending, kRunning, kMet, kMetLate };

// One target of one ticket. The deadline already includes every pause that
// ended: on resume it moves by exactly the paused business time.
struct TargetRun {
  int64_t start_ms = 0;     // when the clock (last) started
  int64_t deadline_ms = 0;  // running/stopped: the deadline in force
  int64_t mark_ms = 0;      // paused: since when; stopped: when
  TargetState state = TargetState::kPending;
  bool paused = false;
  bool breached = false;
  uint8_t warned = 0;  // warnings emitted (see CompiledPolicy::WarningPoints)
  uint8_t steps = 0;   // escalation steps taken since the breach
};

// One ticket: open in the table, or resolved and kept for the reopen
// window. Names (team, assignee) are interned ids, 0 meaning none.
struct Ticket {
  std::string id;
  int64_t opened_ms = 0;
  int64_t resolved_ms = 0;  // 0 while open
  uint32_t team = 0;
  uint32_t assignee = 0;
  uint32_t timer_generation = 0;
  uint16_t kind = 0;
  uint8_t priority = 0;
  uint8_t level = 0;
  bool paused = false;
  bool rated = false;
  absl::InlinedVector<TargetRun, 2> targets;
};

// --- What queries return. Views point into the engine and are valid until
// the next call that changes it.

struct TargetView {
  absl::string_view name;
  absl::string_view state;  // pending, running, paused, breached, met, met_late
  int64_t start_ms = 0;
  int64_t deadline_ms = 0;
  int64_t stopped_ms = 0;
  int64_t elapsed_ms = 0;    // business time used
  int64_t remaining_ms = 0;  // business time left; negative when overdue
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

}  // namespace slad::engine

#endif  // SLAD_ENGINE_TICKET_H_
