#ifndef SLAD_TESTS_TESTING_STATE_DIGEST_H_
#define SLAD_TESTS_TESTING_STATE_DIGEST_H_

// A digest of an engine's durable state (every ticket record and stats
// cell, in a canonical order, through storage's codec), so that two
// processes can compare states over a pipe with a number.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "storage/codec.h"

namespace slad::testing {

inline uint64_t Fnv1a(uint64_t h, const std::string& bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

inline std::string StateDigest(const engine::Engine& engine) {
  std::vector<std::string> items;
  engine.ExportAll([&](engine::TicketRecord&& t) {
    // Where the ticket's history chain starts is the store's bookkeeping,
    // not SLA state: an engine run without a store has none.
    t.history_head = 0;
    std::string s = "t" + t.id + '\0';
    storage::codec::EncodeTicket(t, &s);
    items.push_back(std::move(s));
  });
  const size_t tickets = items.size();
  engine.ExportAllStats([&](engine::StatsCellRecord&& c) {
    std::string s = "s" + storage::codec::StatsKey(c) + '\0';
    storage::codec::EncodeStatsCell(c, &s);
    items.push_back(std::move(s));
  });
  std::sort(items.begin(), items.end());
  uint64_t h = 0xcbf29ce484222325ull;
  for (const auto& s : items) h = Fnv1a(h, s);
  return std::to_string(tickets) + "/" + std::to_string(items.size() - tickets) +
         "/" + std::to_string(h);
}

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_STATE_DIGEST_H_
