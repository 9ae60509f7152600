#ifndef SLAD_TESTS_TESTING_RANDOM_RECORDS_H_
#define SLAD_TESTS_TESTING_RANDOM_RECORDS_H_

// Random storage records for property tests of the codec and the store:
// every field exercised, including the extremes (0, negative and 64-bit
// edge instants, empty and long names, bytes 0x00 and 0xff in names).

#include <cstdint>
#include <limits>
#include <string>

#include "engine/ticket_record.h"
#include "storage/store.h"
#include "tests/testing/seed.h"

namespace slad::testing {

inline std::string RandomName(SplitMix64& rng) {
  static const char* const kNames[] = {"", "p1", "response", "team-a",
                                       "supervisor", "\xff\x00x"};
  if (!rng.OneIn(4)) return kNames[rng.Below(5)];
  std::string s(rng.Below(40), '\0');
  for (char& c : s) c = static_cast<char>(rng.Next());
  return s;
}

inline int64_t RandomInstant(SplitMix64& rng, int64_t base) {
  switch (rng.Below(8)) {
    case 0: return 0;
    case 1: return std::numeric_limits<int64_t>::min();
    case 2: return std::numeric_limits<int64_t>::max();
    case 3: return static_cast<int64_t>(rng.Next());
    // Near `base`, which may itself be an extreme: wrap like the codec's
    // unsigned arithmetic would, never overflow.
    default:
      return static_cast<int64_t>(static_cast<uint64_t>(base) +
                                  rng.Below(1u << 30) - (1u << 20));
  }
}

inline engine::TicketRecord RandomTicket(SplitMix64& rng) {
  engine::TicketRecord t;
  t.id = "T-" + std::to_string(rng.Below(1000000));
  t.kind = RandomName(rng);
  t.priority = RandomName(rng);
  t.team = RandomName(rng);
  t.assignee = RandomName(rng);
  t.level = RandomName(rng);
  t.opened_ms = rng.OneIn(8) ? RandomInstant(rng, 0)
                             : 1'767'571'200'000 + static_cast<int64_t>(rng.Below(1u << 31));
  t.resolved_ms = RandomInstant(rng, t.opened_ms);
  t.paused = rng.OneIn(2);
  t.rated = rng.OneIn(2);
  // A resolved ticket's resolution is counted: the codec stores the flag
  // only for an open (reopened) one.
  t.resolution_counted = t.resolved_ms != 0 || rng.OneIn(2);
  t.history_head = rng.OneIn(4) ? 0 : rng.Below(uint64_t{1} << 48);
  t.targets.resize(rng.Below(9));
  for (auto& r : t.targets) {
    r.name = RandomName(rng);
    r.start_ms = RandomInstant(rng, t.opened_ms);
    r.deadline_ms = RandomInstant(rng, t.opened_ms);
    r.mark_ms = RandomInstant(rng, t.opened_ms);
    r.state = static_cast<uint8_t>(rng.Below(256));
    r.paused = rng.OneIn(2);
    r.breached = rng.OneIn(2);
    r.warned = static_cast<uint8_t>(rng.Below(256));
    r.steps = static_cast<uint8_t>(rng.Below(256));
  }
  t.log.resize(rng.OneIn(2) ? 0 : rng.Below(6));
  for (auto& a : t.log) {
    a.what = static_cast<uint8_t>(rng.Below(256));
    a.at_ms = RandomInstant(rng, t.opened_ms);
    a.until_ms = RandomInstant(rng, t.opened_ms);
    a.from = RandomName(rng);
    a.to = RandomName(rng);
  }
  return t;
}

inline engine::StatsCellRecord RandomStatsCell(SplitMix64& rng) {
  engine::StatsCellRecord c;
  c.by = static_cast<uint8_t>(rng.Below(256));
  c.hour = RandomInstant(rng, 500'000);
  c.group = RandomName(rng);
  for (uint64_t* v : {&c.started, &c.met, &c.met_late, &c.breached,
                      &c.opened, &c.resolved, &c.rated, &c.score_sum,
                      &c.satisfied}) {
    *v = rng.OneIn(4) ? rng.Next() : rng.Below(1000);
  }
  c.stop_sum_ms = RandomInstant(rng, 0);
  c.stop_hist.resize(rng.Below(5));
  for (auto& [bucket, count] : c.stop_hist) {
    bucket = static_cast<uint16_t>(rng.Next());
    count = static_cast<uint32_t>(rng.Next());
  }
  return c;
}

inline storage::OutboxEvent RandomOutboxEvent(SplitMix64& rng) {
  storage::OutboxEvent e;
  e.type = static_cast<uint8_t>(rng.Below(5));
  e.at_ms = RandomInstant(rng, 1'767'571'200'000);
  e.id = "T-" + std::to_string(rng.Below(1000));
  e.target = RandomName(rng);
  e.deadline_ms = RandomInstant(rng, e.at_ms);
  e.from = RandomName(rng);
  e.to = RandomName(rng);
  e.team = RandomName(rng);
  return e;
}

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_RANDOM_RECORDS_H_
