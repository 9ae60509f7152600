#ifndef SLAD_STORAGE_TICKET_SCAN_H_
#define SLAD_STORAGE_TICKET_SCAN_H_

// TicketScan: the recovery scan of the `tickets` family, split over two
// threads so that reading and decoding (RocksDB iteration, block
// decompression, DecodeTicket) overlap with what the caller does with each
// record (Engine::RestoreBatch). A producer thread fills chunks of decoded
// records; Run() hands them to the caller's function, on the calling
// thread, in key order. At most kChunksInFlight chunks exist at once, so
// memory stays at a few thousand records whatever the ticket count.
//
// Thread-safety: Run() once, from one thread; the producer is internal and
// joined before Run() returns.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "engine/ticket_record.h"
#include "rocksdb/db.h"

namespace slad::storage {

class TicketScan {
 public:
  // Borrows `db` and `family`, which must outlive Run().
  TicketScan(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family)
      : db_(db), family_(family) {}

  // Calls `fn` with every ticket, in key order, a chunk of records at a
  // time (fn may move from them). Returns the first error: fn's, a
  // decoding error (DataLoss, with the key) or the scan's. `count` adds
  // the records of the chunks fn accepted.
  absl::Status Run(
      const std::function<absl::Status(absl::Span<engine::TicketRecord>)>& fn,
      uint64_t* count);

 private:
  static constexpr size_t kChunk = 4096;
  static constexpr size_t kChunksInFlight = 4;
  using Chunk = std::vector<engine::TicketRecord>;

  void Produce();
  bool Push(Chunk chunk);  // false if the consumer stopped

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const family_;

  std::mutex mu_;
  // State below is guarded by mu_.
  std::condition_variable cv_;
  std::deque<Chunk> full_;
  std::vector<Chunk> empty_;  // chunks handed back, capacity kept
  bool produced_ = false;     // the producer is done (status_ final)
  bool stopped_ = false;      // the consumer gave up
  absl::Status status_;
};

}  // namespace slad::storage

#endif  // SLAD_STORAGE_TICKET_SCAN_H_
