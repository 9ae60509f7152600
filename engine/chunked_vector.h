#ifndef SLAD_ENGINE_CHUNKED_VECTOR_H_
#define SLAD_ENGINE_CHUNKED_VECTOR_H_

#include <cstddef>
#include <memory>
#include <new>
#include <vector>

namespace slad::engine {

// An indexable array that grows by fixed chunks: growing never moves an
// element (no copy of millions of records, no pause on the event loop) and
// never holds more than one spare chunk (a std::vector's doubling can leave
// half its memory unused).
//
// A chunk is one 2 MiB block aligned on 2 MiB, holding as many elements as
// fit: exactly the unit in which the kernel backs memory with a
// transparent huge page where malloc asks for them (slad runs with
// glibc.malloc.hugetlb=1, README). With 4 KiB pages, first touching the
// 1.4 GB of 10M tickets took 5-7 s of page faults on the benchmark
// machine; with huge pages a fraction of that (docs/BENCHMARKS.md,
// "Restart"). Chunks of a power-of-two count would straddle huge pages.
//
// Thread-safety: none. Elements are value-initialized when their chunk is
// allocated; EnsureSize() never shrinks.
template <typename T>
class ChunkedVector {
 public:
  static constexpr size_t kChunkBytes = size_t{2} << 20;
  static constexpr size_t kChunk = kChunkBytes / sizeof(T);
  static_assert(kChunk > 0, "an element larger than a chunk");

  ChunkedVector() = default;
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;

  T& operator[](size_t i) { return chunks_[i / kChunk].get()[i % kChunk]; }
  const T& operator[](size_t i) const {
    return chunks_[i / kChunk].get()[i % kChunk];
  }
  size_t size() const { return size_; }

  void EnsureSize(size_t n) {
    while (chunks_.size() * kChunk < n) chunks_.push_back(NewChunk());
    if (n > size_) size_ = n;
  }

 private:
  static constexpr std::align_val_t kAlign{kChunkBytes};
  struct FreeChunk {
    void operator()(T* p) const {
      std::destroy_n(p, kChunk);
      ::operator delete(p, kAlign);
    }
  };
  using Chunk = std::unique_ptr<T, FreeChunk>;

  static Chunk NewChunk() {
    T* p = static_cast<T*>(::operator new(kChunkBytes, kAlign));
    std::uninitialized_value_construct_n(p, kChunk);
    return Chunk(p);
  }

  std::vector<Chunk> chunks_;
  size_t size_ = 0;
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_CHUNKED_VECTOR_H_
