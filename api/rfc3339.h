#ifndef SLAD_API_RFC3339_H_
#define SLAD_API_RFC3339_H_

// A fast path for the one instant shape clients send most,
// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)": plain arithmetic
// instead of absl::ParseTime, which costs ~270 ns, most of a request's
// decode time (docs/BENCHMARKS.md, "Protocol"). Pure; thread-safe.

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace slad::api {

// Unix ms of `text` if it has exactly the shape above with in-range
// fields (year 1970..9999, seconds 00..59, offset below 24 h; fraction
// digits below a millisecond truncated toward the past); nullopt for
// anything else — which is not necessarily invalid: the caller then falls
// back to engine::ParseInstantMs, the reference this must agree with.
std::optional<int64_t> ParseRfc3339FastMs(absl::string_view text);

}  // namespace slad::api

#endif  // SLAD_API_RFC3339_H_
