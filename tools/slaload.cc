// slaload: a load generator for slad speaking the real protocol, or, with
// --redis, the equivalent hand-built Redis setup (a sorted set of
// deadlines and a poller). docs/CLI.md ("slaload") describes every flag
// and the report; bench/e2e/run.sh drives both.
//
// Exit status: 0 the run finished (whatever errors it counted, which the
// report shows), 1 lost acknowledged changes or undelivered escalations
// (--verify / a breach kind), 2 usage, 3 cannot connect.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "config/policy_file.h"
#include "tools/cli.h"
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

bool ParseMix(absl::string_view text, MixWeights* w) {
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    double v = 0;
    if (!absl::SimpleAtod(kv.second, &v) || v < 0) return false;
    if (kv.first == "open") w->open = v;
    else if (kv.first == "event") w->event = v;
    else if (kv.first == "pause") w->pause = v;
    else if (kv.first == "priority") w->priority = v;
    else if (kv.first == "resolve") w->resolve = v;
    else return false;
  }
  return true;
}

// Sets the option `name` from `value`; false when the value is bad.
bool SetOption(const std::string& name, const std::string& value,
               Options* o) {
  LoadConfig& c = o->load;
  int64_t n = 0;
  if (name == "addr") c.addr = value;
  else if (name == "token") c.token = value;
  else if (name == "prefix") c.prefix = value;
  else if (name == "group") c.group = value;
  else if (name == "policy") o->policy = value;
  else if (name == "breach-kind") o->breach_kind = value;
  else if (name == "mix") return ParseMix(value, &o->weights);
  else if (name == "rate") return absl::SimpleAtod(value, &c.rate) && c.rate >= 0;
  else if (name == "seconds") return absl::SimpleAtod(value, &c.seconds);
  else if (name == "drain") return absl::SimpleAtod(value, &c.drain_seconds);
  else if (name == "breach-share") {
    return absl::SimpleAtod(value, &o->breach_share) &&
           o->breach_share >= 0 && o->breach_share <= 1;
  } else if (!absl::SimpleAtoi(value, &n) || n < 0) {
    return false;
  } else if (name == "connections") c.connections = static_cast<int>(n);
  else if (name == "depth") c.depth = static_cast<int>(n);
  else if (name == "requests") c.requests = n;
  else if (name == "tickets") c.preload = static_cast<uint32_t>(n);
  else if (name == "seed") c.seed = static_cast<uint64_t>(n);
  else if (name == "poll-ms") c.poll_ms = static_cast<int>(n);
  else if (name == "verify") c.verify = n;
  else return false;
  return true;
}

std::optional<std::string> Parse(const std::vector<std::string>& args,
                                 Options* o) {
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::StrCat("unexpected argument \"", arg, "\"");
    }
    if (arg == "redis") { o->load.redis = true; continue; }
    if (arg == "json") { o->json = true; continue; }
    if (arg == "quiet") { o->load.progress = false; continue; }
    if (arg == "no-subscribe") { o->load.subscribe = false; continue; }
    std::string name, value;
    if (auto missing = SplitFlag(arg, args, &i, &name, &value)) return missing;
    if (!SetOption(name, value, o)) {
      return absl::StrCat("bad or unknown option --", name, " ", value);
    }
  }
  if (o->load.connections < 1 || o->load.depth < 1) {
    return std::string("--connections and --depth must be at least 1");
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
  if (!RunLoad(o.load, *mix, &result)) return 3;
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
