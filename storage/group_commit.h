#ifndef SLAD_STORAGE_GROUP_COMMIT_H_
#define SLAD_STORAGE_GROUP_COMMIT_H_

// GroupCommitter: the writer thread behind Store::Commit (docs/STORAGE.md,
// "Group commit").
//
// The owning thread hands it units (one WriteBatch each, usually one
// command) with a completion callback. Units are appended, in order, to the
// open batch; the writer thread takes the open batch whenever it is idle and
// writes it with one call of `write` (a synced WAL write). So one unit alone
// is written at once, and under load the batch grows while the previous one
// syncs. A batch is also closed once it reaches `max_batch_bytes`, so that
// one write (and the memory staged behind it) stays bounded; closed batches
// are written in order, one per write.
//
// Failure: a failed write makes writable() false and is retried (`resume`,
// i.e. reopen the database, then the same batch again, with backoff from 10 ms up to 1 s) until it
// succeeds; only then are its units completed, OK. Rewriting a batch is
// safe because every record in it is an idempotent Put/Delete/DeleteRange.
// A status that is not Unavailable (corruption, an invalid batch) is fatal:
// fatal_error() latches it and every unit, then and later, completes with
// it. Closing while writes still fail gives up after a few more tries.
//
// Thread-safety: Append() from one owning thread; writable(), fatal_error(),
// pending_bytes() and Flush() from any thread. Callbacks run on the writer
// thread, in unit order.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "rocksdb/write_batch.h"

namespace slad::storage {

class GroupCommitter {
 public:
  using Done = std::function<void(absl::Status)>;
  struct Sink {
    // Writes the batch durably. Unavailable: transient, retried; anything
    // else not OK is fatal.
    std::function<absl::Status(rocksdb::WriteBatch&)> write;
    // Asks the database to leave its error state (Store reopens it);
    // errors are only logged by the retry: the next write decides.
    std::function<absl::Status()> resume;
  };

  // `min_interval`: a write starts at least this long after the previous
  // one started, while units keep coming (a unit after a quiet spell is
  // written at once). Each write completes every unit in it, and each
  // completion wakes the loop and sends its replies: on a device that
  // syncs in a fraction of a millisecond, writes as fast as it syncs cost
  // the loop more CPU than the wait costs latency (docs/BENCHMARKS.md,
  // "Twelfth session"). Full batches (max_batch_bytes) do not wait.
  GroupCommitter(Sink sink, size_t max_batch_bytes,
                 std::chrono::microseconds min_interval = std::chrono::microseconds(0));
  ~GroupCommitter();  // writes (or fails) every appended unit, then joins
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Appends `unit`'s records (it may be empty) to the open batch; `done`
  // runs once they are durable or never can be. Clears `unit`.
  //
  // `trailer` (may be null or empty): records of which only the latest
  // version matters, such as counters. The batch keeps the trailer of its
  // last unit that had one and writes it once, after the units: one write
  // of each counter per batch instead of one per unit. Clears `trailer`.
  void Append(rocksdb::WriteBatch* unit, rocksdb::WriteBatch* trailer,
              Done done);

  bool writable() const { return writable_.load(std::memory_order_acquire); }
  absl::Status fatal_error() const;
  // The last error of a write still being retried (OK when writable).
  absl::Status last_error() const;
  size_t pending_bytes() const {
    return pending_bytes_.load(std::memory_order_relaxed);
  }
  // Blocks until every unit appended so far has completed.
  void Flush();
  // Batches written so far (tests: units under load share batches).
  uint64_t batches_written() const {
    return batches_.load(std::memory_order_relaxed);
  }

 private:
  // WriteBatch's serialized header: 8-byte sequence, 4-byte count (LE).
  static constexpr size_t kHeader = 12;
  struct Batch {
    std::string rep;  // header + records of every unit
    uint32_t count = 0;
    std::string trailer;  // records of the latest trailer, no header
    uint32_t trailer_count = 0;
    std::vector<Done> done;
  };

  void Run();
  absl::Status WriteDurably(Batch& batch);
  // Sleeps up to `ms` unless closing; returns true if closing.
  bool Backoff(int ms);

  const Sink sink_;
  const size_t max_batch_bytes_;
  const std::chrono::microseconds min_interval_;
  std::atomic<bool> writable_{true};
  std::atomic<size_t> pending_bytes_{0};
  std::atomic<uint64_t> batches_{0};

  mutable std::mutex mu_;
  // State below is guarded by mu_.
  std::condition_variable work_cv_;  // a unit was appended, or closing
  std::condition_variable idle_cv_;  // a batch completed
  Batch open_;
  std::deque<Batch> closed_;
  bool in_flight_ = false;
  bool writer_idle_ = false;  // waiting for a unit (not for the interval)
  bool closing_ = false;
  absl::Status fatal_;
  absl::Status last_error_;

  std::thread thread_;  // last: starts once the state above exists
};

}  // namespace slad::storage

#endif  // SLAD_STORAGE_GROUP_COMMIT_H_
