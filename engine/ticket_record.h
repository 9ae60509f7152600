#ifndef SLAD_ENGINE_TICKET_RECORD_H_
#define SLAD_ENGINE_TICKET_RECORD_H_

// The portable form of the engine's durable state: one TicketRecord per
// open ticket (or resolved ticket still inside its reopen window) and one
// StatsCellRecord per stats cell. Names, never interned ids: a record
// written under one policy (or one process's interning) restores under
// another, so a restart, a policy reload and storage/'s codec all meet here.
//
// Engine::Export/Restore and Engine::DrainStats/RestoreStats convert;
// storage/ encodes these as bytes (docs/STORAGE.md).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace slad::engine {

struct TargetRecord {
  std::string name;
  int64_t start_ms = 0;
  int64_t deadline_ms = 0;
  int64_t mark_ms = 0;
  uint8_t state = 0;  // TargetState
  bool paused = false;
  bool breached = false;
  uint8_t warned = 0;
  uint8_t steps = 0;

  friend bool operator==(const TargetRecord&, const TargetRecord&) = default;
};

struct AdjustmentRecord {
  uint8_t what = 0;  // Adjustment::What
  int64_t at_ms = 0;
  int64_t until_ms = 0;
  std::string from, to;  // kPriority: priority names

  friend bool operator==(const AdjustmentRecord&, const AdjustmentRecord&) = default;
};

// History sequence numbers fit 48 bits (Ticket keeps its head in 48):
// 2.8e14 records, decades at the rates this machine sustains.
inline constexpr uint64_t kMaxHistorySeq = (uint64_t{1} << 48) - 1;

struct TicketRecord {
  std::string id;
  std::string kind;
  std::string priority;
  std::string team;      // "" for none
  std::string assignee;  // "" for none
  std::string level;
  int64_t opened_ms = 0;
  int64_t resolved_ms = 0;  // 0: open
  bool paused = false;
  bool rated = false;
  bool resolution_counted = false;  // Ticket::resolution_counted
  // The ticket's newest history record (Ticket::history_head); 0: none.
  uint64_t history_head = 0;
  std::vector<TargetRecord> targets;  // in the kind's target order
  std::vector<AdjustmentRecord> log;

  friend bool operator==(const TicketRecord&, const TicketRecord&) = default;
};

// One (dimension, hour, group) cell of the stats book.
struct StatsCellRecord {
  uint8_t by = 0;  // GroupBy
  int64_t hour = 0;  // UTC hours since the epoch
  std::string group;
  uint64_t started = 0, met = 0, met_late = 0, breached = 0;
  uint64_t opened = 0, resolved = 0, rated = 0, score_sum = 0, satisfied = 0;
  int64_t stop_sum_ms = 0;
  std::vector<std::pair<uint16_t, uint32_t>> stop_hist;  // bucket, count

  friend bool operator==(const StatsCellRecord&, const StatsCellRecord&) = default;
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_TICKET_RECORD_H_
