#ifndef SLAD_TOOLS_REMOTE_COMMAND_H_
#define SLAD_TOOLS_REMOTE_COMMAND_H_

// slactl's network commands (open, get, overdue, tail, ...): each sends
// requests of the wire protocol (docs/API.md) to a running slad and prints
// the replies as human tables, or with --json the raw reply lines.
//
// Exit statuses (docs/CLI.md), which scripts may rely on:
//   0  the server answered ok
//   1  the server answered with an error (its code and message on stderr)
//   2  usage error (bad command line; nothing was sent)
//   3  cannot connect, the connection was lost, no reply within --timeout,
//      or what answered is not slad
// Every error is one JSON line on stderr: {"error":{"code":..,"message":..}}.

#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace slad::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitServerError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitConnection = 3;

// Where and how to talk to slad: --addr, --token, --json, with SLAD_ADDR
// and SLAD_TOKEN from the environment as defaults.
struct RemoteOptions {
  std::string addr = "127.0.0.1:7411";
  std::string token;  // empty: no auth request
  bool json = false;
  // Seconds to wait for a reply, as given (--timeout); "0": forever.
  // `tail` waits for events without a limit.
  std::string timeout = "60";
  // The globals (addr, token, timeout) given before the command, so that
  // one given again after it is refused as given twice.
  std::set<std::string> given;
};

struct RequestSpec;  // which op, fields and reply shape; remote_command.cc

// A network command: `slactl [globals] NAME args...`.
struct RemoteCommand {
  absl::string_view name;
  absl::string_view summary;  // one line, for `slactl --help`
  absl::string_view usage;    // for `slactl NAME --help`
  const RequestSpec* spec;    // nullptr: `tail`
};

// The network commands, in `slactl --help` order.
const std::vector<RemoteCommand>& RemoteCommands();

// Runs `command` with the arguments after its name (global flags may
// appear among them); writes to stdout/stderr itself and returns the exit
// status.
int RunRemote(const RemoteCommand& command, RemoteOptions options,
              const std::vector<std::string>& args);

// Options from the environment (SLAD_ADDR, SLAD_TOKEN) over the defaults.
RemoteOptions RemoteOptionsFromEnv();

}  // namespace slad::tools

#endif  // SLAD_TOOLS_REMOTE_COMMAND_H_
