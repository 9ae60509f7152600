#include "engine/time_format.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace slad::engine {
namespace {

TEST(TimeFormatTest, ParsesRfc3339WithOffset) {
  EXPECT_EQ(*ParseInstantMs("2026-01-05T09:00:00+08:00"), 1767574800000);
  EXPECT_EQ(*ParseInstantMs("2026-01-05T01:00:00Z"), 1767574800000);
  EXPECT_EQ(*ParseInstantMs("2026-01-05T01:00:00.25Z"), 1767574800250);
}

TEST(TimeFormatTest, TruncatesBelowMillisecond) {
  EXPECT_EQ(*ParseInstantMs("2026-01-05T01:00:00.0019Z"), 1767574800001);
}

TEST(TimeFormatTest, ParsesUnixMs) {
  EXPECT_EQ(*ParseInstantMs("1767578400000"), 1767578400000);
  EXPECT_EQ(*ParseInstantMs("0"), 0);
}

TEST(TimeFormatTest, RejectsMalformedInstants) {
  for (const char* bad :
       {"", "2026-01-05", "2026-01-05T09:00:00", "2026-01-05 09:00:00Z", "12x",
        "99999999999999999999", "2026-13-05T09:00:00Z"}) {
    EXPECT_EQ(ParseInstantMs(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  // A leap second is refused by name, not read as the next minute.
  EXPECT_THAT(std::string(ParseInstantMs("2026-01-09T04:00:60.126Z").status().message()),
              ::testing::HasSubstr("leap second"));
  EXPECT_THAT(std::string(ParseInstantMs("2016-12-31T23:59:60Z").status().message()),
              ::testing::HasSubstr("leap second"));
  // A fraction says what is wrong with it, not "missing unit".
  EXPECT_THAT(std::string(ParseDuration("1.5h").status().message()),
              ::testing::HasSubstr("whole numbers only"));
}

TEST(TimeFormatTest, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatInstantMs(1767578400000), "2026-01-05T02:00:00.000Z");
  EXPECT_EQ(FormatInstantMs(1767578400007), "2026-01-05T02:00:00.007Z");
}

TEST(TimeFormatTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration("90m")->ms, 90 * 60000);
  EXPECT_EQ(ParseDuration("2h")->ms, 2 * 3600000);
  EXPECT_EQ(ParseDuration("1h30m")->ms, 90 * 60000);
  EXPECT_EQ(ParseDuration("45s")->ms, 45000);
  EXPECT_EQ(ParseDuration("250ms")->ms, 250);
  EXPECT_EQ(ParseDuration("3wd")->working_days, 3);
  EXPECT_EQ(ParseDuration("3wd")->ms, 0);
  EXPECT_EQ(*ParseBusinessMs("3wd", 8 * 3600000), 24 * 3600000);
  EXPECT_EQ(*ParseBusinessMs("1wd4h", 8 * 3600000), 12 * 3600000);
}

// RFC 3339's shape, which absl::ParseTime alone does not hold to: it
// took an offset without its colon and fields without their zeros.
TEST(TimeFormatTest, InstantsAreRfc3339OrUnixMs) {
  for (const char* ok : {"2026-01-05T09:00:00+08:00", "2026-01-05t01:00:00z",
                         "2026-01-05T01:00:00.250Z", "2026-01-05T01:00:00.123456789-05:30",
                         "1767574800000"}) {
    EXPECT_TRUE(ParseInstantMs(ok).ok()) << ok;
  }
  for (const char* bad : {"2026-01-05T09:00:00+0800", "2026-1-5T09:00:00Z",
                          "2026-01-05T9:00:00Z", "2026-01-05 09:00:00Z",
                          "2026-01-05T09:00Z", "2026-01-05T09:00:00", "2026-01-05T09:00:00.Z",
                          "2026-01-05T09:00:00+08", "+2026-01-05T09:00:00Z"}) {
    EXPECT_EQ(ParseInstantMs(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(TimeFormatTest, RejectsMalformedDurations) {
  for (const char* bad : {"", "h", "90", "1.5h", "-2h", "2d", "30m1h", "2h2h",
                          "1 h", "2hx"}) {
    EXPECT_EQ(ParseDuration(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

// Too long is told apart from malformed, so that a caller can say so.
TEST(TimeFormatTest, DurationsPastAHundredYearsAreOutOfRange) {
  EXPECT_EQ(ParseDuration("1000000h").status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ParseDuration("36601wd").status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(ParseDuration("876000h").ok());
  EXPECT_TRUE(ParseDuration("36600wd").ok());
  // In any unit, as many digits as the value needs: 31.7 years in ms is
  // fine, and a number too long for any unit is too long, not malformed.
  EXPECT_EQ(ParseDuration("1000000000000ms")->ms, 1000000000000);
  EXPECT_EQ(ParseDuration("3162240000000ms")->ms, 3162240000000);  // 36,600 days
  EXPECT_EQ(ParseDuration("3162240000001ms").status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ParseDuration("2562047788015215h").status().code(),
            absl::StatusCode::kOutOfRange);  // would overflow int64 ms
  EXPECT_EQ(ParseDuration("99999999999999999999999s").status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ParseDuration("99999999999999999999wd").status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ParseDuration("878400h1ms").status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ParseDuration("0000000000000000000000001h")->ms, 3600000);
}

}  // namespace
}  // namespace slad::engine
