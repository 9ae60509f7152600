// The timing wheel against the two usual alternatives, behind one interface
// so one harness measures all three in the same run: std::multimap (what a
// first version writes) and a binary heap with handles (an indexed heap,
// what most event loops use). docs/BENCHMARKS.md records the figures.
//
// Each benchmark holds N live timers with deadlines spread uniformly over
// one minute to 30 days. Per-op figures are the `per_op` counter. The second
// argument is the order in which existing timers are touched: 0 = the order
// they were scheduled in, 1 = random (the realistic order of ticket events).

#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "engine/timer_wheel.h"

namespace slad::engine {
namespace {

constexpr int64_t kNowMs = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kSpreadMs = 30LL * 86'400'000;
constexpr int64_t kStepMs = 1'000;  // the expiry loop advances 1 s at a time

struct Workload {
  std::vector<int64_t> deadline;      // first schedule, per timer
  std::vector<int64_t> new_deadline;  // reschedule target, per timer
  std::vector<uint32_t> order;        // touch order: identity or shuffled
};

const Workload& GetWorkload(size_t n, bool random_order) {
  static std::map<std::pair<size_t, bool>, Workload> cache;
  Workload& w = cache[{n, random_order}];
  if (!w.deadline.empty()) return w;
  std::mt19937_64 rng(n);
  std::uniform_int_distribution<int64_t> spread(kMinuteMs, kSpreadMs);
  w.deadline.resize(n);
  w.new_deadline.resize(n);
  for (size_t i = 0; i < n; ++i) {
    w.deadline[i] = kNowMs + spread(rng);
    w.new_deadline[i] = kNowMs + spread(rng);
  }
  w.order.resize(n);
  std::iota(w.order.begin(), w.order.end(), 0u);
  if (random_order) std::shuffle(w.order.begin(), w.order.end(), rng);
  return w;
}

size_t HeapBytesInUse() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// --- The three implementations, one interface: ids 0..n-1 preallocated.

class WheelTimers {
 public:
  WheelTimers(int64_t now_ms, size_t n) : wheel_(now_ms) {
    wheel_.Reserve(n);
    handles_.reserve(n);
    for (size_t i = 0; i < n; ++i) handles_.push_back(wheel_.Allocate());
  }
  void Schedule(uint32_t id, int64_t d) { (void)wheel_.Schedule(handles_[id], d); }
  void Cancel(uint32_t id) { (void)wheel_.Cancel(handles_[id]); }
  void Reschedule(uint32_t id, int64_t d) {
    (void)wheel_.Reschedule(handles_[id], d);
  }
  size_t Advance(int64_t now_ms) {
    return wheel_.Advance(now_ms, [](TimerHandle h, int64_t) {
      benchmark::DoNotOptimize(h);
    });
  }
  // The wheel's own bytes; handles_ belongs to the caller (the engine keeps
  // one handle inside each ticket record).
  size_t OwnBytes() const { return wheel_.MemoryBytes(); }

 private:
  TimerWheel wheel_;
  std::vector<TimerHandle> handles_;
};

class MultimapTimers {
 public:
  MultimapTimers(int64_t now_ms, size_t n) : now_ms_(now_ms), where_(n), armed_(n) {}
  void Schedule(uint32_t id, int64_t d) {
    where_[id] = timers_.emplace(d, id);
    armed_[id] = true;
  }
  void Cancel(uint32_t id) {
    if (!armed_[id]) return;
    timers_.erase(where_[id]);
    armed_[id] = false;
  }
  void Reschedule(uint32_t id, int64_t d) {
    Cancel(id);
    Schedule(id, d);
  }
  size_t Advance(int64_t now_ms) {
    now_ms_ = std::max(now_ms_, now_ms);
    size_t fired = 0;
    while (!timers_.empty() && timers_.begin()->first <= now_ms_) {
      const uint32_t id = timers_.begin()->second;
      timers_.erase(timers_.begin());
      armed_[id] = false;
      benchmark::DoNotOptimize(id);
      ++fired;
    }
    return fired;
  }
  size_t OwnBytes() const { return 0; }  // measured from the heap instead

 private:
  int64_t now_ms_;
  std::multimap<int64_t, uint32_t> timers_;
  std::vector<std::multimap<int64_t, uint32_t>::iterator> where_;
  std::vector<bool> armed_;
};

// A binary min-heap ordered by (deadline, schedule sequence) with a position
// index per id, so cancel and reschedule are O(log n) sift operations.
class HeapTimers {
 public:
  HeapTimers(int64_t now_ms, size_t n) : now_ms_(now_ms), pos_(n, kNone) {
    heap_.reserve(n);
  }
  void Schedule(uint32_t id, int64_t d) {
    pos_[id] = static_cast<uint32_t>(heap_.size());
    heap_.push_back(Entry{d, seq_++, id});
    SiftUp(pos_[id]);
  }
  void Cancel(uint32_t id) {
    const uint32_t at = pos_[id];
    if (at == kNone) return;
    pos_[id] = kNone;
    const Entry last = heap_.back();
    heap_.pop_back();
    if (at == heap_.size()) return;
    Place(at, last);
    SiftUp(at);
    SiftDown(pos_[last.id]);
  }
  void Reschedule(uint32_t id, int64_t d) {
    const uint32_t at = pos_[id];
    if (at == kNone) return Schedule(id, d);
    heap_[at].deadline_ms = d;
    heap_[at].seq = seq_++;
    SiftUp(at);
    SiftDown(pos_[id]);
  }
  size_t Advance(int64_t now_ms) {
    now_ms_ = std::max(now_ms_, now_ms);
    size_t fired = 0;
    while (!heap_.empty() && heap_[0].deadline_ms <= now_ms_) {
      const uint32_t id = heap_[0].id;
      Cancel(id);
      benchmark::DoNotOptimize(id);
      ++fired;
    }
    return fired;
  }
  size_t OwnBytes() const { return 0; }

 private:
  struct Entry {
    int64_t deadline_ms;
    uint64_t seq;
    uint32_t id;
  };
  static constexpr uint32_t kNone = 0xFFFFFFFFu;
  static bool Before(const Entry& a, const Entry& b) {
    return a.deadline_ms != b.deadline_ms ? a.deadline_ms < b.deadline_ms
                                          : a.seq < b.seq;
  }
  void Place(uint32_t at, const Entry& e) {
    heap_[at] = e;
    pos_[e.id] = at;
  }
  void SiftUp(uint32_t at) {
    const Entry e = heap_[at];
    while (at > 0) {
      const uint32_t parent = (at - 1) / 2;
      if (!Before(e, heap_[parent])) break;
      Place(at, heap_[parent]);
      at = parent;
    }
    Place(at, e);
  }
  void SiftDown(uint32_t at) {
    const Entry e = heap_[at];
    const uint32_t n = static_cast<uint32_t>(heap_.size());
    for (;;) {
      uint32_t child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && Before(heap_[child + 1], heap_[child])) ++child;
      if (!Before(heap_[child], e)) break;
      Place(at, heap_[child]);
      at = child;
    }
    Place(at, e);
  }

  int64_t now_ms_;
  uint64_t seq_ = 0;
  std::vector<Entry> heap_;
  std::vector<uint32_t> pos_;
};

// --- The harness.

void ReportPerOp(benchmark::State& state, size_t ops_per_iteration) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() *
                                               ops_per_iteration));
  state.counters["per_op"] = benchmark::Counter(
      static_cast<double>(ops_per_iteration),
      benchmark::Counter::kIsIterationInvariantRate |
          benchmark::Counter::kInvert);
}

// Builds a structure holding every timer of `w`, outside the timed region.
template <typename Timers>
std::unique_ptr<Timers> Loaded(const Workload& w) {
  auto timers = std::make_unique<Timers>(kNowMs, w.deadline.size());
  for (uint32_t id = 0; id < w.deadline.size(); ++id) {
    timers->Schedule(id, w.deadline[id]);
  }
  return timers;
}

template <typename Timers>
void BM_Schedule(benchmark::State& state) {
  const Workload& w = GetWorkload(state.range(0), false);
  const size_t n = w.deadline.size();
  size_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const size_t heap_before = HeapBytesInUse();
    auto timers = std::make_unique<Timers>(kNowMs, n);
    state.ResumeTiming();
    for (uint32_t id = 0; id < n; ++id) timers->Schedule(id, w.deadline[id]);
    state.PauseTiming();
    bytes = timers->OwnBytes() ? timers->OwnBytes()
                               : HeapBytesInUse() - heap_before;
    timers.reset();
    state.ResumeTiming();
  }
  ReportPerOp(state, n);
  state.counters["bytes_per_timer"] = static_cast<double>(bytes) / n;
}

template <typename Timers>
void BM_Cancel(benchmark::State& state) {
  const Workload& w = GetWorkload(state.range(0), state.range(1) != 0);
  for (auto _ : state) {
    state.PauseTiming();
    auto timers = Loaded<Timers>(w);
    state.ResumeTiming();
    for (uint32_t id : w.order) timers->Cancel(id);
    state.PauseTiming();
    timers.reset();
    state.ResumeTiming();
  }
  ReportPerOp(state, w.order.size());
}

template <typename Timers>
void BM_Reschedule(benchmark::State& state) {
  const Workload& w = GetWorkload(state.range(0), state.range(1) != 0);
  for (auto _ : state) {
    state.PauseTiming();
    auto timers = Loaded<Timers>(w);
    state.ResumeTiming();
    for (uint32_t id : w.order) timers->Reschedule(id, w.new_deadline[id]);
    state.PauseTiming();
    timers.reset();
    state.ResumeTiming();
  }
  ReportPerOp(state, w.order.size());
}

// Expires every timer by advancing a second at a time over the whole spread,
// as an event loop does; the figure is time per fired timer, cascading and
// the empty steps included.
template <typename Timers>
void BM_Expire(benchmark::State& state) {
  const Workload& w = GetWorkload(state.range(0), false);
  size_t fired = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto timers = Loaded<Timers>(w);
    state.ResumeTiming();
    fired = 0;
    for (int64_t t = kNowMs; t <= kNowMs + kSpreadMs + kStepMs; t += kStepMs) {
      fired += timers->Advance(t);
    }
    state.PauseTiming();
    timers.reset();
    state.ResumeTiming();
  }
  if (fired != w.deadline.size()) state.SkipWithError("not every timer fired");
  ReportPerOp(state, w.deadline.size());
}

// 4096 is the smoke size CTest runs so the harness cannot rot; 1M and 10M
// are the figures. Touch order matters only where existing timers are hit.
void Sizes(benchmark::internal::Benchmark* b) {
  for (int64_t n : {4096, 1000000, 10000000}) b->Args({n, 0});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}
void SizesAndOrders(benchmark::internal::Benchmark* b) {
  for (int64_t n : {4096, 1000000, 10000000}) {
    b->Args({n, 0})->Args({n, 1});
  }
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

#define SLAD_TIMER_BENCHMARKS(Timers)                              \
  BENCHMARK_TEMPLATE(BM_Schedule, Timers)->Apply(Sizes);           \
  BENCHMARK_TEMPLATE(BM_Cancel, Timers)->Apply(SizesAndOrders);    \
  BENCHMARK_TEMPLATE(BM_Reschedule, Timers)->Apply(SizesAndOrders); \
  BENCHMARK_TEMPLATE(BM_Expire, Timers)->Apply(Sizes)

SLAD_TIMER_BENCHMARKS(WheelTimers);
SLAD_TIMER_BENCHMARKS(HeapTimers);
SLAD_TIMER_BENCHMARKS(MultimapTimers);

}  // namespace
}  // namespace slad::engine

BENCHMARK_MAIN();
