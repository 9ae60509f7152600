#include "api/heap_trim.h"

#include <atomic>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace slad::api {
namespace {

// Waits up to 30 s for `done`: the trimmer's thread runs on its own time.
template <typename Done>
bool Eventually(Done done) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

TEST(HeapTrimmerTest, TrimsEveryInterval) {
  std::atomic<int> calls{0};
  HeapTrimmer trimmer(absl::Milliseconds(1), [&] { ++calls; });
  EXPECT_TRUE(Eventually([&] { return calls >= 3; }));
  EXPECT_GE(trimmer.trims(), 2u);
}

TEST(HeapTrimmerTest, ZeroIntervalStartsNothing) {
  std::atomic<int> calls{0};
  {
    HeapTrimmer trimmer(absl::ZeroDuration(), [&] { ++calls; });
    EXPECT_EQ(trimmer.trims(), 0u);
  }
  EXPECT_EQ(calls, 0);
}

// Shutdown does not wait out the interval.
TEST(HeapTrimmerTest, StopsAtOnceWithALongInterval) {
  const absl::Time start = absl::Now();
  { HeapTrimmer trimmer(absl::Hours(1), [] {}); }
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
}

// The real malloc_trim runs (the daemon's default).
TEST(HeapTrimmerTest, TheDefaultTrimRuns) {
  HeapTrimmer trimmer(absl::Milliseconds(1));
  EXPECT_TRUE(Eventually([&] { return trimmer.trims() >= 1; }));
}

}  // namespace
}  // namespace slad::api
