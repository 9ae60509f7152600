#ifndef SLAD_ENGINE_STATS_H_
#define SLAD_ENGINE_STATS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "engine/command.h"
#include "engine/ticket.h"
#include "engine/ticket_record.h"

namespace slad::engine {

// The groups one fact counts in: its kind, team, assignee, target name and
// priority, as ids (which namespace each id lives in is the caller's).
// A fact without a target (a ticket opened, a rating) has target id 0.
struct StatGroups {
  std::array<uint32_t, 5> ids{};  // indexed by GroupBy
};

// Adds the figures of `increment` to `into` (same cell: by, hour, group).
// Storage's merge of drained increments and tests use it.
void AddStatsCell(const StatsCellRecord& increment, StatsCellRecord* into);

// StatsBook keeps the figures supervisors are judged by (attainment, mean
// and 90th-percentile time to stop, resolution rate, satisfaction), summed
// incrementally per (group-by dimension, group, UTC hour), so a `stats`
// query costs the number of groups × hours it spans, never the number of
// tickets. Hour granularity: a query's range is widened to whole hours.
//
// Thread-safety: none; owned by the event-loop thread.
// Memory: one cell per dimension, group and hour that saw a fact, with a
// sparse histogram of times to stop (log buckets 3 % wide).
class StatsBook {
 public:
  void Started(const StatGroups& g, int64_t at_ms) { Add(g, at_ms, &Cell::started, 1); }
  void Breached(const StatGroups& g, int64_t at_ms) { Add(g, at_ms, &Cell::breached, 1); }
  void Opened(const StatGroups& g, int64_t at_ms) { Add(g, at_ms, &Cell::opened, 1); }
  // Counted in the hour the ticket was opened, so the rate is "of the
  // tickets opened in the range, the share resolved by now".
  void Resolved(const StatGroups& g, int64_t opened_ms) {
    Add(g, opened_ms, &Cell::resolved, 1);
  }
  // A ticket moved from groups `from` to `to` (assign, priority change):
  // its `opened`, and its `resolved` once counted, move with it, in the
  // hour it was opened, so that each group's resolution rate is of the
  // tickets it holds (and stays within 0..1). Other facts stay where they
  // happened.
  void Moved(const StatGroups& from, const StatGroups& to, int64_t opened_ms,
             bool resolved);
  void Stopped(const StatGroups& g, int64_t at_ms, bool late, int64_t business_ms);
  void Rated(const StatGroups& g, int64_t at_ms, int score);

  // One row per group with any fact in [from_ms, to_ms), ordered by
  // `name(group id)`. REQUIRES from_ms <= to_ms.
  StatsTable Query(GroupBy by, int64_t from_ms, int64_t to_ms,
                   const std::function<std::string(uint32_t)>& name) const;

  // For storage, as records whose group is `name(by, group id)`:
  // DrainChanges gives, once per cell changed since the last drain, what
  // was added to it since then (every figure is a sum, so the increments
  // of a cell, added up with AddStatsCell, make the cell); ExportAll gives
  // every cell whole. Increments keep a commit of a few commands from
  // re-encoding cells whose histograms hold hundreds of buckets.
  using GroupName = std::function<std::string(GroupBy, uint32_t)>;
  void DrainChanges(const GroupName& name,
                    const std::function<void(StatsCellRecord&&)>& fn);
  void ExportAll(const GroupName& name,
                 const std::function<void(StatsCellRecord&&)>& fn) const;
  // Sets the cell (by, hour, group) to `cell`'s figures; not marked changed.
  void Restore(uint32_t group, StatsCellRecord&& cell);

 private:
  struct Cell {
    uint64_t started = 0, met = 0, met_late = 0, breached = 0;
    uint64_t opened = 0, resolved = 0, rated = 0, score_sum = 0, satisfied = 0;
    int64_t stop_sum_ms = 0;
    std::vector<std::pair<uint16_t, uint32_t>> stop_hist;  // bucket, count
    // Index in changes_ of this cell's increments since the last drain.
    uint32_t change = kUnchanged;
  };
  static constexpr uint32_t kUnchanged = ~uint32_t{0};
  struct Key {
    uint8_t by;
    int64_t hour;
    uint32_t group;
    friend bool operator<(const Key& a, const Key& b) {
      return std::tie(a.by, a.hour, a.group) < std::tie(b.by, b.hour, b.group);
    }
    friend bool operator==(const Key& a, const Key& b) {
      return a.by == b.by && a.hour == b.hour && a.group == b.group;
    }
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.by, k.hour, k.group);
    }
  };
  Cell& CellAt(const Key& key);
  // The cell and the record of its increments since the last drain; a
  // fact is applied to both.
  std::pair<Cell*, Cell*> Touch(const Key& key);

  template <typename F>
  void ForEachCell(const StatGroups& g, int64_t at_ms, F&& f);
  void Add(const StatGroups& g, int64_t at_ms, uint64_t Cell::*field,
           uint64_t n);

  // Every fact updates about five cells, so they are found by hash; the
  // ordered set of keys, which only grows when a cell is new, serves the
  // range scans of Query().
  StatsCellRecord ToRecord(const Key& key, const Cell& c,
                           const GroupName& name) const;

  std::vector<Cell> cells_;
  std::vector<std::pair<Key, Cell>> changes_;  // increments since the last drain
  absl::flat_hash_map<Key, uint32_t> cell_of_;
  absl::btree_set<Key> keys_;
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_STATS_H_
