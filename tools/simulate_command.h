#ifndef SLAD_TOOLS_SIMULATE_COMMAND_H_
#define SLAD_TOOLS_SIMULATE_COMMAND_H_

#include "tools/cli.h"

namespace slad::tools {

// `slactl simulate [--policy FILE] [--until T]`: replays request lines
// from stdin through the engine in simulated time, writing event and reply
// lines to stdout (docs/CLI.md).
extern const Command kSimulateCommand;

}  // namespace slad::tools

#endif  // SLAD_TOOLS_SIMULATE_COMMAND_H_
