#ifndef SLAD_ENGINE_CALENDAR_H_
#define SLAD_ENGINE_CALENDAR_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace slad::engine {

// A local working interval [begin_min, end_min) in minutes after local
// midnight; end_min == 1440 is "24:00", the end of the day.
struct LocalInterval {
  int begin_min = 0;
  int end_min = 0;

  friend bool operator==(const LocalInterval&, const LocalInterval&) = default;
};

// What a calendar is, as written in the policy file (docs/POLICY.md). A
// plain value: Calendar::Create() validates it.
struct CalendarSpec {
  std::string time_zone = "UTC";  // IANA name, resolved by absl::TimeZone
  // Working hours per weekday, indexed Monday = 0 ... Sunday = 6; sorted,
  // non-overlapping (touching is allowed and merges).
  std::array<std::vector<LocalInterval>, 7> weekly;
  std::vector<absl::CivilDay> holidays;  // local dates not worked
  std::vector<absl::CivilDay> workdays;  // make-up days: worked anyway
  // Hours of a make-up day; unset means Monday's.
  std::optional<std::vector<LocalInterval>> workday_hours;
  // One working day ("1wd") of business time; unset means the total of
  // Monday's hours (or of the first weekday with hours).
  std::optional<int64_t> day_length_ms;
  // 24x7: every instant is working time; excludes every field above but
  // time_zone and day_length_ms (default 24 h).
  bool always = false;
};

// Calendar answers business-time questions for one CalendarSpec:
// how much working time lies between two instants, and when a given
// amount of working time starting at an instant is used up.
//
// Working time is the union, over local dates, of that date's intervals
// (none on a holiday; workday_hours on a make-up day; else its weekday's),
// each boundary mapped to UTC by absl::FromCivil: a local time that a DST
// jump skips maps to the instant of the jump, a repeated one to its first
// occurrence. Equivalently: boundary c is the earliest instant whose wall
// clock reads c or later. So on a spring-forward day 00:00-24:00 is 23 h
// and an interval wholly inside the gap is empty; on a fall-back day
// 00:00-24:00 is 25 h and a boundary inside the repeated hour is its first
// pass. 24:00 of one day and 00:00 of the next are the same instant, so a
// calendar open around the clock never closes at midnight.
//
// Queries are O(log n) binary searches over an index of merged UTC working
// intervals with cumulative business time, which is extended lazily (in
// both directions, one local day at a time, in chunks) to cover whatever
// instants the queries reach. Instants must lie in [kMinMs, kMaxMs].
//
// Thread-safety: none; owned by the event-loop thread. Because the index
// is a cache that queries extend, the query methods are deliberately
// non-const: a `const Calendar&` cannot answer queries, so sharing one
// calendar between threads cannot happen by accident.
// Memory: 24 bytes per merged working interval (about 520 a year for a
// two-interval weekday calendar). When a query would grow the index past
// kMaxIndexDays, the index is rebuilt around that query instead, so a
// long-running daemon keeps only a few years, however far time advances.
class Calendar {
 public:
  // The supported instants: 1970-01-01T00:00Z to 2200-01-01T00:00Z.
  static constexpr int64_t kMinMs = 0;
  static constexpr int64_t kMaxMs = 7258118400000;
  static constexpr int kMaxIndexDays = 3 * 366;

  // Validates `spec`. InvalidArgument if the zone is unknown, an interval
  // is empty, out of 00:00-24:00, unsorted or overlapping, there is no
  // working time (every weekday empty), a date is both holiday and
  // make-up day, make-up days have no hours, day_length is not positive,
  // or `always` is combined with hours, holidays or make-up days.
  static absl::StatusOr<Calendar> Create(CalendarSpec spec);

  // The interval checks of Create() for one list of hours, so a parser can
  // point at the offending line. InvalidArgument naming `what`.
  static absl::Status CheckHours(const std::vector<LocalInterval>& hours,
                                 absl::string_view what);

  // The working time inside [a_ms, b_ms), in ms. InvalidArgument if
  // a_ms > b_ms; OutOfRange if either lies outside [kMinMs, kMaxMs].
  absl::StatusOr<int64_t> Between(int64_t a_ms, int64_t b_ms);

  // The earliest instant t with Between(start_ms, t) == business_ms: a
  // deadline landing on closing time is that closing time; a start outside
  // working time begins at the next opening. Add(s, 0) == s.
  // InvalidArgument if business_ms < 0; OutOfRange if start_ms or the
  // result lies outside [kMinMs, kMaxMs].
  absl::StatusOr<int64_t> Add(int64_t start_ms, int64_t business_ms);

  // The mirror of Add(): the latest instant s <= end_ms with
  // Between(s, end_ms) == business_ms. The engine uses it to place a
  // warning "30m of business time before the deadline". Between(s, end) is
  // constant while s crosses non-working time, so several instants may
  // qualify; the latest is returned, which for business_ms > 0 is always
  // working time: if the span ends exactly on a closing time going
  // backwards, the answer is the *next opening* after it (Mon 09:00-17:00:
  // Subtract(Tue 10:00, 1h) == Tue 09:00, not Mon 17:00). An end outside
  // working time counts back from the previous closing time
  // (Subtract(Sat 12:00, 1h) == Fri 16:00). Subtract(e, 0) == e. So
  // Add(Subtract(e, d), d) <= e, equal when e is working time or a closing
  // time. InvalidArgument if business_ms < 0; OutOfRange if end_ms or the
  // result lies outside [kMinMs, kMaxMs] (not that much working time since
  // 1970).
  absl::StatusOr<int64_t> Subtract(int64_t end_ms, int64_t business_ms);

  // For `explain`: appends to `out` the working intervals intersecting
  // [a_ms, b_ms), clipped to it, in order, until `out` holds `max_out`.
  // Errors as Between().
  struct Interval {
    int64_t begin_ms;
    int64_t end_ms;
  };
  absl::Status WorkingIntervals(int64_t a_ms, int64_t b_ms,
                                std::vector<Interval>* out,
                                size_t max_out = SIZE_MAX);

  // For `explain`: appends to `out` the local dates touched by
  // [a_ms, b_ms) that have no working time, and why; and make-up days,
  // which are worked although their weekday is not, until `out` holds
  // `max_out`. Costs O(days).
  enum class DayKind { kHoliday, kWeekend, kMakeUpDay };
  struct Day {
    absl::CivilDay date;
    DayKind kind;
  };
  absl::Status SpecialDays(int64_t a_ms, int64_t b_ms, std::vector<Day>* out,
                           size_t max_out = SIZE_MAX);

  const CalendarSpec& spec() const { return spec_; }
  int64_t day_length_ms() const { return day_length_ms_; }
  // The number of merged intervals now held by the index (for tests).
  size_t index_size() const { return begin_ms_.size(); }

 private:
  Calendar(CalendarSpec spec, absl::TimeZone tz, int64_t day_length_ms);

  // The local hours of `day` (empty for a holiday).
  const std::vector<LocalInterval>& HoursOf(absl::CivilDay day) const;
  int64_t StartOfDayMs(absl::CivilDay day) const;
  static absl::Status CheckRange(int64_t ms);

  // Makes the index cover [a_ms, b_ms], rebuilding it if it would grow
  // past kMaxIndexDays and the range itself is smaller.
  void Cover(int64_t a_ms, int64_t b_ms);
  void Rebuild(absl::CivilDay first, absl::CivilDay end);
  void ExtendForward(int days);
  void ExtendBackward(int days);
  // Appends the UTC intervals of local days [first, end) to the arrays,
  // merging touching ones, with cumulative time starting at `cum_ms`.
  void AppendDays(absl::CivilDay first, absl::CivilDay end, int64_t cum_ms,
                  std::vector<int64_t>* begins, std::vector<int64_t>* ends,
                  std::vector<int64_t>* cum_ends) const;
  // Cumulative working time before instant t; REQUIRES t covered.
  int64_t WorkBefore(int64_t t_ms) const;
  // Cumulative working time at the first indexed interval's begin;
  // REQUIRES a non-empty index.
  int64_t CumStart() const {
    return cum_end_ms_[0] - (end_ms_[0] - begin_ms_[0]);
  }

  CalendarSpec spec_;  // holidays and workdays sorted and unique
  absl::TimeZone tz_;
  int64_t day_length_ms_;
  int64_t weekly_work_ms_ = 0;  // > 0 unless always

  // The index, struct-of-arrays for cache-friendly binary search.
  // Invariants: begin_ms_[i] < end_ms_[i] < begin_ms_[i+1] (touching
  // intervals are merged); cum_end_ms_[i] - cum_end_ms_[i-1] ==
  // end_ms_[i] - begin_ms_[i]. cum values are relative to an arbitrary
  // origin (so prepending never rewrites them) and may be negative.
  // The index holds exactly the working time of local days
  // [first_day_, end_day_), whose instants are [lo_ms_, hi_ms_].
  std::vector<int64_t> begin_ms_;
  std::vector<int64_t> end_ms_;
  std::vector<int64_t> cum_end_ms_;
  absl::CivilDay first_day_;
  absl::CivilDay end_day_;
  int64_t lo_ms_ = 0;
  int64_t hi_ms_ = -1;  // empty index: covers nothing
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_CALENDAR_H_
