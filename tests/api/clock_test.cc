#include "api/clock.h"

#include <chrono>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace slad::api {
namespace {

using std::chrono::microseconds;

// A deadline at 1,000 ms seen from 999.1 ms waits 0.9 ms: counted in
// whole milliseconds from NowMs() (999) it would wait 1 ms and fire at
// 1,000.1 ms, a tenth of a millisecond late.
TEST(DelayUntilTest, WaitsUntilTheFirstMicrosecondOfTheDueMillisecond) {
  EXPECT_EQ(DelayUntil(1000, 999'100), microseconds(900));
  EXPECT_EQ(DelayUntil(1002, 999'999), microseconds(2'001));
}

TEST(DelayUntilTest, AnInstantAlreadyReachedIsDueNow) {
  EXPECT_EQ(DelayUntil(1000, 1'000'000), microseconds(0));
  EXPECT_EQ(DelayUntil(1000, 1'000'999), microseconds(0));
  EXPECT_EQ(DelayUntil(5, 1'000'000), microseconds(0));
  EXPECT_EQ(DelayUntil(std::numeric_limits<int64_t>::min(), 1'000'000),
            microseconds(0));
}

TEST(DelayUntilTest, AFarInstantWaitsAtMostAnHourWithoutOverflow) {
  const microseconds hour(int64_t{3600} * 1000 * 1000);
  EXPECT_EQ(DelayUntil(std::numeric_limits<int64_t>::max(), 1'000'000), hour);
  EXPECT_EQ(DelayUntil(1000 + 3600 * 1000, 1'000'000), hour);
  EXPECT_EQ(DelayUntil(1000 + 3600 * 1000 - 1, 1'000'000),
            hour - microseconds(1000));
}

TEST(ClockTest, NowUsAgreesWithNowMs) {
  ManualClock manual(1234);
  EXPECT_EQ(manual.NowUs(), 1'234'000);
  SystemClock system;
  const int64_t ms = system.NowMs();
  const int64_t us = system.NowUs();
  EXPECT_GE(us / 1000, ms);
  EXPECT_LT(us / 1000 - ms, 1000);  // read a moment apart
}

}  // namespace
}  // namespace slad::api
