#include "engine/calendar.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace slad::engine {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr int64_t kMsPerMinute = 60 * 1000;
constexpr int64_t kMsPerDay = 24 * 60 * kMsPerMinute;
// Days built per extension at least: one build covers the typical
// deadline (days to weeks) so most calendars are built once.
constexpr int kChunkDays = 32;

constexpr const char* kWeekdayNames[7] = {"mon", "tue", "wed", "thu",
                                          "fri", "sat", "sun"};

}  // namespace

absl::Status Calendar::CheckHours(const std::vector<LocalInterval>& hours,
                                  absl::string_view what) {
  int prev_end = 0;
  for (const LocalInterval& iv : hours) {
    if (iv.begin_min < 0 || iv.end_min > kMinutesPerDay ||
        iv.begin_min >= iv.end_min) {
      // A night shift is the usual way to get here: say how to write one.
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": interval must be non-empty and within 00:00-24:00",
          iv.begin_min > iv.end_min
              ? " (a shift past midnight is two intervals: 22:00-24:00 on "
                "its first day, 00:00-06:00 on the next)"
              : ""));
    }
    if (iv.begin_min < prev_end) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": intervals must be sorted and not overlap"));
    }
    prev_end = iv.end_min;
  }
  return absl::OkStatus();
}

namespace {

int64_t TotalMs(const std::vector<LocalInterval>& hours) {
  int64_t total = 0;
  for (const LocalInterval& iv : hours) {
    total += (iv.end_min - iv.begin_min) * kMsPerMinute;
  }
  return total;
}

void SortUnique(std::vector<absl::CivilDay>* days) {
  std::sort(days->begin(), days->end());
  days->erase(std::unique(days->begin(), days->end()), days->end());
}

bool Contains(const std::vector<absl::CivilDay>& sorted, absl::CivilDay d) {
  return std::binary_search(sorted.begin(), sorted.end(), d);
}

absl::Status ValidateAlways(const CalendarSpec& spec) {
  bool has_hours = spec.workday_hours.has_value();
  for (const auto& day : spec.weekly) has_hours |= !day.empty();
  if (has_hours || !spec.holidays.empty() || !spec.workdays.empty()) {
    return absl::InvalidArgumentError(
        "always = true excludes weekday hours, holidays and workdays");
  }
  return absl::OkStatus();
}

// Resolves the defaults of a non-`always` spec and checks it.
absl::Status ValidateWeekly(CalendarSpec* spec) {
  const std::vector<LocalInterval>* first_hours = nullptr;
  for (int d = 0; d < 7; ++d) {
    RETURN_IF_ERROR(Calendar::CheckHours(spec->weekly[d], kWeekdayNames[d]));
    if (first_hours == nullptr && !spec->weekly[d].empty()) {
      first_hours = &spec->weekly[d];
    }
  }
  if (first_hours == nullptr) {
    return absl::InvalidArgumentError(
        "no working time: every weekday is empty (use always = true for 24x7)");
  }
  const bool defaulted = !spec->workday_hours.has_value();
  if (defaulted) spec->workday_hours = spec->weekly[0];
  RETURN_IF_ERROR(Calendar::CheckHours(*spec->workday_hours, "workday_hours"));
  if (!spec->workdays.empty() && spec->workday_hours->empty()) {
    return absl::InvalidArgumentError(
        defaulted ? "workdays need hours: set workday_hours (it defaults to "
                    "mon's, and mon has none)"
                  : "workdays need hours: workday_hours is empty");
  }
  SortUnique(&spec->holidays);
  SortUnique(&spec->workdays);
  for (absl::CivilDay d : spec->workdays) {
    if (Contains(spec->holidays, d)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "date ", absl::FormatCivilTime(d), " is both holiday and workday"));
    }
  }
  if (!spec->day_length_ms.has_value()) {
    spec->day_length_ms = TotalMs(*first_hours);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Calendar> Calendar::Create(CalendarSpec spec) {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(spec.time_zone, &tz)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown time zone \"", spec.time_zone, "\""));
  }
  if (spec.always) {
    RETURN_IF_ERROR(ValidateAlways(spec));
    if (!spec.day_length_ms.has_value()) spec.day_length_ms = kMsPerDay;
  } else {
    RETURN_IF_ERROR(ValidateWeekly(&spec));
  }
  if (*spec.day_length_ms <= 0) {
    return absl::InvalidArgumentError("day_length must be positive");
  }
  const int64_t day_length_ms = *spec.day_length_ms;
  return Calendar(std::move(spec), tz, day_length_ms);
}

Calendar::Calendar(CalendarSpec spec, absl::TimeZone tz, int64_t day_length_ms)
    : spec_(std::move(spec)), tz_(tz), day_length_ms_(day_length_ms) {
  for (const auto& hours : spec_.weekly) weekly_work_ms_ += TotalMs(hours);
}

absl::Status Calendar::CheckRange(int64_t ms) {
  if (ms < kMinMs || ms > kMaxMs) {
    return absl::OutOfRangeError(
        absl::StrCat("instant ", ms, " ms is outside 1970-01-01..2200-01-01"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Calendar::Between(int64_t a_ms, int64_t b_ms) {
  RETURN_IF_ERROR(CheckRange(a_ms));
  RETURN_IF_ERROR(CheckRange(b_ms));
  if (a_ms > b_ms) {
    return absl::InvalidArgumentError("end is before start");
  }
  if (spec_.always) return b_ms - a_ms;
  Cover(a_ms, b_ms);
  return WorkBefore(b_ms) - WorkBefore(a_ms);
}

absl::StatusOr<int64_t> Calendar::Add(int64_t start_ms, int64_t business_ms) {
  RETURN_IF_ERROR(CheckRange(start_ms));
  if (business_ms < 0) {
    return absl::InvalidArgumentError("business duration is negative");
  }
  if (business_ms == 0) return start_ms;
  // Business time never exceeds wall time: this bounds the arithmetic
  // below well inside int64.
  if (business_ms > kMaxMs - start_ms) return CheckRange(kMaxMs + 1);
  if (spec_.always) return start_ms + business_ms;
  // Cover up to where the weekly hours alone would reach, in one step;
  // holidays and DST may leave a little more to extend below.
  const double wall_per_work = 7.0 * kMsPerDay / weekly_work_ms_;
  const int64_t guess_ms = static_cast<int64_t>(std::min<double>(
      kMaxMs, start_ms + static_cast<double>(business_ms) * wall_per_work));
  Cover(start_ms, guess_ms);
  const int64_t target = WorkBefore(start_ms) + business_ms;
  while (cum_end_ms_.empty() || cum_end_ms_.back() < target) {
    if (hi_ms_ > kMaxMs) return CheckRange(hi_ms_);
    ExtendForward(kChunkDays);
  }
  // The first interval whose cumulative end reaches the target holds the
  // answer; an exact hit on its end is the closing time itself.
  const size_t i =
      std::lower_bound(cum_end_ms_.begin(), cum_end_ms_.end(), target) -
      cum_end_ms_.begin();
  const int64_t t = end_ms_[i] - (cum_end_ms_[i] - target);
  RETURN_IF_ERROR(CheckRange(t));
  return t;
}

absl::StatusOr<int64_t> Calendar::Subtract(int64_t end_ms,
                                           int64_t business_ms) {
  RETURN_IF_ERROR(CheckRange(end_ms));
  if (business_ms < 0) {
    return absl::InvalidArgumentError("business duration is negative");
  }
  if (business_ms == 0) return end_ms;
  // Business time never exceeds wall time (as in Add).
  if (business_ms > end_ms - kMinMs) return CheckRange(kMinMs - 1);
  if (spec_.always) return end_ms - business_ms;
  const double wall_per_work = 7.0 * kMsPerDay / weekly_work_ms_;
  const int64_t guess_ms = static_cast<int64_t>(std::max<double>(
      kMinMs, end_ms - static_cast<double>(business_ms) * wall_per_work));
  Cover(guess_ms, end_ms);
  // Prepending keeps existing cumulative values, so `target` stays valid
  // while the loop extends the index backward.
  const int64_t target = WorkBefore(end_ms) - business_ms;
  while (begin_ms_.empty() || CumStart() > target) {
    if (lo_ms_ < kMinMs) return CheckRange(lo_ms_);
    ExtendBackward(kChunkDays);
  }
  // Interval k = the first whose cumulative end exceeds the target is the
  // last one whose cumulative start (cum_end_ms_[k-1]) is at or below it:
  // the latest instant with that much work before it lies in k. An exact
  // hit on cum_end_ms_[k-1] is k's opening, not k-1's closing. k < size
  // because target < WorkBefore(end_ms) <= cum_end_ms_.back().
  const size_t k =
      std::upper_bound(cum_end_ms_.begin(), cum_end_ms_.end(), target) -
      cum_end_ms_.begin();
  const int64_t cum_start = k == 0 ? CumStart() : cum_end_ms_[k - 1];
  const int64_t s = begin_ms_[k] + (target - cum_start);
  RETURN_IF_ERROR(CheckRange(s));
  return s;
}

absl::Status Calendar::WorkingIntervals(int64_t a_ms, int64_t b_ms,
                                        std::vector<Interval>* out,
                                        size_t max_out) {
  RETURN_IF_ERROR(Between(a_ms, b_ms).status());
  if (spec_.always) {
    if (a_ms < b_ms && out->size() < max_out) out->push_back({a_ms, b_ms});
    return absl::OkStatus();
  }
  size_t i =
      std::upper_bound(end_ms_.begin(), end_ms_.end(), a_ms) - end_ms_.begin();
  for (; i < begin_ms_.size() && begin_ms_[i] < b_ms && out->size() < max_out; ++i) {
    out->push_back({std::max(begin_ms_[i], a_ms), std::min(end_ms_[i], b_ms)});
  }
  return absl::OkStatus();
}

absl::Status Calendar::SpecialDays(int64_t a_ms, int64_t b_ms,
                                   std::vector<Day>* out, size_t max_out) {
  RETURN_IF_ERROR(Between(a_ms, b_ms).status());
  if (spec_.always || a_ms == b_ms) return absl::OkStatus();
  const absl::CivilDay last =
      absl::ToCivilDay(absl::FromUnixMillis(b_ms - 1), tz_);
  for (absl::CivilDay d = absl::ToCivilDay(absl::FromUnixMillis(a_ms), tz_);
       d <= last && out->size() < max_out; ++d) {
    if (Contains(spec_.holidays, d)) {
      out->push_back({d, DayKind::kHoliday});
    } else if (Contains(spec_.workdays, d)) {
      out->push_back({d, DayKind::kMakeUpDay});
    } else if (spec_.weekly[static_cast<int>(absl::GetWeekday(d))].empty()) {
      out->push_back({d, DayKind::kWeekend});
    }
  }
  return absl::OkStatus();
}

const std::vector<LocalInterval>& Calendar::HoursOf(absl::CivilDay day) const {
  static const std::vector<LocalInterval> kNone;
  if (Contains(spec_.holidays, day)) return kNone;
  if (Contains(spec_.workdays, day)) return *spec_.workday_hours;
  return spec_.weekly[static_cast<int>(absl::GetWeekday(day))];
}

int64_t Calendar::StartOfDayMs(absl::CivilDay day) const {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(day), tz_));
}

int64_t Calendar::WorkBefore(int64_t t_ms) const {
  const size_t n = std::upper_bound(begin_ms_.begin(), begin_ms_.end(), t_ms) -
                   begin_ms_.begin();
  if (n == 0) return begin_ms_.empty() ? 0 : CumStart();
  const size_t j = n - 1;
  return cum_end_ms_[j] - std::max<int64_t>(0, end_ms_[j] - t_ms);
}

void Calendar::Cover(int64_t a_ms, int64_t b_ms) {
  if (a_ms >= lo_ms_ && b_ms <= hi_ms_) return;
  // One day of slack either side absorbs the offset between a UTC instant
  // and its local date; the loops below catch anything stranger.
  const absl::CivilDay da =
      absl::ToCivilDay(absl::FromUnixMillis(a_ms), tz_) - 1;
  const absl::CivilDay db =
      absl::ToCivilDay(absl::FromUnixMillis(b_ms), tz_) + 2;
  const bool empty = hi_ms_ < lo_ms_;
  if (empty ||
      std::max(db, end_day_) - std::min(da, first_day_) > kMaxIndexDays) {
    Rebuild(da, std::max(db, da + kChunkDays));
  }
  if (da < first_day_) {
    ExtendBackward(std::max<int>(first_day_ - da, kChunkDays));
  }
  if (db > end_day_) ExtendForward(std::max<int>(db - end_day_, kChunkDays));
  while (a_ms < lo_ms_) ExtendBackward(kChunkDays);
  while (b_ms > hi_ms_) ExtendForward(kChunkDays);
}

void Calendar::Rebuild(absl::CivilDay first, absl::CivilDay end) {
  begin_ms_.clear();
  end_ms_.clear();
  cum_end_ms_.clear();
  first_day_ = end_day_ = first;
  lo_ms_ = hi_ms_ = StartOfDayMs(first);
  ExtendForward(static_cast<int>(end - first));
}

void Calendar::ExtendForward(int days) {
  const int64_t cum = cum_end_ms_.empty() ? 0 : cum_end_ms_.back();
  AppendDays(end_day_, end_day_ + days, cum, &begin_ms_, &end_ms_,
             &cum_end_ms_);
  end_day_ += days;
  hi_ms_ = StartOfDayMs(end_day_);
}

void Calendar::ExtendBackward(int days) {
  const absl::CivilDay first = first_day_ - days;
  std::vector<int64_t> begins, ends, cum_ends;
  AppendDays(first, first_day_, 0, &begins, &ends, &cum_ends);
  if (!begins.empty()) {
    // Shift the new part's cumulative time so it ends where the old
    // index's begins; the old values stay valid.
    const int64_t old_start = begin_ms_.empty() ? 0 : CumStart();
    const int64_t shift = old_start - cum_ends.back();
    for (int64_t& c : cum_ends) c += shift;
    if (!begin_ms_.empty() && ends.back() >= begin_ms_[0]) {
      begin_ms_[0] = begins.back();  // merge across the seam
      begins.pop_back();
      ends.pop_back();
      cum_ends.pop_back();
    }
    begins.insert(begins.end(), begin_ms_.begin(), begin_ms_.end());
    ends.insert(ends.end(), end_ms_.begin(), end_ms_.end());
    cum_ends.insert(cum_ends.end(), cum_end_ms_.begin(), cum_end_ms_.end());
    begin_ms_.swap(begins);
    end_ms_.swap(ends);
    cum_end_ms_.swap(cum_ends);
  }
  first_day_ = first;
  lo_ms_ = StartOfDayMs(first);
}

void Calendar::AppendDays(absl::CivilDay first, absl::CivilDay end,
                          int64_t cum_ms, std::vector<int64_t>* begins,
                          std::vector<int64_t>* ends,
                          std::vector<int64_t>* cum_ends) const {
  for (absl::CivilDay d = first; d < end; ++d) {
    const absl::CivilSecond midnight(d);
    for (const LocalInterval& iv : HoursOf(d)) {
      const int64_t b = absl::ToUnixMillis(
          absl::FromCivil(midnight + iv.begin_min * 60, tz_));
      const int64_t e =
          absl::ToUnixMillis(absl::FromCivil(midnight + iv.end_min * 60, tz_));
      if (b >= e) continue;  // wholly inside a DST gap
      if (!begins->empty() && b <= ends->back()) {
        // Touching (24:00 then 00:00, or 12:00-13:00 then 13:00-...).
        cum_ms += std::max<int64_t>(0, e - ends->back());
        ends->back() = std::max(ends->back(), e);
        cum_ends->back() = cum_ms;
        continue;
      }
      cum_ms += e - b;
      begins->push_back(b);
      ends->push_back(e);
      cum_ends->push_back(cum_ms);
    }
  }
}

}  // namespace slad::engine
