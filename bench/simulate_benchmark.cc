// `slactl simulate` on a month of a 10,000-ticket help desk (about 100k
// request lines, generated here with a fixed seed), three ways in one run:
// - BM_DecodeOnly: the in-run baseline, RequestDecoder::Decode of every
//   line and nothing else (the floor any replay pays);
// - BM_Execute: decode + api::Executor on a fresh engine, output into one
//   string, in process (what simulate does minus stdio);
// - BM_SlactlSimulate: the built binary end to end, input from a file,
//   output to /dev/null (process start and policy load included).
// `simulate_benchmark --emit` prints the generated input instead, so that
// `slactl simulate` can be timed by hand on it.

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/executor.h"
#include "api/protocol.h"
#include "benchmark/benchmark.h"
#include "config/policy_file.h"
#include "engine/engine.h"

namespace slad::api {
namespace {

constexpr int kTickets = 10000;
constexpr int64_t kMonth0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr int64_t kMinute = 60000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kMonthMs = 31 * 24 * kHour;

// A kind of the default policy and the events that stop its targets, in
// the order a ticket sees them.
struct KindScript {
  const char* kind;
  std::vector<const char*> events;
};
const std::vector<KindScript>& Kinds() {
  static const auto* kinds = new std::vector<KindScript>{
      {"first_contact", {"responded", "handled"}},
      {"inquiry", {"responded"}},  // "resolved" is the resolve op
      {"after_sales", {"responded"}},
      {"complaint", {"responded", "handled"}},
      {"technical_support", {"responded"}},
      {"return", {"approved", "completed"}},
      {"repair", {"approved", "repaired"}},
      {"refund", {"refunded"}},
      {"shipping", {"shipped"}},
  };
  return *kinds;
}

// One line of a ticket's life: (at, ticket, step) orders the whole month
// with ties broken stably.
using Line = std::tuple<int64_t, int, int, std::string>;

// Each ticket: open, a get, 1-3 assigns, a priority change for one in
// ten, per stop event a pause and resume for one in five, the event and a
// get; resolve, a rating for half. Every 500 lines an overdue page and a
// due_soon page, every 5000 a stats by team.
std::string GenerateMonth(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> open_at(0, kMonthMs - 1);
  std::exponential_distribution<double> delay(1.0 / (6.0 * kHour));
  std::uniform_int_distribution<int> pick(0, 99);
  std::vector<Line> lines;
  lines.reserve(kTickets * 11);
  for (int i = 0; i < kTickets; ++i) {
    const KindScript& k = Kinds()[i % Kinds().size()];
    const std::string id = absl::StrCat("T-", 100000 + i);
    int64_t at = kMonth0 + open_at(rng);
    int step = 0;
    auto add = [&](std::string body) {
      lines.emplace_back(at, i, step++,
                         absl::StrCat(R"({"op":)", body, R"(,"at":)", at, "}"));
    };
    auto later = [&] { at += 1 + static_cast<int64_t>(delay(rng)); };
    add(absl::StrCat(R"("open","id":")", id, R"(","kind":")", k.kind,
                     R"(","team":"team-)", i % 20, R"(","assignee":"agent-)",
                     i % 400, R"(")"));
    at += kMinute;
    add(absl::StrCat(R"("get","id":")", id, R"(")"));
    for (int a = pick(rng) % 3; a >= 0; --a) {
      at += kMinute;
      add(absl::StrCat(R"("assign","id":")", id, R"(","assignee":"agent-)",
                       pick(rng) * 4 + a, R"(")"));
    }
    if (pick(rng) < 10) {
      at += kMinute;
      add(absl::StrCat(R"("priority","id":")", id, R"(","priority":"high")"));
    }
    for (const char* event : k.events) {
      if (pick(rng) < 20) {
        later();
        add(absl::StrCat(R"("pause","id":")", id,
                         R"(","reason":"waiting for the customer")"));
        later();
        add(absl::StrCat(R"("resume","id":")", id, R"(")"));
      }
      later();
      add(absl::StrCat(R"("event","id":")", id, R"(","name":")", event,
                       R"(")"));
      at += kMinute;
      add(absl::StrCat(R"("get","id":")", id, R"(")"));
    }
    later();
    add(absl::StrCat(R"("resolve","id":")", id, R"(")"));
    if (pick(rng) < 50) {
      later();
      add(absl::StrCat(R"("rate","id":")", id, R"(","score":)",
                       1 + pick(rng) % 5));
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string text;
  text.reserve(lines.size() * 110);
  for (size_t n = 0; n < lines.size(); ++n) {
    const int64_t at = std::get<0>(lines[n]);
    if (n % 500 == 499) {
      absl::StrAppend(&text, R"({"op":"overdue","limit":50,"at":)", at, "}\n");
    }
    if (n % 500 == 249) {
      absl::StrAppend(&text,
                      R"({"op":"due_soon","within":"1h","limit":50,"at":)", at,
                      "}\n");
    }
    if (n % 5000 == 4999) {
      absl::StrAppend(&text, R"({"op":"stats","group_by":"team","from":)",
                      kMonth0, R"(,"to":)", at, R"(,"at":)", at, "}\n");
    }
    absl::StrAppend(&text, std::get<3>(lines[n]), "\n");
  }
  return text;
}

const std::string& Month() {
  static const auto* text = new std::string(GenerateMonth(20260101));
  return *text;
}

std::vector<absl::string_view> MonthLines() {
  return absl::StrSplit(Month(), '\n', absl::SkipEmpty());
}

void BM_DecodeOnly(benchmark::State& state) {
  const std::vector<absl::string_view> lines = MonthLines();
  RequestDecoder decoder;
  Request request;
  for (auto _ : state) {
    for (absl::string_view line : lines) {
      absl::Status status = decoder.Decode(line, &request);
      benchmark::DoNotOptimize(status);
    }
  }
  state.counters["lines"] = static_cast<double>(lines.size());
}
BENCHMARK(BM_DecodeOnly)->Unit(benchmark::kMillisecond);

void BM_Execute(benchmark::State& state) {
  const std::vector<absl::string_view> lines = MonthLines();
  RequestDecoder decoder;
  Request request;
  std::string out;
  size_t errors = 0, out_bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = engine::Engine::Create(*config::LoadDefaultPolicy(), 0);
    Executor executor(engine->get());
    errors = out_bytes = 0;
    state.ResumeTiming();
    for (absl::string_view line : lines) {
      if (!decoder.Decode(line, &request).ok()) {
        ++errors;
        continue;
      }
      if (!executor.Execute(request, 0, &out).ok()) ++errors;
      if (out.size() > (1 << 20)) {
        out_bytes += out.size();
        out.clear();
      }
    }
    out_bytes += out.size();
    out.clear();
  }
  state.counters["lines"] = static_cast<double>(lines.size());
  state.counters["error_replies"] = static_cast<double>(errors);
  state.counters["out_MB"] = static_cast<double>(out_bytes) / 1e6;
}
BENCHMARK(BM_Execute)->Unit(benchmark::kMillisecond);

void BM_SlactlSimulate(benchmark::State& state) {
  const std::string path = "/tmp/simulate_benchmark_month.ndjson";
  std::ofstream(path) << Month();
  const std::string cmd = absl::StrCat("'", SLACTL_PATH, "' simulate --until ",
                                       kMonth0 + kMonthMs + 30 * 24 * kHour,
                                       " <", path, " >/dev/null");
  for (auto _ : state) {
    if (std::system(cmd.c_str()) != 0) {
      state.SkipWithError("slactl simulate failed");
      break;
    }
  }
  std::remove(path.c_str());
}
// The work is in the child process: only wall-clock time sees it.
BENCHMARK(BM_SlactlSimulate)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace slad::api

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--emit") == 0) {
    const std::string& text = slad::api::Month();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
