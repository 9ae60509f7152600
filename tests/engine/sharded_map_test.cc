// ShardedStringMap against absl::flat_hash_map on random operations: the
// same answers, and iteration visits exactly the entries.

#include "engine/sharded_map.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"
#include "tests/testing/seed.h"

namespace slad::engine {
namespace {

TEST(ShardedStringMapTest, MatchesAFlatHashMapOnRandomOperations) {
  for (const uint64_t seed : slad::testing::PropertySeeds(41, 2)) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
    slad::testing::SplitMix64 rng(seed);
    ShardedStringMap<int64_t> sharded;
    absl::flat_hash_map<std::string, int64_t> plain;
    for (int op = 0; op < 200'000; ++op) {
      const std::string key = "T-" + std::to_string(rng.Below(20'000));
      const int64_t value = static_cast<int64_t>(rng.Below(1'000'000));
      switch (rng.Below(5)) {
        case 0: {
          auto [it, inserted] = sharded.insert_or_assign(key, value);
          EXPECT_EQ(inserted, plain.insert_or_assign(key, value).second);
          EXPECT_EQ(it->first, key);
          EXPECT_EQ(it->second, value);
          break;
        }
        case 1: {
          auto [it, inserted] = sharded.emplace(key, value);
          auto [pit, pinserted] = plain.emplace(key, value);
          EXPECT_EQ(inserted, pinserted);
          EXPECT_EQ(it->second, pit->second);
          break;
        }
        case 2: {
          auto it = sharded.find(key);
          auto pit = plain.find(key);
          ASSERT_EQ(it == sharded.end(), pit == plain.end()) << key;
          if (it != sharded.end()) {
            sharded.erase(it);
            plain.erase(pit);
          }
          break;
        }
        default: {
          const auto& view = sharded;
          auto it = view.find(key);
          ASSERT_EQ(it == view.end(), !plain.contains(key)) << key;
          EXPECT_EQ(view.contains(key), plain.contains(key));
          if (it != view.end()) {
            EXPECT_EQ(it->second, plain.at(key));
          }
          break;
        }
      }
      if (op % 20'000 == 0) {
        ASSERT_EQ(sharded.size(), plain.size());
        std::map<std::string, int64_t> seen;
        for (const auto& [k, v] : sharded) {
          EXPECT_TRUE(seen.emplace(k, v).second) << "visited twice: " << k;
        }
        EXPECT_EQ(seen.size(), plain.size());
        for (const auto& [k, v] : plain) EXPECT_EQ(seen[k], v) << k;
      }
    }
  }
}

TEST(ShardedStringMapTest, EmptyMapIteratesNothing) {
  ShardedStringMap<int> m;
  EXPECT_TRUE(m.begin() == m.end());
  EXPECT_TRUE(m.empty());
  m.emplace("a", 1);
  m.erase(m.find("a"));
  EXPECT_TRUE(m.begin() == m.end());
  EXPECT_FALSE(m.contains("a"));
}

}  // namespace
}  // namespace slad::engine
