#ifndef SLAD_ENGINE_CHUNKED_VECTOR_H_
#define SLAD_ENGINE_CHUNKED_VECTOR_H_

#include <cstddef>
#include <memory>
#include <vector>

namespace slad::engine {

// An indexable array that grows by fixed chunks of 2^kChunkBits elements:
// growing never moves an element (no copy of millions of records, no
// pause on the event loop) and never holds more than one spare chunk (a
// std::vector's doubling can leave half its memory unused).
//
// Thread-safety: none. Elements are value-initialized when their chunk is
// allocated; EnsureSize() never shrinks.
template <typename T, int kChunkBits = 12>
class ChunkedVector {
 public:
  static constexpr size_t kChunk = size_t{1} << kChunkBits;

  T& operator[](size_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  const T& operator[](size_t i) const {
    return chunks_[i >> kChunkBits][i & (kChunk - 1)];
  }
  size_t size() const { return size_; }

  void EnsureSize(size_t n) {
    while (chunks_.size() * kChunk < n) {
      chunks_.push_back(std::make_unique<T[]>(kChunk));
    }
    if (n > size_) size_ = n;
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_CHUNKED_VECTOR_H_
