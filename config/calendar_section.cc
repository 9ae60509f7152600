// The `[calendars.NAME]` section of the policy file (docs/POLICY.md).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "config/toml_reader.h"
#include "engine/calendar.h"
#include "engine/status_macros.h"
#include "engine/time_format.h"

namespace slad::config {
namespace {

bool IanaShaped(absl::string_view name) {
  for (absl::string_view segment : absl::StrSplit(name, '/')) {
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      if (!absl::ascii_isalnum(c) && c != '_' && c != '+' && c != '-') return false;
    }
  }
  return true;
}

using engine::CalendarSpec;
using engine::LocalInterval;

constexpr absl::string_view kWeekdays[7] = {"mon", "tue", "wed", "thu",
                                            "fri", "sat", "sun"};
// A date range in `holidays` longer than this is surely a typo.
constexpr int kMaxRangeDays = 366;

// "HH:MM" with 00 <= HH <= 24, 00 <= MM <= 59, 24 only as 24:00.
bool ParseClock(absl::string_view s, int* minutes) {
  if (s.size() != 5 || s[2] != ':') return false;
  for (int i : {0, 1, 3, 4}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return false;
  *minutes = h * 60 + m;
  return true;
}

// What a value that is not a string is, for a message: TOML's own
// date-times and times look right to the one who wrote them, but are not
// the text the calendar reads.
std::string NotAString(const toml::node& node) {
  if (node.is_date_time()) return "(a TOML date-time, not a string: quote a date)";
  if (node.is_time()) return "(a TOML time, not a string: quote it)";
  return "(not a string)";
}

// "YYYY-MM-DD", a real date.
bool ParseDate(absl::string_view s, absl::CivilDay* day) {
  return absl::ParseCivilTime(s, day) && absl::FormatCivilTime(*day) == s;
}

class CalendarParser {
 public:
  explicit CalendarParser(const TomlReader& r) : r_(r) {}

  absl::StatusOr<CalendarSpec> Parse(const toml::table& table) const {
    CalendarSpec spec;
    bool has_zone = false;
    const toml::node* workday_hours = nullptr;
    for (const auto& [key, node] : table) {
      const absl::string_view k = Av(key.str());
      bool weekday = false;
      for (int d = 0; d < 7; ++d) {
        if (k != kWeekdays[d]) continue;
        ASSIGN_OR_RETURN(spec.weekly[d], ParseHours(node, k));
        weekday = true;
      }
      if (weekday) continue;
      if (k == "timezone") {
        has_zone = true;
        RETURN_IF_ERROR(ParseZone(node, &spec.time_zone));
      } else if (k == "holidays") {
        RETURN_IF_ERROR(ParseDates(node, k, &spec.holidays));
      } else if (k == "workdays") {
        RETURN_IF_ERROR(ParseDates(node, k, &spec.workdays));
      } else if (k == "workday_hours") {
        ASSIGN_OR_RETURN(spec.workday_hours, ParseHours(node, k));
        workday_hours = &node;
      } else if (k == "day_length") {
        ASSIGN_OR_RETURN(spec.day_length_ms, ParseDayLength(node));
      } else if (k == "always") {
        const std::optional<bool> always = node.value<bool>();
        if (!always.has_value())
          return r_.Error(node, "always: want true or false");
        spec.always = *always;
      } else {
        return r_.Error(key,
                        absl::StrCat("unknown key \"", k, "\" in calendar"));
      }
    }
    if (!has_zone && !spec.always) {
      return r_.Error(table, "missing key \"timezone\"");
    }
    // Said here, at the empty array, rather than by the calendar, which
    // knows only that make-up days have no hours.
    if (workday_hours != nullptr && spec.workday_hours->empty() &&
        !spec.workdays.empty() && !spec.always) {
      return r_.Error(*workday_hours,
                      "workday_hours: empty, but workdays (make-up days) need hours");
    }
    return spec;
  }

 private:
  absl::Status ParseZone(const toml::node& node, std::string* zone) const {
    const std::optional<std::string> name = node.value<std::string>();
    absl::TimeZone tz;
    if (!name.has_value()) return r_.Error(node, "timezone: want a string");
    // absl also takes "localtime" and paths ("/etc/localtime",
    // "file:...", "../zoneinfo/UTC": whatever the machine slad runs on
    // says, so one policy would place other deadlines elsewhere) and its
    // own "Fixed/UTC+hh:mm:ss" names. An IANA name is segments of letters,
    // digits, '_', '+' and '-' joined by '/'.
    if (!IanaShaped(*name) || *name == "localtime" ||
        absl::StartsWith(*name, "Fixed/") || !absl::LoadTimeZone(*name, &tz)) {
      return r_.Error(node, absl::StrCat("unknown time zone \"", *name,
                                         "\" (want an IANA name such as "
                                         "\"Asia/Shanghai\" or \"UTC\")"));
    }
    *zone = *name;
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<LocalInterval>> ParseHours(
      const toml::node& node, absl::string_view key) const {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      return r_.Error(node, absl::StrCat(key,
                                         ": want an array of "
                                         "\"HH:MM-HH:MM\" strings"));
    }
    std::vector<LocalInterval> hours;
    for (const toml::node& el : *array) {
      const std::optional<absl::string_view> text = TomlReader::String(el);
      LocalInterval iv;
      const bool ok = text.has_value() && text->size() == 11 &&
                      (*text)[5] == '-' &&
                      ParseClock(text->substr(0, 5), &iv.begin_min) &&
                      ParseClock(text->substr(6), &iv.end_min);
      if (!ok) {
        return r_.Error(
            el, absl::StrCat(
                    key, ": bad interval ",
                    text.has_value() ? absl::StrCat("\"", *text, "\"")
                                     : NotAString(el),
                    " (want \"HH:MM-HH:MM\", e.g. \"09:00-18:00\")"));
      }
      hours.push_back(iv);
    }
    if (absl::Status s = engine::Calendar::CheckHours(hours, key); !s.ok()) {
      return r_.Error(node, s.message());
    }
    return hours;
  }

  absl::Status ParseDates(const toml::node& node, absl::string_view key,
                          std::vector<absl::CivilDay>* out) const {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      return r_.Error(node,
                      absl::StrCat(key, ": want an array of \"YYYY-MM-DD\""));
    }
    for (const toml::node& el : *array) {
      if (const toml::value<toml::date>* d = el.as_date()) {
        const toml::date& date = d->get();
        out->push_back(absl::CivilDay(date.year, date.month, date.day));
        continue;
      }
      absl::CivilDay first, last;
      RETURN_IF_ERROR(ParseRange(el, key, &first, &last));
      for (absl::CivilDay d = first; d <= last; ++d) out->push_back(d);
    }
    return absl::OkStatus();
  }

  // "YYYY-MM-DD" (first == last) or "YYYY-MM-DD..YYYY-MM-DD", in order and
  // at most kMaxRangeDays days long.
  absl::Status ParseRange(const toml::node& el, absl::string_view key,
                          absl::CivilDay* first, absl::CivilDay* last) const {
    const std::optional<absl::string_view> text = TomlReader::String(el);
    std::vector<absl::string_view> parts;
    if (text.has_value()) {
      parts = absl::StrSplit(*text, absl::string_view(".."));
    }
    if ((parts.size() != 1 && parts.size() != 2) ||
        !ParseDate(parts.front(), first) || !ParseDate(parts.back(), last)) {
      return r_.Error(
          el, absl::StrCat(key, ": bad date ",
                           text.has_value() ? absl::StrCat("\"", *text, "\"")
                                            : NotAString(el),
                           " (want \"YYYY-MM-DD\" or "
                           "\"YYYY-MM-DD..YYYY-MM-DD\")"));
    }
    if (*first > *last) {
      return r_.Error(el, absl::StrCat(key, ": range \"", *text,
                                       "\" ends before it starts"));
    }
    if (*last - *first >= kMaxRangeDays) {
      return r_.Error(el, absl::StrCat(key, ": range \"", *text, "\" is ",
                                       *last - *first + 1,
                                       " days (at most ", kMaxRangeDays,
                                       "; split a longer one)"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> ParseDayLength(const toml::node& node) const {
    const std::optional<absl::string_view> text = TomlReader::String(node);
    absl::StatusOr<engine::DurationSpec> d =
        text.has_value() ? engine::ParseDuration(*text)
                         : absl::InvalidArgumentError("want a string");
    if (!d.ok()) {
      return r_.Error(node, absl::StrCat("day_length: ", d.status().message()));
    }
    if (d->working_days != 0) {
      return r_.Error(node,
                      "day_length: want a time like \"8h\", not working days "
                      "(wd): it is what one working day means");
    }
    if (d->ms <= 0) {
      return r_.Error(node, "day_length: must be positive, like \"8h\"");
    }
    // A working day is at most a day: longer, and "2wd" would mean more
    // business time than two days can hold.
    if (d->ms > 24 * 3600 * 1000) {
      return r_.Error(node, "day_length: at most 24h (one day's business time)");
    }
    return d->ms;
  }

  const TomlReader& r_;
};

}  // namespace

absl::Status ParseCalendars(const TomlReader& r, const toml::node& node,
                            engine::Policy* policy) {
  const toml::table* calendars;
  ASSIGN_OR_RETURN(calendars, r.Table(node, "calendars"));
  for (const auto& [name, cal_node] : *calendars) {
    RETURN_IF_ERROR(r.CheckCalendarName(name));
    const toml::table* table;
    ASSIGN_OR_RETURN(
        table, r.Table(cal_node, absl::StrCat("calendar ", Av(name.str()))));
    CalendarSpec spec;
    ASSIGN_OR_RETURN(spec, CalendarParser(r).Parse(*table));
    absl::StatusOr<engine::Calendar> cal =
        engine::Calendar::Create(std::move(spec));
    if (!cal.ok()) {
      return r.Error(name, absl::StrCat("calendar ", Av(name.str()), ": ",
                                        cal.status().message()));
    }
    policy->calendars.emplace(std::string(Av(name.str())), *std::move(cal));
  }
  return absl::OkStatus();
}

}  // namespace slad::config
