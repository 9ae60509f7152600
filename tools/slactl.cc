// slactl: slad's operator CLI. `slactl [--addr HOST:PORT] [--token T]
// [--json] COMMAND ...`. Offline commands (calendar, simulate) are entries
// of kCommands (tools/cli.h): output on stdout, one JSON object per line;
// an error is one JSON line on stderr and exit status 2. Network commands
// (open, get, overdue, tail, ...) are RemoteCommands()
// (tools/remote_command.h), with their own exit statuses 0/1/2/3.

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/calendar_command.h"
#include "tools/cli.h"
#include "tools/remote_command.h"
#include "tools/simulate_command.h"
#include "tools/table.h"

namespace slad::tools {
namespace {

const Command* const kCommands[] = {&kCalendarCommand, &kSimulateCommand};

constexpr int kExitError = 2;

bool IsHelp(const std::string& arg) {
  return arg == "--help" || arg == "-h" || arg == "help";
}

// A table's rows without its (empty) header line.
std::string Render(const Table& table) {
  const std::string text = table.Render();
  return text.substr(text.find('\n') + 1);
}

std::string Usage() {
  std::string text =
      "usage: slactl [--addr HOST:PORT] [--token T] [--timeout S] [--json] COMMAND "
      "[ARGS...]\n\noffline commands:\n";
  Table offline({"", "", ""});
  for (const Command* c : kCommands) {
    offline.AddRow({"", std::string(c->name), std::string(c->summary)});
  }
  absl::StrAppend(&text, Render(offline));
  absl::StrAppend(&text, "\ncommands talking to slad (--addr, default "
                  "$SLAD_ADDR or 127.0.0.1:7411; --token, default "
                  "$SLAD_TOKEN; --timeout, seconds to wait for a reply, "
                  "default 60):\n");
  Table remote({"", "", ""});
  for (const RemoteCommand& c : RemoteCommands()) {
    remote.AddRow({"", std::string(c.name), std::string(c.summary)});
  }
  absl::StrAppend(&text, Render(remote));
  absl::StrAppend(&text,
                  "\n`slactl COMMAND --help` for a command's usage. Errors: "
                  "one JSON line on stderr.\nExit status: 0 ok, 1 the "
                  "server answered with an error, 2 usage or offline\n"
                  "error, 3 cannot connect or connection lost.\n");
  return text;
}

int Fail(const CliError& e) {
  std::fprintf(stderr, "%s\n", ErrorJson(e).c_str());
  return kExitError;
}

// Takes the global flags (--addr, --token, --timeout, --json) off the front of
// *args into *options. A usage error for a flag without its value.
std::optional<CliError> TakeGlobals(std::vector<std::string>* args,
                                    RemoteOptions* options) {
  size_t i = 0;
  std::set<std::string> seen;
  while (i < args->size()) {
    const std::string& arg = (*args)[i];
    if (arg == "--json") {
      if (options->json) return CliError{"usage", "--json given twice"};
      options->json = true;
      ++i;
      continue;
    }
    // Exactly --addr / --token (or with =): "--address" is not --addr.
    const std::string name = arg.substr(0, arg.find('='));
    std::string* target = name == "--addr"      ? &options->addr
                          : name == "--token"   ? &options->token
                          : name == "--timeout" ? &options->timeout
                                                : nullptr;
    if (target == nullptr) break;
    if (!seen.insert(name).second) {
      return CliError{"usage", absl::StrCat(name, " given twice")};
    }
    options->given.insert(name.substr(2));
    if (const size_t eq = arg.find('='); eq != std::string::npos) {
      *target = arg.substr(eq + 1);
      ++i;
    } else if (i + 1 < args->size()) {
      *target = (*args)[i + 1];
      i += 2;
    } else {
      return CliError{"usage", absl::StrCat(arg, " needs a value")};
    }
  }
  args->erase(args->begin(), args->begin() + i);
  return std::nullopt;
}

int Main(std::vector<std::string> args) {
  RemoteOptions options = RemoteOptionsFromEnv();
  if (auto e = TakeGlobals(&args, &options)) return Fail(*e);
  if (args.empty()) {
    return Fail({"usage", "missing command; see slactl --help"});
  }
  if (IsHelp(args[0])) {
    std::fputs(Usage().c_str(), stdout);
    return 0;
  }
  for (const Command* c : kCommands) {
    if (args[0] != c->name) continue;
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const std::string& arg : rest) {
      if (arg == "--help" || arg == "-h") {
        std::fwrite(c->usage.data(), 1, c->usage.size(), stdout);
        return 0;
      }
    }
    std::string out;
    if (std::optional<CliError> e = c->run(rest, &out)) return Fail(*e);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  for (const RemoteCommand& c : RemoteCommands()) {
    if (args[0] != c.name) continue;
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const std::string& arg : rest) {
      if (arg == "--help" || arg == "-h") {
        std::fwrite(c.usage.data(), 1, c.usage.size(), stdout);
        return 0;
      }
    }
    return RunRemote(c, options, rest);
  }
  return Fail({"usage", absl::StrCat("unknown command \"", args[0],
                                     "\"; see slactl --help")});
}

}  // namespace

// Every command's output goes through stdout's buffer: a write error (a
// full disk, /dev/full, a closed pipe) shows only at the flush, so it is
// checked once here, for every subcommand and --help. A failure already
// reported (status 2) is not reported twice.
int CheckStdout(int status) {
  const bool written = std::fflush(stdout) == 0 && std::ferror(stdout) == 0;
  if (written || status == kExitError) return status;
  return Fail({"internal", "cannot write to stdout"});
}

}  // namespace slad::tools

int main(int argc, char** argv) {
  const int status =
      slad::tools::Main(std::vector<std::string>(argv + 1, argv + argc));
  return slad::tools::CheckStdout(status);
}
