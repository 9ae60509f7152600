// api/protocol: decode ns per request line (a typical `open` and `event`)
// and encode ns per event line, with two in-run baselines for decoding:
// - simdjson's DOM parser on the same line (parse only, no field checks),
//   the cost of "just parsing" with the other simdjson API;
// - the same Decode followed by a std::string copy of every string field,
//   the cost of a decoder that owned its strings instead of handing out
//   views (what STYLE.md's "no std::string copy per request" avoids).

#include <string>
#include <vector>

#include "api/protocol.h"
#include "benchmark/benchmark.h"
#include "simdjson.h"

namespace slad::api {
namespace {

const std::string kOpenLine =
    R"({"op":"open","req":"c-1042","at":"2026-01-05T09:00:00+08:00",)"
    R"("id":"RET-2026-000123","kind":"return","priority":"normal",)"
    R"("team":"after-sales-east","assignee":"li.wei"})";
const std::string kEventLine =
    R"({"op":"event","req":1043,"at":1767574800000,"id":"RET-2026-000123",)"
    R"("name":"approved"})";

const std::string& LineFor(int which) {
  return which == 0 ? kOpenLine : kEventLine;
}

void BM_Decode(benchmark::State& state) {
  const std::string& line = LineFor(static_cast<int>(state.range(0)));
  RequestDecoder decoder;
  Request request;
  for (auto _ : state) {
    absl::Status status = decoder.Decode(line, &request);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(request.command.id.data());
  }
  state.SetLabel(state.range(0) == 0 ? "open" : "event");
  state.SetBytesProcessed(state.iterations() * line.size());
}
BENCHMARK(BM_Decode)->Arg(0)->Arg(1);

// Baseline: Decode, then own every string field (one allocation each when
// longer than the SSO buffer).
void BM_DecodeThenCopyStrings(benchmark::State& state) {
  const std::string& line = LineFor(static_cast<int>(state.range(0)));
  RequestDecoder decoder;
  Request request;
  for (auto _ : state) {
    absl::Status status = decoder.Decode(line, &request);
    benchmark::DoNotOptimize(status);
    const engine::Command& c = request.command;
    std::string id(c.id), kind(c.kind), name(c.name), req(request.req);
    std::string team(c.team.value_or("")), assignee(c.assignee.value_or(""));
    std::string priority(c.priority.value_or(""));
    benchmark::DoNotOptimize(id.data());
    benchmark::DoNotOptimize(kind.data());
    benchmark::DoNotOptimize(name.data());
    benchmark::DoNotOptimize(req.data());
    benchmark::DoNotOptimize(team.data());
    benchmark::DoNotOptimize(assignee.data());
    benchmark::DoNotOptimize(priority.data());
  }
  state.SetLabel(state.range(0) == 0 ? "open" : "event");
}
BENCHMARK(BM_DecodeThenCopyStrings)->Arg(0)->Arg(1);

// Baseline: simdjson DOM parse of the same line (already padded; no field
// lookup, no validation of values, no instant parsing).
void BM_DomParseOnly(benchmark::State& state) {
  const simdjson::padded_string line(
      LineFor(static_cast<int>(state.range(0))));
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element doc;
    auto error = parser.parse(line).get(doc);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(doc);
  }
  state.SetLabel(state.range(0) == 0 ? "open" : "event");
}
BENCHMARK(BM_DomParseOnly)->Arg(0)->Arg(1);

void BM_EncodeEvent(benchmark::State& state) {
  const engine::Event event{engine::EventType::kEscalated,
                            1767578400000,
                            "RET-2026-000123",
                            "review",
                            1767578400000,
                            "agent",
                            "supervisor"};
  const bool subscriber = state.range(0) == 1;
  std::string out;
  uint64_t seq = 1000000;
  for (auto _ : state) {
    out.clear();  // reused buffer, as a connection's output buffer would be
    AppendEvent(event,
                subscriber ? std::optional<Delivery>(Delivery{"crm", ++seq})
                           : std::nullopt,
                &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetLabel(subscriber ? "escalated+group/seq" : "escalated");
}
BENCHMARK(BM_EncodeEvent)->Arg(0)->Arg(1);

void BM_EncodeOkReply(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    AppendOkReply("\"c-1042\"", &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_EncodeOkReply);

}  // namespace
}  // namespace slad::api

BENCHMARK_MAIN();
