#ifndef SLAD_ENGINE_POLICY_H_
#define SLAD_ENGINE_POLICY_H_

#include <functional>
#include <map>
#include <string>

#include "engine/calendar.h"

namespace slad::engine {

// Everything a policy file defines, as engine types (docs/POLICY.md).
// config/ builds it from TOML; the engine reads it. So far: calendars.
// Request kinds, targets and the escalation ladder are still to come.
//
// Thread-safety: none; owned by the event-loop thread (Calendar caches).
struct Policy {
  // By name; ordered so listings and error messages are deterministic.
  std::map<std::string, Calendar, std::less<>> calendars;
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_POLICY_H_
