// Calendar::Add / Between against the minute-stepping reference, at 1 h,
// 3 working days and 90 working days of business time, on the default
// policy's cn_office calendar (2026 holidays and make-up days).
//   build-cal/bench/calendar_benchmark
// Bar (issue 4): <= 200 ns/op at any duration, index warm.

#include <cstdint>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "config/policy_file.h"
#include "engine/calendar.h"
#include "tests/testing/naive_calendar.h"

namespace slad::engine {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayLengthMs = 8 * kHourMs;  // cn_office: 1wd = 8h
constexpr int kStarts = 1024;                  // a power of two

Calendar CnOffice() {
  return config::LoadDefaultPolicy()->calendars.at("cn_office");
}

// Random starts over 2026, so neither branch predictor nor cache sees the
// same query twice in a row.
std::vector<int64_t> Starts() {
  std::mt19937_64 rng(2026);
  const int64_t jan1 = 1767225600000;  // 2026-01-01T00:00Z
  std::vector<int64_t> starts(kStarts);
  for (int64_t& s : starts) s = jan1 + rng() % (300 * 24 * kHourMs);
  return starts;
}

void BM_CalendarAdd(benchmark::State& state) {
  Calendar cal = CnOffice();
  const std::vector<int64_t> starts = Starts();
  const int64_t d = state.range(0);
  for (int64_t s : starts) benchmark::DoNotOptimize(cal.Add(s, d));  // warm
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.Add(starts[i++ & (kStarts - 1)], d));
  }
}

void BM_CalendarBetween(benchmark::State& state) {
  Calendar cal = CnOffice();
  const std::vector<int64_t> starts = Starts();
  std::vector<int64_t> ends;
  for (int64_t s : starts) ends.push_back(*cal.Add(s, state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kStarts - 1);
    benchmark::DoNotOptimize(cal.Between(starts[k], ends[k]));
  }
}

// The first query of a fresh calendar: Create() plus building the index.
void BM_CalendarCreateAndFirstAdd(benchmark::State& state) {
  const CalendarSpec spec = CnOffice().spec();
  for (auto _ : state) {
    Calendar cal = *Calendar::Create(spec);
    benchmark::DoNotOptimize(cal.Add(1767225600000, state.range(0)));
  }
}

void BM_NaiveAdd(benchmark::State& state) {
  const testing::NaiveCalendar naive(CnOffice().spec());
  const std::vector<int64_t> starts = Starts();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        naive.Add(starts[i++ & (kStarts - 1)], state.range(0)));
  }
}

void BM_NaiveBetween(benchmark::State& state) {
  Calendar cal = CnOffice();
  const testing::NaiveCalendar naive(cal.spec());
  const std::vector<int64_t> starts = Starts();
  std::vector<int64_t> ends;
  for (int64_t s : starts) ends.push_back(*cal.Add(s, state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kStarts - 1);
    benchmark::DoNotOptimize(naive.Between(starts[k], ends[k]));
  }
}

// 1 h, 3 working days, 90 working days of business time.
void Durations(benchmark::internal::Benchmark* b) {
  b->Arg(kHourMs)->Arg(3 * kDayLengthMs)->Arg(90 * kDayLengthMs);
}

BENCHMARK(BM_CalendarAdd)->Apply(Durations);
BENCHMARK(BM_CalendarBetween)->Apply(Durations);
BENCHMARK(BM_CalendarCreateAndFirstAdd)->Arg(kHourMs)->Arg(90 * kDayLengthMs);
BENCHMARK(BM_NaiveAdd)->Apply(Durations);
BENCHMARK(BM_NaiveBetween)->Apply(Durations);

}  // namespace
}  // namespace slad::engine

BENCHMARK_MAIN();
