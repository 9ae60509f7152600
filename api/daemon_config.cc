#include "api/daemon_config.h"

#include <toml++/toml.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "api/protocol.h"
#include "engine/status_macros.h"

namespace slad::api {
namespace {

absl::string_view Av(std::string_view s) { return {s.data(), s.size()}; }

// Errors name the place in the file, as the policy parser does.
class Reader {
 public:
  Reader(absl::string_view source, absl::string_view base_dir)
      : source_(source), base_dir_(base_dir) {}

  absl::Status Error(const toml::source_region& where,
                     absl::string_view reason) const {
    return absl::InvalidArgumentError(absl::StrCat(
        source_, ":", where.begin.line, ":", where.begin.column, ": ", reason));
  }

  absl::StatusOr<std::string> String(const toml::node& node,
                                     absl::string_view key) const {
    const std::optional<std::string_view> s = node.value<std::string_view>();
    if (!s.has_value() || s->empty()) {
      return Error(node.source(),
                   absl::StrCat(key, ": want a non-empty string"));
    }
    return std::string(*s);
  }

  absl::StatusOr<std::string> Path(const toml::node& node,
                                   absl::string_view key) const {
    ASSIGN_OR_RETURN(std::string path, String(node, key));
    if (base_dir_.empty() || std::filesystem::path(path).is_absolute()) {
      return path;
    }
    return (std::filesystem::path(base_dir_) / path).string();
  }

  // An integer in [min, max]; `max_note` says why the maximum, if set.
  absl::StatusOr<size_t> Size(const toml::node& node, absl::string_view key,
                              size_t min, size_t max = INT64_MAX,
                              absl::string_view max_note = "") const {
    const std::optional<int64_t> v = node.value_exact<int64_t>();
    if (!v.has_value() || *v < 0 || static_cast<size_t>(*v) < min) {
      return Error(node.source(),
                   absl::StrCat(key, ": want an integer >= ", min));
    }
    if (static_cast<size_t>(*v) > max) {
      return Error(node.source(),
                   absl::StrCat(key, ": ", *v, " is over the maximum, ", max,
                                max_note.empty() ? "" : " (", max_note,
                                max_note.empty() ? "" : ")"));
    }
    return static_cast<size_t>(*v);
  }

  absl::StatusOr<std::vector<std::string>> Strings(
      const toml::node& node, absl::string_view key) const {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      return Error(node.source(), absl::StrCat(key, ": want an array"));
    }
    std::vector<std::string> out;
    for (const toml::node& element : *array) {
      ASSIGN_OR_RETURN(std::string s, String(element, key));
      out.push_back(std::move(s));
    }
    return out;
  }

  absl::Status UnknownKey(const toml::key& key, absl::string_view where,
                          absl::string_view expected) const {
    return Error(key.source(), absl::StrCat("unknown key \"", Av(key.str()),
                                            "\"", where, " (expected ",
                                            expected, ")"));
  }

 private:
  std::string source_;
  std::string base_dir_;
};

absl::StatusOr<const toml::table*> TableOf(const Reader& r,
                                           const toml::node& node,
                                           absl::string_view what) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    return r.Error(node.source(), absl::StrCat(what, " must be a table"));
  }
  return table;
}

// One `[limits]` key: its field and the range the file may give it.
struct LimitKey {
  absl::string_view name;
  size_t Limits::*field;
  size_t min, max;
  absl::string_view max_note;  // why the maximum, in its error
};

constexpr LimitKey kLimitKeys[] = {
    {"max_connections", &Limits::max_connections, Limits::kMinConnections,
     Limits::kMaxConnections, "Linux's default limit on open files"},
    {"max_line_bytes", &Limits::max_line_bytes, Limits::kMinLineBytes,
     Limits::kMaxLineBytes,
     "64 MiB; every connection allocates a decoder that size"},
    {"max_output_bytes", &Limits::max_output_bytes, Limits::kMinOutputBytes,
     Limits::kMaxOutputBytes, "1 GiB"},
    {"max_in_flight", &Limits::max_in_flight, Limits::kMinInFlight,
     Limits::kMaxInFlight, ""},
    {"outbox_page", &Limits::outbox_page, Limits::kMinOutboxPage,
     Limits::kMaxOutboxPage, "a page is delivered at once"},
    {"max_at_ahead_ms", &Limits::max_at_ahead_ms, Limits::kMinAtAheadMs,
     Limits::kMaxAtAheadMs, "one hour"},
    {"auth_timeout_ms", &Limits::auth_timeout_ms, Limits::kMinAuthTimeoutMs,
     Limits::kMaxAuthTimeoutMs, "one hour"},
};

absl::Status ParseLimits(const Reader& r, const toml::node& node,
                         Limits* limits) {
  ASSIGN_OR_RETURN(const toml::table* table, TableOf(r, node, "limits"));
  for (const auto& [key, value] : *table) {
    const absl::string_view k = Av(key.str());
    const LimitKey* limit = std::find_if(
        std::begin(kLimitKeys), std::end(kLimitKeys),
        [k](const LimitKey& l) { return l.name == k; });
    if (limit == std::end(kLimitKeys)) {
      return r.UnknownKey(key, " in [limits]",
                          absl::StrJoin(kLimitKeys, ", ",
                                        [](std::string* out, const LimitKey& l) {
                                          absl::StrAppend(out, l.name);
                                        }));
    }
    ASSIGN_OR_RETURN(limits->*limit->field,
                     r.Size(value, k, limit->min, limit->max, limit->max_note));
  }
  return absl::OkStatus();
}

absl::Status ParseMemory(const Reader& r, const toml::node& node,
                         DaemonConfig* config) {
  ASSIGN_OR_RETURN(const toml::table* table, TableOf(r, node, "memory"));
  for (const auto& [key, value] : *table) {
    const absl::string_view k = Av(key.str());
    if (k == "trim_seconds") {
      ASSIGN_OR_RETURN(const size_t seconds, r.Size(value, k, 0));
      config->trim_seconds = static_cast<int64_t>(seconds);
    } else {
      return r.UnknownKey(key, " in [memory]", "trim_seconds");
    }
  }
  return absl::OkStatus();
}

absl::Status ParseStorage(const Reader& r, const toml::node& node,
                          DaemonConfig* config) {
  ASSIGN_OR_RETURN(const toml::table* table, TableOf(r, node, "storage"));
  for (const auto& [key, value] : *table) {
    const absl::string_view k = Av(key.str());
    if (k == "commit_interval_us") {
      // Above 100 ms a lone burst's replies would wait visibly.
      ASSIGN_OR_RETURN(const size_t us, r.Size(value, k, 0, 100'000));
      config->commit_interval_us = static_cast<int64_t>(us);
    } else {
      return r.UnknownKey(key, " in [storage]", "commit_interval_us");
    }
  }
  return absl::OkStatus();
}

absl::Status ParseTls(const Reader& r, const toml::node& node,
                      DaemonConfig* config) {
  ASSIGN_OR_RETURN(const toml::table* table, TableOf(r, node, "tls"));
  for (const auto& [key, value] : *table) {
    if (key.str() == "cert") {
      ASSIGN_OR_RETURN(config->tls_cert, r.Path(value, "tls.cert"));
    } else if (key.str() == "key") {
      ASSIGN_OR_RETURN(config->tls_key, r.Path(value, "tls.key"));
    } else {
      return r.UnknownKey(key, " in [tls]", "cert, key");
    }
  }
  if (config->tls_cert.empty() != config->tls_key.empty()) {
    return r.Error(node.source(), "tls: give both cert and key");
  }
  return absl::OkStatus();
}

// The wire's bounds (api/protocol.cc: a name, an opaque token).
constexpr size_t kMaxTeamBytes = kMaxNameBytes;  // as the wire takes a team
constexpr size_t kMaxTokenBytes = 512;

absl::StatusOr<TokenConfig> ParseToken(const Reader& r,
                                       const toml::node& node) {
  ASSIGN_OR_RETURN(const toml::table* table, TableOf(r, node, "[[tokens]]"));
  TokenConfig token;
  for (const auto& [key, value] : *table) {
    const absl::string_view k = Av(key.str());
    if (k == "token") {
      ASSIGN_OR_RETURN(token.token, r.String(value, "token"));
    } else if (k == "roles") {
      ASSIGN_OR_RETURN(std::vector<std::string> roles, r.Strings(value, k));
      for (const std::string& name : roles) {
        const Roles role = RoleOfName(name);
        if (role == 0) {
          return r.Error(value.source(),
                         absl::StrCat("unknown role \"", name,
                                      "\" (expected ingest, operator, "
                                      "subscriber, admin)"));
        }
        token.roles |= role;
      }
    } else if (k == "teams") {
      ASSIGN_OR_RETURN(token.teams, r.Strings(value, k));
      // An empty list would mean every team (TokenConfig::teams), the
      // opposite of what it says.
      if (token.teams.empty()) {
        return r.Error(value.source(),
                       "teams: list at least one team, or leave the key out "
                       "for every team");
      }
      // Bounded so that the token's subscriber group can be named in a
      // drop_group `key` (api/protocol.h).
      if (token.teams.size() > kMaxTeamsPerToken) {
        return r.Error(value.source(),
                       absl::StrCat("teams: ", token.teams.size(), " teams, over the maximum of ",
                                    kMaxTeamsPerToken, " for one token"));
      }
      // As the wire takes a team (docs/API.md): a name no request can
      // carry would match no ticket, and a control character (0x1f
      // separates the teams of a stored subscriber group) would let two
      // tokens' groups share one name.
      for (const std::string& team : token.teams) {
        if (team.empty() || team.size() > kMaxTeamBytes ||
            std::any_of(team.begin(), team.end(), [](char c) {
              return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
            })) {
          return r.Error(value.source(),
                         absl::StrCat("teams: \"", absl::CHexEscape(team), "\" (", team.size(),
                                      " bytes) is not a team name: 1..", kMaxTeamBytes,
                                      " bytes without control characters"));
        }
      }
      // Listed twice, a team made a one-team token a several-team one,
      // whose overdue and due_soon must name a team.
      std::vector<std::string> sorted = token.teams;
      std::sort(sorted.begin(), sorted.end());
      if (auto twice = std::adjacent_find(sorted.begin(), sorted.end());
          twice != sorted.end()) {
        return r.Error(value.source(),
                       absl::StrCat("teams: \"", *twice, "\" is listed twice"));
      }
    } else {
      return r.UnknownKey(key, " in [[tokens]]", "token, roles, teams");
    }
  }
  if (token.token.empty() || token.roles == 0) {
    return r.Error(node.source(), "a token needs `token` and at least one of `roles`");
  }
  if (token.token.size() > kMaxTokenBytes) {
    return r.Error(node.source(), absl::StrCat("token: longer than ", kMaxTokenBytes,
                                               " bytes, which auth refuses"));
  }
  return token;
}

absl::Status ParseTokens(const Reader& r, const toml::node& node,
                         DaemonConfig* config) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    return r.Error(node.source(), "tokens: want [[tokens]] tables");
  }
  TokenTable check;  // refuses a token given twice
  for (const toml::node& element : *array) {
    ASSIGN_OR_RETURN(TokenConfig token, ParseToken(r, element));
    if (!check.Add(token.token, Principal{token.roles, {}}).ok()) {
      return r.Error(element.source(), "token given twice");
    }
    config->tokens.push_back(std::move(token));
  }
  return absl::OkStatus();
}

absl::Status ParseKey(const Reader& r, const toml::key& key,
                      const toml::node& value, DaemonConfig* config) {
  const absl::string_view k = Av(key.str());
  if (k == "policy") {
    ASSIGN_OR_RETURN(config->policy_path, r.Path(value, k));
  } else if (k == "data") {
    ASSIGN_OR_RETURN(config->data_dir, r.String(value, k));
    if (config->data_dir != kInMemoryData) {
      ASSIGN_OR_RETURN(config->data_dir, r.Path(value, k));
    }
  } else if (k == "listen") {
    ASSIGN_OR_RETURN(std::string listen, r.String(value, k));
    const absl::Status s =
        ParseListen(listen, &config->listen_host, &config->listen_port);
    if (!s.ok()) return r.Error(value.source(), s.message());
  } else if (k == "clock") {
    ASSIGN_OR_RETURN(std::string clock, r.String(value, k));
    if (clock != "system" && clock != "manual") {
      return r.Error(value.source(), "clock: want \"system\" or \"manual\"");
    }
    config->manual_clock = clock == "manual";
  } else if (k == "limits") {
    return ParseLimits(r, value, &config->limits);
  } else if (k == "memory") {
    return ParseMemory(r, value, config);
  } else if (k == "storage") {
    return ParseStorage(r, value, config);
  } else if (k == "tls") {
    return ParseTls(r, value, config);
  } else if (k == "tokens") {
    return ParseTokens(r, value, config);
  } else {
    return r.UnknownKey(key, "",
                        "policy, data, listen, clock, limits, memory, "
                        "storage, tls, tokens");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DaemonConfig> ParseDaemonConfig(absl::string_view text,
                                               absl::string_view source,
                                               absl::string_view base_dir) {
  toml::table root;
  try {
    root = toml::parse(std::string_view(text.data(), text.size()),
                       std::string_view(source.data(), source.size()));
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", e.source().begin.line, ":", e.source().begin.column,
        ": ", Av(e.description())));
  }
  const Reader r(source, base_dir);
  DaemonConfig config;
  for (const auto& [key, value] : root) {
    RETURN_IF_ERROR(ParseKey(r, key, value, &config));
  }
  return config;
}

absl::StatusOr<DaemonConfig> LoadDaemonConfigFile(const std::string& path) {
  // A directory opens as a stream that reads nothing: an empty, valid file.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::NotFoundError(
        absl::StrCat("cannot read config file ", path, ": it is a directory"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read config file ", path,
                                            ": ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::NotFoundError(
        absl::StrCat("cannot read config file ", path, ": read error"));
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return ParseDaemonConfig(text.str(), path, dir);
}

absl::Status ParseListen(absl::string_view text, std::string* host,
                         uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: want HOST:PORT, got \"", text, "\""));
  }
  absl::string_view h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);  // [::1]:7411
  }
  const absl::string_view p = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() ||
      value > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: bad port in \"", text, "\""));
  }
  *host = std::string(h);
  *port = static_cast<uint16_t>(value);
  return absl::OkStatus();
}

namespace {

constexpr absl::string_view kFlags[] = {"--config", "--policy", "--data",
                                        "--listen", "--clock"};

absl::Status UnknownFlag(absl::string_view flag) {
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown flag ", flag, " (expected ", absl::StrJoin(kFlags, ", "), ")"));
}

bool IsFlag(absl::string_view flag) {
  return std::find(std::begin(kFlags), std::end(kFlags), flag) !=
         std::end(kFlags);
}

absl::Status ApplyFlag(absl::string_view flag, const std::string& value,
                       DaemonConfig* config) {
  if (flag == "--policy") {
    config->policy_path = value;
  } else if (flag == "--data") {
    config->data_dir = value;
  } else if (flag == "--listen") {
    return ParseListen(value, &config->listen_host, &config->listen_port);
  } else if (flag == "--clock") {
    if (value != "system" && value != "manual") {
      return absl::InvalidArgumentError("--clock: want system or manual");
    }
    config->manual_clock = value == "manual";
  } else if (flag != "--config") {
    return UnknownFlag(flag);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DaemonConfig> ConfigFromArgs(
    const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i], value;
    const size_t eq = flag.find('=');
    if (eq != std::string::npos) flag.resize(eq);
    // An unknown flag is that first, whether a value follows or not.
    if (!IsFlag(flag)) return UnknownFlag(flag);
    if (eq != std::string::npos) {
      value = args[i].substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    }
    // "--policy=" would mean the embedded policy, "--data=" no folder.
    if (value.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(flag, ": needs a value"));
    }
    // As slactl: the last of two would win silently.
    for (const auto& [seen, unused] : flags) {
      if (seen == flag) {
        return absl::InvalidArgumentError(absl::StrCat(flag, " given twice"));
      }
    }
    flags.emplace_back(std::move(flag), std::move(value));
  }
  DaemonConfig config;
  for (const auto& [flag, value] : flags) {
    if (flag == "--config") {
      ASSIGN_OR_RETURN(config, LoadDaemonConfigFile(value));
    }
  }
  for (const auto& [flag, value] : flags) {
    RETURN_IF_ERROR(ApplyFlag(flag, value, &config));
  }
  return config;
}

bool IsLoopback(absl::string_view host) {
  // By its text, an address literal only: a name that begins with "127."
  // ("127.attacker.example") may resolve anywhere. Server::Bind checks
  // the address a name resolved to as well.
  in_addr v4;
  return host == "::1" || host == "localhost" ||
         (absl::StartsWith(host, "127.") &&
          inet_pton(AF_INET, std::string(host).c_str(), &v4) == 1);
}

absl::Status CheckServable(const DaemonConfig& config) {
  if (IsLoopback(config.listen_host)) return absl::OkStatus();
  if (config.tokens.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to listen on ", config.listen_host,
        " without tokens: with none configured every connection has every "
        "role, so slad serves loopback only"));
  }
  if (config.tls_cert.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to listen on ", config.listen_host,
        " without TLS: set [tls] cert and key for a non-loopback address"));
  }
  return absl::OkStatus();
}

}  // namespace slad::api
