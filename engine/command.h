#ifndef SLAD_ENGINE_COMMAND_H_
#define SLAD_ENGINE_COMMAND_H_

// The engine's vocabulary: the commands that change tickets, the queries
// that read them, and the events the engine emits. api/protocol maps one
// JSON object per line to and from these; docs/API.md is their wire form.
//
// Strings are views: a Command borrows them from the caller's buffer (the
// request line) for the duration of one Engine call and never keeps them.

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

namespace slad::engine {

enum class Op : uint8_t {
  // Commands: change state, each at an instant `at_ms`.
  kOpen,       // id, kind, priority?, team?, assignee?
  kEvent,      // id, name: starts/stops targets per the policy
  kPause,      // id, reason
  kResume,     // id
  kPriority,   // id, priority
  kAssign,     // id, team?, assignee?
  kEscalate,   // id, level, note?
  kResolve,    // id
  kReopen,     // id
  kRate,       // id, score 1..5
  kPauseAll,   // filter, reason
  kResumeAll,  // filter
  // Queries: read state, never change it.
  kGet,        // id
  kOverdue,    // filter, limit, cursor?
  kDueSoon,    // within_ms, filter, limit, cursor?
  kExplain,    // id, target
  kStats,      // from_ms, to_ms, group_by
};

constexpr bool IsQuery(Op op) { return op >= Op::kGet; }

// Selects tickets; an empty field matches any value. `team` and `assignee`
// match any value when absent, and tickets without one when "".
struct Filter {
  absl::string_view kind;
  std::optional<absl::string_view> team;
  std::optional<absl::string_view> assignee;
  absl::string_view priority;
  absl::string_view level;   // overdue: the ticket's escalation level
  absl::string_view target;  // overdue/due_soon: the target's name
};

enum class GroupBy : uint8_t { kKind, kTeam, kAssignee, kTarget, kPriority };

// One request. Which fields are meaningful depends on `op` (see Op).
struct Command {
  Op op = Op::kGet;
  int64_t at_ms = 0;
  absl::string_view id;
  absl::string_view kind;
  std::optional<absl::string_view> priority;
  std::optional<absl::string_view> team;      // "": none (assign clears it)
  std::optional<absl::string_view> assignee;  // "": none
  absl::string_view name;    // event name
  absl::string_view reason;  // pause
  absl::string_view level;   // escalate
  absl::string_view note;    // escalate
  absl::string_view target;  // explain
  int score = 0;            // rate
  Filter filter;            // pause_all, resume_all, overdue, due_soon
  int64_t within_ms = 0;    // due_soon, wall-clock window from at_ms
  uint32_t limit = 100;     // overdue, due_soon
  absl::string_view cursor;  // overdue, due_soon: opaque, from a reply
  int64_t from_ms = 0;      // stats
  int64_t to_ms = 0;        // stats
  GroupBy group_by = GroupBy::kKind;
};

enum class EventType : uint8_t {
  kWarning,    // a target's warning threshold passed
  kBreached,   // a target's deadline passed unmet
  kEscalated,  // the ticket moved up a level (breach, step, or manual)
  kMet,        // a target stopped on time
  kMetLate,    // a target stopped after its deadline
};

// What the engine tells subscribers. `id` is owned (a resolved ticket's
// record moves); the other names view the engine's policy and stay valid
// until the policy is replaced.
struct Event {
  EventType type;
  int64_t at_ms;          // the instant it happened (a deadline, a command)
  std::string id;         // ticket id
  absl::string_view target;  // empty for a manual escalation
  int64_t deadline_ms;    // the target's deadline; 0 if none
  absl::string_view from;  // escalated: level names
  absl::string_view to;
  // The ticket's team when it happened ("" none): a command in the same
  // call may move the ticket to another team before the event is stored,
  // and a team-limited subscriber must get the events of its own tickets.
  absl::string_view team = {};
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_COMMAND_H_
