#include "tools/histogram.h"

#include <algorithm>
#include <bit>

namespace slad::tools {
namespace {

// Values below kExact get a bucket each. From there on a value with its
// top bit at position msb (≥ 8) falls in group msb - 8, whose 128 buckets
// split [2^msb, 2^(msb+1)) evenly by the 7 bits below the top one.
constexpr uint64_t kExact = 256;
constexpr int kSubBits = 7;
constexpr size_t kSub = 1 << kSubBits;
constexpr size_t kGroups = 64 - 8;

}  // namespace

Histogram::Histogram() : counts_(kExact + kGroups * kSub, 0) {}

size_t Histogram::BucketOf(uint64_t value) {
  if (value < kExact) return value;
  const int msb = 63 - std::countl_zero(value);
  const int shift = msb - kSubBits;
  const uint64_t sub = (value >> shift) - kSub;  // 0..127
  return kExact + static_cast<size_t>(msb - 8) * kSub + sub;
}

uint64_t Histogram::UpperBound(size_t bucket) {
  if (bucket < kExact) return bucket;
  const size_t group = (bucket - kExact) / kSub;
  const uint64_t sub = (bucket - kExact) % kSub;
  const int shift = static_cast<int>(group) + 8 - kSubBits;
  return ((kSub + sub + 1) << shift) - 1;
}

void Histogram::Record(int64_t value) {
  const uint64_t v = value < 0 ? 0 : static_cast<uint64_t>(value);
  ++counts_[BucketOf(v)];
  ++count_;
  max_ = std::max<int64_t>(max_, static_cast<int64_t>(v));
  sum_ += static_cast<double>(v);
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double Histogram::mean() const {
  return count_ == 0 ? 0 : sum_ / static_cast<double>(count_);
}

int64_t Histogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  const int64_t rank = std::max<int64_t>(
      1, static_cast<int64_t>(q * static_cast<double>(count_) + 0.999999));
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::min<int64_t>(static_cast<int64_t>(UpperBound(i)), max_);
    }
  }
  return max_;
}

}  // namespace slad::tools
