#include "engine/timer_wheel.h"

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace slad::engine {
namespace {

using Fired = std::vector<std::pair<uint32_t, int64_t>>;  // index, deadline

// Advances `wheel` to `now_ms` and returns what fired, in order.
Fired AdvanceTo(TimerWheel& wheel, int64_t now_ms) {
  Fired fired;
  wheel.Advance(now_ms, [&](TimerHandle h, int64_t deadline_ms) {
    fired.emplace_back(h.index, deadline_ms);
  });
  return fired;
}

TimerHandle Armed(TimerWheel& wheel, int64_t deadline_ms) {
  TimerHandle h = wheel.Allocate();
  EXPECT_TRUE(wheel.Schedule(h, deadline_ms).ok());
  return h;
}

TEST(TimerWheelTest, FiresAtDeadlineNotBefore) {
  TimerWheel wheel(1000);
  TimerHandle h = Armed(wheel, 1100);
  EXPECT_TRUE(AdvanceTo(wheel, 1099).empty());
  EXPECT_EQ(AdvanceTo(wheel, 1100), (Fired{{h.index, 1100}}));
  EXPECT_FALSE(wheel.IsArmed(h));
  EXPECT_EQ(wheel.armed(), 0u);
}

TEST(TimerWheelTest, FiresInDeadlineOrderAcrossLevels) {
  TimerWheel wheel(0);
  // One deadline per level (and the top), scheduled latest first.
  std::vector<int64_t> deadlines = {int64_t{1} << 62, 1'000'000'000'000,
                                    86'400'000, 3'600'000, 60'000, 5'000,
                                    70, 3};
  for (int64_t d : deadlines) Armed(wheel, d);
  Fired fired = AdvanceTo(wheel, std::numeric_limits<int64_t>::max());
  ASSERT_EQ(fired.size(), deadlines.size());
  for (size_t i = 1; i < fired.size(); ++i) {
    EXPECT_LT(fired[i - 1].second, fired[i].second);
  }
}

TEST(TimerWheelTest, TiesFireInScheduleOrderEvenWhenScheduledFromAfar) {
  TimerWheel wheel(0);
  const int64_t d = 10'000'000;
  TimerHandle first = Armed(wheel, d);   // placed at a high level
  AdvanceTo(wheel, d - 5);               // the slot has been re-filed below
  TimerHandle second = Armed(wheel, d);  // placed directly at level 0
  TimerHandle third = Armed(wheel, d);
  EXPECT_EQ(AdvanceTo(wheel, d),
            (Fired{{first.index, d}, {second.index, d}, {third.index, d}}));
}

TEST(TimerWheelTest, RescheduleCountsAsScheduledLastAmongTies) {
  TimerWheel wheel(0);
  TimerHandle a = Armed(wheel, 500);
  TimerHandle b = Armed(wheel, 500);
  ASSERT_TRUE(wheel.Reschedule(a, 500).ok());
  EXPECT_EQ(AdvanceTo(wheel, 500), (Fired{{b.index, 500}, {a.index, 500}}));
}

TEST(TimerWheelTest, PastDeadlinesFireOnNextAdvanceInDeadlineOrder) {
  TimerWheel wheel(10'000);
  TimerHandle late = Armed(wheel, 9'000);
  TimerHandle later = Armed(wheel, 9'500);
  TimerHandle latest = Armed(wheel, 8'000);
  EXPECT_EQ(wheel.NextExpiry(), 8'000);
  EXPECT_EQ(AdvanceTo(wheel, 10'000),
            (Fired{{latest.index, 8'000}, {late.index, 9'000},
                   {later.index, 9'500}}));
}

TEST(TimerWheelTest, BackwardAdvanceFiresNothingNew) {
  TimerWheel wheel(0);
  AdvanceTo(wheel, 1'000);
  Armed(wheel, 1'200);
  EXPECT_TRUE(AdvanceTo(wheel, 500).empty());
  EXPECT_EQ(wheel.now_ms(), 1'000);
  EXPECT_EQ(AdvanceTo(wheel, 1'200).size(), 1u);
}

TEST(TimerWheelTest, BackwardAdvanceStillFiresWhatWasAlreadyDue) {
  TimerWheel wheel(1'000);
  TimerHandle h = Armed(wheel, 900);
  EXPECT_EQ(AdvanceTo(wheel, 10), (Fired{{h.index, 900}}));
}

TEST(TimerWheelTest, HoldsDeadlinesYearsAheadExactly) {
  const int64_t now = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  const int64_t far = now + int64_t{50} * 365 * 86'400'000 + 7;
  TimerWheel wheel(now);
  TimerHandle h = Armed(wheel, far);
  TimerHandle max = Armed(wheel, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(wheel.NextExpiry(), far);
  EXPECT_TRUE(AdvanceTo(wheel, far - 1).empty());
  EXPECT_EQ(AdvanceTo(wheel, far), (Fired{{h.index, far}}));
  EXPECT_EQ(wheel.NextExpiry(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(AdvanceTo(wheel, std::numeric_limits<int64_t>::max()),
            (Fired{{max.index, std::numeric_limits<int64_t>::max()}}));
}

TEST(TimerWheelTest, HandlesNegativeAndMinimumDeadlines) {
  TimerWheel wheel(std::numeric_limits<int64_t>::min());
  TimerHandle a = Armed(wheel, -5);
  TimerHandle b = Armed(wheel, 5);
  TimerHandle c = Armed(wheel, std::numeric_limits<int64_t>::min() + 1);
  EXPECT_EQ(AdvanceTo(wheel, 0),
            (Fired{{c.index, std::numeric_limits<int64_t>::min() + 1},
                   {a.index, -5}}));
  EXPECT_EQ(AdvanceTo(wheel, 5), (Fired{{b.index, 5}}));
}

TEST(TimerWheelTest, NextExpiryIsExactNotASlotBoundary) {
  TimerWheel wheel(0);
  EXPECT_EQ(wheel.NextExpiry(), std::nullopt);
  Armed(wheel, 123'456'789);
  TimerHandle sooner = Armed(wheel, 123'400'001);
  EXPECT_EQ(wheel.NextExpiry(), 123'400'001);
  ASSERT_TRUE(wheel.Cancel(sooner).ok());
  EXPECT_EQ(wheel.NextExpiry(), 123'456'789);
  AdvanceTo(wheel, 123'000'000);
  EXPECT_EQ(wheel.NextExpiry(), 123'456'789);
  Armed(wheel, 123'000'005);
  EXPECT_EQ(wheel.NextExpiry(), 123'000'005);
}

TEST(TimerWheelTest, CancelPreventsFiringAndIdleCancelIsNoop) {
  TimerWheel wheel(0);
  TimerHandle h = Armed(wheel, 50);
  ASSERT_TRUE(wheel.Cancel(h).ok());
  EXPECT_TRUE(wheel.Cancel(h).ok());
  EXPECT_TRUE(AdvanceTo(wheel, 100).empty());
  EXPECT_EQ(wheel.NextExpiry(), std::nullopt);
}

TEST(TimerWheelTest, StaleHandleIsRejectedNotObeyed) {
  TimerWheel wheel(0);
  TimerHandle old = wheel.Allocate();
  ASSERT_TRUE(wheel.Release(old).ok());
  TimerHandle reused = Armed(wheel, 100);
  ASSERT_EQ(reused.index, old.index);  // the index is recycled...
  EXPECT_NE(reused.generation, old.generation);  // ...under a new generation
  EXPECT_EQ(wheel.Cancel(old).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(wheel.Schedule(old, 5).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(wheel.Reschedule(old, 5).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(wheel.Release(old).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(wheel.Cancel(TimerHandle{}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(wheel.IsArmed(reused));
  EXPECT_EQ(AdvanceTo(wheel, 100), (Fired{{reused.index, 100}}));
}

TEST(TimerWheelTest, ScheduleOfArmedTimerIsRejected) {
  TimerWheel wheel(0);
  TimerHandle h = Armed(wheel, 100);
  EXPECT_EQ(wheel.Schedule(h, 200).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(wheel.Deadline(h), 100);
}

TEST(TimerWheelTest, ReleaseDisarms) {
  TimerWheel wheel(0);
  TimerHandle h = Armed(wheel, 100);
  ASSERT_TRUE(wheel.Release(h).ok());
  EXPECT_EQ(wheel.armed(), 0u);
  EXPECT_EQ(wheel.allocated(), 0u);
  EXPECT_TRUE(AdvanceTo(wheel, 100).empty());
}

TEST(TimerWheelTest, CallbackMayRearmTheFiringTimer) {
  TimerWheel wheel(0);
  TimerHandle h = Armed(wheel, 10);
  std::vector<int64_t> ticks;
  wheel.Advance(45, [&](TimerHandle fired, int64_t deadline_ms) {
    ticks.push_back(deadline_ms);
    EXPECT_TRUE(wheel.Schedule(fired, deadline_ms + 10).ok());
  });
  EXPECT_EQ(ticks, (std::vector<int64_t>{10, 20, 30, 40}));
  EXPECT_EQ(wheel.Deadline(h), 50);
}

TEST(TimerWheelTest, CallbackMayCancelAnotherDueTimer) {
  TimerWheel wheel(0);
  TimerHandle a = Armed(wheel, 10);
  TimerHandle b = Armed(wheel, 10);
  TimerHandle c = Armed(wheel, 20);
  Fired fired;
  wheel.Advance(100, [&](TimerHandle h, int64_t deadline_ms) {
    fired.emplace_back(h.index, deadline_ms);
    if (h == a) {
      EXPECT_TRUE(wheel.Cancel(b).ok());
      EXPECT_TRUE(wheel.Release(c).ok());
    }
  });
  EXPECT_EQ(fired, (Fired{{a.index, 10}}));
}

TEST(TimerWheelTest, CallbackArmingInThePastFiresNextInOrder) {
  TimerWheel wheel(0);
  TimerHandle a = Armed(wheel, 100);
  TimerHandle b = Armed(wheel, 100);
  TimerHandle c = wheel.Allocate();
  TimerHandle d = wheel.Allocate();
  Fired fired;
  wheel.Advance(200, [&](TimerHandle h, int64_t deadline_ms) {
    fired.emplace_back(h.index, deadline_ms);
    if (h == a) {
      EXPECT_TRUE(wheel.Schedule(c, 100).ok());  // a tie: after b
      EXPECT_TRUE(wheel.Schedule(d, 50).ok());   // earlier: before b
    }
  });
  EXPECT_EQ(fired, (Fired{{a.index, 100}, {d.index, 50}, {b.index, 100},
                          {c.index, 100}}));
}

TEST(TimerWheelTest, CallbackArmingBeforeTargetFiresInSameAdvance) {
  TimerWheel wheel(0);
  TimerHandle a = Armed(wheel, 100);
  TimerHandle b = wheel.Allocate();
  TimerHandle c = Armed(wheel, 5'000);
  Fired fired;
  wheel.Advance(10'000, [&](TimerHandle h, int64_t deadline_ms) {
    fired.emplace_back(h.index, deadline_ms);
    if (h == a) {
      EXPECT_TRUE(wheel.Schedule(b, 4'000).ok());
    }
  });
  EXPECT_EQ(fired, (Fired{{a.index, 100}, {b.index, 4'000}, {c.index, 5'000}}));
}

// Generations are eight bits (kept in the links' spare bits): a handle is
// told apart from every later holder of its index until the 256th.
TEST(TimerWheelTest, StaleHandleIsRejectedThroughTwoHundredFiftyFiveReuses) {
  TimerWheel wheel(0);
  const TimerHandle old = wheel.Allocate();
  ASSERT_TRUE(wheel.Release(old).ok());
  for (int reuse = 1; reuse <= 255; ++reuse) {
    const TimerHandle h = Armed(wheel, 100 + reuse);
    ASSERT_EQ(h.index, old.index);
    EXPECT_FALSE(wheel.IsArmed(old)) << reuse;
    EXPECT_EQ(wheel.Cancel(old).code(), absl::StatusCode::kFailedPrecondition)
        << reuse;
    EXPECT_TRUE(wheel.IsArmed(h));
    ASSERT_TRUE(wheel.Release(h).ok());
  }
  EXPECT_TRUE(wheel.CheckInvariants().ok());
}

TEST(TimerWheelTest, AdvanceReturnsTheNumberFired) {
  TimerWheel wheel(0);
  for (int i = 0; i < 10; ++i) Armed(wheel, i * 1000);
  EXPECT_EQ(wheel.Advance(4'500, [](TimerHandle, int64_t) {}), 5u);
}

// 16 bytes a timer, in chunks of 2^17 (2 MiB): grown on demand, the pool
// holds at most one chunk it does not use.
TEST(TimerWheelTest, PoolCostsSixteenBytesPerTimerAndAtMostAChunkMore) {
  constexpr size_t kTimers = 300'000;
  constexpr size_t kChunkBytes = size_t{2} << 20;
  TimerWheel wheel(0);
  const size_t fixed = wheel.MemoryBytes();
  EXPECT_LT(fixed, 8 * 1024u);
  for (size_t i = 0; i < kTimers; ++i) Armed(wheel, static_cast<int64_t>(i) * 977);
  EXPECT_GE(wheel.MemoryBytes(), fixed + kTimers * 16);
  EXPECT_LT(wheel.MemoryBytes(), fixed + kTimers * 16 + kChunkBytes);
  EXPECT_TRUE(wheel.CheckInvariants().ok());
}

TEST(TimerWheelTest, AllocateDoesNotReallocateWithinReserve) {
  TimerWheel wheel(0);
  wheel.Reserve(1000);
  const size_t before = wheel.MemoryBytes();
  for (int i = 0; i < 1000; ++i) wheel.Allocate();
  EXPECT_EQ(wheel.MemoryBytes(), before);
}

}  // namespace
}  // namespace slad::engine
