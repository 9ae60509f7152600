// The process the crash test (crash_test.cc) kills: it applies the seeded
// command stream (tests/testing/command_stream.h) through decoder,
// executor, journal and store, as the daemon does, and reports on stdout
// (a pipe), one line each:
//   R <next> <digest> <last_outbox_seq>   after recovery: the index of the
//        first command not yet durable, and the recovered state's digest
//   A <i>                                 command i is durable (acknowledged)
//   E <seq> <event line>                  an outbox event, delivered once
//        durable; redelivered after a restart until acknowledged
//   D                                     every command up to <total> done
// Each command's unit also records its index in the history of the
// pseudo-ticket "~progress", so recovery knows where the stream stands.
//
// Usage: storage_crash_child <dir> <seed> <total>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/executor.h"
#include "api/journal.h"
#include "api/protocol.h"
#include "config/policy_file.h"
#include "storage/store.h"
#include "tests/testing/command_stream.h"
#include "tests/testing/state_digest.h"

namespace slad {
namespace {

constexpr const char* kGroup = "crash";
constexpr const char* kProgress = "~progress";

// One write(2) per line: atomic on a pipe, so a kill never tears a line.
void Say(const std::string& line) {
  const std::string out = line + "\n";
  if (write(1, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
    std::_Exit(3);
  }
}

std::string EventLine(const storage::OutboxEvent& e) {
  std::string line = "E " + std::to_string(e.seq) + " ";
  api::AppendEvent(engine::Event{static_cast<engine::EventType>(e.type),
                                 e.at_ms, e.id, e.target, e.deadline_ms,
                                 e.from, e.to},
                   std::nullopt, &line);
  line.pop_back();  // "\n"
  return line;
}

int Fail(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "crash_child: %s: %s\n", what.c_str(),
               s.ToString().c_str());
  return 2;
}

int Run(const std::string& dir, uint64_t seed, uint64_t total) {
  auto policy = config::LoadDefaultPolicy();
  if (!policy.ok()) return Fail("policy", policy.status());
  auto engine = engine::Engine::Create(*std::move(policy),
                                       testing::StreamAtMs(0));
  if (!engine.ok()) return Fail("engine", engine.status());
  auto opened = storage::Store::Open({.dir = dir});
  if (!opened.ok()) return Fail("open", opened.status());
  std::unique_ptr<storage::Store> store = std::move(opened).value();
  storage::RecoveryReport report;
  absl::Status s = api::Journal::Recover(store.get(), engine->get(), &report);
  if (!s.ok()) return Fail("recover", s);

  std::vector<storage::HistoryRecord> progress;
  // Progress is the history of a pseudo-ticket the engine does not know,
  // so its head is kept as a purged ticket's is.
  s = store->ReadHistory(kProgress, std::nullopt, 1, &progress);
  if (!s.ok()) return Fail("progress", s);
  uint64_t next = progress.empty() ? 0 : std::stoull(progress[0].json) + 1;
  Say("R " + std::to_string(next) + " " + testing::StateDigest(**engine) +
      " " + std::to_string(store->last_outbox_seq()));

  // Redelivery: what is durable but this group has not acknowledged.
  store->RegisterGroup(kGroup);
  std::atomic<uint64_t> delivered{*store->AckedUpTo(kGroup)};
  std::vector<storage::OutboxEvent> pending;
  s = store->ReadOutbox(delivered, ~size_t{0}, &pending);
  if (!s.ok()) return Fail("read outbox", s);
  for (const auto& e : pending) Say(EventLine(e));
  if (!pending.empty()) delivered = pending.back().seq;

  api::RequestDecoder decoder;
  api::Executor executor(engine->get());
  api::Journal journal(engine->get(), store.get());
  api::Request request;
  std::string out;
  uint64_t acked = 0;
  uint64_t progress_head = store->PurgedHistoryHead(kProgress).value_or(0);
  for (uint64_t i = next; i < total; ++i) {
    while (store->pending_bytes() > (1 << 20)) std::this_thread::yield();
    const std::string line = testing::StreamLine(seed, i);
    s = decoder.Decode(line, &request);
    if (!s.ok()) return Fail("decode " + line, s);
    out.clear();
    s = executor.Execute(request, (*engine)->now_ms(), &out);
    auto outbox = std::make_shared<std::vector<storage::OutboxEvent>>();
    journal.Stage(line, request.command.at_ms, s.ok() ? &request.command : nullptr,
                  executor.effects(), outbox.get());
    progress_head = store->AppendHistory(
        kProgress, progress_head,
        {.at_ms = request.command.at_ms, .json = std::to_string(i)});
    store->PutHistoryHead(kProgress, progress_head, request.command.at_ms);
    if (const uint64_t d = delivered; d > acked) {
      store->Ack(kGroup, d);
      acked = d;
    }
    journal.StageStats();
    store->Commit([i, outbox, &delivered](absl::Status st) {
      if (!st.ok()) std::_Exit(4);
      Say("A " + std::to_string(i));
      for (const auto& e : *outbox) Say(EventLine(e));
      if (!outbox->empty()) delivered = outbox->back().seq;
    });
  }
  store->Flush();
  Say("D");
  return 0;
}

}  // namespace
}  // namespace slad

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <seed> <total>\n", argv[0]);
    return 2;
  }
  return slad::Run(argv[1], std::stoull(argv[2]), std::stoull(argv[3]));
}
