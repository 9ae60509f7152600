#include "engine/timer_wheel.h"

#include "absl/strings/str_cat.h"

namespace slad::engine {

TimerWheel::TimerWheel(int64_t now_ms) : now_key_(ToKey(now_ms)) {
  head_.fill(kNone);
  tail_.fill(kNone);
}

TimerHandle TimerWheel::Allocate() {
  uint32_t i;
  if (free_head_ != kNone) {
    i = free_head_;
    const uint32_t next = nodes_[i].next();
    free_head_ = IsIndex(next) ? next : kNone;
    --free_count_;
  } else {
    // Links from kMaxTimers up are marks, so the pool stops short of them.
    if (nodes_.size() >= kMaxTimers) return TimerHandle{};
    i = static_cast<uint32_t>(nodes_.size());
    nodes_.EnsureSize(size_t{i} + 1);
    nodes_[i] = Node{0, 0, 0};
    nodes_[i].set_generation(1);
  }
  nodes_[i].set_prev(kIdle);
  nodes_[i].set_next(kIdle);
  return TimerHandle{i, nodes_[i].generation()};
}

absl::Status TimerWheel::Release(TimerHandle h) {
  if (!Live(h)) return StaleHandle();
  Node& n = nodes_[h.index];
  if (n.prev() != kIdle) Remove(h.index);
  n.set_generation((n.generation() + 1) & 0xFF);
  n.set_prev(kFree);
  n.set_next(free_head_ == kNone ? kFreeEnd : free_head_);
  free_head_ = h.index;
  ++free_count_;
  return absl::OkStatus();
}

std::optional<int64_t> TimerWheel::Deadline(TimerHandle h) const {
  if (!IsArmed(h)) return std::nullopt;
  return nodes_[h.index].deadline_ms;
}

absl::Status TimerWheel::StaleHandle() {
  return absl::FailedPreconditionError(
      "stale timer handle: released, or never allocated by this wheel");
}

absl::Status TimerWheel::ScheduleError(TimerHandle h) const {
  if (!Live(h)) return StaleHandle();
  return absl::FailedPreconditionError("timer is already armed");
}

// Only the late list is kept sorted, so only it has timers linked inside.
void TimerWheel::LinkBefore(uint32_t at, uint32_t i) {
  Node& n = nodes_[i];
  Node& a = nodes_[at];
  n.set_next(at);
  n.set_prev(a.prev());
  if (IsIndex(a.prev())) {
    nodes_[a.prev()].set_next(i);
  } else {
    head_[kLateSlot] = i;
  }
  a.set_prev(i);
}

// Due timers arrive in deadline order almost always (a slot re-filed into
// an empty list, or a callback re-arming at the firing instant), so append
// and prepend are checked first; only a deadline strictly inside the list's
// range walks it. Ties go after their equals: schedule order.
void TimerWheel::InsertLate(uint32_t i) {
  const int64_t deadline_ms = nodes_[i].deadline_ms;
  const uint32_t tail = tail_[kLateSlot];
  if (tail == kNone || nodes_[tail].deadline_ms <= deadline_ms) {
    Link(kLateSlot, i);
    return;
  }
  uint32_t at = head_[kLateSlot];
  while (nodes_[at].deadline_ms <= deadline_ms) at = nodes_[at].next();
  LinkBefore(at, i);
}

// Moves the position to the first instant of the earliest occupied slot, if
// that is at or before `target_key`, and re-files the slot's timers relative
// to it: those due exactly then go to the late list (in their list order,
// which is schedule order), the rest to lower levels. Nothing armed lies
// before that instant (lower levels are empty, and the late list is empty
// whenever Advance calls this), so no timer is skipped. Other slots keep
// their placement: their keys still differ from the new position first in
// the same digit. Returns false if nothing is due by `target_key`.
bool TimerWheel::RefileNextSlot(uint64_t target_key) {
  if (occupied_levels_ == 0) return false;
  const int level = std::countr_zero(occupied_levels_);
  const int slot = std::countr_zero(occupied_[level]);
  const uint64_t start = (now_key_ & HighMask(level)) |
                         (uint64_t{static_cast<unsigned>(slot)}
                          << (kSlotBits * level));
  if (start > target_key) return false;

  now_key_ = start;
  min_valid_ = false;
  const uint16_t id = static_cast<uint16_t>(level * kSlots + slot);
  uint32_t i = head_[id];
  head_[id] = tail_[id] = kNone;
  occupied_[level] &= ~(uint64_t{1} << slot);
  if (occupied_[level] == 0) occupied_levels_ &= ~(1u << level);
  while (IsIndex(i)) {
    const uint32_t next = nodes_[i].next();
    Insert(i);
    i = next;
  }
  return true;
}

std::optional<int64_t> TimerWheel::NextExpiry() const {
  if (armed_ == 0) return std::nullopt;
  if (head_[kLateSlot] != kNone) return nodes_[head_[kLateSlot]].deadline_ms;
  if (!min_valid_) {
    min_cache_ = ScanEarliestSlot();
    min_valid_ = true;
  }
  return min_cache_;
}

// By the placement invariant the earliest timer is in the first occupied
// slot of the lowest occupied level. A level-0 slot is one millisecond, so
// its head is exact; a higher slot spans 64^L ms and is scanned.
int64_t TimerWheel::ScanEarliestSlot() const {
  const int level = std::countr_zero(occupied_levels_);
  const int slot = std::countr_zero(occupied_[level]);
  uint32_t i = head_[level * kSlots + slot];
  int64_t earliest = nodes_[i].deadline_ms;
  for (i = nodes_[i].next(); IsIndex(i); i = nodes_[i].next()) {
    earliest = std::min(earliest, nodes_[i].deadline_ms);
  }
  return earliest;
}

size_t TimerWheel::MemoryBytes() const {
  return sizeof(*this) + nodes_.capacity() * sizeof(Node);
}

namespace {

absl::Status Violation(uint32_t index, absl::string_view what) {
  return absl::InternalError(absl::StrCat("timer ", index, ": ", what));
}

}  // namespace

absl::Status TimerWheel::CheckInvariants() const {
  size_t linked = 0;
  for (int id = 0; id <= kWheelSlots; ++id) {
    const bool is_late = id == kLateSlot;
    const int level = id >> kSlotBits;
    const int slot = id & (kSlots - 1);
    if (!is_late) {
      const bool bit = (occupied_[level] >> slot) & 1;
      if (bit != (head_[id] != kNone)) {
        return absl::InternalError(absl::StrCat("slot ", id, ": bitmap bit ",
                                                bit, " disagrees with list"));
      }
    }
    const uint32_t mark = EndMark(static_cast<uint16_t>(id));
    if (head_[id] != kNone && !IsIndex(head_[id])) {
      return absl::InternalError(absl::StrCat("slot ", id, ": head is no timer"));
    }
    uint32_t prev = kNone;
    uint32_t i = head_[id];
    for (; i != kNone; prev = i, i = nodes_[i].next()) {
      if (!IsIndex(i)) {
        if (i != mark) return Violation(prev, "list ends in another list's mark");
        break;
      }
      if (i >= nodes_.size()) return Violation(i, "link past the pool");
      if (++linked > nodes_.size()) return Violation(i, "list has a cycle");
      const Node& n = nodes_[i];
      if (n.prev() != (prev == kNone ? mark : prev)) {
        return Violation(i, "prev link broken");
      }
      const uint64_t key = ToKey(n.deadline_ms);
      if (is_late) {
        if (key > now_key_) return Violation(i, "late timer is not due");
        if (prev != kNone && nodes_[prev].deadline_ms > n.deadline_ms) {
          return Violation(i, "late list out of deadline order");
        }
        continue;
      }
      if (key <= now_key_) return Violation(i, "due timer left in the wheel");
      if (SlotOf(key) != id) return Violation(i, "placed in the wrong slot");
    }
    if (tail_[id] != prev) {
      return absl::InternalError(absl::StrCat("slot ", id, ": tail broken"));
    }
  }
  uint32_t levels = 0;
  for (int level = 0; level < kLevels; ++level) {
    if (occupied_[level] != 0) levels |= 1u << level;
  }
  if (levels != occupied_levels_) {
    return absl::InternalError("level bitmap disagrees with slot bitmaps");
  }
  if (linked != armed_) {
    return absl::InternalError(
        absl::StrCat(linked, " timers linked but ", armed_, " armed"));
  }
  size_t free_nodes = 0;
  size_t idle = 0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].prev() == kIdle) ++idle;
  }
  for (uint32_t i = free_head_; i != kNone;) {
    if (!IsIndex(i) || i >= nodes_.size()) return Violation(i, "free list link broken");
    if (++free_nodes > nodes_.size()) return Violation(i, "free list cycle");
    if (nodes_[i].prev() != kFree) return Violation(i, "free list holds a live timer");
    const uint32_t next = nodes_[i].next();
    i = next == kFreeEnd ? kNone : next;
  }
  if (free_nodes != free_count_) {
    return absl::InternalError("free count disagrees with the free list");
  }
  // Every node is linked, idle or free: a node marked armed but in no
  // list would be unlinked from a list it is not in.
  if (linked + idle + free_nodes != nodes_.size()) {
    return absl::InternalError(absl::StrCat(
        nodes_.size(), " timers but ", linked, " linked, ", idle, " idle, ",
        free_nodes, " free"));
  }
  if (min_valid_) {
    std::optional<int64_t> earliest;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const Node& n = nodes_[i];
      if (n.prev() != kIdle && n.prev() != kFree &&
          ToKey(n.deadline_ms) > now_key_ &&
          (!earliest || n.deadline_ms < *earliest)) {
        earliest = n.deadline_ms;
      }
    }
    if (!earliest || *earliest != min_cache_) {
      return absl::InternalError("cached next expiry is stale");
    }
  }
  return absl::OkStatus();
}

}  // namespace slad::engine
