#ifndef SLAD_API_DURABILITY_H_
#define SLAD_API_DURABILITY_H_

// The daemon's one seam to persistence: what the server needs of the store
// and the journal (storage/store.h, api/journal.h), so that the session
// pipeline has a single "make it durable, then reply" step. The RocksDB
// implementation wraps Store + Journal; the in-memory one serves
// `--data :memory:` (nothing survives a restart) and tests.
//
// Thread-safety: every method is for the event-loop thread, except that
// Commit's `done` runs on whatever thread the implementation completes on
// (the store's writer thread): callers post it back to their loop.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/command.h"
#include "engine/engine.h"
#include "storage/store.h"

namespace slad::api {

class Durability {
 public:
  virtual ~Durability() = default;

  // Rebuilds `engine` from what is stored (once, before serving); `report`
  // gets one line saying what was recovered.
  virtual absl::Status Recover(engine::Engine* engine, std::string* report) = 0;
  // The engine whose tickets Stage() reads (after a policy reload, the new
  // one). Not owned.
  virtual void SetEngine(engine::Engine* engine) = 0;

  // Stages what one executor call did: the request `line` (history of a
  // successful command `cmd`, nullptr otherwise), the changed tickets and
  // the events of `effects`. Appends the outbox events it staged, with
  // their sequence numbers, to *outbox.
  virtual void Stage(absl::string_view line, int64_t at_ms,
                     const engine::Command* cmd,
                     const engine::Effects& effects,
                     std::vector<storage::OutboxEvent>* outbox) = 0;
  virtual void RegisterGroup(absl::string_view group) = 0;
  virtual void Ack(absl::string_view group, uint64_t seq) = 0;
  // Forgets `group` (NotFound if unknown) and trims the outbox to what the
  // groups left still need (storage::Store::DropGroup).
  virtual absl::Status DropGroup(absl::string_view group) = 0;
  // Closes the staged unit; `done` runs once it is durable (or never can be).
  virtual void Commit(std::function<void(absl::Status)> done) = 0;

  virtual absl::StatusOr<uint64_t> AckedUpTo(absl::string_view group) const = 0;
  // Every registered group (as stored) with its ack cursor, by name.
  virtual std::vector<std::pair<std::string, uint64_t>> GroupCursors() const = 0;
  // The newest outbox seq assigned so far (staged included); 0 if none.
  virtual uint64_t last_outbox_seq() const = 0;
  virtual absl::Status ReadOutbox(uint64_t after, size_t limit,
                                  std::vector<storage::OutboxEvent>* out) const = 0;
  // The ticket's newest history record staged so far: what a `get`
  // answered at this point shows its history up to. nullopt for a ticket
  // the engine does not have (a purged one: its history is read from
  // where its purge left it).
  virtual std::optional<uint64_t> HistoryHead(absl::string_view id) const = 0;
  // The ticket's history, oldest first, at most `limit` (the newest kept),
  // from `head` (a HistoryHead answer) back: records staged after it are
  // left out, even once durable.
  virtual absl::Status ReadHistory(absl::string_view id,
                                   std::optional<uint64_t> head, size_t limit,
                                   std::vector<storage::HistoryRecord>* out) const = 0;

  // False for a store that keeps nothing across a restart (the daemon's
  // logs must not call its state durable).
  virtual bool persistent() const { return true; }
  virtual bool writable() const = 0;
  // Bytes staged and not yet taken by the writer (backpressure).
  virtual size_t pending_bytes() const = 0;
  virtual absl::Status fatal_error() const = 0;
  // Waits until every committed unit has completed.
  virtual void Flush() = 0;
};

// Keeps everything in memory; Commit completes at once, on the caller's
// thread. Subscriber groups and the outbox behave as the store's (acks
// stop at the last event, acknowledged events are dropped, the same
// bound); the history of every ticket is kept for as long as the process.
std::unique_ptr<Durability> NewMemoryDurability();

// The RocksDB store in `dir` (created if missing) with the journal that
// stages the engine's effects into it (storage/store.h, api/journal.h);
// `commit_interval`: storage::Options::min_commit_interval.
absl::StatusOr<std::unique_ptr<Durability>> OpenStoreDurability(
    const std::string& dir,
    std::chrono::microseconds commit_interval = std::chrono::microseconds(0));

// The engine event an outbox record describes; its views point into
// `record`, which must outlive it.
engine::Event ToEngineEvent(const storage::OutboxEvent& record);

}  // namespace slad::api

#endif  // SLAD_API_DURABILITY_H_
