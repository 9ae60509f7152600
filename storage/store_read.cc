// Store: the recovery scan and the reads.

#include <algorithm>
#include <chrono>
#include <shared_mutex>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "engine/status_macros.h"
#include "storage/codec.h"
#include "storage/rocksdb_status.h"
#include "storage/store.h"
#include "storage/store_impl.h"
#include "storage/ticket_scan.h"

namespace slad::storage {
namespace {

// Turns on the compactions Options::defer_compactions held back. A failure
// is logged by RocksDB and leaves them off; the store still works, and the
// next open turns them on.
void ResumeCompactions(Store::Impl* impl) {
  // With no database open, clearing the flag is all: the reopen that
  // brings it back opens with compactions on.
  if (!impl->compactions_deferred.exchange(false) || impl->db == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* family : impl->families) {
    impl->db->SetOptions(family, {{"disable_auto_compactions", "false"}})
        .PermitUncheckedError();
  }
}

}  // namespace

absl::Status Store::Load(
    const std::function<absl::Status(absl::Span<engine::TicketRecord>)>& tickets,
    const std::function<absl::Status(engine::StatsCellRecord&&)>& cell,
    RecoveryReport* report) {
  const auto start = std::chrono::steady_clock::now();
  *report = RecoveryReport();
  std::shared_lock<std::shared_mutex> lock(impl_->db_mu);
  // Before the first return: a failed load leaves nothing deferred either.
  absl::Cleanup resume = [this] { ResumeCompactions(impl_.get()); };
  if (impl_->db == nullptr) return Closed();
  RETURN_IF_ERROR(TicketScan(impl_->db.get(), impl_->cf(kTickets))
                      .Run(tickets, &report->tickets));
  {
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(ScanOptions(), impl_->cf(kMeta)));
    const rocksdb::Slice prefix(codec::kStatsPrefix.data(),
                                codec::kStatsPrefix.size());
    engine::StatsCellRecord record;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      RETURN_IF_ERROR(codec::DecodeStatsCell(View(it->key()),
                                             View(it->value()), &record));
      RETURN_IF_ERROR(cell(std::move(record)));
      ++report->stats_cells;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scan stats"));
  }
  report->outbox_events = impl_->last_outbox - impl_->outbox_floor;
  report->groups = impl_->groups.size();
  report->clock_ms = impl_->clock_ms;
  report->elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  return absl::OkStatus();
}

int64_t Store::clock_ms() const { return impl_->clock_ms; }

uint64_t Store::ApproximateTickets() const {
  std::shared_lock<std::shared_mutex> lock(impl_->db_mu);
  uint64_t n = 0;
  if (impl_->db == nullptr ||
      !impl_->db->GetIntProperty(impl_->cf(kTickets),
                                 "rocksdb.estimate-num-keys", &n)) {
    return 0;
  }
  return n;
}

bool Store::compactions_on() const {
  std::shared_lock<std::shared_mutex> lock(impl_->db_mu);
  return impl_->db != nullptr &&
         !impl_->db->GetOptions(impl_->cf(kTickets)).disable_auto_compactions;
}

absl::StatusOr<uint64_t> Store::AckedUpTo(absl::string_view group) const {
  auto it = impl_->groups.find(group);
  if (it == impl_->groups.end()) {
    return absl::NotFoundError("unknown subscriber group " + std::string(group));
  }
  return it->second;
}

std::vector<std::string> Store::Groups() const {
  std::vector<std::string> names;
  for (const auto& [name, acked] : impl_->groups) names.push_back(name);
  return names;
}

absl::Status Store::ReadOutbox(uint64_t after, size_t limit,
                               std::vector<OutboxEvent>* out) const {
  std::shared_lock<std::shared_mutex> lock(impl_->db_mu);
  if (impl_->db == nullptr) return Closed();
  const uint64_t from = std::max(after, impl_->outbox_floor) + 1;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(kOutbox)));
  OutboxEvent event;
  size_t n = 0;
  for (it->Seek(codec::OutboxKey(from)); it->Valid() && n < limit;
       it->Next(), ++n) {
    if (it->key().size() != 8) return absl::DataLossError("bad outbox key");
    const uint64_t seq = codec::DecodeFixed64BE(it->key().data());
    RETURN_IF_ERROR(codec::DecodeOutboxEvent(seq, View(it->value()), &event));
    out->push_back(std::move(event));
  }
  return FromRocks(it->status(), "read outbox");
}

uint64_t Store::last_outbox_seq() const { return impl_->last_outbox; }

absl::Status Store::CompactHistory() {
  std::shared_lock<std::shared_mutex> lock(impl_->db_mu);
  if (impl_->db == nullptr) return Closed();
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  for (Family f : {kHistory, kHeads}) {
    RETURN_IF_ERROR(FromRocks(
        impl_->db->CompactRange(options, impl_->cf(f), nullptr, nullptr),
        "compact history"));
  }
  return absl::OkStatus();
}

}  // namespace slad::storage
