#include "config/policy_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "config/toml_reader.h"
#include "engine/status_macros.h"
#include "engine/time_format.h"

namespace slad::config {
namespace {

bool Contains(const std::vector<std::string>& names, absl::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The top level and the small sections; calendars and kinds have files of
// their own (calendar_section.cc, kinds_section.cc).
class PolicyParser {
 public:
  explicit PolicyParser(const TomlReader& r) : r_(r) {}

  absl::StatusOr<engine::Policy> Parse(const toml::table& root) {
    static constexpr absl::string_view kKeys[] = {
        "calendars",     "priorities", "default_priority",
        "reopen_window", "escalation", "kinds"};
    for (const auto& [key, node] : root) {
      if (std::find(std::begin(kKeys), std::end(kKeys), Av(key.str())) ==
          std::end(kKeys)) {
        return r_.UnknownKey(key, "at top level",
                             "calendars, priorities, default_priority, "
                             "reopen_window, escalation, kinds");
      }
    }
    // Sections in dependency order (toml++ iterates keys sorted, not in
    // file order): kinds need calendars and priorities; escalation needs
    // priorities.
    engine::Policy policy;
    if (const toml::node* n = root.get("calendars")) {
      RETURN_IF_ERROR(ParseCalendars(r_, *n, &policy));
    }
    RETURN_IF_ERROR(ParsePriorities(root, &policy));
    if (const toml::node* n = root.get("reopen_window")) {
      engine::DurationSpec d;
      ASSIGN_OR_RETURN(d, r_.Duration(*n, "reopen_window", /*allow_wd=*/false));
      policy.reopen_window_ms = d.ms;
    }
    if (const toml::node* n = root.get("escalation")) {
      RETURN_IF_ERROR(ParseEscalation(r_, *n, &policy));
    }
    if (const toml::node* n = root.get("kinds")) {
      RETURN_IF_ERROR(ParseKinds(r_, *n, &policy));
    }
    return policy;
  }

 private:
  absl::Status ParsePriorities(const toml::table& root,
                               engine::Policy* policy) {
    const toml::node* list = root.get("priorities");
    if (list != nullptr) {
      ASSIGN_OR_RETURN(policy->priorities,
                       r_.Names(*list, "priorities", /*allow_empty=*/false));
      if (static_cast<int>(policy->priorities.size()) >
          engine::kMaxPriorities) {
        return r_.Error(*list, absl::StrCat("priorities: more than ",
                                            engine::kMaxPriorities));
      }
    }
    const toml::node* def = root.get("default_priority");
    if (def != nullptr) {
      ASSIGN_OR_RETURN(policy->default_priority,
                       r_.Name(*def, "default_priority"));
    }
    if (!Contains(policy->priorities, policy->default_priority)) {
      // Point at what the user wrote: the default, or else the list that
      // dropped the implicit default "normal".
      return r_.Error(
          def != nullptr ? *def : *list,
          absl::StrCat("default_priority \"", policy->default_priority,
                       "\" is not in priorities"));
    }
    return absl::OkStatus();
  }

  const TomlReader& r_;
};

// warn_at: fractions in (0, 1); sorted and deduplicated here, so that the
// order the user wrote them in does not matter.
absl::StatusOr<std::vector<double>> ParseWarnAt(const TomlReader& r,
                                                const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    return r.Error(node, "warn_at: want an array of fractions like [0.8]");
  }
  std::vector<double> out;
  for (const toml::node& el : *array) {
    const std::optional<double> f =
        el.is_number() ? el.value<double>() : std::nullopt;
    if (!f.has_value() || !(*f > 0 && *f < 1)) {
      return r.Error(el, "warn_at: want a fraction strictly between 0 and 1");
    }
    out.push_back(*f);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::StatusOr<std::vector<engine::DurationSpec>> ParseWarnBefore(
    const TomlReader& r, const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    return r.Error(node,
                   "warn_before: want an array of durations like "
                   "[\"30m\"]");
  }
  std::vector<engine::DurationSpec> out;
  for (const toml::node& el : *array) {
    // Business time on each kind's calendar, so working days are fine.
    ASSIGN_OR_RETURN(out.emplace_back(),
                     r.Duration(el, "warn_before", /*allow_wd=*/true));
  }
  return out;
}

absl::StatusOr<double> ParseStep(const TomlReader& r, const toml::node& node) {
  const std::optional<double> step =
      node.is_number() ? node.value<double>() : std::nullopt;
  if (!step.has_value() || !std::isfinite(*step) || *step < 0) {
    return r.Error(node, "step: want a number >= 0 (0 disables further steps)");
  }
  return *step;
}

}  // namespace

absl::Status ParseEscalation(const TomlReader& r, const toml::node& node,
                             engine::Policy* policy) {
  const toml::table* table;
  ASSIGN_OR_RETURN(table, r.Table(node, "escalation"));
  engine::EscalationSpec& esc = policy->escalation;
  for (const auto& [key, value] : *table) {
    const absl::string_view k = Av(key.str());
    if (k == "levels") {
      ASSIGN_OR_RETURN(esc.levels,
                       r.Names(value, "levels", /*allow_empty=*/true));
      const int n = static_cast<int>(esc.levels.size());
      if (n < engine::kMinLevels || n > engine::kMaxLevels) {
        return r.Error(
            value, absl::StrCat("levels: want ", engine::kMinLevels, " to ",
                                engine::kMaxLevels, " levels, lowest first"));
      }
    } else if (k == "warn_at") {
      ASSIGN_OR_RETURN(esc.warn_at, ParseWarnAt(r, value));
    } else if (k == "warn_before") {
      ASSIGN_OR_RETURN(esc.warn_before, ParseWarnBefore(r, value));
    } else if (k == "step") {
      ASSIGN_OR_RETURN(esc.step, ParseStep(r, value));
    } else if (k == "major") {
      ASSIGN_OR_RETURN(esc.major,
                       r.Names(value, "major", /*allow_empty=*/true));
      const toml::array& array = *value.as_array();
      for (size_t i = 0; i < esc.major.size(); ++i) {
        if (!Contains(policy->priorities, esc.major[i])) {
          return r.Error(
              array[i], absl::StrCat("major: unknown priority \"", esc.major[i],
                                     "\" (not in priorities)"));
        }
      }
    } else {
      return r.UnknownKey(key, "in escalation",
                          "levels, warn_at, warn_before, step, major");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<engine::Policy> ParsePolicy(absl::string_view text,
                                           absl::string_view source) {
  const TomlReader reader(source);
  toml::table root;
  try {
    root = toml::parse(std::string_view(text.data(), text.size()),
                       std::string_view(source.data(), source.size()));
  } catch (const toml::parse_error& e) {
    return reader.Error(e.source(), Av(e.description()));
  }
  return PolicyParser(reader).Parse(root);
}

absl::StatusOr<engine::Policy> LoadPolicyFile(const std::string& path) {
  // A directory opens as a stream that reads nothing, which would parse
  // as an empty (valid) policy.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::NotFoundError(
        absl::StrCat("cannot read policy file ", path, ": it is a directory"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read policy file ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::NotFoundError(absl::StrCat("cannot read policy file ", path, ": read error"));
  }
  return ParsePolicy(text.str(), path);
}

absl::StatusOr<engine::Policy> LoadDefaultPolicy() {
  return ParsePolicy(DefaultPolicyText(), "<default policy>");
}

std::vector<std::string> CalendarCoverageWarnings(const engine::Policy& policy,
                                                  int64_t now_ms) {
  std::vector<std::string> out;
  const absl::CivilDay today =
      absl::ToCivilDay(absl::FromUnixMillis(now_ms), absl::UTCTimeZone());
  for (const auto& [name, calendar] : policy.calendars) {
    const engine::CalendarSpec& spec = calendar.spec();
    std::optional<absl::CivilDay> last;
    for (const auto* days : {&spec.holidays, &spec.workdays}) {
      for (const absl::CivilDay& d : *days) {
        if (!last || d > *last) last = d;
      }
    }
    if (!last) continue;
    const bool soon = last->year() < today.year() ||
                      (last->year() == today.year() && today.month() >= 10);
    if (!soon) continue;
    out.push_back(absl::StrCat(
        "calendar \"", name, "\" lists holidays and make-up days through ",
        absl::FormatCivilTime(*last), ": from ", last->year() + 1,
        "-01-01 it counts every day its week works as working; add ",
        last->year() + 1, "'s schedule when it is published (docs/POLICY.md)"));
  }
  return out;
}

}  // namespace slad::config
