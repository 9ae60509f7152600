// slaload: a load generator for slad speaking the real protocol, or, with
// --redis, the equivalent hand-built Redis setup (a sorted set of
// deadlines and a poller). docs/CLI.md ("slaload") describes every flag
// and the report; bench/e2e/run.sh drives both.
//
// Exit status: 0 the run finished (whatever errors it counted, which the
// report shows), 1 lost acknowledged changes or undelivered escalations
// (--verify / a breach kind), 2 usage, 3 cannot connect.

#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "config/policy_file.h"
#include "tools/cli.h"
#include "tools/client.h"
#include "tools/load_mix.h"
#include "tools/load_report.h"
#include "tools/load_runner.h"

namespace slad::tools {
namespace {

constexpr char kUsage[] =
    "usage: slaload [--addr HOST:PORT] [--token T] [--redis]\n"
    "  [--connections N] [--depth P] [--rate R] [--seconds S] "
    "[--requests N]\n"
    "  [--tickets N] [--prefix P] [--seed N] [--policy FILE]\n"
    "  [--breach-kind K] [--breach-share F] [--mix open=20,event=35,...]\n"
    "  [--group G] [--no-subscribe] [--poll-ms N] [--drain S] [--verify N]\n"
    "  [--json] [--quiet]\n";

struct Options {
  LoadConfig load;
  std::string policy;
  std::string breach_kind;
  double breach_share = 0.02;
  MixWeights weights;
  bool json = false;
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "slaload: %s\n%s", message.c_str(), kUsage);
  return 2;
}

// --mix: the weights of the operations named; the others weigh 0 (the
// defaults are a whole mix, not fallbacks). Empty on success, else why not.
std::string ParseMix(absl::string_view text, MixWeights* w) {
  MixWeights mix{0, 0, 0, 0, 0};
  std::set<std::string, std::less<>> seen;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    double v = 0;
    double* slot = kv.first == "open"       ? &mix.open
                   : kv.first == "event"    ? &mix.event
                   : kv.first == "pause"    ? &mix.pause
                   : kv.first == "priority" ? &mix.priority
                   : kv.first == "resolve"  ? &mix.resolve
                                            : nullptr;
    if (slot == nullptr) {
      return absl::StrCat("--mix: unknown operation \"", kv.first,
                          "\" (want open, event, pause, priority, resolve)");
    }
    if (!seen.emplace(kv.first).second) {
      return absl::StrCat("--mix: ", kv.first, " given twice");
    }
    if (!absl::SimpleAtod(kv.second, &v) || !std::isfinite(v) || v < 0) {
      return absl::StrCat("--mix: bad weight \"", kv.second, "\" for ",
                          kv.first);
    }
    *slot = v;
  }
  if (mix.open + mix.event + mix.pause + mix.priority + mix.resolve <= 0) {
    return "--mix: every weight is 0";
  }
  *w = mix;
  return "";
}

// An integer flag in [lo, hi] into *out; false when malformed or outside.
template <typename T>
bool ParseInt(const std::string& value, T lo, T hi, T* out) {
  T n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < lo || n > hi) return false;
  *out = n;
  return true;
}

// A number of seconds, requests/s or a share: finite, in [lo, hi].
bool ParseReal(const std::string& value, double lo, double hi, double* out) {
  double v = 0;
  if (!absl::SimpleAtod(value, &v) || !std::isfinite(v) || v < lo || v > hi) {
    return false;
  }
  *out = v;
  return true;
}

// The ranges of the numeric flags (docs/CLI.md).
constexpr int kMaxConnections = 1024;
constexpr int kMaxDepth = 1 << 16;
constexpr int kMaxPollMs = 60'000;
constexpr double kMaxSeconds = 1e7;  // ~4 months: ms fit any integer type
constexpr double kMaxRate = 1e9;
constexpr int64_t kMaxCount = int64_t{1} << 53;

// Sets the option `name` from `value`; the usage message when the name is
// unknown or the value bad, empty on success.
std::string SetOption(const std::string& name, const std::string& value,
                      Options* o) {
  LoadConfig& c = o->load;
  bool ok = true;
  if (name == "addr") c.addr = value;
  else if (name == "token") c.token = value;
  else if (name == "prefix") c.prefix = value;
  else if (name == "group") c.group = value;
  else if (name == "policy") o->policy = value;
  else if (name == "breach-kind") o->breach_kind = value;
  else if (name == "mix") return ParseMix(value, &o->weights);
  else if (name == "rate") ok = ParseReal(value, 0, kMaxRate, &c.rate);
  else if (name == "seconds") ok = ParseReal(value, 0, kMaxSeconds, &c.seconds);
  else if (name == "drain") {
    ok = ParseReal(value, 0, kMaxSeconds, &c.drain_seconds);
  } else if (name == "breach-share") {
    ok = ParseReal(value, 0, 1, &o->breach_share);
  } else if (name == "connections") {
    ok = ParseInt(value, 1, kMaxConnections, &c.connections);
  } else if (name == "depth") ok = ParseInt(value, 1, kMaxDepth, &c.depth);
  else if (name == "requests") ok = ParseInt(value, int64_t{0}, kMaxCount, &c.requests);
  else if (name == "tickets") {
    ok = ParseInt(value, uint32_t{0}, std::numeric_limits<uint32_t>::max(),
                  &c.preload);
  } else if (name == "seed") {
    ok = ParseInt(value, uint64_t{0}, std::numeric_limits<uint64_t>::max(),
                  &c.seed);
  } else if (name == "poll-ms") ok = ParseInt(value, 0, kMaxPollMs, &c.poll_ms);
  else if (name == "verify") ok = ParseInt(value, int64_t{0}, kMaxCount, &c.verify);
  else return absl::StrCat("unknown option --", name);
  if (ok) return "";
  return absl::StrCat("bad value for --", name, ": \"", value,
                      "\" (see the ranges in docs/CLI.md)");
}

std::optional<std::string> Parse(const std::vector<std::string>& args,
                                 Options* o) {
  static const std::set<absl::string_view> kSwitches = {"redis", "json", "quiet",
                                                        "no-subscribe"};
  static const std::set<absl::string_view> kValued = {
      "addr", "token", "prefix", "group", "policy", "breach-kind", "mix", "rate",
      "seconds", "drain", "breach-share", "connections", "depth", "requests",
      "tickets", "seed", "poll-ms", "verify"};
  std::set<std::string> seen;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::StrCat("unexpected argument \"", arg, "\"");
    }
    // Unknown, twice and a value on a switch are said before a missing
    // value: "--bogus needs a value" sends one looking for a value to give
    // a flag that does not exist. A flag given twice is refused, as slad
    // and slactl refuse one: the last would silently win.
    const absl::string_view bare = arg.substr(0, arg.find('='));
    const bool is_switch = kSwitches.count(bare) > 0;
    if (!is_switch && kValued.count(bare) == 0) {
      return absl::StrCat("unknown option --", bare);
    }
    if (!seen.emplace(bare).second) return absl::StrCat("--", bare, " given twice");
    if (is_switch) {
      if (bare != arg) return absl::StrCat("--", bare, " takes no value");
      if (arg == "redis") o->load.redis = true;
      if (arg == "json") o->json = true;
      if (arg == "quiet") o->load.progress = false;
      if (arg == "no-subscribe") o->load.subscribe = false;
      continue;
    }
    std::string name, value;
    if (auto missing = SplitFlag(arg, args, &i, &name, &value)) return missing;
    if (std::string bad = SetOption(name, value, o); !bad.empty()) {
      return bad;
    }
  }
  std::string host;
  uint16_t port = 0;
  if (absl::Status s = SplitHostPort(o->load.addr, &host, &port); !s.ok()) {
    return std::string(absl::StrCat("--addr: ", s.message()));
  }
  if (o->load.redis && o->load.verify > 0) {
    o->load.verify = 0;  // the Redis mode has no get to verify with
  }
  return std::nullopt;
}

int Main(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  Options o;
  if (auto e = Parse(args, &o)) return Usage(*e);
  absl::StatusOr<engine::Policy> policy =
      o.policy.empty() ? config::LoadDefaultPolicy()
                       : config::LoadPolicyFile(o.policy);
  if (!policy.ok()) return Usage(std::string(policy.status().message()));
  absl::StatusOr<LoadMix> mix = LoadMix::FromPolicy(
      *policy, o.breach_kind, o.breach_kind.empty() ? 0 : o.breach_share,
      o.weights);
  if (!mix.ok()) return Usage(std::string(mix.status().message()));
  LoadResult result;
  if (absl::Status s = RunLoad(o.load, *mix, &result); !s.ok()) {
    std::fprintf(stderr, "slaload: %s\n", std::string(s.message()).c_str());
    return absl::IsPermissionDenied(s) ? 2 : 3;
  }
  const std::string report =
      o.json ? ReportJson(o.load, result) : ReportTable(o.load, result);
  std::fputs(report.c_str(), stdout);
  return result.lost > 0 || result.undelivered > 0 ? 1 : 0;
}

}  // namespace
}  // namespace slad::tools

int main(int argc, char** argv) {
  return slad::tools::Main(std::vector<std::string>(argv + 1, argv + argc));
}
