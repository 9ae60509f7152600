#include "engine/ticket.h"

#include <utility>

#include "gtest/gtest.h"

namespace slad::engine {
namespace {

TargetRun Running(int64_t deadline_ms) {
  TargetRun r;
  r.deadline_ms = deadline_ms;
  r.state = TargetState::kRunning;
  r.breached = true;
  r.steps = 3;
  return r;
}

TEST(TargetRunsTest, TwoLiveInPlaceMoreOnTheHeap) {
  for (size_t n : {0, 1, 2, 3, 7}) {
    SCOPED_TRACE(n);
    TargetRuns runs;
    runs.assign(n, Running(42));
    ASSERT_EQ(runs.size(), n);
    EXPECT_EQ(runs.empty(), n == 0);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(int64_t{runs[i].deadline_ms}, 42);  // packed: by value
      EXPECT_TRUE(runs[i].breached);
      runs[i].deadline_ms = static_cast<int64_t>(i);
    }
    TargetRuns moved(std::move(runs));
    EXPECT_EQ(runs.size(), 0u);  // NOLINT: the moved-from state is specified
    ASSERT_EQ(moved.size(), n);
    int64_t i = 0;
    for (const TargetRun& r : moved) EXPECT_EQ(int64_t{r.deadline_ms}, i++);
  }
}

TEST(TargetRunsTest, ResizeKeepsTheFirstAndAddsPendingOnes) {
  TargetRuns runs;
  runs.assign(2, Running(5));
  runs.resize(4);  // in place -> heap
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(int64_t{runs[1].deadline_ms}, 5);
  EXPECT_EQ(runs[3].state, TargetState::kPending);
  EXPECT_FALSE(runs[3].breached);
  runs[0].deadline_ms = 9;
  runs.resize(1);  // heap -> in place
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(int64_t{runs[0].deadline_ms}, 9);
}

// The heap array is freed before the copies are made: the value must have
// been read first (the sanitized build reports the use after free).
TEST(TargetRunsTest, AssignFromItsOwnTarget) {
  for (size_t n : {2, 3}) {
    SCOPED_TRACE(n);
    TargetRuns runs;
    runs.assign(n, Running(42));
    runs[0].deadline_ms = 7;
    runs.assign(4, runs[0]);
    ASSERT_EQ(runs.size(), 4u);
    for (const TargetRun& r : runs) EXPECT_EQ(int64_t{r.deadline_ms}, 7);
  }
}

TEST(TargetRunsTest, MoveAssignmentFreesWhatWasThere) {
  TargetRuns a, b;
  a.assign(5, Running(1));
  b.assign(3, Running(2));
  a = std::move(b);  // ASan: the old heap array of `a` must be freed
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(int64_t{a[2].deadline_ms}, 2);
  b = std::move(a);
  EXPECT_EQ(int64_t{b[0].deadline_ms}, 2);
}

}  // namespace
}  // namespace slad::engine
