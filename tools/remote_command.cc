#include "tools/remote_command.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "api/json_writer.h"
#include "api/protocol.h"
#include "tools/cli.h"
#include "tools/client.h"
#include "tools/remote_print.h"

namespace slad::tools {

// One request built from the command line: positional arguments and
// --flags become the op's fields (a flag's dashes become underscores).
struct RequestSpec {
  absl::string_view op;
  std::vector<absl::string_view> positional;  // field names, in order
  std::vector<absl::string_view> required;    // flags that must be given
  std::vector<absl::string_view> optional;    // flags that may be given
  ReplyShape shape;
};

namespace {

const std::vector<absl::string_view> kFilters = {
    "kind", "team", "assignee", "priority", "level", "target",
    "limit", "cursor", "at"};

const RequestSpec kOpen{"open", {"id", "kind"}, {},
                        {"priority", "team", "assignee", "at"},
                        ReplyShape::kOk};
const RequestSpec kEvent{"event", {"id", "name"}, {}, {"at"}, ReplyShape::kOk};
const RequestSpec kPause{"pause", {"id", "reason"}, {}, {"at"},
                         ReplyShape::kOk};
const RequestSpec kResume{"resume", {"id"}, {}, {"at"}, ReplyShape::kOk};
const RequestSpec kResolve{"resolve", {"id"}, {}, {"at"}, ReplyShape::kOk};
const RequestSpec kReopen{"reopen", {"id"}, {}, {"at"}, ReplyShape::kOk};
const RequestSpec kPriority{"priority", {"id", "priority"}, {}, {"at"},
                            ReplyShape::kOk};
const RequestSpec kAssign{"assign", {"id"}, {}, {"team", "assignee", "at"},
                          ReplyShape::kOk};
const RequestSpec kEscalate{"escalate", {"id", "level"}, {}, {"note", "at"},
                            ReplyShape::kOk};
const RequestSpec kRate{"rate", {"id", "score"}, {}, {"at"}, ReplyShape::kOk};
const RequestSpec kPauseAll{"pause_all", {"reason"}, {},
                            {"kind", "team", "assignee", "priority", "at"},
                            ReplyShape::kCount};
const RequestSpec kResumeAll{"resume_all", {}, {},
                             {"kind", "team", "assignee", "priority", "at"},
                             ReplyShape::kCount};
const RequestSpec kGet{"get", {"id"}, {}, {"at"}, ReplyShape::kTicket};
const RequestSpec kExplain{"explain", {"id", "target"}, {}, {"at"},
                           ReplyShape::kExplain};
const RequestSpec kOverdue{"overdue", {}, {}, kFilters, ReplyShape::kItems};
const RequestSpec kDueSoon{"due_soon", {"within"}, {}, kFilters,
                           ReplyShape::kItems};
const RequestSpec kStats{"stats", {}, {"from", "to"}, {"group-by", "at"},
                         ReplyShape::kStats};
const RequestSpec kAdvance{"advance", {"to"}, {}, {}, ReplyShape::kOk};
const RequestSpec kGroups{"groups", {}, {}, {}, ReplyShape::kGroups};
const RequestSpec kDropGroup{"drop_group", {"key"}, {}, {"teams"}, ReplyShape::kOk};

// The key drop_group takes for GROUP as subscribed by a token limited to
// `teams` (comma-separated; empty: a token of every team), as the daemon
// stores it (api::StoredGroupName).
std::string GroupKey(absl::string_view group, absl::string_view teams) {
  return api::StoredGroupName(group, absl::StrSplit(teams, ',', absl::SkipEmpty()));
}

// Fields sent as JSON integers; `within` too when it is all digits.
bool IsIntField(absl::string_view field) {
  return field == "limit" || field == "score";
}

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string, std::less<>> flags;
};

// Splits `args` into positionals and --flags (`--name value` or
// `--name=value`; after a lone "--" every argument is positional, so an id
// may begin with "--"); the global --addr, --token and --json land in
// *options. A usage message for an unknown flag, a repeat, a missing value.
std::optional<std::string> SplitArgs(
    const std::vector<std::string>& args,
    const std::vector<absl::string_view>& known, RemoteOptions* options,
    Args* out) {
  // --addr, --token, --timeout: not fields of the op; once, before or after
  std::set<std::string> globals = options->given;
  bool options_ended = false;  // after "--" every argument is positional
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (!options_ended && arg == "--") {
      options_ended = true;
      continue;
    }
    if (options_ended || !absl::ConsumePrefix(&arg, "--")) {
      out->positional.push_back(args[i]);
      continue;
    }
    if (arg == "json") {
      if (options->json) return std::string("--json given twice");
      options->json = true;
      continue;
    }
    const absl::string_view bare = arg.substr(0, arg.find('='));
    if (bare != "addr" && bare != "token" && bare != "timeout" &&
        std::find(known.begin(), known.end(), bare) == known.end()) {
      return absl::StrCat("unknown flag --", bare);
    }
    std::string name, value;
    if (auto missing = SplitFlag(arg, args, &i, &name, &value)) return missing;
    if ((name == "addr" || name == "token" || name == "timeout") &&
        !globals.insert(name).second) {
      return absl::StrCat("--", name, " given twice");
    }
    if (name == "addr") {
      options->addr = value;
    } else if (name == "token") {
      options->token = value;
    } else if (name == "timeout") {
      options->timeout = value;
    } else if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::StrCat("unknown flag --", name);
    } else if (!out->flags.emplace(name, value).second) {
      return absl::StrCat("--", name, " given twice");
    }
  }
  return std::nullopt;
}

void PrintError(absl::string_view code, absl::string_view message) {
  std::fprintf(stderr, "%s\n",
               ErrorJson({std::string(code), std::string(message)}).c_str());
}

int Usage(absl::string_view message) {
  PrintError("usage", message);
  return kExitUsage;
}

// Adds `field`: `value` to the request, typed per the field.
std::optional<std::string> AddField(absl::string_view field,
                                    const std::string& value,
                                    api::JsonWriter* w) {
  w->Key(field);
  int64_t n = 0;
  const bool digits = absl::SimpleAtoi(value, &n);
  if ((field == "team" || field == "assignee") && value.empty()) {
    w->Null();  // --team '': no team (assign clears it; a filter finds those)
  } else if (IsIntField(field)) {
    if (!digits) return absl::StrCat(field, " must be an integer");
    w->Int(n);
  } else if (field == "within" && digits) {
    w->Int(n);
  } else {
    w->String(value);
  }
  return std::nullopt;
}

// The request line for `spec` from the parsed arguments, or a usage error.
std::optional<std::string> BuildRequest(const RequestSpec& spec,
                                        const Args& args, std::string* line) {
  if (args.positional.size() != spec.positional.size()) {
    // Named as the command is typed: due-soon, not the op due_soon.
    return absl::StrCat(absl::StrReplaceAll(spec.op, {{"_", "-"}}), " takes ",
                        spec.positional.size(),
                        spec.positional.size() == 1 ? " argument" : " arguments", ", got ",
                        args.positional.size());
  }
  api::JsonWriter w;
  w.BeginObject().Key("op").String(spec.op).Key("req").Int(1);
  for (size_t i = 0; i < spec.positional.size(); ++i) {
    std::string value = args.positional[i];
    if (spec.positional[i] == "key") {
      const auto teams = args.flags.find("teams");
      // An empty list (an unset shell variable, ",,") would name the group
      // of a token of every team: another group than the one meant.
      if (teams != args.flags.end() &&
          absl::StrContains(absl::StrCat(",", teams->second, ","), ",,")) {
        return std::string("--teams names each team: no empty name (leave "
                           "--teams out for a token of every team)");
      }
      value = GroupKey(value, teams == args.flags.end() ? "" : teams->second);
    }
    if (auto e = AddField(spec.positional[i], value, &w)) return e;
  }
  for (absl::string_view flag : spec.required) {
    if (args.flags.find(flag) == args.flags.end()) {
      return absl::StrCat("missing --", flag);
    }
  }
  for (const auto& [flag, value] : args.flags) {
    if (flag == "teams") continue;  // part of the key
    const std::string field = absl::StrReplaceAll(flag, {{"-", "_"}});
    if (auto e = AddField(field, value, &w)) return e;
  }
  w.EndObject();
  *line = w.str() + "\n";
  return std::nullopt;
}

// Reads lines up to the next reply, skipping event lines.
absl::Status ReadReply(LineClient* client, absl::string_view* line) {
  while (true) {
    if (absl::Status s = client->ReadLine(line); !s.ok()) return s;
    if (!IsEventLine(*line)) return absl::OkStatus();
  }
}

int Lost(const absl::Status& status) {
  PrintError(absl::IsDeadlineExceeded(status) ? "timeout" : "unreachable",
             status.message());
  return kExitConnection;
}

// Reports the error reply `line`; exit status 1.
int ServerError(absl::string_view line, const RemoteOptions& options) {
  std::string code, message;
  ReplyError(line, &code, &message);
  if (code == "not_slad") {  // a connection problem, not a slad reply
    PrintError(code, absl::StrCat(options.addr, ": ", message));
    return kExitConnection;
  }
  if (options.json) std::printf("%.*s\n", static_cast<int>(line.size()), line.data());
  // The daemon asks for a token slactl was not given.
  if (code == "unauthorized" && options.token.empty()) {
    absl::StrAppend(&message, " (the daemon wants a token: --token T or SLAD_TOKEN)");
  }
  PrintError(code, message);
  return kExitServerError;
}

// Dials and authenticates. On failure returns the exit status to use.
std::optional<int> Connect(const RemoteOptions& options,
                           std::unique_ptr<LineClient>* client) {
  // A daemon that takes the connection but never answers (stuck, or not
  // slad) must not hang a script: each reply is waited for this long.
  double timeout_s = 0;
  if (!absl::SimpleAtod(options.timeout, &timeout_s) || !std::isfinite(timeout_s) ||
      timeout_s < 0 || timeout_s > 86400) {
    return Usage("--timeout takes seconds from 0 (wait forever) to 86400");
  }
  absl::StatusOr<std::unique_ptr<LineClient>> dialed =
      LineClient::Dial(options.addr);
  if (absl::IsInvalidArgument(dialed.status())) {
    return Usage(dialed.status().message());
  }
  if (!dialed.ok()) return Lost(dialed.status());
  *client = *std::move(dialed);
  (*client)->SetReadTimeout(static_cast<int>(std::ceil(timeout_s * 1000)));
  if (options.token.empty()) return std::nullopt;
  api::JsonWriter w;
  w.BeginObject().Key("op").String("auth").Key("req").String("auth");
  w.Key("token").String(options.token).EndObject();
  absl::string_view line;
  absl::Status s = (*client)->Write(w.str() + "\n");
  if (s.ok()) s = ReadReply(client->get(), &line);
  if (!s.ok()) return Lost(s);
  if (!IsOkReply(line)) return ServerError(line, options);
  return std::nullopt;
}

int RunRequest(const RequestSpec& spec, RemoteOptions options,
               const std::vector<std::string>& raw) {
  std::vector<absl::string_view> known = spec.required;
  known.insert(known.end(), spec.optional.begin(), spec.optional.end());
  Args args;
  std::string request;
  if (auto e = SplitArgs(raw, known, &options, &args)) return Usage(*e);
  if (auto e = BuildRequest(spec, args, &request)) return Usage(*e);
  std::unique_ptr<LineClient> client;
  if (std::optional<int> failed = Connect(options, &client)) return *failed;
  absl::string_view line;
  absl::Status s = client->Write(request);
  if (s.ok()) s = ReadReply(client.get(), &line);
  if (!s.ok()) return Lost(s);
  if (!IsOkReply(line)) return ServerError(line, options);
  if (options.json) {
    std::printf("%.*s\n", static_cast<int>(line.size()), line.data());
    return kExitOk;
  }
  const std::string text = HumanReply(spec.shape, line);
  if (text.empty()) {
    PrintError("internal", absl::StrCat("unexpected reply: ", line));
    return kExitServerError;
  }
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

// Acknowledges every event up to `seq` of `group`; the reply is read by
// the tail loop (it is a reply line among the events).
absl::Status SendAck(LineClient* client, absl::string_view group,
                     int64_t seq) {
  api::JsonWriter w;
  w.BeginObject().Key("op").String("ack").Key("req").String("ack");
  w.Key("group").String(group).Key("seq").Int(seq).EndObject();
  return client->Write(w.str() + "\n");
}

// `tail --group G [--count N] [--no-ack]`: subscribes, prints each event
// as it arrives and, after each burst, acknowledges the last seq printed.
// With --count it stops after N events, once their ack is answered.
int RunTail(RemoteOptions options, const std::vector<std::string>& raw) {
  Args args;
  if (auto e = SplitArgs(raw, {"group", "count", "ack"}, &options, &args)) {
    return Usage(*e);
  }
  if (!args.positional.empty()) return Usage("tail takes no arguments");
  const auto group = args.flags.find("group");
  if (group == args.flags.end()) return Usage("missing --group");
  int64_t count = -1;
  if (auto c = args.flags.find("count");
      c != args.flags.end() && (!absl::SimpleAtoi(c->second, &count) ||
                                count < 1)) {
    return Usage("--count must be a positive integer");
  }
  bool ack = true;
  if (auto a = args.flags.find("ack"); a != args.flags.end()) {
    if (a->second != "yes" && a->second != "no") {
      return Usage("--ack takes yes or no");
    }
    ack = a->second == "yes";
  }
  std::unique_ptr<LineClient> client;
  if (std::optional<int> failed = Connect(options, &client)) return *failed;
  api::JsonWriter w;
  w.BeginObject().Key("op").String("subscribe").Key("req").String("subscribe");
  w.Key("group").String(group->second).EndObject();
  absl::string_view line;
  absl::Status s = client->Write(w.str() + "\n");
  if (s.ok()) s = ReadReply(client.get(), &line);
  if (!s.ok()) return Lost(s);
  if (!IsOkReply(line)) return ServerError(line, options);
  client->SetReadTimeout(0);  // events come when they come
  int64_t printed = 0, last_seq = -1, acked_seq = -1, pending_acks = 0;
  while (count < 0 || printed < count || pending_acks > 0) {
    if (absl::Status s = client->ReadLine(&line); !s.ok()) return Lost(s);
    int64_t seq = -1;
    const std::string text = HumanEvent(line, &seq);
    if (text.empty()) {  // a reply: to one of our acks
      if (!IsOkReply(line)) return ServerError(line, options);
      --pending_acks;
    } else if (count < 0 || printed < count) {  // else past --count
      if (options.json) {
        std::printf("%.*s\n", static_cast<int>(line.size()), line.data());
      } else {
        std::fputs(text.c_str(), stdout);
      }
      ++printed;
      last_seq = std::max(last_seq, seq);
    }
    // Ack once per burst: when nothing more is buffered, or at --count,
    // whether the burst ended on an event or on the reply to an earlier
    // ack (events that came with that reply would otherwise wait, unseen
    // and unacknowledged, for the next event).
    if (client->HasBufferedLine() && (count < 0 || printed < count)) continue;
    std::fflush(stdout);
    if (ack && last_seq > acked_seq) {
      if (absl::Status s = SendAck(client.get(), group->second, last_seq);
          !s.ok()) {
        return Lost(s);
      }
      acked_seq = last_seq;
      ++pending_acks;
    }
  }
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

RemoteOptions RemoteOptionsFromEnv() {
  RemoteOptions options;
  if (const char* addr = std::getenv("SLAD_ADDR"); addr && *addr) {
    options.addr = addr;
  }
  if (const char* token = std::getenv("SLAD_TOKEN"); token && *token) {
    options.token = token;
  }
  return options;
}

const std::vector<RemoteCommand>& RemoteCommands() {
  static const auto* commands = new std::vector<RemoteCommand>{
      {"open", "open a ticket",
       "slactl open ID KIND [--priority P] [--team T] [--assignee A] "
       "[--at T]\n",
       &kOpen},
      {"event", "record a ticket event (responded, approved, ...)",
       "slactl event ID NAME [--at T]\n", &kEvent},
      {"pause", "stop a ticket's clocks", "slactl pause ID REASON [--at T]\n",
       &kPause},
      {"resume", "restart a paused ticket's clocks",
       "slactl resume ID [--at T]\n", &kResume},
      {"resolve", "resolve a ticket", "slactl resolve ID [--at T]\n",
       &kResolve},
      {"reopen", "reopen a resolved ticket", "slactl reopen ID [--at T]\n",
       &kReopen},
      {"priority", "change a ticket's priority",
       "slactl priority ID PRIORITY [--at T]\n", &kPriority},
      {"assign", "assign a ticket to a team and/or agent",
       "slactl assign ID [--team T] [--assignee A] [--at T]\n", &kAssign},
      {"escalate", "escalate a ticket by hand",
       "slactl escalate ID LEVEL [--note TEXT] [--at T]\n", &kEscalate},
      {"rate", "record a satisfaction score 1..5",
       "slactl rate ID SCORE [--at T]\n", &kRate},
      {"pause-all", "pause every open ticket matching a filter",
       "slactl pause-all REASON [--kind K] [--team T] [--assignee A] "
       "[--priority P] [--at T]\n",
       &kPauseAll},
      {"resume-all", "resume every paused ticket matching a filter",
       "slactl resume-all [--kind K] [--team T] [--assignee A] "
       "[--priority P] [--at T]\n",
       &kResumeAll},
      {"get", "show a ticket and its targets", "slactl get ID [--at T]\n",
       &kGet},
      {"explain", "show how a target's deadline was computed",
       "slactl explain ID TARGET [--at T]\n", &kExplain},
      {"overdue", "list overdue targets, most overdue first",
       "slactl overdue [--kind K] [--team T] [--assignee A] [--priority P] "
       "[--level L] [--target X] [--limit N] [--cursor C] [--at T]\n",
       &kOverdue},
      {"due-soon", "list running targets due within WITHIN",
       "slactl due-soon WITHIN [filters as for overdue]\n", &kDueSoon},
      {"stats", "attainment, resolution and satisfaction per group",
       "slactl stats --from T --to T "
       "[--group-by kind|team|assignee|target|priority] [--at T]\n",
       &kStats},
      {"tail", "subscribe to a group's events, print and acknowledge them",
       "slactl tail --group G [--count N] [--ack yes|no]\n", nullptr},
      {"advance", "move a manual-clock daemon's time to TO (admin)",
       "slactl advance TO\n", &kAdvance},
      {"groups", "list subscriber groups, their cursors and backlog (admin)",
       "slactl groups\n", &kGroups},
      {"drop-group", "forget a retired subscriber group (admin)",
       "slactl drop-group GROUP [--teams T1,T2]\n", &kDropGroup},
  };
  return *commands;
}

int RunRemote(const RemoteCommand& command, RemoteOptions options,
              const std::vector<std::string>& args) {
  if (command.spec == nullptr) return RunTail(std::move(options), args);
  return RunRequest(*command.spec, std::move(options), args);
}

}  // namespace slad::tools
