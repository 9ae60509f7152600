#include "engine/time_format.h"

#include <iterator>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

namespace slad::engine {
namespace {

constexpr int64_t kMaxDurationMs = int64_t{100} * 366 * 24 * 3600 * 1000;
constexpr int64_t kMaxWorkingDays = 36600;

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// RFC 3339's date-time, which absl::ParseTime alone does not enforce (it
// takes "2026-1-5T9:00:00+0800"): YYYY-MM-DD, T (or t), HH:MM:SS, an
// optional fraction, then Z (or z) or +HH:MM / -HH:MM.
bool Rfc3339Shape(absl::string_view s) {
  const auto digits = [&](size_t at, size_t n) {
    if (at + n > s.size()) return false;
    for (size_t i = at; i < at + n; ++i) {
      if (!absl::ascii_isdigit(s[i])) return false;
    }
    return true;
  };
  if (!digits(0, 4) || s.size() < 20 || s[4] != '-' || !digits(5, 2) ||
      s[7] != '-' || !digits(8, 2) || (s[10] != 'T' && s[10] != 't') ||
      !digits(11, 2) || s[13] != ':' || !digits(14, 2) || s[16] != ':' ||
      !digits(17, 2)) {
    return false;
  }
  size_t i = 19;
  if (s[i] == '.') {
    const size_t first = ++i;
    while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
    if (i == first) return false;
  }
  const absl::string_view zone = s.substr(i);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
         digits(i + 1, 2) && zone[3] == ':' && digits(i + 4, 2);
}

}  // namespace

absl::StatusOr<int64_t> ParseInstantMs(absl::string_view text) {
  absl::string_view digits = text;
  absl::ConsumePrefix(&digits, "-");
  if (AllDigits(digits)) {
    int64_t ms = 0;
    if (!absl::SimpleAtoi(text, &ms)) {
      return absl::InvalidArgumentError(
          absl::StrCat("instant out of range: \"", text, "\""));
    }
    return ms;
  }
  absl::Time t;
  std::string err;
  // absl reads a leap second (:60) as the next minute's :00 and drops its
  // fraction; Unix ms has no leap seconds, so one is refused by name.
  if (Rfc3339Shape(text) && text.substr(17, 2) == "60") {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad instant \"", text, "\": a leap second (:60) has no Unix ms"));
  }
  if (!Rfc3339Shape(text) || !absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad instant \"", text,
        "\": want RFC 3339 (2026-01-05T09:00:00+08:00) or Unix ms"));
  }
  return absl::ToUnixMillis(t);
}

std::string FormatInstantMs(int64_t ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(ms),
                          absl::UTCTimeZone());
}

absl::StatusOr<DurationSpec> ParseDuration(absl::string_view text) {
  struct Unit {
    absl::string_view name;
    int64_t ms;  // 0 for working days
  };
  static constexpr Unit kUnits[] = {
      {"wd", 0}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad duration \"", text, "\": ", why,
                     " (e.g. 90m, 2h, 1h30m, 3wd, 45s)"));
  };
  DurationSpec out;
  absl::string_view rest = text;
  size_t next_unit = 0;  // units must come in kUnits order
  if (rest.empty()) return bad("empty");
  while (!rest.empty()) {
    size_t n = 0;
    while (n < rest.size() && absl::ascii_isdigit(rest[n])) ++n;
    if (n == 0) return bad("expected a number");
    // Past 18 digits a number does not fit; the limits below are far
    // smaller in every unit, so it is too long, not malformed.
    size_t zeros = 0;  // leading zeros do not make a number longer
    while (zeros + 1 < n && rest[zeros] == '0') ++zeros;
    const bool huge = n - zeros > 18;
    int64_t value = 0;
    if (!huge) (void)absl::SimpleAtoi(rest.substr(0, n), &value);
    rest.remove_prefix(n);
    size_t len = 0;
    while (len < rest.size() && absl::ascii_isalpha(rest[len])) ++len;
    const absl::string_view name = rest.substr(0, len);
    rest.remove_prefix(len);
    size_t u = next_unit;
    while (u < std::size(kUnits) && kUnits[u].name != name) ++u;
    if (u == std::size(kUnits)) {
      if (name.empty() && !rest.empty() && (rest[0] == '.' || rest[0] == ',')) {
        return bad("whole numbers only (1h30m, not 1.5h)");
      }
      return bad(name.empty() ? "missing unit" : "unknown or repeated unit");
    }
    next_unit = u + 1;
    // OutOfRange, so that a caller can tell "too long" from "malformed".
    if (kUnits[u].ms == 0) {
      if (huge || value > kMaxWorkingDays) {
        return absl::OutOfRangeError(absl::StrCat(
            "bad duration \"", text, "\": more than ", kMaxWorkingDays,
            " working days (as many as 100 years have days)"));
      }
      out.working_days = value;
    } else {
      if (huge || value > (kMaxDurationMs - out.ms) / kUnits[u].ms) {
        return absl::OutOfRangeError(absl::StrCat(
            "bad duration \"", text, "\": longer than 100 years (36600 days)"));
      }
      out.ms += value * kUnits[u].ms;
    }
  }
  return out;
}

absl::StatusOr<int64_t> ParseBusinessMs(absl::string_view text,
                                        int64_t day_length_ms) {
  absl::StatusOr<DurationSpec> d = ParseDuration(text);
  if (!d.ok()) return d.status();
  return d->ToBusinessMs(day_length_ms);
}

}  // namespace slad::engine
