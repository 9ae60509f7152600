#ifndef SLAD_API_CLOCK_H_
#define SLAD_API_CLOCK_H_

// The daemon's notion of "now", in Unix milliseconds. The engine never
// reads a clock (every call carries its instant); the daemon asks one of
// these. Debian 12's Abseil has no absl::Clock, so this is the one small
// interface the project uses, with the system and the manual (test) clock.

#include <chrono>
#include <cstdint>

namespace slad::api {

// Thread-safety: NowMs() of SystemClock is thread-safe; ManualClock is
// for the event-loop thread only.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;
  // Unix µs: NowMs() is this, rounded down to the millisecond.
  virtual int64_t NowUs() const = 0;
  // True for a clock that only moves when told to (the `advance` op).
  virtual bool manual() const = 0;
};

// Unix ms from std::chrono::system_clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t NowUs() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  bool manual() const override { return false; }
};

// Time that moves only by AdvanceTo(); it never goes back.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 0) : now_ms_(start_ms) {}
  int64_t NowMs() const override { return now_ms_; }
  int64_t NowUs() const override { return now_ms_ * 1000; }
  bool manual() const override { return true; }
  // Moves to `to_ms` if it is later than now; an earlier instant is ignored.
  void AdvanceTo(int64_t to_ms) {
    if (to_ms > now_ms_) now_ms_ = to_ms;
  }

 private:
  int64_t now_ms_;
};

// How long a timer waits, from `now_us`, for an instant due at `due_ms`
// (both Unix time): until the first microsecond of that millisecond, when
// NowMs() reaches it; zero when it is already due. Counting from NowMs()
// instead (whole milliseconds) would fire up to a millisecond late, by
// however far into its millisecond `now` was. At most an hour: a timer
// that wakes early finds nothing due and waits again, and an instant years
// ahead (or INT64_MAX) would overflow in µs.
inline std::chrono::microseconds DelayUntil(int64_t due_ms, int64_t now_us) {
  constexpr int64_t kMaxWaitUs = int64_t{3600} * 1000 * 1000;
  const int64_t now_ms = now_us / 1000;
  if (due_ms <= now_ms) return std::chrono::microseconds(0);
  if (due_ms - now_ms > kMaxWaitUs / 1000) {
    return std::chrono::microseconds(kMaxWaitUs);
  }
  return std::chrono::microseconds(due_ms * 1000 - now_us);
}

}  // namespace slad::api

#endif  // SLAD_API_CLOCK_H_
