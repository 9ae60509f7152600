#include "api/heap_trim.h"

#include <malloc.h>

#include <utility>

namespace slad::api {

HeapTrimmer::HeapTrimmer(absl::Duration interval, std::function<void()> trim)
    : trim_(std::move(trim)) {
  if (!trim_) trim_ = [] { malloc_trim(0); };
  if (interval <= absl::ZeroDuration()) return;
  thread_ = std::thread([this, interval] { Loop(interval); });
}

HeapTrimmer::~HeapTrimmer() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

size_t HeapTrimmer::trims() const {
  absl::MutexLock lock(&mu_);
  return trims_;
}

void HeapTrimmer::Loop(absl::Duration interval) {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stop_), interval)) return;
    }
    trim_();
    absl::MutexLock lock(&mu_);
    ++trims_;
  }
}

}  // namespace slad::api
