// slactl: slad's operator CLI. `slactl COMMAND ...`; each command is one
// entry of kCommands (tools/cli.h). Output goes to stdout, one JSON object
// per line; an error is one JSON line on stderr and exit status 2.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/calendar_command.h"
#include "tools/cli.h"
#include "tools/simulate_command.h"

namespace slad::tools {
namespace {

// Later: open, get, overdue, ... (over TCP to the daemon).
const Command* const kCommands[] = {&kCalendarCommand, &kSimulateCommand};

constexpr int kExitError = 2;

bool IsHelp(const std::string& arg) {
  return arg == "--help" || arg == "-h" || arg == "help";
}

std::string Usage() {
  std::string text = "usage: slactl COMMAND [ARGS...]\n\ncommands:\n";
  for (const Command* c : kCommands) {
    absl::StrAppend(&text, "  ", c->name, "  ", c->summary, "\n");
  }
  absl::StrAppend(&text,
                  "\n`slactl COMMAND --help` for a command's usage; "
                  "errors: one JSON line on stderr, exit status 2.\n");
  return text;
}

int Fail(const CliError& e) {
  std::fprintf(stderr, "%s\n", ErrorJson(e).c_str());
  return kExitError;
}

int Main(const std::vector<std::string>& args) {
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
  return Fail({"usage", absl::StrCat("unknown command \"", args[0],
                                     "\"; see slactl --help")});
}

}  // namespace
}  // namespace slad::tools

int main(int argc, char** argv) {
  return slad::tools::Main(std::vector<std::string>(argv + 1, argv + argc));
}
