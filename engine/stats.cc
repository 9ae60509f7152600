#include "engine/stats.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace slad::engine {
namespace {

constexpr int64_t kHourMs = 3'600'000;
// Histogram buckets grow by 3 %: bucket b >= 1 holds [1.03^(b-1), 1.03^b).
const double kLogRatio = std::log(1.03);

int64_t FloorHour(int64_t ms) {
  return ms >= 0 ? ms / kHourMs : -((-ms + kHourMs - 1) / kHourMs);
}

uint16_t Bucket(int64_t ms) {
  if (ms <= 0) return 0;
  return static_cast<uint16_t>(1 + std::log(static_cast<double>(ms)) / kLogRatio);
}

// The geometric middle of a bucket: within 1.5 % of every value in it.
int64_t BucketValue(uint16_t bucket) {
  if (bucket == 0) return 0;
  return std::llround(std::exp((bucket - 0.5) * kLogRatio));
}

double Ratio(uint64_t num, uint64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

void AddStatsCell(const StatsCellRecord& increment, StatsCellRecord* into) {
  into->started += increment.started;
  into->met += increment.met;
  into->met_late += increment.met_late;
  into->breached += increment.breached;
  into->opened += increment.opened;
  into->resolved += increment.resolved;
  into->rated += increment.rated;
  into->score_sum += increment.score_sum;
  into->satisfied += increment.satisfied;
  into->stop_sum_ms += increment.stop_sum_ms;
  // Both histograms are sorted by bucket: one merge pass.
  std::vector<std::pair<uint16_t, uint32_t>> merged;
  merged.reserve(into->stop_hist.size() + increment.stop_hist.size());
  auto a = into->stop_hist.cbegin();
  auto b = increment.stop_hist.cbegin();
  while (a != into->stop_hist.cend() || b != increment.stop_hist.cend()) {
    if (b == increment.stop_hist.cend() ||
        (a != into->stop_hist.cend() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == into->stop_hist.cend() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      merged.emplace_back(a->first, a->second + b->second);
      ++a, ++b;
    }
  }
  into->stop_hist = std::move(merged);
}

template <typename F>
void StatsBook::ForEachCell(const StatGroups& g, int64_t at_ms, F&& f) {
  const int64_t hour = FloorHour(at_ms);
  for (uint8_t by = 0; by < g.ids.size(); ++by) {
    // A fact about a whole ticket has no target to be grouped under.
    if (by == static_cast<uint8_t>(GroupBy::kTarget) && g.ids[by] == 0) continue;
    auto [cell, change] = Touch(Key{by, hour, g.ids[by]});
    f(*cell);
    f(*change);
  }
}

StatsBook::Cell& StatsBook::CellAt(const Key& key) {
  auto [it, inserted] =
      cell_of_.try_emplace(key, static_cast<uint32_t>(cells_.size()));
  if (inserted) {
    cells_.emplace_back();
    keys_.insert(key);
  }
  return cells_[it->second];
}

std::pair<StatsBook::Cell*, StatsBook::Cell*> StatsBook::Touch(const Key& key) {
  Cell& cell = CellAt(key);
  if (cell.change == kUnchanged) {
    cell.change = static_cast<uint32_t>(changes_.size());
    changes_.emplace_back(key, Cell());
  }
  return {&cell, &changes_[cell.change].second};
}

void StatsBook::Add(const StatGroups& g, int64_t at_ms, uint64_t Cell::*field,
                    uint64_t n) {
  ForEachCell(g, at_ms, [&](Cell& c) { c.*field += n; });
}

void StatsBook::Moved(const StatGroups& from, const StatGroups& to,
                      int64_t opened_ms, bool resolved) {
  const int64_t hour = FloorHour(opened_ms);
  for (GroupBy by : {GroupBy::kTeam, GroupBy::kAssignee, GroupBy::kPriority}) {
    const auto b = static_cast<uint8_t>(by);
    if (from.ids[b] == to.ids[b]) continue;
    // A ticket opened before opened and resolved followed it (an older
    // slad) is counted in the group it was opened in, which may not be
    // `from`: a cell never goes below zero, the ticket then stays where it
    // was counted.
    const auto was = cell_of_.find(Key{b, hour, from.ids[b]});
    if (was == cell_of_.end() || cells_[was->second].opened == 0 ||
        (resolved && cells_[was->second].resolved == 0)) {
      continue;
    }
    // Counters are sums of increments, stored and merged as such, so a
    // decrement is the wrapped increment -1 (uint64 arithmetic).
    for (const auto& [group, delta] : {std::pair{from.ids[b], ~uint64_t{0}},
                                       std::pair{to.ids[b], uint64_t{1}}}) {
      auto [cell, change] = Touch(Key{b, hour, group});
      for (Cell* c : {cell, change}) {
        c->opened += delta;
        if (resolved) c->resolved += delta;
      }
    }
  }
}

void StatsBook::Stopped(const StatGroups& g, int64_t at_ms, bool late,
                        int64_t business_ms) {
  const uint16_t bucket = Bucket(business_ms);
  ForEachCell(g, at_ms, [&](Cell& c) {
    ++(late ? c.met_late : c.met);
    c.stop_sum_ms += business_ms;
    auto it = std::lower_bound(
        c.stop_hist.begin(), c.stop_hist.end(), bucket,
        [](const auto& entry, uint16_t b) { return entry.first < b; });
    if (it != c.stop_hist.end() && it->first == bucket) {
      ++it->second;
    } else {
      c.stop_hist.insert(it, {bucket, 1});
    }
  });
}

void StatsBook::Rated(const StatGroups& g, int64_t at_ms, int score) {
  ForEachCell(g, at_ms, [&](Cell& c) {
    ++c.rated;
    c.score_sum += static_cast<uint64_t>(score);
    if (score >= 4) ++c.satisfied;
  });
}

StatsTable StatsBook::Query(
    GroupBy by, int64_t from_ms, int64_t to_ms,
    const std::function<std::string(uint32_t)>& name) const {
  const uint8_t dim = static_cast<uint8_t>(by);
  const int64_t first_hour = FloorHour(from_ms);
  const int64_t end_hour = FloorHour(to_ms - 1) + 1;
  struct Sum {
    Cell cell;
    std::map<uint16_t, uint64_t> hist;
  };
  std::map<uint32_t, Sum> sums;
  for (auto it = keys_.lower_bound(Key{dim, first_hour, 0});
       it != keys_.end() && it->by == dim && it->hour < end_hour; ++it) {
    const Cell& c = cells_[cell_of_.at(*it)];
    Sum& s = sums[it->group];
    s.cell.started += c.started;
    s.cell.met += c.met;
    s.cell.met_late += c.met_late;
    s.cell.breached += c.breached;
    s.cell.opened += c.opened;
    s.cell.resolved += c.resolved;
    s.cell.rated += c.rated;
    s.cell.score_sum += c.score_sum;
    s.cell.satisfied += c.satisfied;
    s.cell.stop_sum_ms += c.stop_sum_ms;
    for (const auto& [bucket, count] : c.stop_hist) s.hist[bucket] += count;
  }
  StatsTable table;
  for (const auto& [group, s] : sums) {
    const Cell& c = s.cell;
    StatsRow row;
    row.group = name(group);
    row.started = c.started;
    row.met = c.met;
    row.met_late = c.met_late;
    row.breached = c.breached;
    const uint64_t stopped = c.met + c.met_late;
    row.attainment = Ratio(c.met, stopped);
    row.mean_stop_ms = stopped ? c.stop_sum_ms / static_cast<int64_t>(stopped) : 0;
    // The smallest bucket by which 90 % of the stops are counted.
    uint64_t seen = 0;
    for (const auto& [bucket, count] : s.hist) {
      seen += count;
      if (seen * 10 >= stopped * 9) {
        row.p90_stop_ms = BucketValue(bucket);
        break;
      }
    }
    row.opened = c.opened;
    row.resolved = c.resolved;
    row.resolution_rate = Ratio(c.resolved, c.opened);
    row.rated = c.rated;
    row.mean_score = Ratio(c.score_sum, c.rated);
    row.satisfied = Ratio(c.satisfied, c.rated);
    table.rows.push_back(std::move(row));
  }
  std::sort(table.rows.begin(), table.rows.end(),
            [](const StatsRow& a, const StatsRow& b) { return a.group < b.group; });
  return table;
}

StatsCellRecord StatsBook::ToRecord(const Key& key, const Cell& c,
                                    const GroupName& name) const {
  StatsCellRecord r;
  r.by = key.by;
  r.hour = key.hour;
  r.group = name(static_cast<GroupBy>(key.by), key.group);
  r.started = c.started;
  r.met = c.met;
  r.met_late = c.met_late;
  r.breached = c.breached;
  r.opened = c.opened;
  r.resolved = c.resolved;
  r.rated = c.rated;
  r.score_sum = c.score_sum;
  r.satisfied = c.satisfied;
  r.stop_sum_ms = c.stop_sum_ms;
  r.stop_hist = c.stop_hist;
  return r;
}

void StatsBook::DrainChanges(const GroupName& name,
                             const std::function<void(StatsCellRecord&&)>& fn) {
  for (auto& [key, change] : changes_) {
    cells_[cell_of_.at(key)].change = kUnchanged;
    fn(ToRecord(key, change, name));
  }
  changes_.clear();
}

void StatsBook::ExportAll(const GroupName& name,
                          const std::function<void(StatsCellRecord&&)>& fn) const {
  for (const Key& key : keys_) fn(ToRecord(key, cells_[cell_of_.at(key)], name));
}

void StatsBook::Restore(uint32_t group, StatsCellRecord&& r) {
  Cell& c = CellAt(Key{r.by, r.hour, group});
  c.started = r.started;
  c.met = r.met;
  c.met_late = r.met_late;
  c.breached = r.breached;
  c.opened = r.opened;
  c.resolved = r.resolved;
  c.rated = r.rated;
  c.score_sum = r.score_sum;
  c.satisfied = r.satisfied;
  c.stop_sum_ms = r.stop_sum_ms;
  c.stop_hist = std::move(r.stop_hist);
}

}  // namespace slad::engine
