#ifndef SLAD_TESTS_TESTING_SEED_H_
#define SLAD_TESTS_TESTING_SEED_H_

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace slad::testing {

// The seeds a property test runs: `count` fixed seeds starting at `first`,
// or only the one in $SLAD_TEST_SEED, so that a failure printed with its
// seed replays alone.
inline std::vector<uint64_t> PropertySeeds(uint64_t first, int count) {
  if (const char* env = std::getenv("SLAD_TEST_SEED")) {
    return {std::stoull(env)};
  }
  std::vector<uint64_t> seeds;
  for (int i = 0; i < count; ++i) seeds.push_back(first + i);
  return seeds;
}

// Part `shard` of `shards` of PropertySeeds(first, count), for a property
// test split into parameterized tests that CTest runs side by side (its
// slowest tests under the sanitizers bound the suite's time). The seed in
// $SLAD_TEST_SEED goes to shard 0 alone.
inline std::vector<uint64_t> PropertySeedShard(uint64_t first, int count,
                                               int shard, int shards) {
  std::vector<uint64_t> all = PropertySeeds(first, count), part;
  for (size_t i = static_cast<size_t>(shard); i < all.size();
       i += static_cast<size_t>(shards)) {
    part.push_back(all[i]);
  }
  return part;
}

// A small, fast, reproducible generator (SplitMix64) whose sequence does not
// depend on the standard library's implementation.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0. The modulo bias is irrelevant for tests.
  uint64_t Below(uint64_t n) { return Next() % n; }
  bool OneIn(uint64_t n) { return Below(n) == 0; }

 private:
  uint64_t state_;
};

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_SEED_H_
