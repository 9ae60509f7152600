#include "api/rfc3339.h"

namespace slad::api {
namespace {

// Parses n ASCII digits at s[pos]; false if any is not a digit.
bool Digits(absl::string_view s, size_t pos, size_t n, int* out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    const unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  *out = v;
  return true;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (Howard Hinnant's days_from_civil: eras of 400 years, March-based years
// so the leap day is the last day of a year).
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = y / 400;  // y >= 1969 here, so no negative rounding
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int64_t{era} * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<int64_t> ParseRfc3339FastMs(absl::string_view s) {
  // 0123456789012345678
  // YYYY-MM-DDTHH:MM:SS
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &mo) || !Digits(s, 8, 2, &d) ||
      !Digits(s, 11, 2, &h) || !Digits(s, 14, 2, &mi) ||
      !Digits(s, 17, 2, &sec)) {
    return std::nullopt;
  }
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) ||
      h > 23 || mi > 59 || sec > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t frac_ms = 0;
  if (s[pos] == '.') {
    size_t n = 0;
    while (pos + 1 + n < s.size() && s[pos + 1 + n] >= '0' &&
           s[pos + 1 + n] <= '9') {
      if (n < 3) frac_ms = frac_ms * 10 + (s[pos + 1 + n] - '0');
      ++n;
    }
    if (n == 0) return std::nullopt;
    for (size_t i = n; i < 3; ++i) frac_ms *= 10;
    pos += 1 + n;
  }
  int64_t offset_s = 0;
  if (pos + 1 == s.size() && s[pos] == 'Z') {
    offset_s = 0;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') &&
             s[pos + 3] == ':') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || !Digits(s, pos + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  const int64_t local_s =
      DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  return (local_s - offset_s) * 1000 + frac_ms;
}

}  // namespace slad::api
