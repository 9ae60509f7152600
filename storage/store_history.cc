// The audit history (docs/STORAGE.md, "History"): records keyed by their
// global sequence number, each linked to the same ticket's record before
// it, and the heads of purged tickets' chains. Also the one-time migration
// from schema 2's layout (records keyed by id and sequence).

#include <algorithm>
#include <limits>
#include <shared_mutex>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "storage/codec.h"
#include "storage/rocksdb_status.h"
#include "storage/store.h"
#include "storage/store_impl.h"

namespace slad::storage {

void Store::Impl::TrimPending() {
  const uint64_t written = written_units.load(std::memory_order_acquire);
  while (!pending_records.empty() && pending_records.front().unit <= written) {
    pending_records.pop_front();
  }
  while (!pending_head_ids.empty() &&
         pending_head_ids.front().first <= written) {
    auto it = pending_heads.find(pending_head_ids.front().second);
    // A later unit may have staged the id again: that entry stays.
    if (it != pending_heads.end() && it->second.unit <= written) {
      pending_heads.erase(it);
    }
    pending_head_ids.pop_front();
  }
}

uint64_t Store::AppendHistory(absl::string_view id, uint64_t prev,
                              HistoryRecord record) {
  Impl& s = *impl_;
  record.seq = ++s.last_history;
  s.counters_dirty = true;
  s.scratch.clear();
  codec::EncodeHistory(record, id, prev, std::max(s.clock_ms, record.at_ms),
                       &s.scratch);
  s.Put(kHistory, codec::HistoryKey(record.seq), s.scratch);
  s.pending_records.push_back({s.committed_units + 1, record.seq, prev});
  return record.seq;
}

void Store::PutHistoryHead(absl::string_view id, uint64_t head,
                           int64_t at_ms) {
  Impl& s = *impl_;
  s.scratch.clear();
  codec::EncodeHistoryHead(head, at_ms, &s.scratch);
  s.Put(kHeads, id, s.scratch);
  const uint64_t unit = s.committed_units + 1;
  s.pending_heads.insert_or_assign(std::string(id), Impl::PendingHead{unit, head});
  s.pending_head_ids.emplace_back(unit, std::string(id));
}

absl::StatusOr<uint64_t> Store::PurgedHistoryHead(absl::string_view id) const {
  const auto pending = impl_->pending_heads.find(id);
  if (pending != impl_->pending_heads.end()) return pending->second.head;
  std::shared_lock<std::shared_mutex> lock(impl_->db_mu);
  if (impl_->db == nullptr) return Closed();
  std::string value;
  const rocksdb::Status s =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(kHeads),
                     rocksdb::Slice(id.data(), id.size()), &value);
  if (s.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocks(s, "read history head"));
  uint64_t head = 0;
  RETURN_IF_ERROR(codec::DecodeHistoryHead(value, &head));
  return head;
}

absl::Status Store::ReadHistory(absl::string_view id,
                                std::optional<uint64_t> head, size_t limit,
                                std::vector<HistoryRecord>* out) const {
  uint64_t seq = 0;
  if (head.has_value()) {
    seq = *head;
  } else {
    ASSIGN_OR_RETURN(seq, PurgedHistoryHead(id));
  }
  std::shared_lock<std::shared_mutex> lock(impl_->db_mu);
  if (impl_->db == nullptr) return Closed();
  const auto& pending = impl_->pending_records;
  const size_t first = out->size();
  std::string value;
  // Newest first along the links, so that a cut keeps the newest;
  // reversed at the end.
  while (seq != 0 && out->size() - first < limit) {
    const rocksdb::Status s =
        impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(kHistory),
                       codec::HistoryKey(seq), &value);
    if (s.IsNotFound()) {
      // Staged but not written yet: stepped over by its link. Otherwise
      // retention dropped it, and every older record of the ticket too.
      auto it = std::lower_bound(
          pending.begin(), pending.end(), seq,
          [](const Impl::PendingRecord& r, uint64_t v) { return r.seq < v; });
      if (it == pending.end() || it->seq != seq) break;
      seq = it->prev;
      continue;
    }
    RETURN_IF_ERROR(FromRocks(s, "read history"));
    HistoryRecord record;
    absl::string_view record_id;
    uint64_t prev = 0;
    RETURN_IF_ERROR(
        codec::DecodeHistory(seq, value, &record, &record_id, &prev));
    if (record_id != id) {
      return absl::DataLossError(
          absl::StrCat("the history of ticket \"", id,
                       "\" links to a record of another ticket (seq ", seq,
                       ")"));
    }
    out->push_back(std::move(record));
    seq = prev;
  }
  std::reverse(out->begin() + first, out->end());
  return absl::OkStatus();
}

// Schema 2 kept history under id + 0x00 + seq. Each ticket's records are
// rewritten under their seq, linked oldest to newest, and the newest goes
// into the ticket's record (still stored) or history_heads (purged). A
// batch holds whole tickets, so a start cut off here resumes where it
// stopped: what is done is under 8-byte keys, which the scan skips.
absl::Status MigrateLegacyHistory(Store::Impl* impl) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const rocksdb::ReadOptions ro = ScanOptions();
  // Both iterators read the state before the first batch. Ticket ids are
  // met in key order in both families, so the tickets are walked beside
  // the history: a Get would copy and sort the tickets family's vector
  // memtable every time, which the migration's own writes fill.
  std::unique_ptr<rocksdb::Iterator> it(
      impl->db->NewIterator(ro, impl->cf(kHistory)));
  std::unique_ptr<rocksdb::Iterator> tickets(
      impl->db->NewIterator(ro, impl->cf(kTickets)));
  tickets->SeekToFirst();
  rocksdb::WriteBatch batch;
  std::string id, value;
  uint64_t head = 0;
  int64_t kept_from_ms = 0;  // never decreasing along the chain
  auto close_ticket = [&]() -> absl::Status {
    if (head == 0) return absl::OkStatus();
    while (tickets->Valid() && View(tickets->key()) < id) tickets->Next();
    RETURN_IF_ERROR(FromRocks(tickets->status(), "migrate history"));
    value.clear();
    if (tickets->Valid() && View(tickets->key()) == id) {
      engine::TicketRecord record;
      RETURN_IF_ERROR(codec::DecodeTicket(id, View(tickets->value()), &record));
      record.history_head = head;
      codec::EncodeTicket(record, &value);
      RETURN_IF_ERROR(FromRocks(batch.Put(impl->cf(kTickets), id, value),
                                "migrate history"));
    } else {
      codec::EncodeHistoryHead(head, kept_from_ms, &value);
      RETURN_IF_ERROR(FromRocks(batch.Put(impl->cf(kHeads), id, value),
                                "migrate history"));
    }
    if (batch.GetDataSize() < (4 << 20)) return absl::OkStatus();
    RETURN_IF_ERROR(FromRocks(impl->db->Write(wo, &batch), "migrate history"));
    batch.Clear();
    return absl::OkStatus();
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t seq;
    if (codec::ParseHistoryKey(View(it->key()), &seq)) continue;
    absl::string_view key_id;
    if (!codec::ParseLegacyHistoryKey(View(it->key()), &key_id, &seq) ||
        seq == 0 || seq > engine::kMaxHistorySeq) {
      return absl::DataLossError("a malformed history key");
    }
    if (key_id != id) {
      RETURN_IF_ERROR(close_ticket());
      id.assign(key_id.data(), key_id.size());
      head = 0;
      kept_from_ms = std::numeric_limits<int64_t>::min();
    }
    HistoryRecord record;
    absl::string_view unused_id;
    uint64_t unused_prev;
    RETURN_IF_ERROR(codec::DecodeHistory(seq, View(it->value()), &record,
                                         &unused_id, &unused_prev));
    kept_from_ms = std::max(kept_from_ms, record.at_ms);
    value.clear();
    codec::EncodeHistory(record, id, head, kept_from_ms, &value);
    RETURN_IF_ERROR(FromRocks(
        batch.Put(impl->cf(kHistory), codec::HistoryKey(seq), value),
        "migrate history"));
    RETURN_IF_ERROR(FromRocks(batch.Delete(impl->cf(kHistory), it->key()),
                              "migrate history"));
    head = seq;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "migrate history"));
  RETURN_IF_ERROR(close_ticket());
  return FromRocks(impl->db->Write(wo, &batch), "migrate history");
}

}  // namespace slad::storage
