#ifndef SLAD_API_JSON_SCAN_H_
#define SLAD_API_JSON_SCAN_H_

// A scan of JSON text that simdjson does not offer, used by the request
// decoder to find `req` in lines simdjson refuses as a whole (docs/API.md,
// "Replies"). Pure; thread-safe.

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace slad::api {

// The leading JSON object of `line`, as far as its brackets tell (they
// are counted outside strings, escapes honoured; nothing else is checked:
// the caller parses what it gets).
struct LeadingObject {
  // Bytes of `line`, from its start, that hold the object: up to its
  // closing `}` when it closes; else up to the end of the line, or up to
  // a bracket that closes nothing open (`{"a":[1}`). 0 when the line does
  // not start with `{` (after whitespace) or ends inside a string.
  size_t length = 0;
  // When it does not close: the brackets that would close what is open
  // after `length` bytes, innermost first ("]}"). Empty when it closes.
  std::string closing;
};
LeadingObject FindLeadingObject(absl::string_view line);

// The text of the first member named `key` in `line`, found without
// parsing: `"key"`, optional spaces, `:`, optional spaces, then a string
// without escapes. For hints only (the daemon prefetches the ticket of a
// line it has not decoded yet): the match may sit in a nested object, and
// a first match whose value is not such a string (escapes, a number, an
// object) gives empty, as does no match.
absl::string_view SniffStringMember(absl::string_view line,
                                    absl::string_view key);

}  // namespace slad::api

#endif  // SLAD_API_JSON_SCAN_H_
