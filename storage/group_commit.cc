#include "storage/group_commit.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <utility>

namespace slad::storage {
namespace {

void SetCount(std::string* rep, uint32_t count) {
  for (int i = 0; i < 4; ++i) (*rep)[8 + i] = static_cast<char>(count >> (8 * i));
}

}  // namespace

GroupCommitter::GroupCommitter(Sink sink, size_t max_batch_bytes,
                               std::chrono::microseconds min_interval)
    : sink_(std::move(sink)),
      max_batch_bytes_(max_batch_bytes),
      min_interval_(min_interval),
      thread_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
}

void GroupCommitter::Append(rocksdb::WriteBatch* unit,
                            rocksdb::WriteBatch* trailer, Done done) {
  // A unit's records are its serialized form past the header; appending
  // them and adding the counts is how RocksDB itself merges batches
  // (WriteBatchInternal::Append), done here because that is not public.
  const std::string& data = unit->Data();
  const size_t records = data.size() - kHeader;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_.rep.empty()) open_.rep.assign(kHeader, '\0');
    open_.rep.append(data, kHeader, records);
    open_.count += unit->Count();
    if (trailer != nullptr && trailer->Count() > 0) {
      open_.trailer.assign(trailer->Data(), kHeader, std::string::npos);
      open_.trailer_count = trailer->Count();
    }
    open_.done.push_back(std::move(done));
    pending_bytes_.fetch_add(records, std::memory_order_relaxed);
    if (open_.rep.size() >= max_batch_bytes_) {
      closed_.push_back(std::move(open_));
      open_ = Batch();
      wake = true;
    }
    wake = wake || writer_idle_;
  }
  unit->Clear();
  if (trailer != nullptr) trailer->Clear();
  // Only a writer waiting for work, or one in its interval for whom a
  // batch just filled, has anything to do: waking it for every unit of
  // an interval cost a futex call and two context switches each.
  if (wake) work_cv_.notify_one();
}

void GroupCommitter::Run() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_start = Clock::now() - min_interval_;
  for (;;) {
    Batch batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      writer_idle_ = true;
      work_cv_.wait(lock, [this] {
        return closing_ || !closed_.empty() || !open_.done.empty();
      });
      writer_idle_ = false;
      // Units meanwhile join the open batch; a full one or closing ends the wait.
      work_cv_.wait_until(lock, last_start + min_interval_,
                          [this] { return closing_ || !closed_.empty(); });
      last_start = Clock::now();
      if (!closed_.empty()) {
        batch = std::move(closed_.front());
        closed_.pop_front();
      } else if (!open_.done.empty()) {
        batch = std::move(open_);
        open_ = Batch();
      } else {
        return;  // closing, and nothing left
      }
      in_flight_ = true;
      pending_bytes_.fetch_sub(batch.rep.size() - kHeader,
                               std::memory_order_relaxed);
    }
    const absl::Status status = WriteDurably(batch);
    for (auto& done : batch.done) done(status);
    {
      std::lock_guard<std::mutex> lock(mu_);
      in_flight_ = false;
    }
    idle_cv_.notify_all();
  }
}

absl::Status GroupCommitter::WriteDurably(Batch& batch) {
  if (absl::Status fatal = fatal_error(); !fatal.ok()) return fatal;
  batch.rep.append(batch.trailer);
  batch.count += batch.trailer_count;
  if (batch.count == 0) return absl::OkStatus();
  SetCount(&batch.rep, batch.count);
  rocksdb::WriteBatch wb(std::move(batch.rep));
  absl::Status status = sink_.write(wb);
  int backoff_ms = 10, tries_after_close = 0;
  while (!status.ok() && absl::IsUnavailable(status)) {
    // The turns of the state go to the log: without them an operator saw
    // only RocksDB's lines and retries, and nothing when it ended.
    if (writable_.exchange(false, std::memory_order_acq_rel)) {
      std::fprintf(stderr,
                   "slad: the store cannot write (%s): read-only, writes answered "
                   "unavailable; retrying until it can\n",
                   std::string(status.message()).c_str());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_error_ = status;
    }
    if (Backoff(backoff_ms) && ++tries_after_close > 3) break;
    backoff_ms = std::min(backoff_ms * 2, 1000);
    if (absl::Status r = sink_.resume(); !r.ok()) {
      std::fprintf(stderr, "slad: storage resume: %s\n", r.ToString().c_str());
    }
    status = sink_.write(wb);
  }
  batches_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  if (status.ok()) {
    last_error_ = absl::OkStatus();
    if (!writable_.exchange(true, std::memory_order_acq_rel)) {
      std::fprintf(stderr, "slad: the store writes again: writes are taken\n");
    }
    return status;
  }
  // Fatal, or closing while still failing: nothing later may be written
  // after a batch that was not, or order (and the counters) would break.
  if (fatal_.ok()) fatal_ = status;
  writable_.store(false, std::memory_order_release);
  return fatal_;
}

bool GroupCommitter::Backoff(int ms) {
  std::unique_lock<std::mutex> lock(mu_);
  work_cv_.wait_for(lock, std::chrono::milliseconds(ms),
                    [this] { return closing_; });
  return closing_;
}

absl::Status GroupCommitter::fatal_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fatal_;
}

absl::Status GroupCommitter::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

void GroupCommitter::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] {
    return closed_.empty() && open_.done.empty() && !in_flight_;
  });
}

}  // namespace slad::storage
