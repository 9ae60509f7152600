#ifndef SLAD_API_LINE_LOOKAHEAD_H_
#define SLAD_API_LINE_LOOKAHEAD_H_

// The ticket ids of the request lines ahead of the one a session handles,
// sniffed from their text (SniffStringMember, no parse), so that the
// engine starts their memory misses while the lines before them run
// (Engine::Prefetch): the id table's probe position kFar lines ahead, the
// record found there kNear lines ahead. A pipelining client's read holds
// dozens of lines, and at a million tickets each one's lookup is
// otherwise a few cache misses in a row that the next line waits behind.
//
// Reads only the bytes it is given; a wrong id costs a useless prefetch.
// Thread-safety: none; a stack object of one Session::Consume call.

#include <array>
#include <cstddef>
#include <cstring>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "api/json_scan.h"
#include "engine/engine.h"

namespace slad::api {

class LineLookahead {
 public:
  using Hint = engine::Engine::Hint;
  using HintFn = absl::FunctionRef<void(absl::string_view id, Hint hint)>;
  static constexpr size_t kFar = 8, kNear = 4;

  // The chunk [begin, end) as read: its lines are what '\n' ends, the last
  // one possibly cut short (its id is then a guess like any other).
  // `hint` must outlive this object.
  LineLookahead(const char* begin, const char* end, HintFn hint)
      : hint_(hint), next_(begin), end_(end) {}

  // Before the chunk's next line is handled (the first call: line 0). By
  // its return that line has had both hints, the probe first.
  void Advance() {
    while (sniffed_ < handled_ + kFar && next_ < end_) {
      const char* nl =
          static_cast<const char*>(std::memchr(next_, '\n', end_ - next_));
      const char* line_end = nl != nullptr ? nl : end_;
      absl::string_view& id = ids_[sniffed_ % kFar];
      id = SniffStringMember(absl::string_view(next_, line_end - next_), "id");
      hint_(id, Hint::kProbe);
      next_ = nl != nullptr ? nl + 1 : end_;
      ++sniffed_;
    }
    if (handled_ == 0) {
      // The chunk's first lines have no head start for their records:
      // given after every probe above, so that those misses overlap.
      for (size_t j = 0; j < kNear && j < sniffed_; ++j) {
        hint_(ids_[j], Hint::kRecord);
      }
    }
    if (handled_ + kNear < sniffed_) {
      hint_(ids_[(handled_ + kNear) % kFar], Hint::kRecord);
    }
    ++handled_;
  }

 private:
  HintFn hint_;
  const char* next_;
  const char* const end_;
  // Ring of sniffed ids: line j's at j % kFar. Each line sniffed takes the
  // place of the one handled before it, whose hints are all given.
  std::array<absl::string_view, kFar> ids_;
  size_t sniffed_ = 0;
  size_t handled_ = 0;
};

}  // namespace slad::api

#endif  // SLAD_API_LINE_LOOKAHEAD_H_
