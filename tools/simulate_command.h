#ifndef SLAD_TOOLS_SIMULATE_COMMAND_H_
#define SLAD_TOOLS_SIMULATE_COMMAND_H_

#include "tools/cli.h"

namespace slad::tools {

// `slactl simulate [--policy FILE] [--until T]`: replays request lines
// from stdin through the engine in simulated time, writing event and reply
// lines to stdout (docs/CLI.md). Unlike other commands it streams its
// output to stdout itself, in 1 MiB writes, and leaves `out` empty: a
// replay's output can be far larger than memory should hold.
extern const Command kSimulateCommand;

}  // namespace slad::tools

#endif  // SLAD_TOOLS_SIMULATE_COMMAND_H_
