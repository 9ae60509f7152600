// The `[kinds.NAME]` section of the policy file: request kinds, their
// targets and per-priority overrides (docs/POLICY.md).

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "config/toml_reader.h"
#include "engine/policy.h"
#include "engine/status_macros.h"

namespace slad::config {
namespace {

using engine::KindSpec;
using engine::TargetSpec;

bool Contains(const std::vector<std::string>& names, absl::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class KindsParser {
 public:
  KindsParser(const TomlReader& r, engine::Policy* policy)
      : r_(r), policy_(policy) {
    // The built-in events count toward the limit: the engine keeps event
    // sets as 64-bit masks over every name the policy can see.
    for (std::string_view e :
         {engine::kEventOpen, engine::kEventReopened, engine::kEventResolved}) {
      events_.emplace(e);
    }
  }

  absl::Status Parse(const toml::node& node) {
    const toml::table* kinds;
    ASSIGN_OR_RETURN(kinds, r_.Table(node, "kinds"));
    // A policy without kinds (calendars only) omits the section; one that
    // writes it and leaves it empty has surely lost its kinds.
    if (kinds->empty()) {
      return r_.Error(node, "kinds: define at least one kind");
    }
    for (const auto& [name, kind_node] : *kinds) {
      RETURN_IF_ERROR(r_.CheckName(name, "kind"));
      KindSpec kind;
      kind.name = std::string(Av(name.str()));
      const toml::table* table;
      ASSIGN_OR_RETURN(table,
                       r_.Table(kind_node, absl::StrCat("kind ", kind.name)));
      RETURN_IF_ERROR(ParseKind(*table, &kind));
      policy_->kinds.emplace(kind.name, std::move(kind));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ParseKind(const toml::table& table, KindSpec* kind) {
    for (const auto& [key, node] : table) {
      const absl::string_view k = Av(key.str());
      if (k != "calendar" && k != "targets" && k != "priority") {
        return r_.UnknownKey(key, absl::StrCat("in kind ", kind->name),
                             "calendar, targets, priority");
      }
    }
    const toml::node* calendar = table.get("calendar");
    if (calendar == nullptr) {
      return r_.Error(table, absl::StrCat("kind ", kind->name,
                                          ": missing key \"calendar\""));
    }
    const std::optional<absl::string_view> cal = TomlReader::String(*calendar);
    if (!cal.has_value()) return r_.Error(*calendar, "calendar: want a string");
    if (!policy_->calendars.contains(*cal)) {
      return r_.Error(
          *calendar,
          absl::StrCat("calendar: unknown calendar \"", *cal,
                       "\" (define it under [calendars.", *cal, "])"));
    }
    kind->calendar = std::string(*cal);
    const toml::node* targets = table.get("targets");
    if (targets == nullptr) {
      return r_.Error(table, absl::StrCat("kind ", kind->name,
                                          ": missing key \"targets\""));
    }
    RETURN_IF_ERROR(ParseTargets(*targets, kind));
    if (const toml::node* overrides = table.get("priority")) {
      RETURN_IF_ERROR(ParseOverrides(*overrides, kind));
    }
    return absl::OkStatus();
  }

  absl::Status ParseTargets(const toml::node& node, KindSpec* kind) {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      return r_.Error(node,
                      "targets: want an array of tables "
                      "{ name, start, stop, within }");
    }
    if (array->empty()) {
      return r_.Error(node, absl::StrCat("kind ", kind->name,
                                         ": needs at least one target"));
    }
    for (const toml::node& el : *array) {
      if (static_cast<int>(kind->targets.size()) ==
          engine::kMaxTargetsPerKind) {
        return r_.Error(el,
                        absl::StrCat("kind ", kind->name, ": more than ",
                                     engine::kMaxTargetsPerKind, " targets"));
      }
      TargetSpec target;
      RETURN_IF_ERROR(ParseTarget(el, &target));
      for (const TargetSpec& other : kind->targets) {
        if (other.name == target.name) {
          return r_.Error(el, absl::StrCat("kind ", kind->name, ": target \"",
                                           target.name, "\" defined twice"));
        }
      }
      kind->targets.push_back(std::move(target));
    }
    return absl::OkStatus();
  }

  absl::Status ParseTarget(const toml::node& node, TargetSpec* target) {
    const toml::table* table;
    ASSIGN_OR_RETURN(table, r_.Table(node, "target"));
    for (const auto& [key, value] : *table) {
      const absl::string_view k = Av(key.str());
      if (k != "name" && k != "start" && k != "stop" && k != "within") {
        return r_.UnknownKey(key, "in target", "name, start, stop, within");
      }
    }
    for (const char* required : {"name", "start", "stop", "within"}) {
      if (!table->contains(required)) {
        return r_.Error(*table,
                        absl::StrCat("target: missing key \"", required, "\""));
      }
    }
    ASSIGN_OR_RETURN(target->name, r_.Name(*table->get("name"), "target name"));
    const std::string what = absl::StrCat("target ", target->name);
    ASSIGN_OR_RETURN(target->start,
                     Events(*table->get("start"), what, "start"));
    ASSIGN_OR_RETURN(target->stop, Events(*table->get("stop"), what, "stop"));
    // Kinds always have a calendar, so working days mean something here.
    ASSIGN_OR_RETURN(target->within,
                     r_.Duration(*table->get("within"),
                                 absl::StrCat(what, ": within"), true));
    for (const std::string& e : target->start) {
      if (Contains(target->stop, e)) {
        return r_.Error(
            *table->get("stop"),
            absl::StrCat(what, ": event \"", e, "\" both starts and stops it"));
      }
    }
    return absl::OkStatus();
  }

  // A non-empty `start` or `stop` list of event names; counts new names
  // toward the policy-wide limit.
  absl::StatusOr<std::vector<std::string>> Events(const toml::node& node,
                                                  absl::string_view target,
                                                  absl::string_view key) {
    const std::string what = absl::StrCat(target, ": ", key);
    std::vector<std::string> names;
    ASSIGN_OR_RETURN(names, r_.Names(node, what, /*allow_empty=*/false));
    const toml::array& array = *node.as_array();
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string& e = names[i];
      if (key == "start" && e == engine::kEventResolved) {
        return r_.Error(array[i], absl::StrCat(what,
                                               ": \"resolved\" stops every "
                                               "target; it cannot start one"));
      }
      if (key == "stop" &&
          (e == engine::kEventOpen || e == engine::kEventReopened)) {
        // No target runs before `open` or before `reopened` (resolving
        // stopped them all), so such a stop could never fire.
        return r_.Error(array[i], absl::StrCat(what, ": \"", e,
                                               "\" can only start a target"));
      }
      if (events_.insert(e).second &&
          static_cast<int>(events_.size()) > engine::kMaxEventNames) {
        return r_.Error(
            array[i], absl::StrCat(what, ": more than ", engine::kMaxEventNames,
                                   " distinct event names in the policy "
                                   "(open, reopened, resolved included)"));
      }
    }
    return names;
  }

  // [kinds.K.priority.P]: target name = duration, replacing `within` for
  // tickets of priority P.
  absl::Status ParseOverrides(const toml::node& node, KindSpec* kind) {
    const toml::table* table;
    ASSIGN_OR_RETURN(table, r_.Table(node, "priority"));
    for (const auto& [priority, overrides_node] : *table) {
      const std::string p(Av(priority.str()));
      if (!Contains(policy_->priorities, p)) {
        return r_.Error(
            priority, absl::StrCat("kind ", kind->name, ": unknown priority \"",
                                   p, "\" (not in priorities)"));
      }
      const std::string what =
          absl::StrCat("kind ", kind->name, ": priority ", p);
      const toml::table* overrides;
      ASSIGN_OR_RETURN(overrides, r_.Table(overrides_node, what));
      for (const auto& [target_name, duration] : *overrides) {
        const absl::string_view t = Av(target_name.str());
        auto it = std::find_if(
            kind->targets.begin(), kind->targets.end(),
            [t](const TargetSpec& target) { return target.name == t; });
        if (it == kind->targets.end()) {
          return r_.Error(target_name, absl::StrCat(what, ": unknown target \"",
                                                    t, "\""));
        }
        ASSIGN_OR_RETURN(
            it->within_by_priority[p],
            r_.Duration(duration, absl::StrCat(what, ": ", t), true));
      }
    }
    return absl::OkStatus();
  }

  const TomlReader& r_;
  engine::Policy* policy_;
  std::set<std::string, std::less<>> events_;
};

}  // namespace

absl::Status ParseKinds(const TomlReader& r, const toml::node& node,
                        engine::Policy* policy) {
  return KindsParser(r, policy).Parse(node);
}

}  // namespace slad::config
