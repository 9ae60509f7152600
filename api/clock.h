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
  bool manual() const override { return false; }
};

// Time that moves only by AdvanceTo(); it never goes back.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 0) : now_ms_(start_ms) {}
  int64_t NowMs() const override { return now_ms_; }
  bool manual() const override { return true; }
  // Moves to `to_ms` if it is later than now; an earlier instant is ignored.
  void AdvanceTo(int64_t to_ms) {
    if (to_ms > now_ms_) now_ms_ = to_ms;
  }

 private:
  int64_t now_ms_;
};

}  // namespace slad::api

#endif  // SLAD_API_CLOCK_H_
