#include "engine/calendar.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/time_format.h"
#include "gtest/gtest.h"

namespace slad::engine {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;

int64_t Ms(const std::string& rfc3339) {
  absl::StatusOr<int64_t> ms = ParseInstantMs(rfc3339);
  EXPECT_TRUE(ms.ok()) << ms.status();
  return ms.value_or(0);
}

LocalInterval Hm(int bh, int bm, int eh, int em) {
  return {bh * 60 + bm, eh * 60 + em};
}

// The 2026 mainland-China calendar of the default policy.
CalendarSpec CnOfficeSpec() {
  CalendarSpec spec;
  spec.time_zone = "Asia/Shanghai";
  for (int d = 0; d < 5; ++d)
    spec.weekly[d] = {Hm(9, 0, 12, 0), Hm(13, 0, 18, 0)};
  const int off[][3] = {{1, 1, 3},   {2, 15, 23}, {4, 4, 6}, {5, 1, 5},
                        {6, 19, 21}, {9, 25, 27}, {10, 1, 7}};
  for (const auto& r : off) {
    for (int day = r[1]; day <= r[2]; ++day) {
      spec.holidays.push_back(absl::CivilDay(2026, r[0], day));
    }
  }
  spec.workdays = {absl::CivilDay(2026, 1, 4),  absl::CivilDay(2026, 2, 14),
                   absl::CivilDay(2026, 2, 28), absl::CivilDay(2026, 5, 9),
                   absl::CivilDay(2026, 9, 20), absl::CivilDay(2026, 10, 10)};
  return spec;
}

Calendar Make(CalendarSpec spec) {
  absl::StatusOr<Calendar> cal = Calendar::Create(std::move(spec));
  EXPECT_TRUE(cal.ok()) << cal.status();
  return *std::move(cal);
}

CalendarSpec AllDaySpec(const std::string& zone) {
  CalendarSpec spec;
  spec.time_zone = zone;
  for (auto& day : spec.weekly) day = {Hm(0, 0, 24, 0)};
  return spec;
}

CalendarSpec OfficeSpec(const std::string& zone) {
  CalendarSpec spec;
  spec.time_zone = zone;
  for (int d = 0; d < 5; ++d) spec.weekly[d] = {Hm(9, 0, 17, 0)};
  return spec;
}

TEST(CalendarTest, IssueExampleAddOneHour) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(*cal.Add(Ms("2026-01-05T09:00:00+08:00"), kHourMs), 1767578400000);
}

TEST(CalendarTest, OneWorkingDayIsEightHours) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(cal.day_length_ms(), 8 * kHourMs);
  EXPECT_EQ(*cal.Between(Ms("2026-01-05T00:00:00+08:00"),
                         Ms("2026-01-06T00:00:00+08:00")),
            28800000);
}

TEST(CalendarTest, DeadlineOnClosingTimeIsClosingTime) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(*cal.Add(Ms("2026-01-05T09:00:00+08:00"), 8 * kHourMs),
            Ms("2026-01-05T18:00:00+08:00"));
  EXPECT_EQ(*cal.Add(Ms("2026-01-05T09:00:00+08:00"), 3 * kHourMs),
            Ms("2026-01-05T12:00:00+08:00"));
}

TEST(CalendarTest, LunchBreakIsSkipped) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(*cal.Add(Ms("2026-01-05T11:30:00+08:00"), kHourMs),
            Ms("2026-01-05T13:30:00+08:00"));
  EXPECT_EQ(*cal.Between(Ms("2026-01-05T11:00:00+08:00"),
                         Ms("2026-01-05T14:00:00+08:00")),
            2 * kHourMs);
}

TEST(CalendarTest, StartOutsideWorkingTimeBeginsAtNextOpening) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(*cal.Add(Ms("2026-01-05T19:00:00+08:00"), kHourMs),
            Ms("2026-01-06T10:00:00+08:00"));
}

TEST(CalendarTest, StartOnHolidayRunsFromMakeUpSunday) {
  Calendar cal = Make(CnOfficeSpec());
  // Thu 1 Jan is a holiday (1-3 Jan off); Sun 4 Jan is a make-up day.
  EXPECT_EQ(*cal.Add(Ms("2026-01-01T10:00:00+08:00"), kHourMs),
            Ms("2026-01-04T10:00:00+08:00"));
}

TEST(CalendarTest, StartOnMakeUpSunday) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(*cal.Add(Ms("2026-01-04T08:00:00+08:00"), 9 * kHourMs),
            Ms("2026-01-05T10:00:00+08:00"));
}

TEST(CalendarTest, SpringFestival2026) {
  Calendar cal = Make(CnOfficeSpec());
  // Fri 13 Feb, then make-up Sat 14 Feb, then off 15-23 Feb.
  EXPECT_EQ(*cal.Add(Ms("2026-02-13T17:00:00+08:00"), 2 * kHourMs),
            Ms("2026-02-14T10:00:00+08:00"));
  EXPECT_EQ(*cal.Add(Ms("2026-02-14T17:00:00+08:00"), 2 * kHourMs),
            Ms("2026-02-24T10:00:00+08:00"));
  EXPECT_EQ(*cal.Between(Ms("2026-02-14T00:00:00+08:00"),
                         Ms("2026-02-25T00:00:00+08:00")),
            16 * kHourMs);
  // Three working days from the eve: Sat 14, Tue 24, Wed 25.
  EXPECT_EQ(*cal.Add(Ms("2026-02-13T18:00:00+08:00"), 3 * cal.day_length_ms()),
            Ms("2026-02-25T18:00:00+08:00"));
}

TEST(CalendarTest, AllDayCalendarNeverClosesAtMidnight) {
  CalendarSpec spec = AllDaySpec("Asia/Shanghai");
  spec.holidays = {absl::CivilDay(2026, 1, 10)};
  Calendar cal = Make(spec);
  std::vector<Calendar::Interval> got;
  ASSERT_TRUE(cal.WorkingIntervals(Ms("2026-01-05T00:00:00+08:00"),
                                   Ms("2026-01-12T00:00:00+08:00"), &got)
                  .ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].end_ms, Ms("2026-01-10T00:00:00+08:00"));
  EXPECT_EQ(got[1].begin_ms, Ms("2026-01-11T00:00:00+08:00"));
  EXPECT_EQ(*cal.Add(Ms("2026-01-05T23:00:00+08:00"), 2 * kHourMs),
            Ms("2026-01-06T01:00:00+08:00"));
}

TEST(CalendarTest, NewYorkSpringForwardDayIs23Hours) {
  Calendar cal = Make(AllDaySpec("America/New_York"));
  EXPECT_EQ(*cal.Between(Ms("2026-03-08T00:00:00-05:00"),
                         Ms("2026-03-09T00:00:00-04:00")),
            23 * kHourMs);
}

TEST(CalendarTest, NewYorkFallBackDayIs25Hours) {
  Calendar cal = Make(AllDaySpec("America/New_York"));
  EXPECT_EQ(*cal.Between(Ms("2026-11-01T00:00:00-04:00"),
                         Ms("2026-11-02T00:00:00-05:00")),
            25 * kHourMs);
}

TEST(CalendarTest, NewYorkIntervalInGapStartsWhenGapEnds) {
  CalendarSpec spec = OfficeSpec("America/New_York");
  spec.weekly[6] = {Hm(2, 0, 2, 45), Hm(2, 30 + 15, 4, 0)};  // Sunday
  Calendar cal = Make(spec);
  // 02:00-02:45 lies in the gap (empty); 02:45-04:00 is 03:00-04:00 EDT.
  EXPECT_EQ(*cal.Between(Ms("2026-03-08T00:00:00-05:00"),
                         Ms("2026-03-09T00:00:00-04:00")),
            kHourMs);
  EXPECT_EQ(*cal.Add(Ms("2026-03-08T00:00:00-05:00"), 1),
            Ms("2026-03-08T03:00:00.001-04:00"));
}

TEST(CalendarTest, NewYorkRepeatedBoundaryIsFirstPass) {
  CalendarSpec spec = OfficeSpec("America/New_York");
  spec.weekly[6] = {Hm(1, 30, 2, 30)};  // Sunday
  Calendar cal = Make(spec);
  // From 01:30 EDT (first pass) to 02:30 EST: two hours.
  EXPECT_EQ(*cal.Add(Ms("2026-11-01T00:00:00-04:00"), 2 * kHourMs),
            Ms("2026-11-01T02:30:00-05:00"));
}

TEST(CalendarTest, NewYorkOfficeAcrossSpringForward) {
  Calendar cal = Make(OfficeSpec("America/New_York"));
  EXPECT_EQ(*cal.Add(Ms("2026-03-06T16:00:00-05:00"), 2 * kHourMs),
            Ms("2026-03-09T10:00:00-04:00"));
}

TEST(CalendarTest, BerlinSpringForwardAndFallBack) {
  Calendar cal = Make(AllDaySpec("Europe/Berlin"));
  EXPECT_EQ(*cal.Between(Ms("2026-03-29T00:00:00+01:00"),
                         Ms("2026-03-30T00:00:00+02:00")),
            23 * kHourMs);
  EXPECT_EQ(*cal.Between(Ms("2026-10-25T00:00:00+02:00"),
                         Ms("2026-10-26T00:00:00+01:00")),
            25 * kHourMs);
}

TEST(CalendarTest, BerlinRepeatedHourCountsTwiceInsideInterval) {
  CalendarSpec spec = OfficeSpec("Europe/Berlin");
  spec.weekly[6] = {Hm(2, 0, 3, 0)};  // Sunday
  Calendar cal = Make(spec);
  // 02:00 CEST (first pass) to 03:00 CET.
  EXPECT_EQ(*cal.Between(Ms("2026-10-25T00:00:00+02:00"),
                         Ms("2026-10-26T00:00:00+01:00")),
            2 * kHourMs);
  // On spring-forward day 02:00-03:00 does not exist.
  EXPECT_EQ(*cal.Between(Ms("2026-03-29T00:00:00+01:00"),
                         Ms("2026-03-30T00:00:00+02:00")),
            0);
}

TEST(CalendarTest, AlwaysCalendarIsWallTime) {
  CalendarSpec spec;
  spec.always = true;
  Calendar cal = Make(spec);
  EXPECT_EQ(cal.day_length_ms(), 24 * kHourMs);
  EXPECT_EQ(*cal.Add(1000, 5), 1005);
  EXPECT_EQ(*cal.Between(1000, 5000), 4000);
}

TEST(CalendarTest, ZeroDurationIsStart) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(*cal.Add(Ms("2026-01-03T03:00:00Z"), 0),
            Ms("2026-01-03T03:00:00Z"));
}

TEST(CalendarTest, BadQueriesAreRejected) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(cal.Add(1, -1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cal.Between(5, 4).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cal.Between(-1, 4).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(cal.Add(Calendar::kMaxMs - kHourMs, 10 * kHourMs).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(cal.Add(0, INT64_MAX).status().code(),
            absl::StatusCode::kOutOfRange);
}

// A night shift written as one interval is refused with how to write it.
TEST(CalendarTest, AShiftPastMidnightIsRefusedWithHowToWriteIt) {
  const absl::Status s = Calendar::CheckHours({{22 * 60, 6 * 60}}, "mon");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("22:00-24:00 on its first day, 00:00-06:00 on the next"),
            std::string::npos) << s;
  EXPECT_EQ(Calendar::CheckHours({{9 * 60, 9 * 60}}, "mon").message().find("midnight"),
            std::string::npos);
}

TEST(CalendarTest, InvalidSpecsAreRejected) {
  const auto code = [](CalendarSpec spec) {
    return Calendar::Create(std::move(spec)).status().code();
  };
  const auto kBad = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(code(CalendarSpec{}), kBad);  // no working time
  CalendarSpec zone = OfficeSpec("Mars/Olympus_Mons");
  EXPECT_EQ(code(zone), kBad);
  CalendarSpec overlap = OfficeSpec("UTC");
  overlap.weekly[2] = {Hm(9, 0, 12, 0), Hm(11, 0, 13, 0)};
  EXPECT_EQ(code(overlap), kBad);
  CalendarSpec unsorted = OfficeSpec("UTC");
  unsorted.weekly[2] = {Hm(13, 0, 18, 0), Hm(9, 0, 12, 0)};
  EXPECT_EQ(code(unsorted), kBad);
  CalendarSpec empty = OfficeSpec("UTC");
  empty.weekly[2] = {Hm(9, 0, 9, 0)};
  EXPECT_EQ(code(empty), kBad);
  CalendarSpec past_midnight = OfficeSpec("UTC");
  past_midnight.weekly[2] = {{600, 1441}};
  EXPECT_EQ(code(past_midnight), kBad);
  CalendarSpec both = OfficeSpec("UTC");
  both.holidays = {absl::CivilDay(2026, 1, 3)};
  both.workdays = {absl::CivilDay(2026, 1, 3)};
  EXPECT_EQ(code(both), kBad);
  CalendarSpec always = OfficeSpec("UTC");
  always.always = true;
  EXPECT_EQ(code(always), kBad);
  CalendarSpec no_hours = OfficeSpec("UTC");
  no_hours.weekly[0].clear();
  no_hours.workdays = {absl::CivilDay(2026, 1, 3)};
  EXPECT_EQ(code(no_hours), kBad);
  CalendarSpec zero_day = OfficeSpec("UTC");
  zero_day.day_length_ms = 0;
  EXPECT_EQ(code(zero_day), kBad);
}

TEST(CalendarTest, SpecialDaysNameHolidaysWeekendsAndMakeUpDays) {
  Calendar cal = Make(CnOfficeSpec());
  std::vector<Calendar::Day> days;
  ASSERT_TRUE(cal.SpecialDays(Ms("2026-01-01T00:00:00+08:00"),
                              Ms("2026-01-06T00:00:00+08:00"), &days)
                  .ok());
  ASSERT_EQ(days.size(), 4u);
  EXPECT_EQ(days[0].date, absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(days[0].kind, Calendar::DayKind::kHoliday);
  EXPECT_EQ(days[2].date, absl::CivilDay(2026, 1, 3));
  EXPECT_EQ(days[2].kind, Calendar::DayKind::kHoliday);  // a Saturday too
  EXPECT_EQ(days[3].date, absl::CivilDay(2026, 1, 4));
  EXPECT_EQ(days[3].kind, Calendar::DayKind::kMakeUpDay);
}

TEST(CalendarTest, WorkingIntervalsAreClipped) {
  Calendar cal = Make(CnOfficeSpec());
  std::vector<Calendar::Interval> got;
  ASSERT_TRUE(cal.WorkingIntervals(Ms("2026-01-05T10:00:00+08:00"),
                                   Ms("2026-01-06T10:00:00+08:00"), &got)
                  .ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].begin_ms, Ms("2026-01-05T10:00:00+08:00"));
  EXPECT_EQ(got[2].end_ms, Ms("2026-01-06T10:00:00+08:00"));
}

TEST(CalendarTest, IndexStaysBoundedAsTimeAdvances) {
  Calendar cal = Make(CnOfficeSpec());
  for (int64_t t = Ms("2026-01-01T00:00:00Z"); t < Ms("2046-01-01T00:00:00Z");
       t += 24 * kHourMs) {
    ASSERT_TRUE(cal.Add(t, 16 * kHourMs).ok());
    ASSERT_LE(cal.index_size(), 2u * (Calendar::kMaxIndexDays + 64));
  }
}

TEST(CalendarTest, BackwardQueriesExtendIndex) {
  Calendar cal = Make(CnOfficeSpec());
  const int64_t late =
      *cal.Between(Ms("2026-06-01T00:00:00Z"), Ms("2026-06-08T00:00:00Z"));
  EXPECT_EQ(*cal.Between(Ms("2026-01-05T00:00:00+08:00"),
                         Ms("2026-01-12T00:00:00+08:00")),
            40 * kHourMs);
  EXPECT_EQ(
      *cal.Between(Ms("2026-06-01T00:00:00Z"), Ms("2026-06-08T00:00:00Z")),
      late);
}

// Subtract: the latest instant with that much business time before `end`.

TEST(CalendarSubtractTest, InsideOneInterval) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(*cal.Subtract(Ms("2026-01-05T11:00:00+08:00"), kHourMs),
            Ms("2026-01-05T10:00:00+08:00"));
  EXPECT_EQ(*cal.Subtract(Ms("2026-01-05T11:00:00+08:00"), 0),
            Ms("2026-01-05T11:00:00+08:00"));
}

TEST(CalendarSubtractTest, ExactFitLandsOnOpeningNotPreviousClosing) {
  Calendar cal = Make(CnOfficeSpec());
  // One hour before 14:00 is 13:00 (lunch ends), not 12:00: latest.
  EXPECT_EQ(*cal.Subtract(Ms("2026-01-05T14:00:00+08:00"), kHourMs),
            Ms("2026-01-05T13:00:00+08:00"));
  // A whole working day before Tue 18:00 is Tue 09:00, not Mon 18:00.
  EXPECT_EQ(*cal.Subtract(Ms("2026-01-06T18:00:00+08:00"), 8 * kHourMs),
            Ms("2026-01-06T09:00:00+08:00"));
}

TEST(CalendarSubtractTest, EndAtOpeningCountsBackFromPreviousClosing) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(*cal.Subtract(Ms("2026-01-06T09:00:00+08:00"), kHourMs / 2),
            Ms("2026-01-05T17:30:00+08:00"));
  // An end outside working time likewise.
  EXPECT_EQ(*cal.Subtract(Ms("2026-01-05T12:30:00+08:00"), kHourMs),
            Ms("2026-01-05T11:00:00+08:00"));
}

TEST(CalendarSubtractTest, AcrossWeekend) {
  Calendar cal = Make(OfficeSpec("UTC"));
  // Mon 12 Jan 2026 10:00 minus 2h: 1h on Monday, 1h on Friday.
  EXPECT_EQ(*cal.Subtract(Ms("2026-01-12T10:00:00Z"), 2 * kHourMs),
            Ms("2026-01-09T16:00:00Z"));
  // Saturday noon minus 30m: counted back from Friday's closing.
  EXPECT_EQ(*cal.Subtract(Ms("2026-01-10T12:00:00Z"), kHourMs / 2),
            Ms("2026-01-09T16:30:00Z"));
}

TEST(CalendarSubtractTest, AcrossHolidayAndMakeUpDay) {
  Calendar cal = Make(CnOfficeSpec());
  // Tue 24 Feb 10:00 minus 2h: 1h on the 24th, then back over the Spring
  // Festival (15-23 Feb) to the make-up Saturday 14 Feb.
  EXPECT_EQ(*cal.Subtract(Ms("2026-02-24T10:00:00+08:00"), 2 * kHourMs),
            Ms("2026-02-14T17:00:00+08:00"));
  // Mon 5 Jan 09:30 minus 1h: back over no holiday, to make-up Sun 4 Jan.
  EXPECT_EQ(*cal.Subtract(Ms("2026-01-05T09:30:00+08:00"), kHourMs),
            Ms("2026-01-04T17:30:00+08:00"));
}

TEST(CalendarSubtractTest, AcrossSpringForward) {
  Calendar cal = Make(AllDaySpec("America/New_York"));
  // 8 Mar 2026 has 23 h: from the next midnight back 23 h is its midnight.
  EXPECT_EQ(*cal.Subtract(Ms("2026-03-09T00:00:00-04:00"), 23 * kHourMs),
            Ms("2026-03-08T00:00:00-05:00"));
  Calendar office = Make(OfficeSpec("America/New_York"));
  EXPECT_EQ(*office.Subtract(Ms("2026-03-09T10:00:00-04:00"), 2 * kHourMs),
            Ms("2026-03-06T16:00:00-05:00"));
}

TEST(CalendarSubtractTest, AcrossFallBack) {
  Calendar cal = Make(AllDaySpec("America/New_York"));
  EXPECT_EQ(*cal.Subtract(Ms("2026-11-02T00:00:00-05:00"), 25 * kHourMs),
            Ms("2026-11-01T00:00:00-04:00"));
}

TEST(CalendarSubtractTest, AlwaysCalendarIsWallTime) {
  CalendarSpec spec;
  spec.always = true;
  Calendar cal = Make(spec);
  EXPECT_EQ(*cal.Subtract(5000, 4000), 1000);
}

TEST(CalendarSubtractTest, BadQueriesAreRejected) {
  Calendar cal = Make(CnOfficeSpec());
  EXPECT_EQ(cal.Subtract(Ms("2026-01-05T11:00:00+08:00"), -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cal.Subtract(-1, 1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(cal.Subtract(Calendar::kMaxMs + 1, 1).status().code(),
            absl::StatusCode::kOutOfRange);
  // More business time than lies between 1970 and the end.
  EXPECT_EQ(cal.Subtract(10 * kHourMs, 11 * kHourMs).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(
      cal.Subtract(Ms("1970-01-05T00:00:00Z"), 40 * kHourMs).status().code(),
      absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace slad::engine
