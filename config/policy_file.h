#ifndef SLAD_CONFIG_POLICY_FILE_H_
#define SLAD_CONFIG_POLICY_FILE_H_

// Reads the policy file (TOML, docs/POLICY.md) into engine types. toml++
// stays behind this edge: nothing it throws escapes, nothing of it is in
// this header. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/policy.h"

namespace slad::config {

// Parses policy TOML `text`; `source` names it in errors. Every error is
// InvalidArgument with a message "source:line:col: reason", for TOML
// syntax as for meaning (unknown key, bad interval, unknown zone, no
// working time, ...). Unknown keys are errors, never ignored.
absl::StatusOr<engine::Policy> ParsePolicy(absl::string_view text,
                                           absl::string_view source);

// Reads and parses the file at `path`. NotFound if it cannot be read;
// otherwise as ParsePolicy().
absl::StatusOr<engine::Policy> LoadPolicyFile(const std::string& path);

// The policy compiled into the binary (config/default_policy.toml).
absl::string_view DefaultPolicyText();

// ParsePolicy(DefaultPolicyText(), "<default policy>").
absl::StatusOr<engine::Policy> LoadDefaultPolicy();

// One message for each calendar whose holidays and make-up days run out
// soon: its last listed date is in a year before `now_ms`'s, or in that
// year with `now_ms` in its last quarter. Past the last listed year such a
// calendar counts every day its week works as working (a Chinese holiday
// schedule is published a year at a time). None for a calendar that lists
// no dates.
std::vector<std::string> CalendarCoverageWarnings(const engine::Policy& policy,
                                                  int64_t now_ms);

}  // namespace slad::config

#endif  // SLAD_CONFIG_POLICY_FILE_H_
