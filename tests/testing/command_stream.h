#ifndef SLAD_TESTS_TESTING_COMMAND_STREAM_H_
#define SLAD_TESTS_TESTING_COMMAND_STREAM_H_

// A reproducible stream of request lines over the default policy, for the
// storage tests: command `i` of seed `s` is always the same line, at an
// instant that grows with `i`, so a process that restarts can resume the
// stream at any index and a reference can replay any prefix. Most lines
// succeed; some are refused by the engine (a second open, a reopen of an
// open ticket, ...), which is part of what is tested. Short targets
// (first_contact's 15 min response) make warnings, breaches and
// escalations fall due every few dozen commands.

#include <cstdint>
#include <string>

#include "tests/testing/seed.h"

namespace slad::testing {

// 2026-01-05T09:00:00+08:00, a Monday.
inline constexpr int64_t kStreamStartMs = 1767574800000;
inline constexpr int64_t kStreamStepMs = 7'000;

inline int64_t StreamAtMs(uint64_t i) {
  return kStreamStartMs + static_cast<int64_t>(i) * kStreamStepMs;
}

// The request line of command `i` (no trailing newline), with "at".
inline std::string StreamLine(uint64_t seed, uint64_t i, int tickets = 200) {
  SplitMix64 rng(seed * 0x9E3779B97F4A7C15ull + i);
  static const char* const kKinds[] = {"first_contact", "after_sales",
                                       "inquiry", "complaint"};
  static const char* const kEvents[] = {"responded", "handled", "resolved"};
  static const char* const kPriorities[] = {"low", "normal", "high", "urgent",
                                            "major"};
  static const char* const kTeams[] = {"east", "west", "north"};
  // Tickets are opened in order, so most commands name an existing one.
  const uint64_t opened = i / 3 + 1;
  const uint64_t n = rng.Below(std::min<uint64_t>(opened, tickets));
  const std::string id = "\"id\":\"T-" + std::to_string(opened > n ? opened - n : 1) + "\"";
  const std::string at = ",\"at\":" + std::to_string(StreamAtMs(i)) + "}";
  const uint64_t op = rng.Below(100);
  if (i % 3 == 0) {
    return "{\"op\":\"open\",\"id\":\"T-" + std::to_string(opened) +
           "\",\"kind\":\"" + kKinds[rng.Below(4)] + "\",\"priority\":\"" +
           kPriorities[rng.Below(5)] + "\",\"team\":\"" + kTeams[rng.Below(3)] +
           "\"" + at;
  }
  if (op < 30) {
    return "{\"op\":\"event\"," + id + ",\"name\":\"" + kEvents[rng.Below(3)] +
           "\"" + at;
  }
  if (op < 40) return "{\"op\":\"pause\"," + id + ",\"reason\":\"wait\"" + at;
  if (op < 50) return "{\"op\":\"resume\"," + id + at;
  if (op < 57) {
    return "{\"op\":\"priority\"," + id + ",\"priority\":\"" +
           kPriorities[rng.Below(5)] + "\"" + at;
  }
  if (op < 64) {
    return "{\"op\":\"assign\"," + id + ",\"assignee\":\"a" +
           std::to_string(rng.Below(5)) + "\"" + at;
  }
  if (op < 68) {
    return "{\"op\":\"escalate\"," + id + ",\"level\":\"management\"" + at;
  }
  if (op < 80) return "{\"op\":\"resolve\"," + id + at;
  if (op < 88) return "{\"op\":\"reopen\"," + id + at;
  if (op < 96) {
    return "{\"op\":\"rate\"," + id + ",\"score\":" +
           std::to_string(1 + rng.Below(5)) + at;
  }
  if (op < 98) {
    return std::string("{\"op\":\"pause_all\",\"reason\":\"outage\",\"team\":\"") +
           kTeams[rng.Below(3)] + "\"" + at;
  }
  return std::string("{\"op\":\"resume_all\",\"team\":\"") +
         kTeams[rng.Below(3)] + "\"" + at;
}

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_COMMAND_STREAM_H_
