#include "config/policy_file.h"

#include <toml++/toml.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/calendar.h"
#include "engine/status_macros.h"
#include "engine/time_format.h"

namespace slad::config {
namespace {

using engine::CalendarSpec;

// toml++ speaks absl::string_view; Debian's Abseil has its own string_view.
absl::string_view Av(std::string_view s) { return {s.data(), s.size()}; }

std::optional<absl::string_view> StringOf(const toml::node& node) {
  const std::optional<std::string_view> s = node.value<std::string_view>();
  if (!s.has_value()) return std::nullopt;
  return Av(*s);
}
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

// "YYYY-MM-DD", a real date.
bool ParseDate(absl::string_view s, absl::CivilDay* day) {
  return absl::ParseCivilTime(s, day) && absl::FormatCivilTime(*day) == s;
}

class Parser {
 public:
  explicit Parser(absl::string_view source) : source_(source) {}

  absl::Status Error(const toml::source_region& where,
                     absl::string_view reason) const {
    return absl::InvalidArgumentError(absl::StrCat(
        source_, ":", where.begin.line, ":", where.begin.column, ": ", reason));
  }

  absl::StatusOr<engine::Policy> Parse(const toml::table& root) {
    engine::Policy policy;
    for (const auto& [key, node] : root) {
      if (Av(key.str()) != "calendars") {
        return Error(key.source(), absl::StrCat("unknown key \"", Av(key.str()),
                                                "\" (expected calendars)"));
      }
      const toml::table* calendars = node.as_table();
      if (calendars == nullptr) {
        return Error(node.source(), "calendars must be a table");
      }
      for (const auto& [name, cal_node] : *calendars) {
        const toml::table* table = cal_node.as_table();
        if (table == nullptr) {
          return Error(
              cal_node.source(),
              absl::StrCat("calendar ", Av(name.str()), " must be a table"));
        }
        ASSIGN_OR_RETURN(CalendarSpec spec, ParseCalendar(*table));
        absl::StatusOr<engine::Calendar> cal =
            engine::Calendar::Create(std::move(spec));
        if (!cal.ok()) {
          return Error(name.source(),
                       absl::StrCat("calendar ", Av(name.str()), ": ",
                                    cal.status().message()));
        }
        policy.calendars.emplace(std::string(Av(name.str())), *std::move(cal));
      }
    }
    return policy;
  }

 private:
  absl::StatusOr<CalendarSpec> ParseCalendar(const toml::table& table) {
    CalendarSpec spec;
    bool has_zone = false;
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
      } else if (k == "day_length") {
        ASSIGN_OR_RETURN(spec.day_length_ms, ParseDayLength(node));
      } else if (k == "always") {
        const std::optional<bool> always = node.value<bool>();
        if (!always.has_value())
          return Error(node.source(), "always: want true or false");
        spec.always = *always;
      } else {
        return Error(key.source(),
                     absl::StrCat("unknown key \"", k, "\" in calendar"));
      }
    }
    if (!has_zone && !spec.always) {
      return Error(table.source(), "missing key \"timezone\"");
    }
    return spec;
  }

  absl::Status ParseZone(const toml::node& node, std::string* zone) {
    const std::optional<std::string> name = node.value<std::string>();
    absl::TimeZone tz;
    if (!name.has_value())
      return Error(node.source(), "timezone: want a string");
    if (!absl::LoadTimeZone(*name, &tz)) {
      return Error(node.source(),
                   absl::StrCat("unknown time zone \"", *name, "\""));
    }
    *zone = *name;
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<LocalInterval>> ParseHours(const toml::node& node,
                                                        absl::string_view key) {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      return Error(node.source(), absl::StrCat(key,
                                               ": want an array of "
                                               "\"HH:MM-HH:MM\" strings"));
    }
    std::vector<LocalInterval> hours;
    for (const toml::node& el : *array) {
      const std::optional<absl::string_view> text = StringOf(el);
      LocalInterval iv;
      const bool ok = text.has_value() && text->size() == 11 &&
                      (*text)[5] == '-' &&
                      ParseClock(text->substr(0, 5), &iv.begin_min) &&
                      ParseClock(text->substr(6), &iv.end_min);
      if (!ok) {
        return Error(
            el.source(),
            absl::StrCat(
                key, ": bad interval ",
                text.has_value() ? absl::StrCat("\"", *text, "\"") : "",
                " (want \"HH:MM-HH:MM\", e.g. \"09:00-18:00\")"));
      }
      hours.push_back(iv);
    }
    if (absl::Status s = engine::Calendar::CheckHours(hours, key); !s.ok()) {
      return Error(node.source(), s.message());
    }
    return hours;
  }

  absl::Status ParseDates(const toml::node& node, absl::string_view key,
                          std::vector<absl::CivilDay>* out) {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      return Error(node.source(),
                   absl::StrCat(key, ": want an array of \"YYYY-MM-DD\""));
    }
    for (const toml::node& el : *array) {
      if (const toml::value<toml::date>* d = el.as_date()) {
        const toml::date& date = d->get();
        out->push_back(absl::CivilDay(date.year, date.month, date.day));
        continue;
      }
      const std::optional<absl::string_view> text = StringOf(el);
      std::vector<absl::string_view> parts;
      if (text.has_value())
        parts = absl::StrSplit(*text, absl::string_view(".."));
      absl::CivilDay first, last;
      const bool ok = (parts.size() == 1 || parts.size() == 2) &&
                      ParseDate(parts.front(), &first) &&
                      ParseDate(parts.back(), &last) && first <= last &&
                      last - first < kMaxRangeDays;
      if (!ok) {
        return Error(el.source(),
                     absl::StrCat(key,
                                  ": bad date (want \"YYYY-MM-DD\" or "
                                  "\"YYYY-MM-DD..YYYY-MM-DD\")"));
      }
      for (absl::CivilDay d = first; d <= last; ++d) out->push_back(d);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> ParseDayLength(const toml::node& node) {
    const std::optional<absl::string_view> text = StringOf(node);
    absl::StatusOr<engine::DurationSpec> d =
        text.has_value() ? engine::ParseDuration(*text)
                         : absl::InvalidArgumentError("want a string");
    if (!d.ok()) {
      return Error(node.source(),
                   absl::StrCat("day_length: ", d.status().message()));
    }
    if (d->working_days != 0 || d->ms <= 0) {
      return Error(node.source(),
                   "day_length: want a positive time like \"8h\", not wd");
    }
    return d->ms;
  }

  std::string source_;
};

}  // namespace

absl::StatusOr<engine::Policy> ParsePolicy(absl::string_view text,
                                           absl::string_view source) {
  toml::table root;
  try {
    root = toml::parse(std::string_view(text.data(), text.size()),
                       std::string_view(source.data(), source.size()));
  } catch (const toml::parse_error& e) {
    return Parser(source).Error(e.source(), Av(e.description()));
  }
  return Parser(source).Parse(root);
}

absl::StatusOr<engine::Policy> LoadPolicyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read policy file ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParsePolicy(text.str(), path);
}

absl::StatusOr<engine::Policy> LoadDefaultPolicy() {
  return ParsePolicy(DefaultPolicyText(), "<default policy>");
}

}  // namespace slad::config
