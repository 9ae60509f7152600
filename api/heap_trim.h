#ifndef SLAD_API_HEAP_TRIM_H_
#define SLAD_API_HEAP_TRIM_H_

#include <cstddef>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace slad::api {

// Hands the heap's free pages back to the kernel every `interval`
// (glibc's malloc_trim), on a thread of its own.
//
// Why: memory freed inside malloc's heap stays resident. RocksDB frees a
// memtable's blocks at every flush and the loop frees request buffers
// between long-lived index nodes; at 10M tickets that was 40–65 MB, 4–7
// bytes of the 200 per open ticket (docs/BENCHMARKS.md). Trimming at once
// on each free would fault the same pages in again at the next memtable
// (a fixed mmap threshold, which did that, cost 10 % of throughput); once
// in a while bounds that to the pages reused since the last trim.
//
// Each arena is locked while it is trimmed (14–25 ms at 10M tickets): a
// thread allocating from it waits that long. Returning a range inside a
// transparent huge page splits the page.
//
// Thread-safety: construct and destroy on one thread; nothing else is
// called. The destructor stops and joins the thread.
class HeapTrimmer {
 public:
  // A zero or negative interval starts no thread. `trim` stands in for
  // malloc_trim in tests.
  explicit HeapTrimmer(absl::Duration interval,
                       std::function<void()> trim = nullptr);
  ~HeapTrimmer();
  HeapTrimmer(const HeapTrimmer&) = delete;
  HeapTrimmer& operator=(const HeapTrimmer&) = delete;

  // Trims so far (for tests).
  size_t trims() const;

 private:
  void Loop(absl::Duration interval);

  std::function<void()> trim_;
  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  size_t trims_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace slad::api

#endif  // SLAD_API_HEAP_TRIM_H_
