#ifndef SLAD_TOOLS_CLI_H_
#define SLAD_TOOLS_CLI_H_

// What every slactl subcommand shares: the error it reports, its flag
// parser, and the shape of a subcommand in the dispatch table.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/policy.h"

namespace slad::tools {

// A failure as slactl reports it: one line on stderr,
// {"error":{"code":"...","message":"..."}}, and exit status 2.
// `code` is one of the stable codes in docs/CLI.md:
//   usage, invalid_argument, not_found, bad_policy, policy_unreadable,
//   out_of_range, internal.
struct CliError {
  std::string code;
  std::string message;
};

// The error line for `e`, without the newline.
std::string ErrorJson(const CliError& e);

// `status` (not OK) as a CliError with the generic code of its kind:
// InvalidArgument → invalid_argument, NotFound → not_found, OutOfRange →
// out_of_range, anything else → internal.
CliError FromStatus(const absl::Status& status);

// One flag whose "--" the caller consumed: "name=value", or "name" with
// its value in the next argument (then *i advances past it). Returns the
// usage message when the value is missing, nullopt on success.
std::optional<std::string> SplitFlag(absl::string_view flag,
                                     const std::vector<std::string>& args,
                                     size_t* i, std::string* name,
                                     std::string* value);

// "--name value" and "--name=value" flags, each at most once.
class Flags {
 public:
  // Parses `args` accepting only the flags in `known` (names without
  // "--"). A `usage` error for anything else, a repeat or a missing value.
  static std::optional<CliError> Parse(
      const std::vector<std::string>& args,
      const std::vector<absl::string_view>& known, Flags* out);

  std::optional<std::string> Get(absl::string_view name) const;
  // The value, or a `usage` error naming the missing flag.
  std::optional<CliError> Require(absl::string_view name,
                                  std::string* value) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Loads the policy file named by --policy, or the embedded default policy
// without it, into *policy. Errors: policy_unreadable (the file cannot be
// read), bad_policy (not a valid policy; "FILE:LINE:COLUMN: reason").
std::optional<CliError> LoadPolicy(const Flags& flags, engine::Policy* policy);

// One subcommand of slactl: `slactl NAME args...`.
struct Command {
  absl::string_view name;
  absl::string_view summary;  // one line, for `slactl --help`
  absl::string_view usage;    // for `slactl NAME --help`
  // Runs with the arguments after NAME, appending its output lines to
  // `out`; returns the error to report, if any.
  std::optional<CliError> (*run)(const std::vector<std::string>& args,
                                 std::string* out);
};

}  // namespace slad::tools

#endif  // SLAD_TOOLS_CLI_H_
