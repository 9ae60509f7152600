#ifndef SLAD_TESTS_TESTING_NAIVE_CALENDAR_H_
#define SLAD_TESTS_TESTING_NAIVE_CALENDAR_H_

// The reference model for engine::Calendar: steps minute by minute and
// decides each minute on its own, with no index and no UTC interval maths.
//
// It derives working time independently of Calendar's boundary mapping
// (absl::FromCivil). Calendar's rule is "a local boundary c is the earliest
// instant whose wall clock reads c or later". So instant t is at or past
// boundary c exactly when the highest wall-clock reading seen up to t,
// M(t), is at or past c; and t is working time exactly when M(t) lies in
// a working interval of M(t)'s own date. The model only ever converts UTC
// to local time (which is unambiguous) and keeps the running maximum.
//
// Exact to the millisecond as long as every boundary and every zone offset
// is a whole minute (true of all zones the tests use, in the years they
// use), because then working-ness is constant within each UTC minute.
// Thread-safety: const methods only; safe to share.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/calendar.h"

namespace slad::testing {

class NaiveCalendar {
 public:
  // REQUIRES: engine::Calendar::Create(spec) succeeds.
  explicit NaiveCalendar(engine::CalendarSpec spec) : spec_(std::move(spec)) {
    absl::LoadTimeZone(spec_.time_zone, &tz_);
    if (!spec_.workday_hours.has_value()) spec_.workday_hours = spec_.weekly[0];
  }

  int64_t Between(int64_t a_ms, int64_t b_ms) const {
    int64_t total = 0;
    if (a_ms >= b_ms) return 0;
    int64_t m = a_ms / kMinuteMs;
    absl::CivilMinute seen = MaxSeenBefore(m);
    for (; m * kMinuteMs < b_ms; ++m) {
      seen = std::max(seen, Local(m));
      if (!Working(seen)) continue;
      total +=
          std::min(b_ms, (m + 1) * kMinuteMs) - std::max(a_ms, m * kMinuteMs);
    }
    return total;
  }

  // REQUIRES: business_ms > 0 and enough working time ahead.
  int64_t Add(int64_t start_ms, int64_t business_ms) const {
    int64_t m = start_ms / kMinuteMs;
    absl::CivilMinute seen = MaxSeenBefore(m);
    for (;; ++m) {
      seen = std::max(seen, Local(m));
      if (!Working(seen)) continue;
      const int64_t from = std::max(start_ms, m * kMinuteMs);
      const int64_t avail = (m + 1) * kMinuteMs - from;
      if (business_ms <= avail) return from + business_ms;
      business_ms -= avail;
    }
  }

 private:
  static constexpr int64_t kMinuteMs = 60000;

  absl::CivilMinute Local(int64_t minute) const {
    return absl::ToCivilMinute(absl::FromUnixSeconds(minute * 60), tz_);
  }

  // No zone turns its clock back by more than a day, so the highest
  // reading before `minute` is found within the previous 26 hours.
  absl::CivilMinute MaxSeenBefore(int64_t minute) const {
    absl::CivilMinute seen = Local(minute - 26 * 60);
    for (int64_t m = minute - 26 * 60; m < minute; ++m) {
      seen = std::max(seen, Local(m));
    }
    return seen;
  }

  bool Working(absl::CivilMinute wall) const {
    if (spec_.always) return true;
    const absl::CivilDay day(wall);
    const int minute_of_day = static_cast<int>(wall - absl::CivilMinute(day));
    for (const engine::LocalInterval& iv : HoursOf(day)) {
      if (iv.begin_min <= minute_of_day && minute_of_day < iv.end_min) {
        return true;
      }
    }
    return false;
  }

  const std::vector<engine::LocalInterval>& HoursOf(absl::CivilDay day) const {
    static const std::vector<engine::LocalInterval> kNone;
    const auto has = [day](const std::vector<absl::CivilDay>& days) {
      return std::find(days.begin(), days.end(), day) != days.end();
    };
    if (has(spec_.holidays)) return kNone;
    if (has(spec_.workdays)) return *spec_.workday_hours;
    return spec_.weekly[static_cast<int>(absl::GetWeekday(day))];
  }

  engine::CalendarSpec spec_;
  absl::TimeZone tz_;
};

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_NAIVE_CALENDAR_H_
