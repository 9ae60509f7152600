#ifndef SLAD_TESTS_TESTING_POLICY_SPECS_H_
#define SLAD_TESTS_TESTING_POLICY_SPECS_H_

// Shorthand for the engine tests' hand-built policies.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/policy.h"

namespace slad::testing {

// A target started by any of `start`, stopped by any of `stop`, due
// `within_ms` of business time plus `within_wd` working days after it starts.
inline engine::TargetSpec Target(std::string name, std::vector<std::string> start,
                                 std::vector<std::string> stop, int64_t within_ms,
                                 int64_t within_wd = 0) {
  engine::TargetSpec t;
  t.name = std::move(name);
  t.start = std::move(start);
  t.stop = std::move(stop);
  t.within.ms = within_ms;
  t.within.working_days = within_wd;
  return t;
}

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_POLICY_SPECS_H_
