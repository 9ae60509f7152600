#include "config/policy_file.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/time_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace slad::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kHourMs = 3600 * 1000;

int64_t Ms(const char* text) { return *engine::ParseInstantMs(text); }

// Returns the error message of parsing `text`, which must fail.
std::string ErrorOf(const std::string& text) {
  absl::StatusOr<engine::Policy> p = ParsePolicy(text, "p.toml");
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(p.status().message());
}

TEST(PolicyFileTest, DefaultPolicyHasThreeCalendars) {
  absl::StatusOr<engine::Policy> p = LoadDefaultPolicy();
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->calendars.size(), 3u);
  EXPECT_TRUE(p->calendars.contains("cn_office"));
  EXPECT_TRUE(p->calendars.contains("weekdays"));
  EXPECT_TRUE(p->calendars.at("always").spec().always);
}

TEST(PolicyFileTest, DefaultCnOfficeIsThe2026Schedule) {
  engine::Policy p = *LoadDefaultPolicy();
  engine::Calendar& cal = p.calendars.at("cn_office");
  EXPECT_EQ(cal.spec().holidays.size(), 3u + 9 + 3 + 5 + 3 + 3 + 7);
  EXPECT_EQ(cal.spec().workdays.size(), 6u);
  EXPECT_EQ(*cal.Add(Ms("2026-01-05T09:00:00+08:00"), kHourMs), 1767578400000);
  // 2026 has 261 weekdays; 19 of the 33 holidays fall on one; 6 make-up
  // days: 261 - 19 + 6 = 248 working days.
  EXPECT_EQ(*cal.Between(Ms("2026-01-01T00:00:00+08:00"),
                         Ms("2027-01-01T00:00:00+08:00")),
            248 * 8 * kHourMs);
}

TEST(PolicyFileTest, ParsesEveryKey) {
  absl::StatusOr<engine::Policy> p = ParsePolicy(R"(
[calendars.x]
timezone = "Europe/Berlin"
mon = ["08:00-12:00", "12:00-24:00"]
sat = []
holidays = ["2026-12-24..2026-12-26", 2026-12-31]
workdays = ["2026-12-27"]
workday_hours = ["10:00-14:00"]
day_length = "7h30m"
)",
                                                 "p.toml");
  ASSERT_TRUE(p.ok()) << p.status();
  const engine::CalendarSpec& spec = p->calendars.at("x").spec();
  EXPECT_EQ(spec.weekly[0].size(), 2u);
  EXPECT_EQ(spec.holidays.size(), 4u);
  EXPECT_EQ(*spec.day_length_ms, 7 * kHourMs + kHourMs / 2);
  EXPECT_EQ(spec.workday_hours->front().begin_min, 600);
}

TEST(PolicyFileTest, SyntaxErrorHasLineAndColumn) {
  EXPECT_THAT(
      ErrorOf(
          "[calendars.x]\ntimezone = \"UTC\"\n\nmon = = [\"09:00-17:00\"]\n"),
      StartsWith("p.toml:4:7: "));
}

TEST(PolicyFileTest, UnknownTopLevelKey) {
  EXPECT_THAT(ErrorOf("\n\ncalendar = 1\n"),
              AllOf(StartsWith("p.toml:3:1: "), HasSubstr("unknown key")));
}

TEST(PolicyFileTest, UnknownCalendarKey) {
  EXPECT_THAT(ErrorOf("[calendars.x]\ntimezone = \"UTC\"\nmon = "
                      "[\"09:00-17:00\"]\nmonday = [\"09:00-17:00\"]\n"),
              AllOf(StartsWith("p.toml:4:1: "), HasSubstr("\"monday\"")));
}

TEST(PolicyFileTest, BadIntervalPointsAtElement) {
  EXPECT_THAT(ErrorOf("[calendars.x]\ntimezone = \"UTC\"\n"
                      "mon = [\"08:00-09:00\", \"9:00-18:00\"]\n"),
              AllOf(StartsWith("p.toml:3:23: "), HasSubstr("\"9:00-18:00\"")));
  EXPECT_THAT(
      ErrorOf("[calendars.x]\ntimezone = \"UTC\"\nmon = [\"09:00-24:30\"]\n"),
      StartsWith("p.toml:3:8: "));
}

TEST(PolicyFileTest, OverlappingIntervals) {
  EXPECT_THAT(ErrorOf("[calendars.x]\ntimezone = \"UTC\"\n"
                      "tue = [\"09:00-12:00\", \"11:00-18:00\"]\n"),
              AllOf(StartsWith("p.toml:3:7: "), HasSubstr("overlap")));
}

TEST(PolicyFileTest, UnknownZone) {
  EXPECT_THAT(ErrorOf("[calendars.x]\ntimezone = \"Asia/Atlantis\"\n"
                      "mon = [\"09:00-17:00\"]\n"),
              AllOf(StartsWith("p.toml:2:12: "), HasSubstr("Asia/Atlantis")));
}

TEST(PolicyFileTest, NoWorkingTime) {
  EXPECT_THAT(ErrorOf("# c\n[calendars.x]\ntimezone = \"UTC\"\n"),
              AllOf(StartsWith("p.toml:2:"), HasSubstr("no working time")));
}

TEST(PolicyFileTest, MissingZone) {
  EXPECT_THAT(ErrorOf("[calendars.x]\nmon = [\"09:00-17:00\"]\n"),
              AllOf(StartsWith("p.toml:1:"), HasSubstr("timezone")));
}

TEST(PolicyFileTest, BadDateAndDayLength) {
  EXPECT_THAT(
      ErrorOf("[calendars.x]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n"
              "holidays = [\"2026-02-30\"]\n"),
      AllOf(StartsWith("p.toml:4:13: "), HasSubstr("bad date")));
  EXPECT_THAT(
      ErrorOf("[calendars.x]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n"
              "day_length = \"1wd\"\n"),
      StartsWith("p.toml:4:14: "));
  EXPECT_THAT(
      ErrorOf("[calendars.x]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n"
              "always = \"yes\"\n"),
      StartsWith("p.toml:4:10: "));
}

TEST(PolicyFileTest, HolidayRangeErrorsSayWhatIsWrong) {
  const std::string cal =
      "[calendars.x]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n";
  EXPECT_EQ(ErrorOf(cal + "holidays = [\"2026-03-01..2026-02-01\"]\n"),
            "p.toml:4:13: holidays: range \"2026-03-01..2026-02-01\" ends "
            "before it starts");
  EXPECT_TRUE(
      ParsePolicy(cal + "workdays = [\"2026-01-01..2027-01-01\"]\n", "p.toml")
          .ok());  // 366 days
  EXPECT_EQ(ErrorOf(cal + "holidays = [\"2026-01-01..2027-01-02\"]\n"),
            "p.toml:4:13: holidays: range \"2026-01-01..2027-01-02\" is 367 "
            "days (at most 366; split a longer one)");
  EXPECT_EQ(ErrorOf(cal + "holidays = [\"2026-02-30\"]\n"),
            "p.toml:4:13: holidays: bad date \"2026-02-30\" (want "
            "\"YYYY-MM-DD\" or \"YYYY-MM-DD..YYYY-MM-DD\")");
}

// A make-up day needs hours: an empty workday_hours is named where it is
// written, and one left to default to Monday's says so.
TEST(PolicyFileTest, MakeUpDaysWithoutHoursSayWhichHoursAreMissing) {
  const std::string cal = "[calendars.x]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n"
                          "workdays = [\"2026-01-03\"]\n";
  EXPECT_EQ(ErrorOf(cal + "workday_hours = []\n"),
            "p.toml:5:17: workday_hours: empty, but workdays (make-up days) need hours");
  EXPECT_THAT(ErrorOf("[calendars.x]\ntimezone = \"UTC\"\ntue = [\"09:00-17:00\"]\n"
                      "workdays = [\"2026-01-03\"]\n"),
              HasSubstr("it defaults to mon's, and mon has none"));
}

// A TOML date is taken as the date it is; a TOML date-time is not a date,
// and the message says what was written.
TEST(PolicyFileTest, UnquotedTomlDatesAreNamed) {
  const std::string cal =
      "[calendars.x]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n";
  EXPECT_TRUE(ParsePolicy(cal + "holidays = [2026-01-01]\n", "p.toml").ok());
  EXPECT_THAT(ErrorOf(cal + "holidays = [\"2026-01-01\", 2026-01-02T00:00:00]\n"),
              AllOf(StartsWith("p.toml:4:27: "), HasSubstr("a TOML date-time")));
  EXPECT_THAT(ErrorOf(cal + "holidays = [7]\n"), HasSubstr("(not a string)"));
}

TEST(PolicyFileTest, DayLengthErrorsSayWhatIsWrong) {
  const std::string cal =
      "[calendars.x]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n";
  EXPECT_EQ(ErrorOf(cal + "day_length = \"0h\"\n"),
            "p.toml:4:14: day_length: must be positive, like \"8h\"");
  EXPECT_EQ(ErrorOf(cal + "day_length = \"24h1ms\"\n"),
            "p.toml:4:14: day_length: at most 24h (one day's business time)");
  EXPECT_TRUE(ParsePolicy(cal + "day_length = \"24h\"\n", "p.toml").ok());
  EXPECT_THAT(ErrorOf(cal + "day_length = \"1wd\"\n"),
              AllOf(StartsWith("p.toml:4:14: day_length: "),
                    HasSubstr("not working days")));
}

// Calendar names are free text, but the wire's: 1..128 bytes, no control
// characters (docs/API.md), or `explain` could not carry them.
TEST(PolicyFileTest, CalendarNamesMustFitTheWire) {
  const auto cal = [](const std::string& name) {
    return "[calendars." + name + "]\nalways = true\n";
  };
  EXPECT_TRUE(ParsePolicy(cal("\"Office hours\""), "p.toml").ok());
  EXPECT_TRUE(ParsePolicy(cal(std::string(128, 'c')), "p.toml").ok());
  EXPECT_EQ(ErrorOf(cal("\"a\\u0001b\"")),
            "p.toml:1:12: calendar: control character U+0001 in the name "
            "(names carry none on the wire)");
  EXPECT_THAT(ErrorOf(cal("\"a\\u007F\"")), HasSubstr("U+007F"));
  EXPECT_THAT(ErrorOf(cal("\"\"")), StartsWith("p.toml:1:12: calendar: empty"));
  // 43 three-byte characters: 129 bytes; the quote is cut whole.
  std::string wide;
  for (int i = 0; i < 43; ++i) wide += "\u65e5";
  EXPECT_EQ(ErrorOf(cal("\"" + wide + "\"")),
            "p.toml:1:12: calendar: name \"" + wide.substr(0, 30) +
                "...\" is 129 bytes (at most 128, the longest name requests "
                "carry)");
}

TEST(PolicyFileTest, AlwaysExcludesHours) {
  EXPECT_THAT(
      ErrorOf("[calendars.x]\nalways = true\nmon = [\"09:00-17:00\"]\n"),
      HasSubstr("always"));
}

TEST(PolicyFileTest, MissingFileIsNotFound) {
  const absl::Status missing = LoadPolicyFile("/nonexistent/policy.toml").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("No such file"));
}

// A directory opens as a stream that reads nothing: it once loaded as an
// empty, valid policy with no calendars and no kinds.
TEST(PolicyFileTest, ADirectoryIsNotAPolicy) {
  const absl::Status dir = LoadPolicyFile("/tmp").status();
  EXPECT_EQ(dir.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(dir.message()), HasSubstr("is a directory"));
}

// "localtime" depends on the TZ of the machine slad runs on, and absl's
// "Fixed/..." names are not IANA zones: both refused where they are.
TEST(PolicyFileTest, OnlyIanaTimeZones) {
  for (const char* zone : {"localtime", "Fixed/UTC+05:30:00", "Mars/Olympus",
                           "/etc/localtime", "file:/etc/localtime",
                           "libc:localtime", "../zoneinfo/UTC"}) {
    EXPECT_THAT(ErrorOf(absl::StrCat("[calendars.x]\ntimezone = \"", zone,
                                     "\"\nmon = [\"09:00-17:00\"]\n")),
                AllOf(StartsWith("p.toml:2:12: "), HasSubstr("unknown time zone")))
        << zone;
  }
}

// A holiday list published a year at a time runs out: from the last
// quarter of its last listed year the daemon says so at every start and
// reload. The default policy's cn_office lists 2026.
TEST(PolicyFileTest, CalendarsWhoseHolidaysRunOutAreNamed) {
  const absl::StatusOr<engine::Policy> policy = LoadDefaultPolicy();
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto at = [](const char* instant) { return *engine::ParseInstantMs(instant); };
  EXPECT_TRUE(CalendarCoverageWarnings(*policy, at("2026-09-30T23:59:59Z")).empty());
  const std::vector<std::string> october =
      CalendarCoverageWarnings(*policy, at("2026-10-01T00:00:00Z"));
  ASSERT_EQ(october.size(), 1u);
  EXPECT_THAT(october[0], AllOf(StartsWith("calendar \"cn_office\" lists holidays"),
                                HasSubstr("through 2026-10-10"),
                                HasSubstr("from 2027-01-01")));
  EXPECT_EQ(CalendarCoverageWarnings(*policy, at("2028-03-01T00:00:00Z")).size(), 1u);
  // A calendar that lists no dates has nothing to run out.
  const absl::StatusOr<engine::Policy> plain =
      ParsePolicy("[calendars.office]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n", "p.toml");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_TRUE(CalendarCoverageWarnings(*plain, at("2030-12-01T00:00:00Z")).empty());
}

}  // namespace
}  // namespace slad::config
