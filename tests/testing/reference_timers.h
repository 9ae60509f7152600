#ifndef SLAD_TESTS_TESTING_REFERENCE_TIMERS_H_
#define SLAD_TESTS_TESTING_REFERENCE_TIMERS_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>

namespace slad::testing {

// The plain model a TimerWheel must agree with: a multimap of deadline → id.
// std::multimap inserts after existing equal keys, so ties are in schedule
// order; Advance pops the minimum while it is due, so timers armed by a
// callback fire in the same call when due. Thread-safety: none.
class ReferenceTimers {
 public:
  explicit ReferenceTimers(int64_t now_ms) : now_ms_(now_ms) {}

  // Arms or moves `id` to `deadline_ms` (erase + insert, like Reschedule).
  void Schedule(int id, int64_t deadline_ms) {
    Cancel(id);
    where_[id] = timers_.emplace(deadline_ms, id);
  }
  void Cancel(int id) {
    auto it = where_.find(id);
    if (it == where_.end()) return;
    timers_.erase(it->second);
    where_.erase(it);
  }
  bool IsArmed(int id) const { return where_.contains(id); }
  size_t armed() const { return timers_.size(); }
  int64_t now_ms() const { return now_ms_; }

  std::optional<int64_t> NextExpiry() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->first;
  }

  template <typename Fire>
  void Advance(int64_t now_ms, Fire&& fire) {
    now_ms_ = std::max(now_ms_, now_ms);
    while (!timers_.empty() && timers_.begin()->first <= now_ms_) {
      auto [deadline_ms, id] = *timers_.begin();
      where_.erase(id);
      timers_.erase(timers_.begin());
      fire(id, deadline_ms);
    }
  }

 private:
  int64_t now_ms_;
  std::multimap<int64_t, int> timers_;
  std::unordered_map<int, std::multimap<int64_t, int>::iterator> where_;
};

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_REFERENCE_TIMERS_H_
