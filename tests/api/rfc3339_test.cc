// ParseRfc3339FastMs against its reference, engine::ParseInstantMs
// (absl::ParseTime), on random instants, offsets and fractions with a
// fixed, printed seed, and on the shapes it must leave to the reference.

#include "api/rfc3339.h"

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "engine/time_format.h"
#include "gtest/gtest.h"
#include "tests/testing/seed.h"

namespace slad::api {
namespace {

TEST(Rfc3339Test, CommonShapes) {
  EXPECT_EQ(ParseRfc3339FastMs("2026-01-05T09:00:00+08:00"), 1767574800000);
  EXPECT_EQ(ParseRfc3339FastMs("2026-01-05T01:00:00Z"), 1767574800000);
  EXPECT_EQ(ParseRfc3339FastMs("2026-01-05T01:00:00.25Z"), 1767574800250);
  EXPECT_EQ(ParseRfc3339FastMs("2026-01-05T01:00:00.2509Z"), 1767574800250);
  EXPECT_EQ(ParseRfc3339FastMs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339FastMs("2024-02-29T00:00:00Z"), 1709164800000);
}

TEST(Rfc3339Test, LeavesOtherShapesToTheReference) {
  for (const char* s :
       {"", "1767574800000", "2026-01-05T09:00:00", "2026-01-05 09:00:00Z",
        "2026-01-05T09:00:00+0800", "2026-01-05T09:00:00.Z",
        "2026-01-05t09:00:00Z", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-01-05T24:00:00Z", "2026-01-05T09:00:60Z", "1969-12-31T23:59:59Z",
        "2026-01-05T09:00:00+24:00", "2026-01-05T09:00:00Zx",
        "+2026-01-05T09:00:00Z"}) {
    EXPECT_EQ(ParseRfc3339FastMs(s), std::nullopt) << s;
  }
}

TEST(Rfc3339Test, AgreesWithTheReference) {
  for (uint64_t seed : testing::PropertySeeds(0x3339, 4)) {
    std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
    SCOPED_TRACE(seed);
    testing::SplitMix64 rng(seed);
    for (int i = 0; i < 20000; ++i) {
      const int64_t ms = static_cast<int64_t>(rng.Below(7258118400000));
      const int offset_min =
          static_cast<int>(rng.Below(2 * 24 * 60 - 1)) - (24 * 60 - 1);
      const absl::TimeZone zone = absl::FixedTimeZone(offset_min * 60);
      static const char* const kFormats[] = {
          "%Y-%m-%dT%H:%M:%S%Ez", "%Y-%m-%dT%H:%M:%E3S%Ez",
          "%Y-%m-%dT%H:%M:%E1S%Ez", "%Y-%m-%dT%H:%M:%E6S%Ez"};
      std::string text = absl::FormatTime(kFormats[rng.Below(4)],
                                          absl::FromUnixMillis(ms), zone);
      if (offset_min == 0 && rng.OneIn(2)) {
        text = text.substr(0, text.size() - 6) + "Z";
      }
      const std::optional<int64_t> fast = ParseRfc3339FastMs(text);
      const absl::StatusOr<int64_t> reference = engine::ParseInstantMs(text);
      ASSERT_TRUE(reference.ok()) << text;
      if (fast.has_value()) {
        ASSERT_EQ(*fast, *reference) << text;
      } else {
        // Only a local date before 1970 may be left to the reference.
        ASSERT_LT(text.substr(0, 4), "1970") << text;
      }
    }
  }
}

}  // namespace
}  // namespace slad::api
