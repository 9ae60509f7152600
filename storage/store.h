#ifndef SLAD_STORAGE_STORE_H_
#define SLAD_STORAGE_STORE_H_

// Store: slad's durable state in RocksDB (docs/STORAGE.md).
//
// Column families:
//   tickets  id -> encoded TicketRecord (open, or resolved within the
//            reopen window)
//   outbox   seq (8 bytes big-endian) -> encoded OutboxEvent, until every
//            subscriber group has acknowledged it
//   history  seq (8 bytes big-endian) -> encoded HistoryRecord, linked to
//            the same ticket's record before it; kept for the retention
//            period (compaction filter)
//   history_heads  id -> a purged ticket's newest history record
//   meta     schema version, counters, subscriber groups' ack cursors,
//            stats cells ("stats/" prefix)
//
// Writes are staged on the event-loop thread (Put*/Delete*/Append*) into
// the pending batch, then Commit(done) closes one unit (usually one
// command). A group-commit writer thread takes the whole pending batch
// whenever it is idle and writes it with one synced WAL write: one command
// alone is committed at once; under load the batch grows while the previous
// one syncs. `done` runs on the writer thread once the unit is durable (or
// has failed); callers post it back to their own thread.
//
// A failed write (disk full, I/O error) puts the store in the read-only
// state: writable() turns false, the failed batch is kept and retried
// (reopening the database, then the same batch again) until it succeeds,
// and only then are its units completed OK; nothing acknowledged is lost. Callers refuse
// new writes with `unavailable` while !writable(). An error RocksDB cannot
// recover from (corruption) makes the retry give up: fatal_error() is set
// and the caller should exit non-zero with its message.
//
// Thread-safety: every method except those marked otherwise is for the
// owning (event-loop) thread only. The writer thread is internal.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/command.h"
#include "engine/ticket_record.h"

namespace rocksdb {
class Env;
}

namespace slad::storage {

// An escalation event as subscribers receive it, with its outbox sequence.
struct OutboxEvent {
  uint64_t seq = 0;
  uint8_t type = 0;  // engine::EventType
  int64_t at_ms = 0;
  std::string id;
  std::string target;
  int64_t deadline_ms = 0;
  std::string from, to;  // escalated: level names
  std::string team;      // for team-limited subscribers; "" for none

  friend bool operator==(const OutboxEvent&, const OutboxEvent&) = default;
};

// One audit record: a command applied to a ticket, or an event about it.
struct HistoryRecord {
  uint64_t seq = 0;   // global, increasing
  int64_t at_ms = 0;  // the instant it happened (retention counts from it)
  uint8_t kind = 0;   // kCommand or kEvent
  std::string json;   // the request line (command) or event line, no "\n"

  static constexpr uint8_t kCommand = 0;
  static constexpr uint8_t kEvent = 1;
  friend bool operator==(const HistoryRecord&, const HistoryRecord&) = default;
};

struct Options {
  std::string dir;                // created if missing
  bool sync = true;               // fsync the WAL on every batch
  int64_t retention_ms = int64_t{3} * 366 * 24 * 3600 * 1000;  // 3 years+
  size_t max_batch_bytes = 8 << 20;  // a batch is closed past this size
  // A synced write starts at least this long after the previous one while
  // commits keep coming (GroupCommitter); 0: as soon as the last is done.
  std::chrono::microseconds min_commit_interval{0};
  // Keeps at most this many unacknowledged outbox events; beyond it the
  // oldest are dropped with a logged warning (a group that never acks
  // must not fill the disk). 0: unbounded.
  uint64_t max_outbox_events = 10'000'000;
  // For fault-injection tests: the Env RocksDB uses (default: Env::Default).
  rocksdb::Env* env = nullptr;
  // Clock for history retention (compaction filter); default: system clock.
  std::function<int64_t()> now_ms;
  // Opens with background compactions off; Load() turns them on once the
  // recovery scan is done. For a process that loads everything before it
  // serves (the daemon): the compactions a crash left pending otherwise
  // take one of the two cores for the whole scan (docs/BENCHMARKS.md,
  // "Restart"). A store opened this way and never loaded does not compact.
  bool defer_compactions = false;
};

// What Open() found, for the start-up line.
struct RecoveryReport {
  uint64_t tickets = 0;
  uint64_t stats_cells = 0;
  uint64_t outbox_events = 0;
  uint64_t groups = 0;
  int64_t clock_ms = 0;  // the latest instant noted (NoteClock); 0 if none
  int64_t elapsed_ms = 0;
};

class Store {
 public:
  static constexpr uint32_t kSchemaVersion = 3;

  // Opens or creates the database. Refuses (FailedPrecondition) a database
  // written by a newer schema; reports corruption as DataLoss.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const Options& options);
  ~Store();  // drains: every committed unit is written (or failed) first

  // Recovery, before any write: calls `tickets` with every stored ticket,
  // a chunk of a few thousand at a time (the callee may move from them),
  // and `cell` for every stats cell. Stops at the first error. Turns
  // deferred compactions on, whatever the outcome.
  absl::Status Load(const std::function<absl::Status(absl::Span<engine::TicketRecord>)>& tickets,
                    const std::function<absl::Status(engine::StatsCellRecord&&)>& cell,
                    RecoveryReport* report);

  // RocksDB's estimate of the number of stored tickets (exact after a
  // compaction; 0 if unknown), so that recovery can size the engine's
  // tables before Load.
  uint64_t ApproximateTickets() const;
  // The latest instant noted (NoteClock): at Open, the one the last
  // committed unit reached (what Load reports as clock_ms); 0 if none.
  int64_t clock_ms() const;
  // Whether RocksDB compacts in the background: false from an Open with
  // Options::defer_compactions until Load() returns.
  bool compactions_on() const;

  // --- Staging (event-loop thread). Nothing is written until Commit.
  void PutTicket(const engine::TicketRecord& ticket);
  void DeleteTicket(absl::string_view id);
  // Adds `increment` (Engine::DrainStats) to the stored cell: a RocksDB
  // merge, so a commit writes the few figures that changed, never the
  // cell's whole histogram.
  void AddStatsCell(const engine::StatsCellRecord& increment);
  // Assigns the next outbox sequence number (no gaps) to `event` and stages
  // it; returns the number.
  uint64_t AppendOutbox(OutboxEvent event);
  // Assigns the next history sequence to `record`, stages it as the newest
  // record of ticket `id`, linked to `prev` (the ticket's newest record
  // before it, 0 for none), and returns the sequence: the caller's new
  // head for `id` (docs/STORAGE.md, "History").
  uint64_t AppendHistory(absl::string_view id, uint64_t prev,
                         HistoryRecord record);
  // Keeps `head` as the newest history record of `id`, a ticket the engine
  // purges at `at_ms`: reads of its history start there from now on.
  void PutHistoryHead(absl::string_view id, uint64_t head, int64_t at_ms);
  // The head kept by PutHistoryHead (staged or written) for `id`; 0 if none.
  absl::StatusOr<uint64_t> PurgedHistoryHead(absl::string_view id) const;
  // Records that `group` acknowledged every event up to `seq`, registering
  // the group if new, and deletes outbox events every group has acked.
  void Ack(absl::string_view group, uint64_t seq);
  // Records that the engine's clock reached `now_ms` (ignored if earlier
  // than one already noted), durably with this unit: recovery resumes the
  // clock there, which matters for a manual clock (tests, simulations)
  // that only requests move.
  void NoteClock(int64_t now_ms);
  // Registers `group` if new: it then receives everything from the oldest
  // event still in the outbox. Staged like any write.
  void RegisterGroup(absl::string_view group);
  // Forgets `group` and its cursor (NotFound if unknown), and deletes the
  // outbox events every group left has acknowledged: a consumer retired
  // for good no longer keeps them. With no group left, the outbox keeps
  // what it has (up to max_outbox_events) for the next group to start from.
  absl::Status DropGroup(absl::string_view group);

  // Closes the unit staged since the last Commit. `done` runs on the writer
  // thread once it is durable (OK) or can never be (the fatal error).
  void Commit(std::function<void(absl::Status)> done);

  // --- Reads (event-loop thread). ReadOutbox and ReadHistory see what is
  // written; AckedUpTo, Groups and last_outbox_seq see what is staged
  // (ahead of the written state by at most the units not yet durable).
  // The group's ack cursor (0 if it never acked); NotFound if unknown.
  absl::StatusOr<uint64_t> AckedUpTo(absl::string_view group) const;
  std::vector<std::string> Groups() const;
  // Outbox events with seq > after, in order, at most `limit`.
  absl::Status ReadOutbox(uint64_t after, size_t limit,
                          std::vector<OutboxEvent>* out) const;
  uint64_t last_outbox_seq() const;  // 0 if none was ever assigned
  // The ticket's audit records, oldest first, at most `limit` (newest kept
  // when cut), following its chain from `head`: the engine's head for a
  // ticket it has, nullopt for one it does not (the purged head is used).
  // Records staged but not yet written are left out.
  absl::Status ReadHistory(absl::string_view id, std::optional<uint64_t> head,
                           size_t limit, std::vector<HistoryRecord>* out) const;

  // Compacts the history families now, which drops the records (and heads)
  // past retention (tests, maintenance); periodic compactions do the same
  // within 30 days. Blocks; Unavailable on an I/O error.
  absl::Status CompactHistory();

  // --- State (any thread).
  bool writable() const;
  // Set once a write failed for good: the caller should exit non-zero.
  absl::Status fatal_error() const;
  // Bytes staged and not yet taken by the writer: callers stop reading
  // requests past a bound (backpressure).
  size_t pending_bytes() const;
  // Waits until every committed unit has completed (shutdown, tests).
  void Flush();

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The outbox's bound (Options::max_outbox_events, 0: none), for the store
// and for `--data :memory:`: the seq through which to drop the oldest
// events, with a log line saying so; 0 while within it.
uint64_t OutboxOverflow(uint64_t last_seq, uint64_t floor, uint64_t max);

}  // namespace slad::storage

#endif  // SLAD_STORAGE_STORE_H_
