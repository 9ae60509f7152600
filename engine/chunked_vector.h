#ifndef SLAD_ENGINE_CHUNKED_VECTOR_H_
#define SLAD_ENGINE_CHUNKED_VECTOR_H_

#include <sys/mman.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace slad::engine {

// An indexable array that grows by fixed chunks: growing never moves an
// element (no copy of millions of records, no pause on the event loop) and
// never holds more than one spare chunk (a std::vector's doubling can leave
// half its memory unused).
//
// A chunk is a whole number of 2 MiB pages aligned on 2 MiB (a power of
// two of elements where that fits in three), mapped on its own and marked
// for transparent huge pages: one page fault instead of 512 per 2 MiB.
// With 4 KiB pages, first touching the 1.3 GB of 10M tickets took 5-8 s
// of page faults on the benchmark machine
// (docs/BENCHMARKS.md, "Third session"). The chunks are not taken from
// malloc: an aligned allocation from its heap leaves the alignment gap
// beside each chunk for small blocks, and each of those, once touched,
// made a huge page of its own resident (RSS at 10M tickets grew by
// 0.8 GB).
//
// Thread-safety: none. Elements are value-initialized when their chunk is
// allocated; EnsureSize() never shrinks.
template <typename T>
class ChunkedVector {
 public:
  // Where it takes at most three 2 MiB pages, a chunk holds a power of two
  // of elements filling them exactly, so that an index splits into chunk
  // and offset by a shift and a mask (a division by 87,381 made every
  // access of the timer wheel's then 24-byte nodes ~50 % slower): 2 MiB of
  // 128-byte tickets or 16-byte timer nodes, 6 MiB of 24-byte elements
  // (sizeof(T) = 2^k * m takes m pages). Other sizes fill one 2 MiB page as
  // best they can.
  static constexpr size_t kHugePage = size_t{2} << 20;
  static constexpr size_t kOddPart = sizeof(T) >> std::countr_zero(sizeof(T));
  static constexpr size_t kChunkBytes = kOddPart <= 3 ? kHugePage * kOddPart : kHugePage;
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
  size_t capacity() const { return chunks_.size() * kChunk; }

  // Maps (and value-initializes) the chunks for `n` elements; size()
  // stays as it is.
  void Reserve(size_t n) {
    while (capacity() < n) chunks_.push_back(NewChunk());
  }
  void EnsureSize(size_t n) {
    Reserve(n);
    if (n > size_) size_ = n;
  }

 private:
  struct FreeChunk {
    void operator()(T* p) const {
      std::destroy_n(p, kChunk);
      munmap(p, kChunkBytes);
    }
  };
  using Chunk = std::unique_ptr<T, FreeChunk>;

  // Maps a huge page more than the chunk and keeps the aligned chunk
  // inside it.
  static Chunk NewChunk() {
    const size_t span = kChunkBytes + kHugePage;
    void* mapped = mmap(nullptr, span, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    const uintptr_t begin = reinterpret_cast<uintptr_t>(mapped);
    const uintptr_t aligned = (begin + kHugePage - 1) & ~(kHugePage - 1);
    if (aligned > begin) munmap(mapped, aligned - begin);
    const uintptr_t end = aligned + kChunkBytes;
    if (begin + span > end) munmap(reinterpret_cast<void*>(end), begin + span - end);
    T* p = reinterpret_cast<T*>(aligned);
    // Advice only: where the kernel has no huge pages this changes nothing.
    (void)madvise(p, kChunkBytes, MADV_HUGEPAGE);
    std::uninitialized_value_construct_n(p, kChunk);
    return Chunk(p);
  }

  std::vector<Chunk> chunks_;
  size_t size_ = 0;
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_CHUNKED_VECTOR_H_
