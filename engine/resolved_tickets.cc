#include "engine/resolved_tickets.h"

#include <algorithm>
#include <cassert>

namespace slad::engine {

ResolvedTickets::ResolvedTickets()
    : ids_(PlaceHash{&records_}, PlaceEq{&records_}) {}

ResolvedTicket* ResolvedTickets::Find(absl::string_view id) {
  auto it = ids_.find(id);
  return it == ids_.end() ? nullptr : &records_[*it];
}

const ResolvedTicket* ResolvedTickets::Find(absl::string_view id) const {
  auto it = ids_.find(id);
  return it == ids_.end() ? nullptr : &records_[*it];
}

void ResolvedTickets::Add(Ticket&& t, int64_t resolved_ms) {
  assert(!t.id.view().empty());
  uint32_t place;
  if (!free_.empty()) {
    place = free_.back();
    free_.pop_back();
  } else {
    place = static_cast<uint32_t>(records_.size());
    records_.EnsureSize(place + 1);
  }
  ResolvedTicket& r = records_[place];
  r.ticket = std::move(t);
  r.resolved_ms = resolved_ms;
  [[maybe_unused]] const bool inserted = ids_.insert(place).second;
  assert(inserted);
  if (!queue_.empty() && resolved_ms < queue_.back().resolved_ms) sorted_ = false;
  queue_.push_back(Expiry{resolved_ms, place});
}

Ticket ResolvedTickets::Take(ResolvedTicket* r) {
  const uint32_t place = *ids_.find(r->ticket.id.view());
  ids_.erase(place);  // hashes the id the record still holds
  Ticket t = std::move(r->ticket);
  Reset(place);
  return t;
}

void ResolvedTickets::Free(uint32_t place) {
  ids_.erase(place);
  Reset(place);
}

void ResolvedTickets::Reset(uint32_t place) {
  ResolvedTicket& r = records_[place];
  r.ticket = Ticket();
  r.resolved_ms = 0;
  free_.push_back(place);
}

void ResolvedTickets::SortQueue() {
  std::sort(queue_.begin(), queue_.end());
  sorted_ = true;
}

}  // namespace slad::engine
