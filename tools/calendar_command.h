#ifndef SLAD_TOOLS_CALENDAR_COMMAND_H_
#define SLAD_TOOLS_CALENDAR_COMMAND_H_

#include "tools/cli.h"

namespace slad::tools {

// `slactl calendar add|between ...`: business-time arithmetic on a
// calendar of a policy file, offline (docs/CLI.md).
extern const Command kCalendarCommand;

}  // namespace slad::tools

#endif  // SLAD_TOOLS_CALENDAR_COMMAND_H_
