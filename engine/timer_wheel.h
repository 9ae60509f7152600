#ifndef SLAD_ENGINE_TIMER_WHEEL_H_
#define SLAD_ENGINE_TIMER_WHEEL_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "engine/chunked_vector.h"

namespace slad::engine {

// Names one timer of a TimerWheel: a pool index plus the generation the
// index had when it was allocated, so a handle kept past Release() is
// rejected instead of silently steering another ticket's timer.
// Generations count modulo 256: a handle kept while its index is released
// and allocated again a multiple of 256 times is not told apart.
struct TimerHandle {
  static constexpr uint32_t kInvalidIndex = 0xFFFFFFFFu;
  uint32_t index = kInvalidIndex;
  uint32_t generation = 0;

  bool valid() const { return index != kInvalidIndex; }
  friend bool operator==(TimerHandle, TimerHandle) = default;
};

// TimerWheel holds absolute deadlines (Unix ms, int64) for millions of
// timers: O(1) Schedule / Cancel / Reschedule, expiry in deadline order, and
// the exact earliest deadline so the event loop sleeps precisely that long.
//
// A hierarchical, tickless wheel (Varghese & Lauck; the Linux wheel and
// timeout.c): kLevels levels of 64 slots, one occupancy bitmap per level and
// one bitmap of occupied levels, so the next non-empty slot is two
// count-trailing-zeros, never a scan. 11 levels × 6 bits cover all 64 bits,
// so any int64 deadline, however far ahead, is held exactly.
//
// Placement invariant (checked by CheckInvariants()). Let k be a deadline
// mapped order-preservingly to uint64 and n the wheel's position:
//   * k <= n: the timer is due and sits in the "late" list, sorted by
//     deadline, ties in schedule order;
//   * k > n: the timer sits at level L = msb(k ^ n) / 6, slot (k >> 6L) & 63.
// So level L holds exactly the timers that agree with n above digit L and
// exceed it in digit L: every level-L timer precedes every level-(L+1)
// timer, and within a level the slot index orders the timers, without
// wrap-around. All timers with one deadline share one slot, in schedule
// order; the wheel re-files a slot only when n reaches the slot's first
// instant, which preserves that order, so ties fire in schedule order.
//
// Thread-safety: none; owned by the event-loop thread.
// Memory: timers live in one pool of 16-byte nodes (the deadline and two
// links) linked by 28-bit indices (intrusive: the wheel holds no pointer
// per timer), so at most kMaxTimers (2^28 - 1024) are allocated at once.
// A timer's slot is not stored: the first and last timers of a list link
// to a mark naming the list instead of to no timer. The pool grows by
// 2 MiB chunks (ChunkedVector), never by copying: a doubling std::vector
// stalled the event loop on the copy and first touch of hundreds of MB at
// millions of timers. No operation allocates once the pool has grown to
// the peak number of allocated timers; Reserve() sizes it up front. Slot
// heads and bitmaps are a fixed ~5.6 KiB.
class TimerWheel {
 public:
  static constexpr int kSlotBits = 6;
  static constexpr int kSlots = 1 << kSlotBits;
  static constexpr int kLevels = (64 + kSlotBits - 1) / kSlotBits;  // 11
  // Timers allocated at once, at most: links are 28 bits, and the top 1024
  // values are marks (list ends, idle, free).
  static constexpr uint32_t kMaxTimers = (uint32_t{1} << 28) - 1024;

  // The wheel starts at `now_ms`: deadlines at or before it are due.
  explicit TimerWheel(int64_t now_ms = 0);

  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  // Returns a new idle (unarmed) timer. Allocates only when the pool grows.
  TimerHandle Allocate();

  // Disarms `h` if armed and returns its index to the pool; `h` and every
  // copy of it become stale. FailedPrecondition if `h` is stale.
  absl::Status Release(TimerHandle h);

  // Arms the idle timer `h` at `deadline_ms`; a deadline at or before
  // now_ms() fires on the next Advance(). FailedPrecondition if `h` is stale
  // or already armed (use Reschedule to move an armed timer).
  absl::Status Schedule(TimerHandle h, int64_t deadline_ms);

  // Moves `h` to `deadline_ms`, arming it if idle. Among equal deadlines it
  // then counts as scheduled last. FailedPrecondition if `h` is stale.
  absl::Status Reschedule(TimerHandle h, int64_t deadline_ms);

  // Disarms `h`; cancelling an idle timer is a no-op. FailedPrecondition if
  // `h` is stale.
  absl::Status Cancel(TimerHandle h);

  // The handle of the timer allocated at `index`, so that an owner whose
  // records are indexed like the pool need not keep generations.
  // REQUIRES: `index` is allocated.
  TimerHandle HandleAt(uint32_t index) const {
    return TimerHandle{index, nodes_[index].generation()};
  }

  // Hints that timer `index` is about to be armed or moved: bring its node
  // into cache, then (once the node is cached) the nodes its list links
  // to, which unlinking it writes. Change nothing.
  void Prefetch(uint32_t index) const {
    if (index < nodes_.size()) __builtin_prefetch(&nodes_[index]);
  }
  void PrefetchNeighbours(uint32_t index) const {
    if (index >= nodes_.size()) return;
    const Node& n = nodes_[index];
    if (IsIndex(n.prev())) __builtin_prefetch(&nodes_[n.prev()]);
    if (IsIndex(n.next())) __builtin_prefetch(&nodes_[n.next()]);
  }

  // Whether `h` names a live, armed timer.
  bool IsArmed(TimerHandle h) const {
    return Live(h) && nodes_[h.index].prev() != kIdle;
  }
  // The deadline `h` is armed at, or nullopt if `h` is idle or stale.
  std::optional<int64_t> Deadline(TimerHandle h) const;

  // Fires, in non-decreasing deadline order (ties in schedule order), every
  // armed timer whose deadline is at or before `now_ms`, calling
  // `fire(TimerHandle, int64_t deadline_ms)` for each; the timer is idle when
  // its callback runs. The callback may Schedule, Reschedule, Cancel or
  // Release any timer, the firing one included; a timer it arms at or
  // before `now_ms` fires within this same call, in order. The wheel's
  // position never moves backward: a `now_ms` earlier than now_ms() fires
  // only what was already due. Returns the number of timers fired.
  //
  // Cost: O(1) per fired timer plus O(1) per re-filing of a timer into a
  // lower level (at most kLevels per timer over its lifetime).
  template <typename Fire>
  size_t Advance(int64_t now_ms, Fire&& fire);

  // The earliest armed deadline (exact, not a slot boundary), or nullopt if
  // nothing is armed. A result at or before now_ms() means "due now".
  // O(1) when cached; otherwise O(size of the earliest non-empty slot).
  std::optional<int64_t> NextExpiry() const;

  // The position of the wheel: the latest `now_ms` passed to Advance (or the
  // constructor's), never decreasing.
  int64_t now_ms() const { return ToDeadline(now_key_); }

  size_t armed() const { return armed_; }
  size_t allocated() const { return nodes_.size() - free_count_; }

  // Sizes the pool for `timers` allocated timers so that Allocate() does not
  // reallocate below that count.
  void Reserve(size_t timers) { nodes_.Reserve(timers); }

  // Bytes owned by the wheel: the node pool's capacity plus the fixed slot
  // tables. Divided by the timer count, this is the per-timer cost.
  size_t MemoryBytes() const;

  // Verifies every structural invariant (links, bitmaps, placement, late-list
  // order, counts) in O(timers). Internal with a description on the first
  // violation found. For tests and debugging.
  absl::Status CheckInvariants() const;

 private:
  // Links are 28 bits: a timer's index, or a mark from kMaxTimers up. The
  // top four bits of `next_bits` and of `prev_bits` hold the low and high
  // halves of the generation. An armed timer at an end of its list links
  // there to EndMark(list), so unlinking it finds the list without
  // computing it. A node's state is its prev link: kIdle (allocated, not
  // armed), kFree (on the free list, whose next links end in kFreeEnd),
  // otherwise armed.
  static constexpr uint32_t kIndexMask = (uint32_t{1} << 28) - 1;
  static constexpr uint32_t kIdle = kMaxTimers + 1000;
  static constexpr uint32_t kFree = kMaxTimers + 1001;
  static constexpr uint32_t kFreeEnd = kMaxTimers + 1002;
  // No timer: head_, tail_ and free_head_ of an empty list. Never a link.
  static constexpr uint32_t kNone = TimerHandle::kInvalidIndex;
  static constexpr bool IsIndex(uint32_t link) { return link < kMaxTimers; }
  static constexpr uint32_t EndMark(uint16_t list) { return kMaxTimers + list; }

  // One timer.
  struct Node {
    int64_t deadline_ms;
    uint32_t next_bits;
    uint32_t prev_bits;

    uint32_t next() const { return next_bits & kIndexMask; }
    uint32_t prev() const { return prev_bits & kIndexMask; }
    void set_next(uint32_t i) { next_bits = (next_bits & ~kIndexMask) | i; }
    void set_prev(uint32_t i) { prev_bits = (prev_bits & ~kIndexMask) | i; }
    uint32_t generation() const {
      return (next_bits >> 28) | ((prev_bits >> 28) << 4);
    }
    void set_generation(uint32_t g) {
      next_bits = (next_bits & kIndexMask) | ((g & 0xF) << 28);
      prev_bits = (prev_bits & kIndexMask) | (((g >> 4) & 0xF) << 28);
    }
  };
  static_assert(sizeof(Node) == 16, "a timer must cost 16 bytes");

  static constexpr int kWheelSlots = kLevels * kSlots;        // 704
  static constexpr uint16_t kLateSlot = kWheelSlots;          // 704
  static_assert(kLateSlot < 1000 && kFreeEnd <= kIndexMask);

  // Maps a deadline to an unsigned key with the same order (the sign bit
  // flipped), so the slot arithmetic works over the whole int64 range.
  static uint64_t ToKey(int64_t deadline_ms) {
    return static_cast<uint64_t>(deadline_ms) ^ (uint64_t{1} << 63);
  }
  static int64_t ToDeadline(uint64_t key) {
    return static_cast<int64_t>(key ^ (uint64_t{1} << 63));
  }
  // Keys that agree with the position above digit `level`: the bits kept
  // when computing a slot's first instant. Zero for the top level.
  static uint64_t HighMask(int level) {
    const int low_bits = kSlotBits * (level + 1);
    return low_bits >= 64 ? 0 : ~((uint64_t{1} << low_bits) - 1);
  }
  // The list a timer with this key goes to, by the placement invariant:
  // the late list if due, else the highest digit in which the key differs
  // from the position picks the level, and the key's digit there the slot.
  uint16_t SlotOf(uint64_t key) const {
    if (key <= now_key_) return kLateSlot;
    const int level = (63 - std::countl_zero(key ^ now_key_)) / kSlotBits;
    const int slot = static_cast<int>(key >> (kSlotBits * level)) & (kSlots - 1);
    return static_cast<uint16_t>(level * kSlots + slot);
  }

  bool Live(TimerHandle h) const {
    return h.index < nodes_.size() &&
           nodes_[h.index].generation() == h.generation &&
           nodes_[h.index].prev() != kFree;
  }
  static absl::Status StaleHandle();
  absl::Status ScheduleError(TimerHandle h) const;

  void Insert(uint32_t i);
  void InsertLate(uint32_t i);
  void Link(uint16_t slot, uint32_t i);
  void LinkBefore(uint32_t at, uint32_t i);
  void Remove(uint32_t i);
  void Unlink(uint32_t i);
  bool RefileNextSlot(uint64_t target_key);
  int64_t ScanEarliestSlot() const;

  ChunkedVector<Node> nodes_;
  uint32_t free_head_ = kNone;
  size_t free_count_ = 0;
  size_t armed_ = 0;
  uint64_t now_key_;

  // Slot lists: head and tail per wheel slot, plus the late list at
  // kLateSlot. Tails make appending O(1), which keeps schedule order.
  std::array<uint32_t, kWheelSlots + 1> head_;
  std::array<uint32_t, kWheelSlots + 1> tail_;
  std::array<uint64_t, kLevels> occupied_{};  // bit s: slot s non-empty
  uint32_t occupied_levels_ = 0;              // bit L: occupied_[L] != 0

  // Earliest deadline in the wheel levels (the late list is excluded), valid
  // while min_valid_. Schedules keep it exact; removing a timer with that
  // deadline or re-filing a slot clears it.
  mutable int64_t min_cache_ = 0;
  mutable bool min_valid_ = false;
};

// ---------------------------------------------------------------------------
// Hot paths, inline.

inline void TimerWheel::Link(uint16_t slot, uint32_t i) {
  Node& n = nodes_[i];
  const uint32_t tail = tail_[slot];
  n.set_next(EndMark(slot));
  if (tail == kNone) {
    n.set_prev(EndMark(slot));
    head_[slot] = i;
    if (slot < kWheelSlots) {
      const int level = slot >> kSlotBits;
      occupied_[level] |= uint64_t{1} << (slot & (kSlots - 1));
      occupied_levels_ |= 1u << level;
    }
  } else {
    n.set_prev(tail);
    nodes_[tail].set_next(i);
  }
  tail_[slot] = i;
}

inline void TimerWheel::Unlink(uint32_t i) {
  const Node& n = nodes_[i];
  const uint32_t prev = n.prev();
  const uint32_t next = n.next();
  // A neighbour takes over the other side's link, a mark included: the
  // new end of the list then links to the list's mark.
  if (IsIndex(prev)) nodes_[prev].set_next(next);
  if (IsIndex(next)) nodes_[next].set_prev(prev);
  if (IsIndex(prev) && IsIndex(next)) return;
  const auto slot = static_cast<uint16_t>((IsIndex(prev) ? next : prev) - kMaxTimers);
  if (!IsIndex(prev)) head_[slot] = IsIndex(next) ? next : kNone;
  if (!IsIndex(next)) tail_[slot] = IsIndex(prev) ? prev : kNone;
  if (head_[slot] == kNone && slot < kWheelSlots) {
    const int level = slot >> kSlotBits;
    occupied_[level] &= ~(uint64_t{1} << (slot & (kSlots - 1)));
    if (occupied_[level] == 0) occupied_levels_ &= ~(1u << level);
  }
}

inline void TimerWheel::Insert(uint32_t i) {
  const int64_t deadline_ms = nodes_[i].deadline_ms;
  const uint16_t slot = SlotOf(ToKey(deadline_ms));
  if (slot == kLateSlot) {
    InsertLate(i);
    return;
  }
  Link(slot, i);
  if (min_valid_ && deadline_ms < min_cache_) min_cache_ = deadline_ms;
}

inline void TimerWheel::Remove(uint32_t i) {
  Node& n = nodes_[i];
  if (min_valid_ && n.deadline_ms == min_cache_ &&
      ToKey(n.deadline_ms) > now_key_) {
    min_valid_ = false;
  }
  Unlink(i);
  n.set_prev(kIdle);
  --armed_;
}

inline absl::Status TimerWheel::Schedule(TimerHandle h, int64_t deadline_ms) {
  // One test on the node for the common case; the slow path says why.
  if (h.index >= nodes_.size() ||
      nodes_[h.index].generation() != h.generation ||
      nodes_[h.index].prev() != kIdle) {
    return ScheduleError(h);
  }
  nodes_[h.index].deadline_ms = deadline_ms;
  ++armed_;
  Insert(h.index);
  return absl::OkStatus();
}

inline absl::Status TimerWheel::Reschedule(TimerHandle h, int64_t deadline_ms) {
  if (!Live(h)) return StaleHandle();
  if (nodes_[h.index].prev() != kIdle) Remove(h.index);
  nodes_[h.index].deadline_ms = deadline_ms;
  ++armed_;
  Insert(h.index);
  return absl::OkStatus();
}

inline absl::Status TimerWheel::Cancel(TimerHandle h) {
  if (!Live(h)) return StaleHandle();
  if (nodes_[h.index].prev() != kIdle) Remove(h.index);
  return absl::OkStatus();
}

template <typename Fire>
size_t TimerWheel::Advance(int64_t now_ms, Fire&& fire) {
  const uint64_t target_key = std::max(ToKey(now_ms), now_key_);
  size_t fired = 0;
  for (;;) {
    const uint32_t i = head_[kLateSlot];
    if (i != kNone) {
      // The late list's head is the earliest armed timer: every wheel timer
      // lies after the position, every late one at or before it.
      Remove(i);
      const Node& n = nodes_[i];
      ++fired;
      fire(TimerHandle{i, n.generation()}, n.deadline_ms);
      continue;
    }
    if (!RefileNextSlot(target_key)) break;
  }
  now_key_ = target_key;
  return fired;
}

}  // namespace slad::engine

#endif  // SLAD_ENGINE_TIMER_WHEEL_H_
