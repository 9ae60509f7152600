#ifndef SLAD_TOOLS_REMOTE_PRINT_H_
#define SLAD_TOOLS_REMOTE_PRINT_H_

// Human renderings of slad's reply and event lines (docs/API.md, "Query
// results" and "Events") for slactl: aligned tables, instants as RFC 3339
// UTC, durations as "1h30m": business time in hours at most ("26h"),
// wall-clock time (overdue, due in) also in days ("2d4h"). Pure
// functions; thread-safe.

#include <string>

#include "absl/strings/string_view.h"

namespace slad::tools {

// What an ok reply carries, which decides how it is shown.
enum class ReplyShape {
  kOk,        // a command: "ok"
  kCount,     // pause_all / resume_all: "ok: N tickets"
  kTicket,    // get
  kItems,     // overdue, due_soon
  kStats,     // stats
  kExplain,   // explain
  kGroups,    // groups
};

// The human text of the ok reply `line` (each line ending in "\n"), or an
// empty string when `line` is not the JSON object that shape expects.
std::string HumanReply(ReplyShape shape, absl::string_view line);

// One line for the event line `line` (with its "\n"); empty when it is not
// an event. Sets *seq to its "seq" (or -1 when it has none).
std::string HumanEvent(absl::string_view line, int64_t* seq);

// The error of a failed reply line: its code and message, or
// ("internal", what was wrong) for a line that is no error reply.
void ReplyError(absl::string_view line, std::string* code,
                std::string* message);

// Whether `line` is an ok reply ("ok":true) / an event line ("event").
bool IsOkReply(absl::string_view line);
bool IsEventLine(absl::string_view line);

}  // namespace slad::tools

#endif  // SLAD_TOOLS_REMOTE_PRINT_H_
