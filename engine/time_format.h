#ifndef SLAD_ENGINE_TIME_FORMAT_H_
#define SLAD_ENGINE_TIME_FORMAT_H_

// Text forms of instants and durations shared by the policy file, the
// wire protocol and slactl. Pure functions; thread-safe.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace slad::engine {

// Parses an instant: RFC 3339 with an offset or Z
// ("2026-01-05T09:00:00+08:00", "2026-01-05T01:00:00.250Z"; digits below
// a millisecond are truncated toward the past) or a decimal Unix ms
// integer ("1767578400000"). InvalidArgument otherwise.
absl::StatusOr<int64_t> ParseInstantMs(absl::string_view text);

// "2026-01-05T02:00:00.000Z": UTC, always three fraction digits.
std::string FormatInstantMs(int64_t ms);

// A duration as written: whole working days plus a fixed part. Working
// days only mean something under a calendar (n wd = n x day_length).
struct DurationSpec {
  int64_t working_days = 0;
  int64_t ms = 0;

  // REQUIRES: day_length_ms > 0. Saturates nothing: callers keep
  // durations below the parser's bound (100 years), so it cannot overflow.
  int64_t ToBusinessMs(int64_t day_length_ms) const {
    return working_days * day_length_ms + ms;
  }
};

// Grammar: one or more <digits><unit>, units in this order and each at most
// once: wd (working days), h, m, s, ms. Examples: "90m", "2h", "1h30m",
// "3wd", "45s", "1wd4h". No sign, no spaces, no fractions, no "d" (say
// "24h" or "1wd"). InvalidArgument otherwise; OutOfRange above 100 years
// (36600 working days).
absl::StatusOr<DurationSpec> ParseDuration(absl::string_view text);

// ParseDuration(text)->ToBusinessMs(day_length_ms).
absl::StatusOr<int64_t> ParseBusinessMs(absl::string_view text,
                                        int64_t day_length_ms);

}  // namespace slad::engine

#endif  // SLAD_ENGINE_TIME_FORMAT_H_
