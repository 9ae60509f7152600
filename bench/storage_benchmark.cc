// Storage throughput and recovery (docs/BENCHMARKS.md, "Storage"), a small
// main rather than Google Benchmark: the figures are rates over a fixed
// time with a writer thread in the loop, and recovery runs once per size.
//
//   group_commit   durable commands/s: each command stages a ticket record
//                  (~60 B) and one history record (~110 B) and commits;
//                  the loop keeps going while the writer syncs, bounded by
//                  pending_bytes() as the daemon bounds it
//   one_sync       the in-run baseline: the same commands, each committed
//                  and waited for before the next (one synced WAL write
//                  per command)
//   pipeline       group commit behind the daemon's pipeline: decode,
//                  execute, Journal::Stage, commit, on the crash test's
//                  command stream without pause_all/resume_all
//   recovery/N     a store of N open tickets (generated once into --dir,
//                  unsynced), then Open + Journal::Recover into a fresh
//                  engine on the default policy, timed
//
// Usage: storage_benchmark [--seconds S] [--recovery N,N...] [--dir D]
//        (defaults: 3 s, 1000000,10000000, a directory under /tmp that is
//        kept so that a second run reuses the generated stores)

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "api/executor.h"
#include "api/journal.h"
#include "api/protocol.h"
#include "config/policy_file.h"
#include "storage/store.h"
#include "tests/testing/command_stream.h"

namespace slad {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kT0 = 1767574800000;  // 2026-01-05T09:00:00+08:00

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::unique_ptr<storage::Store> MustOpen(const storage::Options& options) {
  auto store = storage::Store::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open %s: %s\n", options.dir.c_str(),
                 store.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(store).value();
}

// An open first_contact ticket as the engine exports it.
engine::TicketRecord Ticket(uint64_t n) {
  engine::TicketRecord t;
  t.id = "T-" + std::to_string(n);
  t.kind = "first_contact";
  t.priority = "normal";
  t.team = n % 3 == 0 ? "east" : "west";
  t.level = "agent";
  t.opened_ms = kT0 + static_cast<int64_t>(n % 86'400'000);
  t.targets = {{.name = "response", .start_ms = t.opened_ms,
                .deadline_ms = t.opened_ms + 15 * 60'000, .state = 1},
               {.name = "handling", .start_ms = t.opened_ms,
                .deadline_ms = t.opened_ms + 48 * 3'600'000, .state = 1}};
  return t;
}

void StageCommand(storage::Store* store, uint64_t n) {
  engine::TicketRecord t = Ticket(n);
  store->PutTicket(t);
  store->AppendHistory(
      t.id, 0, {.at_ms = t.opened_ms,
             .kind = storage::HistoryRecord::kCommand,
             .json = R"({"op":"open","id":")" + t.id +
                     R"(","kind":"first_contact","team":"east","at":)" +
                     std::to_string(t.opened_ms) + "}"});
}

// Commands committed and acknowledged per second, the loop never waiting
// for a sync unless 4 MiB are staged.
double GroupCommit(const std::string& dir, double seconds) {
  auto store = MustOpen({.dir = dir});
  std::atomic<uint64_t> acked{0};
  uint64_t n = 0;
  const auto start = Clock::now();
  while (Seconds(start) < seconds) {
    while (store->pending_bytes() > (4 << 20)) std::this_thread::yield();
    StageCommand(store.get(), n++);
    store->Commit([&acked](absl::Status s) {
      if (s.ok()) acked.fetch_add(1, std::memory_order_relaxed);
    });
  }
  store->Flush();
  return acked / Seconds(start);
}

double OneSync(const std::string& dir, double seconds) {
  auto store = MustOpen({.dir = dir});
  uint64_t n = 0;
  const auto start = Clock::now();
  while (Seconds(start) < seconds) {
    StageCommand(store.get(), n++);
    store->Commit([](absl::Status) {});
    store->Flush();
  }
  return n / Seconds(start);
}

// `burst` commands per commit unit: 1 is one Commit per command; the
// daemon commits every request read in one loop turn as one unit.
double Pipeline(const std::string& dir, double seconds, uint64_t burst) {
  auto store = MustOpen({.dir = dir});
  auto engine = engine::Engine::Create(*config::LoadDefaultPolicy(),
                                       testing::StreamAtMs(0));
  api::RequestDecoder decoder;
  api::Executor executor(engine->get());
  api::Journal journal(engine->get(), store.get());
  api::Request request;
  std::string out;
  std::vector<storage::OutboxEvent> outbox;
  std::atomic<uint64_t> acked{0};
  uint64_t i = 0, staged = 0;
  const auto start = Clock::now();
  while (Seconds(start) < seconds) {
    if (staged == 0) {
      while (store->pending_bytes() > (4 << 20)) std::this_thread::yield();
    }
    const std::string line = testing::StreamLine(1, i++, 100'000);
    // pause_all/resume_all touch every open ticket of a team (thousands
    // here): measured apart, not as the typical command.
    if (line.find("_all\"") != std::string::npos) continue;
    if (!decoder.Decode(line, &request).ok()) std::abort();
    out.clear();
    absl::Status s = executor.Execute(request, (*engine)->now_ms(), &out);
    outbox.clear();
    journal.Stage(line, request.command.at_ms,
                  s.ok() ? &request.command : nullptr, executor.effects(),
                  &outbox);
    if (++staged < burst) continue;
    journal.StageStats();
    store->Commit([&acked, staged](absl::Status st) {
      if (st.ok()) acked.fetch_add(staged, std::memory_order_relaxed);
    });
    staged = 0;
  }
  store->Flush();
  return acked / Seconds(start);
}

void Generate(const std::string& dir, uint64_t tickets) {
  auto store = MustOpen({.dir = dir, .sync = false});
  for (uint64_t n = 0; n < tickets; ++n) {
    store->PutTicket(Ticket(n));
    if (n % 10'000 == 9'999) {
      store->Commit([](absl::Status) {});
      while (store->pending_bytes() > (16 << 20)) std::this_thread::yield();
    }
  }
  store->Commit([](absl::Status) {});
  store->Flush();
}

void Recovery(const std::string& base, uint64_t tickets) {
  const std::string dir = base + "/recovery-" + std::to_string(tickets);
  if (!std::filesystem::exists(dir + "/CURRENT")) {
    const auto start = Clock::now();
    Generate(dir, tickets);
    std::printf("recovery/%llu: generated in %.1f s (not timed below)\n",
                static_cast<unsigned long long>(tickets), Seconds(start));
  }
  const auto start = Clock::now();
  auto store = MustOpen({.dir = dir});
  const double open_s = Seconds(start);
  storage::RecoveryReport scan;
  absl::Status s = store->Load(
      [](absl::Span<engine::TicketRecord>) { return absl::OkStatus(); },
      [](engine::StatsCellRecord&&) { return absl::OkStatus(); }, &scan);
  const double scan_s = scan.elapsed_ms / 1000.0;
  const auto restore_start = Clock::now();
  auto engine = engine::Engine::Create(*config::LoadDefaultPolicy(), kT0);
  storage::RecoveryReport report;
  s = api::Journal::Recover(store.get(), engine->get(), &report);
  if (!s.ok()) {
    std::fprintf(stderr, "recover: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  const double recover_s = Seconds(restore_start);
  std::printf("recovery/%llu: %.2f s (open %.2f s + scan and decode and "
              "Engine::Restore %.2f s), %llu tickets, %.0f tickets/s; "
              "scan and decode alone %.2f s; on-disk %.0f MB\n",
              static_cast<unsigned long long>(tickets), open_s + recover_s,
              open_s, recover_s,
              static_cast<unsigned long long>(report.tickets),
              report.tickets / (open_s + recover_s), scan_s,
              [&] {
                double bytes = 0;
                for (const auto& e : std::filesystem::directory_iterator(dir)) {
                  if (e.is_regular_file()) bytes += e.file_size();
                }
                return bytes / 1e6;
              }());
}

int Main(int argc, char** argv) {
  double seconds = 3;
  std::vector<uint64_t> sizes = {1'000'000, 10'000'000};
  std::string dir = "/tmp/slad-storage-benchmark";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--seconds") {
      seconds = std::stod(value);
    } else if (flag == "--dir") {
      dir = value;
    } else if (flag == "--recovery") {
      sizes.clear();
      for (absl::string_view n : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        uint64_t v;
        if (absl::SimpleAtoi(n, &v)) sizes.push_back(v);
      }
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  std::filesystem::create_directories(dir);
  for (const char* sub : {"/group", "/one", "/pipeline"}) {
    std::filesystem::remove_all(dir + sub);
  }
  const double group = GroupCommit(dir + "/group", seconds);
  const double one = OneSync(dir + "/one", seconds);
  std::printf("group_commit: %.0f durable commands/s\n", group);
  std::printf("one_sync:     %.0f durable commands/s (baseline)\n", one);
  std::printf("ratio:        %.1fx\n", group / one);
  std::printf("pipeline:     %.0f durable commands/s (decode+execute+journal)\n",
              Pipeline(dir + "/pipeline", seconds, 1));
  std::filesystem::remove_all(dir + "/pipeline");
  std::printf("pipeline/64:  %.0f durable commands/s (64 commands per unit)\n",
              Pipeline(dir + "/pipeline", seconds, 64));
  for (uint64_t n : sizes) Recovery(dir, n);
  for (const char* sub : {"/group", "/one", "/pipeline"}) {
    std::filesystem::remove_all(dir + sub);
  }
  return 0;
}

}  // namespace
}  // namespace slad

int main(int argc, char** argv) { return slad::Main(argc, argv); }
