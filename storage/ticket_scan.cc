#include "storage/ticket_scan.h"

#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "storage/codec.h"
#include "storage/rocksdb_status.h"

namespace slad::storage {

absl::Status TicketScan::Run(
    const std::function<absl::Status(absl::Span<engine::TicketRecord>)>& fn,
    uint64_t* count) {
  std::thread producer([this] { Produce(); });
  absl::Status result;
  for (;;) {
    Chunk chunk;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !full_.empty() || produced_; });
      if (full_.empty()) {
        result = status_;
        break;
      }
      chunk = std::move(full_.front());
      full_.pop_front();
    }
    cv_.notify_all();
    result = fn(absl::MakeSpan(chunk));
    if (result.ok()) *count += chunk.size();
    std::lock_guard<std::mutex> lock(mu_);
    if (!result.ok()) {
      stopped_ = true;
      break;
    }
    empty_.push_back(std::move(chunk));
  }
  cv_.notify_all();
  producer.join();
  return result;
}

void TicketScan::Produce() {
  rocksdb::ReadOptions ro;
  // Each block is read once: sequential readahead, no cache pollution.
  ro.readahead_size = 8 << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, family_));
  absl::Status status;
  Chunk chunk;
  it->SeekToFirst();
  while (status.ok() && it->Valid()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!empty_.empty()) {
        chunk = std::move(empty_.back());
        empty_.pop_back();
      }
    }
    chunk.resize(kChunk);
    size_t n = 0;
    for (; n < kChunk && it->Valid(); ++n, it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      status = codec::DecodeTicket(
          key, absl::string_view(it->value().data(), it->value().size()),
          &chunk[n]);
      if (!status.ok()) {
        status = absl::Status(status.code(), std::string(status.message()) +
                                                 " (ticket " + std::string(key) + ")");
        break;
      }
    }
    chunk.resize(n);
    if (!Push(std::move(chunk))) return;
    chunk = Chunk();
  }
  if (status.ok()) status = FromRocks(it->status(), "scan tickets");
  std::lock_guard<std::mutex> lock(mu_);
  status_ = status;
  produced_ = true;
  cv_.notify_all();
}

bool TicketScan::Push(Chunk chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return full_.size() < kChunksInFlight || stopped_; });
  if (stopped_) {
    produced_ = true;
    return false;
  }
  full_.push_back(std::move(chunk));
  cv_.notify_all();
  return true;
}

}  // namespace slad::storage
