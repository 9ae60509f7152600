#include "engine/compiled_policy.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace slad::engine {
namespace {

// Gives `name` the next id if it has none yet; returns its id.
int Intern(absl::flat_hash_map<std::string, int>& ids,
           std::vector<std::string>& names, absl::string_view name) {
  auto [it, inserted] = ids.try_emplace(name, static_cast<int>(names.size()));
  if (inserted) names.emplace_back(name);
  return it->second;
}

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("policy: ", what));
}

}  // namespace

absl::StatusOr<std::unique_ptr<CompiledPolicy>> CompiledPolicy::Compile(
    Policy policy) {
  auto compiled = std::unique_ptr<CompiledPolicy>(new CompiledPolicy);
  CompiledPolicy& c = *compiled;
  c.policy_ = std::move(policy);
  const Policy& p = c.policy_;

  if (p.priorities.empty() || p.priorities.size() > 64) {
    return Invalid("between 1 and 64 priorities are required");
  }
  for (const std::string& name : p.priorities) {
    if (c.priority_ids_.contains(name)) {
      return Invalid(absl::StrCat("priority \"", name, "\" listed twice"));
    }
    Intern(c.priority_ids_, c.priorities_, name);
  }
  c.default_priority_ = c.PriorityId(p.default_priority);
  if (c.default_priority_ < 0) {
    return Invalid(absl::StrCat("default priority \"", p.default_priority,
                                "\" is not a priority"));
  }
  for (const std::string& name : p.escalation.major) {
    const int id = c.PriorityId(name);
    if (id < 0) return Invalid(absl::StrCat("major \"", name, "\" is not a priority"));
    c.major_mask_ |= uint64_t{1} << id;
  }
  if (p.escalation.levels.size() < 2) {
    return Invalid("escalation needs at least two levels");
  }
  for (const std::string& name : p.escalation.levels) {
    if (c.level_ids_.contains(name)) {
      return Invalid(absl::StrCat("level \"", name, "\" listed twice"));
    }
    Intern(c.level_ids_, c.levels_, name);
  }
  if (p.escalation.step < 0) return Invalid("escalation step must be >= 0");
  for (double f : p.escalation.warn_at) {
    if (!(f > 0 && f < 1)) return Invalid("warn_at fractions must be in (0, 1)");
  }
  c.warn_fractions_ = p.escalation.warn_at;
  c.warn_before_ = p.escalation.warn_before;

  // In the order of the k*EventId constants.
  for (absl::string_view builtin : {"open", "reopened", "resolved"}) {
    Intern(c.event_ids_, c.events_, builtin);
  }
  RETURN_IF_ERROR(c.CompileKinds());
  return compiled;
}

absl::Status CompiledPolicy::CompileKinds() {
  for (auto& [kind_name, spec] : policy_.kinds) {
    auto calendar = policy_.calendars.find(spec.calendar);
    if (calendar == policy_.calendars.end()) {
      return Invalid(absl::StrCat("kind \"", kind_name,
                                  "\" names unknown calendar \"",
                                  spec.calendar, "\""));
    }
    if (spec.targets.empty() || spec.targets.size() > kMaxTargets) {
      return Invalid(absl::StrCat("kind \"", kind_name, "\" needs 1 to ",
                                  kMaxTargets, " targets"));
    }
    CompiledKind kind{kind_name, spec.calendar, &calendar->second, {}};
    const int64_t day_ms = calendar->second.day_length_ms();
    for (const TargetSpec& t : spec.targets) {
      CompiledTarget target{t.name, 0, uint64_t{1} << kResolvedEventId, {}};
      for (const auto& [names, mask] :
           {std::pair{&t.start, &target.start_events},
            std::pair{&t.stop, &target.stop_events}}) {
        for (const std::string& name : *names) {
          const int id = Intern(event_ids_, events_, name);
          if (id >= kMaxEvents) {
            return Invalid(absl::StrCat("more than ", kMaxEvents, " event names"));
          }
          *mask |= uint64_t{1} << id;
        }
      }
      const int64_t base = t.within.ToBusinessMs(day_ms);
      target.budget_ms.assign(priorities_.size(), base);
      for (const auto& [priority, within] : t.within_by_priority) {
        const int id = PriorityId(priority);
        if (id < 0) {
          return Invalid(absl::StrCat("kind \"", kind_name, "\" overrides unknown "
                                      "priority \"", priority, "\""));
        }
        target.budget_ms[id] = within.ToBusinessMs(day_ms);
      }
      for (int64_t budget : target.budget_ms) {
        if (budget <= 0) {
          return Invalid(absl::StrCat("target \"", kind_name, ".", t.name,
                                      "\" needs a positive duration"));
        }
      }
      kind.targets.push_back(std::move(target));
    }
    kinds_.push_back(std::move(kind));
    for (CompiledTarget& target : kinds_.back().targets) {
      for (int64_t budget : target.budget_ms) {
        WarningPoints(static_cast<int>(kinds_.size()) - 1, budget,
                      &target.warn_points.emplace_back());
      }
    }
    kind_ids_[kind_name] = static_cast<int>(kinds_.size()) - 1;
  }
  return absl::OkStatus();
}

int CompiledPolicy::TargetId(int kind, absl::string_view name) const {
  const auto& targets = kinds_[kind].targets;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (targets[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

void CompiledPolicy::WarningPoints(int kind, int64_t budget_ms,
                                   std::vector<int64_t>* out) const {
  out->clear();
  // Round the used share to the millisecond: (1 - 0.8) * 2 h in doubles is
  // a hair under 24 min and would truncate to a warning 1 ms late.
  for (double used : warn_fractions_) {
    out->push_back(budget_ms -
                   std::llround(used * static_cast<double>(budget_ms)));
  }
  const int64_t day_ms = kinds_[kind].calendar->day_length_ms();
  for (const DurationSpec& before : warn_before_) {
    out->push_back(before.ToBusinessMs(day_ms));
  }
  std::erase_if(*out, [&](int64_t left) { return left >= budget_ms || left <= 0; });
  std::sort(out->begin(), out->end(), std::greater<>());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

}  // namespace slad::engine
