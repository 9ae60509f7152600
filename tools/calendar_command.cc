#include "tools/calendar_command.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/json_writer.h"
#include "engine/calendar.h"
#include "engine/policy.h"
#include "engine/time_format.h"

namespace slad::tools {
namespace {

constexpr char kUsage[] = R"(usage:
  slactl calendar add     [--policy FILE] --calendar NAME --start T --duration D
  slactl calendar between [--policy FILE] --calendar NAME --start T --end T

add      prints the deadline: the earliest instant at which D of business
         time has passed since T.  {"deadline":"<RFC 3339 UTC>","deadline_ms":N}
between  prints the business time in [start, end).  {"business_ms":N}

T  RFC 3339 with an offset or Z (2026-01-05T09:00:00+08:00), or Unix ms.
D  business time: 90m, 2h, 1h30m, 45s, 250ms, 3wd (working days, each the
   calendar's day_length), combined largest unit first (1wd4h).
Without --policy, the embedded default policy: calendars cn_office,
weekdays, always. Errors: one JSON line on stderr, exit status 2.
)";

// Loads the policy named by --policy (or the default) into `policy` and
// points `cal` at the calendar named by --calendar.
std::optional<CliError> FindCalendar(const Flags& flags, engine::Policy* policy,
                                     engine::Calendar** cal) {
  if (auto e = LoadPolicy(flags, policy)) return e;
  std::string name;
  if (auto e = flags.Require("calendar", &name)) return e;
  const auto it = policy->calendars.find(name);
  if (it == policy->calendars.end()) {
    std::vector<std::string> names;
    for (const auto& [n, c] : policy->calendars) names.push_back(n);
    return CliError{"not_found",
                    absl::StrCat("unknown calendar \"", name, "\" (have: ",
                                 absl::StrJoin(names, ", "), ")")};
  }
  *cal = &it->second;
  return std::nullopt;
}

std::optional<CliError> Instant(const Flags& flags, absl::string_view name,
                                int64_t* ms) {
  std::string text;
  if (auto e = flags.Require(name, &text)) return e;
  absl::StatusOr<int64_t> parsed = engine::ParseInstantMs(text);
  if (!parsed.ok()) {
    return CliError{"invalid_argument",
                    absl::StrCat("--", name, ": ", parsed.status().message())};
  }
  // [1970, 2200) as the API takes instants: 2200-01-01 itself is where
  // the engine's deadlines mean never.
  if (*parsed < engine::Calendar::kMinMs || *parsed >= engine::Calendar::kMaxMs) {
    return CliError{"out_of_range",
                    absl::StrCat("--", name, ": ", text,
                                 " is outside 1970-01-01 .. 2200-01-01")};
  }
  *ms = *parsed;
  return std::nullopt;
}

std::optional<CliError> Add(const std::vector<std::string>& args,
                            std::string* out) {
  Flags flags;
  if (auto e = Flags::Parse(args, {"policy", "calendar", "start", "duration"},
                            &flags)) {
    return e;
  }
  engine::Policy policy;
  engine::Calendar* cal = nullptr;
  if (auto e = FindCalendar(flags, &policy, &cal)) return e;
  int64_t start_ms = 0;
  if (auto e = Instant(flags, "start", &start_ms)) return e;
  std::string text;
  if (auto e = flags.Require("duration", &text)) return e;
  absl::StatusOr<engine::DurationSpec> d = engine::ParseDuration(text);
  if (!d.ok()) {
    return CliError{"invalid_argument",
                    absl::StrCat("--duration: ", d.status().message())};
  }
  absl::StatusOr<int64_t> deadline =
      cal->Add(start_ms, d->ToBusinessMs(cal->day_length_ms()));
  if (absl::IsOutOfRange(deadline.status()) ||
      (deadline.ok() && *deadline >= engine::Calendar::kMaxMs)) {
    // The calendar names the instant its search reached, which the user
    // never gave: say what was asked instead (--start is in range).
    return CliError{"out_of_range",
                    absl::StrCat("the deadline, ", text,
                                 " of business time after --start, is not "
                                 "before 2200-01-01T00:00:00Z, the end of the "
                                 "supported instants (slad reads such a "
                                 "deadline as never)")};
  }
  if (!deadline.ok()) return FromStatus(deadline.status());
  api::JsonWriter w;
  w.BeginObject()
      .Key("deadline")
      .String(engine::FormatInstantMs(*deadline))
      .Key("deadline_ms")
      .Int(*deadline)
      .EndObject();
  absl::StrAppend(out, w.str(), "\n");
  return std::nullopt;
}

std::optional<CliError> Between(const std::vector<std::string>& args,
                                std::string* out) {
  Flags flags;
  if (auto e =
          Flags::Parse(args, {"policy", "calendar", "start", "end"}, &flags)) {
    return e;
  }
  engine::Policy policy;
  engine::Calendar* cal = nullptr;
  if (auto e = FindCalendar(flags, &policy, &cal)) return e;
  int64_t start_ms = 0, end_ms = 0;
  if (auto e = Instant(flags, "start", &start_ms)) return e;
  if (auto e = Instant(flags, "end", &end_ms)) return e;
  absl::StatusOr<int64_t> business_ms = cal->Between(start_ms, end_ms);
  if (!business_ms.ok()) return FromStatus(business_ms.status());
  api::JsonWriter w;
  w.BeginObject().Key("business_ms").Int(*business_ms).EndObject();
  absl::StrAppend(out, w.str(), "\n");
  return std::nullopt;
}

std::optional<CliError> Run(const std::vector<std::string>& args,
                            std::string* out) {
  if (args.empty()) {
    return CliError{"usage", "missing action: add or between"};
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "add") return Add(rest, out);
  if (args[0] == "between") return Between(rest, out);
  return CliError{"usage", absl::StrCat("unknown action \"", args[0],
                                        "\": want add or between")};
}

}  // namespace

const Command kCalendarCommand = {
    "calendar", "business-time arithmetic on a policy's calendar (offline)",
    kUsage, &Run};

}  // namespace slad::tools
