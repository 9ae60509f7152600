#include "tools/cli.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/json_writer.h"
#include "config/policy_file.h"

namespace slad::tools {

std::string ErrorJson(const CliError& e) {
  api::JsonWriter w;
  w.BeginObject().Key("error").BeginObject();
  w.Key("code").String(e.code).Key("message").String(e.message);
  w.EndObject().EndObject();
  return w.str();
}

CliError FromStatus(const absl::Status& status) {
  std::string code = "internal";
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      code = "invalid_argument";
      break;
    case absl::StatusCode::kNotFound:
      code = "not_found";
      break;
    case absl::StatusCode::kOutOfRange:
      code = "out_of_range";
      break;
    default:
      break;
  }
  return {code, std::string(status.message())};
}

std::optional<std::string> SplitFlag(absl::string_view flag,
                                     const std::vector<std::string>& args,
                                     size_t* i, std::string* name,
                                     std::string* value) {
  if (const size_t eq = flag.find('='); eq != absl::string_view::npos) {
    *name = std::string(flag.substr(0, eq));
    *value = std::string(flag.substr(eq + 1));
    return std::nullopt;
  }
  *name = std::string(flag);
  if (*i + 1 >= args.size()) return absl::StrCat("--", *name, " needs a value");
  *value = args[++*i];
  return std::nullopt;
}

std::optional<CliError> Flags::Parse(
    const std::vector<std::string>& args,
    const std::vector<absl::string_view>& known, Flags* out) {
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      return CliError{"usage",
                      absl::StrCat("unexpected argument \"", arg, "\"")};
    }
    // Unknown is said first: "--bogus needs a value" sent users looking
    // for a value to give a flag that does not exist.
    const absl::string_view bare = arg.substr(0, arg.find('='));
    if (std::find(known.begin(), known.end(), bare) == known.end()) {
      return CliError{"usage", absl::StrCat("unknown flag --", bare)};
    }
    std::string name, value;
    if (auto missing = SplitFlag(arg, args, &i, &name, &value)) {
      return CliError{"usage", *missing};
    }
    if (!out->values_.emplace(name, value).second) {
      return CliError{"usage", absl::StrCat("--", name, " given twice")};
    }
  }
  return std::nullopt;
}

std::optional<std::string> Flags::Get(absl::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<CliError> Flags::Require(absl::string_view name,
                                       std::string* value) const {
  std::optional<std::string> v = Get(name);
  if (!v.has_value()) {
    return CliError{"usage", absl::StrCat("missing --", name)};
  }
  *value = *std::move(v);
  return std::nullopt;
}

std::optional<CliError> LoadPolicy(const Flags& flags, engine::Policy* policy) {
  absl::StatusOr<engine::Policy> loaded;
  if (std::optional<std::string> path = flags.Get("policy")) {
    loaded = config::LoadPolicyFile(*path);
    if (absl::IsNotFound(loaded.status())) {
      return CliError{"policy_unreadable",
                      std::string(loaded.status().message())};
    }
    if (!loaded.ok()) {
      return CliError{"bad_policy", std::string(loaded.status().message())};
    }
  } else {
    loaded = config::LoadDefaultPolicy();
    if (!loaded.ok()) return FromStatus(loaded.status());
  }
  *policy = *std::move(loaded);
  return std::nullopt;
}

}  // namespace slad::tools
