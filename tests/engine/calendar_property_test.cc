// Property tests of Calendar against the minute-stepping NaiveCalendar on
// random calendars. The seeds are fixed and printed with every failure;
// SLAD_TEST_SEED=<seed> replays one (tests/testing/seed.h).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/calendar.h"
#include "gtest/gtest.h"
#include "tests/testing/naive_calendar.h"
#include "tests/testing/seed.h"

namespace slad::engine {
namespace {

using testing::NaiveCalendar;

constexpr int64_t kMinuteMs = 60000;
constexpr int64_t kDayMs = 24 * 60 * kMinuteMs;

// Zones with DST of one hour (both hemispheres), of half an hour
// (Lord Howe), odd offsets (Kathmandu, St Johns, Chatham) and none.
constexpr const char* kZones[] = {"UTC",
                                  "America/New_York",
                                  "Europe/Berlin",
                                  "Australia/Sydney",
                                  "Asia/Shanghai",
                                  "Asia/Kolkata",
                                  "Asia/Kathmandu",
                                  "America/St_Johns",
                                  "Australia/Lord_Howe",
                                  "Pacific/Chatham",
                                  "America/Santiago",
                                  "Europe/London"};

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  int64_t Uniform(int64_t lo, int64_t hi) {  // [lo, hi]
    return lo + static_cast<int64_t>(rng_.Below(hi - lo + 1));
  }
  double Unit() { return (rng_.Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool Chance(double p) { return Unit() < p; }
  // In [1, max], uniform in magnitude: as many minutes as months.
  int64_t LogUniform(int64_t max) {
    const double x = Unit() * std::log(static_cast<double>(max));
    return std::clamp<int64_t>(static_cast<int64_t>(std::exp(x)), 1, max);
  }

  // Sorted, non-overlapping intervals; boundaries mostly on the quarter
  // hour, often in the small hours where DST jumps happen.
  std::vector<LocalInterval> Hours() {
    if (Chance(0.1)) return {{0, 1440}};
    const int n = static_cast<int>(Uniform(1, 3)) * 2;
    std::vector<int> points;
    while (static_cast<int>(points.size()) < n) {
      int p = Chance(0.3) ? static_cast<int>(Uniform(0, 240))
                          : static_cast<int>(Uniform(0, 1440));
      if (Chance(0.7)) p -= p % 15;
      if (std::find(points.begin(), points.end(), p) == points.end()) {
        points.push_back(p);
      }
    }
    std::sort(points.begin(), points.end());
    std::vector<LocalInterval> hours;
    for (int i = 0; i < n; i += 2) hours.push_back({points[i], points[i + 1]});
    if (Chance(0.2) && hours.size() > 1) {
      hours[1].begin_min = hours[0].end_min;  // touching: must merge
    }
    return hours;
  }

  absl::CivilDay Day(absl::CivilDay from, int span) {
    return from + Uniform(0, span - 1);
  }

  CalendarSpec Spec() {
    CalendarSpec spec;
    spec.time_zone = kZones[Uniform(0, std::size(kZones) - 1)];
    if (Chance(0.08)) {
      spec.always = true;
      return spec;
    }
    bool any = false;
    for (auto& day : spec.weekly) {
      if (Chance(0.6)) {
        day = Hours();
        any = true;
      }
    }
    if (!any) spec.weekly[Uniform(0, 6)] = Hours();
    const absl::CivilDay base(2025, 10, 1);
    for (int i = Uniform(0, 40); i > 0; --i) {
      spec.holidays.push_back(Day(base, 900));
    }
    for (int i = Uniform(0, 12); i > 0; --i) {
      const absl::CivilDay d = Day(base, 900);
      if (std::find(spec.holidays.begin(), spec.holidays.end(), d) ==
          spec.holidays.end()) {
        spec.workdays.push_back(d);
      }
    }
    if (spec.weekly[0].empty() || Chance(0.3)) spec.workday_hours = Hours();
    return spec;
  }

 private:
  testing::SplitMix64 rng_;
};

int64_t WeeklyWorkMs(const CalendarSpec& spec) {
  if (spec.always) return 7 * kDayMs;
  int64_t total = 0;
  for (const auto& day : spec.weekly) {
    for (const LocalInterval& iv : day) {
      total += (iv.end_min - iv.begin_min) * kMinuteMs;
    }
  }
  return total;
}

// One seed: random calendars, each asked kQueries random questions.
void CheckSeed(uint64_t seed) {
  Gen gen(seed);
  constexpr int kCalendars = 12;
  constexpr int kQueries = 10;
  const int64_t origin = absl::ToUnixMillis(absl::FromCivil(
      absl::CivilSecond(2026, 1, 1, 0, 0, 0), absl::UTCTimeZone()));
  for (int c = 0; c < kCalendars; ++c) {
    const CalendarSpec spec = gen.Spec();
    SCOPED_TRACE(
        absl::StrCat("seed=", seed, " calendar=", c, " zone=", spec.time_zone));
    absl::StatusOr<Calendar> cal = Calendar::Create(spec);
    ASSERT_TRUE(cal.ok()) << cal.status();
    const NaiveCalendar naive(spec);
    // Up to about half a year of wall time, so the reference stays fast.
    const int64_t max_d =
        std::min<int64_t>(90 * kDayMs, 26 * WeeklyWorkMs(spec));
    for (int q = 0; q < kQueries; ++q) {
      SCOPED_TRACE(absl::StrCat("query=", q));
      // Spread over two years, in random order, so the index grows both
      // ways and is sometimes rebuilt.
      int64_t s = origin + gen.Uniform(0, 730 * kDayMs);
      if (gen.Chance(0.5)) s -= s % kMinuteMs;
      const int64_t d = gen.LogUniform(max_d);

      absl::StatusOr<int64_t> t = cal->Add(s, d);
      ASSERT_TRUE(t.ok()) << t.status();
      ASSERT_EQ(*t, naive.Add(s, d)) << "Add(" << s << ", " << d << ")";
      ASSERT_GT(*t, s);
      EXPECT_EQ(*cal->Between(s, *t), d);
      // The earliest such instant: one ms earlier falls short.
      EXPECT_EQ(*cal->Between(s, *t - 1), d - 1);

      // Monotone in the start and in the duration.
      const int64_t d2 = d + gen.Uniform(0, kDayMs);
      EXPECT_GE(*cal->Add(s, d2), *t);
      const int64_t s2 = s + gen.Uniform(0, kDayMs);
      EXPECT_GE(*cal->Add(s2, d), *t);
      // Add composes: from the first deadline, the rest of the time.
      const int64_t d1 = gen.Uniform(1, d);
      if (d1 < d) {
        EXPECT_EQ(*cal->Add(*cal->Add(s, d1), d - d1), *t);
      }

      // Between agrees on an arbitrary end, and is additive.
      const int64_t e = s + gen.Uniform(0, *t - s + kDayMs);
      const int64_t mid = s + gen.Uniform(0, e - s);
      ASSERT_EQ(*cal->Between(s, e), naive.Between(s, e))
          << "Between(" << s << ", " << e << ")";
      EXPECT_EQ(*cal->Between(s, mid) + *cal->Between(mid, e),
                *cal->Between(s, e));

      // Subtract, the mirror of Add, against the reference's Between:
      // exactly d before the end, and the latest such instant (one ms later
      // has less ahead of it). Ends: the deadline just found (working time
      // or a closing time) and the arbitrary e (often outside hours).
      for (const int64_t end : {*t, e}) {
        absl::StatusOr<int64_t> b = cal->Subtract(end, d);
        ASSERT_TRUE(b.ok()) << b.status();
        ASSERT_EQ(naive.Between(*b, end), d)
            << "Subtract(" << end << ", " << d << ") = " << *b;
        EXPECT_LT(naive.Between(*b + 1, end), d)
            << "Subtract(" << end << ", " << d << ") = " << *b;
        EXPECT_LE(*cal->Add(*b, d), end);
      }
      EXPECT_GE(*cal->Subtract(*t, d), s);
    }
    EXPECT_LE(cal->index_size(), (3u * 366 + 400) * 3);
  }
}

// A seed per test: under the sanitizers the minute-stepping reference
// takes about 25 s a seed, and CTest runs the three side by side.
class CalendarPropertyTest : public ::testing::TestWithParam<int> {};

TEST_P(CalendarPropertyTest, AgreesWithMinuteSteppingReference) {
  for (uint64_t seed : testing::PropertySeedShard(20260105, 3, GetParam(), 3)) {
    std::printf("CalendarPropertyTest seed=%llu\n",
                static_cast<unsigned long long>(seed));
    CheckSeed(seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, CalendarPropertyTest, ::testing::Range(0, 3));

}  // namespace
}  // namespace slad::engine
