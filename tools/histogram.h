#ifndef SLAD_TOOLS_HISTOGRAM_H_
#define SLAD_TOOLS_HISTOGRAM_H_

// A log-linear histogram of non-negative integers (latencies in µs,
// lateness in ms), HDR style: exact below 256, then 128 buckets per power
// of two, so every recorded value is reported within 1/128 (< 0.8 %) of
// itself. Fixed memory (~60 KiB), no allocation per Record.
//
// Thread-safety: none; slaload keeps one per thread and merges at the end.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace slad::tools {

class Histogram {
 public:
  Histogram();

  // Records `value` (negative values count as 0).
  void Record(int64_t value);
  // Adds every count of `other`.
  void Merge(const Histogram& other);

  int64_t count() const { return count_; }
  int64_t max() const { return max_; }
  double mean() const;
  // The smallest recorded value v such that at least `q` (0..1) of all
  // values are ≤ v, to within the bucket's width (the bucket's upper
  // bound, capped at max()); 0 when empty.
  int64_t Quantile(double q) const;

 private:
  static size_t BucketOf(uint64_t value);
  static uint64_t UpperBound(size_t bucket);

  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace slad::tools

#endif  // SLAD_TOOLS_HISTOGRAM_H_
