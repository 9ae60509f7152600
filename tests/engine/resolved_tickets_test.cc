// ResolvedTickets against a plain map: the same tickets found, taken and
// purged, each purge oldest first and each ticket once.

#include "engine/resolved_tickets.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/seed.h"

namespace slad::engine {
namespace {

Ticket Made(const std::string& id, int64_t opened_ms) {
  Ticket t;
  t.id = TicketId(id);
  t.opened_ms = opened_ms;
  return t;
}

std::vector<std::string> Purged(ResolvedTickets& r, int64_t now, int64_t window) {
  std::vector<std::string> gone;
  r.Purge(now, window, [&](const Ticket& t) { gone.emplace_back(t.id.view()); });
  return gone;
}

TEST(ResolvedTicketsTest, FindsWhatWasAddedAndTakesItBack) {
  ResolvedTickets r;
  r.Add(Made("A", 7), 100);
  ASSERT_NE(r.Find("A"), nullptr);
  EXPECT_EQ(r.Find("A")->resolved_ms, 100);
  EXPECT_EQ(r.Find("A")->ticket.opened_ms, 7);
  EXPECT_EQ(r.Find("B"), nullptr);
  const Ticket t = r.Take(r.Find("A"));
  EXPECT_EQ(t.id.view(), "A");
  EXPECT_EQ(t.opened_ms, 7);
  EXPECT_FALSE(r.contains("A"));
  EXPECT_EQ(r.size(), 0u);
}

TEST(ResolvedTicketsTest, PurgesOnlyPastTheWindowOldestFirst) {
  ResolvedTickets r;
  r.Add(Made("A", 0), 100);
  r.Add(Made("B", 0), 200);
  r.Add(Made("C", 0), 300);
  EXPECT_TRUE(Purged(r, 110, 10).empty());  // 100 + 10 is not before 110
  EXPECT_EQ(Purged(r, 211, 10), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(r.size(), 1u);
  EXPECT_TRUE(r.contains("C"));
}

TEST(ResolvedTicketsTest, ARestoreOutOfOrderIsPurgedInInstantOrder) {
  ResolvedTickets r;
  r.Add(Made("C", 0), 300);
  r.Add(Made("A", 0), 100);
  r.Add(Made("B", 0), 200);
  EXPECT_EQ(Purged(r, 250, 0), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(Purged(r, 301, 0), (std::vector<std::string>{"C"}));
}

TEST(ResolvedTicketsTest, ATicketResolvedAgainLivesForItsNewWindow) {
  ResolvedTickets r;
  r.Add(Made("A", 0), 100);
  Ticket t = r.Take(r.Find("A"));  // reopened
  r.Add(Made("B", 0), 150);        // takes A's freed place
  r.Add(std::move(t), 200);        // A resolved again
  EXPECT_EQ(Purged(r, 160, 0), (std::vector<std::string>{"B"}));
  EXPECT_TRUE(r.contains("A"));
  EXPECT_EQ(Purged(r, 201, 0), (std::vector<std::string>{"A"}));
}

TEST(ResolvedTicketsTest, APlaceReusedAtTheSameInstantGoesOnce) {
  ResolvedTickets r;
  r.Add(Made("A", 0), 100);
  (void)r.Take(r.Find("A"));
  r.Add(Made("B", 0), 100);  // A's place, A's instant: two queue entries
  EXPECT_EQ(Purged(r, 101, 0), (std::vector<std::string>{"B"}));
  EXPECT_EQ(r.size(), 0u);
}

TEST(ResolvedTicketsTest, LongIdsAndManyTicketsAcrossChunks) {
  ResolvedTickets r;
  const int n = 40'000;  // more than two chunks of records
  for (int i = 0; i < n; ++i) {
    r.Add(Made((i % 2 ? std::string(40, 'x') : "") + std::to_string(i), i), i);
  }
  EXPECT_EQ(r.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; i += 997) {
    const std::string id = (i % 2 ? std::string(40, 'x') : "") + std::to_string(i);
    ASSERT_NE(r.Find(id), nullptr) << id;
    EXPECT_EQ(r.Find(id)->ticket.opened_ms, i);
  }
  size_t seen = 0;
  r.ForEach([&](const ResolvedTicket&) { ++seen; });
  EXPECT_EQ(seen, static_cast<size_t>(n));
  EXPECT_EQ(Purged(r, n, 0).size(), static_cast<size_t>(n));
  EXPECT_EQ(r.size(), 0u);
}

// The model: id -> (resolved_ms, opened_ms). Purge drops exactly the ids
// whose instant + window is before now, in instant order.
TEST(ResolvedTicketsTest, MatchesAMapOnRandomOperations) {
  constexpr int64_t kWindow = 50;
  for (const uint64_t seed : slad::testing::PropertySeeds(71, 3)) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
    slad::testing::SplitMix64 rng(seed);
    ResolvedTickets r;
    std::map<std::string, std::pair<int64_t, int64_t>> model;
    std::map<std::string, Ticket> reopened;  // taken, may be added again
    int64_t now = 0;
    for (int op = 0; op < 100'000; ++op) {
      const std::string id = (rng.OneIn(4) ? std::string(30, 'L') : "T") +
                             std::to_string(rng.Below(3'000));
      switch (rng.Below(4)) {
        case 0: {  // resolve (a restore's instant may lie behind now)
          if (model.count(id)) break;
          const int64_t at = rng.OneIn(10) ? now - static_cast<int64_t>(rng.Below(40)) : now;
          auto it = reopened.find(id);
          Ticket t = it != reopened.end() ? std::move(it->second) : Made(id, op);
          if (it != reopened.end()) reopened.erase(it);
          model[id] = {at, t.opened_ms};
          r.Add(std::move(t), at);
          break;
        }
        case 1: {  // reopen
          ResolvedTicket* found = r.Find(id);
          ASSERT_EQ(found != nullptr, model.count(id) == 1);
          if (found == nullptr) break;
          Ticket t = r.Take(found);
          EXPECT_EQ(t.id.view(), id);
          EXPECT_EQ(t.opened_ms, model[id].second);
          model.erase(id);
          reopened[id] = std::move(t);
          break;
        }
        case 2: {
          now += static_cast<int64_t>(rng.Below(5));
          std::vector<std::pair<int64_t, std::string>> want;
          for (const auto& [mid, v] : model) {
            if (v.first + kWindow < now) want.emplace_back(v.first, mid);
          }
          const std::vector<std::string> gone = Purged(r, now, kWindow);
          ASSERT_EQ(gone.size(), want.size());
          int64_t last = INT64_MIN;
          for (const std::string& g : gone) {
            auto it = model.find(g);
            ASSERT_NE(it, model.end()) << g;
            EXPECT_GE(it->second.first, last);
            last = it->second.first;
            model.erase(it);
          }
          break;
        }
        default: {
          const ResolvedTicket* found = r.Find(id);
          ASSERT_EQ(found != nullptr, model.count(id) == 1) << id;
          if (found != nullptr) {
            EXPECT_EQ(found->resolved_ms, model[id].first);
          }
        }
      }
      ASSERT_EQ(r.size(), model.size());
    }
  }
}

}  // namespace
}  // namespace slad::engine
