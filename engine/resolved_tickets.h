#ifndef SLAD_ENGINE_RESOLVED_TICKETS_H_
#define SLAD_ENGINE_RESOLVED_TICKETS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "engine/chunked_vector.h"
#include "engine/sharded_map.h"
#include "engine/ticket.h"

namespace slad::engine {

// The tickets resolved within the reopen window, found by id, dropped in
// the order they were resolved once their window ends.
//
// Memory: 150 resident bytes per ticket (BM_Resolve, 1M tickets).
// Records live in a ChunkedVector (136 bytes each, freed places reused);
// the id table holds 4-byte places and reads the id from the record, so
// the id is stored once; the expiry queue holds (resolved_ms, place). The
// flat_hash_map<std::string, ResolvedTicket> and queue of (instant, id
// string) it replaces took 384: the id again in the key and in the queue,
// and 168-byte slots at the table's load factor. An end-to-end run keeps
// hundreds of thousands of resolved tickets (docs/BENCHMARKS.md).
// Nothing is rehashed or moved in one go: the id table is sharded
// (sharded_map.h) and the records never move.
//
// Thread-safety: none; owned by the engine. Not movable (the id table
// points at the records).
class ResolvedTickets {
 public:
  ResolvedTickets();
  ResolvedTickets(const ResolvedTickets&) = delete;
  ResolvedTickets& operator=(const ResolvedTickets&) = delete;

  // The ticket resolved as `id`, or null. Valid until the next Add, Take
  // or Purge.
  ResolvedTicket* Find(absl::string_view id);
  const ResolvedTicket* Find(absl::string_view id) const;
  bool contains(absl::string_view id) const { return Find(id) != nullptr; }
  size_t size() const { return ids_.size(); }

  // Keeps `t`, resolved at `resolved_ms`, under its id.
  // REQUIRES: t.id is not empty and not kept already. Instants may come
  // in any order (recovery restores in key order); the expiry queue is
  // sorted again on the next Purge when they did not.
  void Add(Ticket&& t, int64_t resolved_ms);

  // Removes `r` (from Find) and returns its ticket.
  Ticket Take(ResolvedTicket* r);

  // Drops every ticket with resolved_ms + window_ms < now_ms, oldest
  // first, calling gone(const Ticket&) for each just before it goes.
  template <typename Gone>
  void Purge(int64_t now_ms, int64_t window_ms, Gone&& gone);

  // Calls fn(const ResolvedTicket&) for each ticket kept, in no order.
  template <typename Fn>
  void ForEach(Fn&& fn) const;

 private:
  struct PlaceHash {
    using is_transparent = void;
    const ChunkedVector<ResolvedTicket>* records;
    size_t operator()(absl::string_view id) const {
      return absl::Hash<absl::string_view>()(id);
    }
    size_t operator()(uint32_t place) const {
      return (*this)((*records)[place].ticket.id.view());
    }
  };
  struct PlaceEq {
    using is_transparent = void;
    const ChunkedVector<ResolvedTicket>* records;
    absl::string_view Id(uint32_t place) const {
      return (*records)[place].ticket.id.view();
    }
    absl::string_view Id(absl::string_view id) const { return id; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const { return Id(a) == Id(b); }
  };
  // One expiry entry. A place freed and used again by a later resolve
  // leaves a stale entry: the record's resolved_ms tells them apart.
  struct Expiry {
    int64_t resolved_ms;
    uint32_t place;
    friend bool operator<(const Expiry& a, const Expiry& b) {
      return a.resolved_ms < b.resolved_ms;
    }
  };

  // A free place has an empty id (ids are 1 to Engine::kMaxIdBytes bytes).
  bool Live(uint32_t place) const { return !records_[place].ticket.id.view().empty(); }
  // Free: out of the id table, then Reset: empty, and on the free list.
  void Free(uint32_t place);
  void Reset(uint32_t place);
  void SortQueue();

  ChunkedVector<ResolvedTicket> records_;
  std::vector<uint32_t> free_;  // places of records_ not in use
  ShardedSet<uint32_t, PlaceHash, PlaceEq> ids_;
  std::deque<Expiry> queue_;  // by resolved_ms when sorted_
  bool sorted_ = true;
};

template <typename Gone>
void ResolvedTickets::Purge(int64_t now_ms, int64_t window_ms, Gone&& gone) {
  if (!sorted_) SortQueue();
  while (!queue_.empty() && queue_.front().resolved_ms + window_ms < now_ms) {
    const Expiry e = queue_.front();
    queue_.pop_front();
    // A stale entry: its ticket was reopened, and the place is free or
    // holds a ticket resolved later, which has an entry of its own.
    if (!Live(e.place) || records_[e.place].resolved_ms != e.resolved_ms) continue;
    gone(std::as_const(records_[e.place].ticket));
    Free(e.place);
  }
}

template <typename Fn>
void ResolvedTickets::ForEach(Fn&& fn) const {
  for (size_t place = 0; place < records_.size(); ++place) {
    if (Live(static_cast<uint32_t>(place))) fn(records_[place]);
  }
}

}  // namespace slad::engine

#endif  // SLAD_ENGINE_RESOLVED_TICKETS_H_
