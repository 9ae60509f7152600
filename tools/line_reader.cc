#include "tools/line_reader.h"

#include <cstring>

namespace slad::tools {

LineReader::LineReader(std::FILE* in, size_t max_line_bytes,
                       size_t chunk_bytes)
    : in_(in), max_line_bytes_(max_line_bytes) {
  buffer_.resize(chunk_bytes + max_line_bytes + 1);
}

bool LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const size_t n =
      std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, in_);
  end_ += n;
  if (n == 0) {
    eof_ = true;
    error_ = std::ferror(in_) != 0;
  }
  return n > 0;
}

// Invariant: [begin_, end_) holds no "\n" before `scanned`, so each byte
// is searched once however often the buffer is refilled.
bool LineReader::Next(absl::string_view* line, bool* too_long) {
  *too_long = false;
  size_t scanned = begin_;
  bool skipping = false;
  for (;;) {
    const char* base = buffer_.data();
    const void* nl = std::memchr(base + scanned, '\n', end_ - scanned);
    if (nl != nullptr) {
      const size_t at = static_cast<const char*>(nl) - base;
      *line = skipping ? absl::string_view()
                       : absl::string_view(base + begin_, at - begin_);
      *too_long = skipping;
      begin_ = at + 1;
      return true;
    }
    if (!skipping && end_ - begin_ > max_line_bytes_) skipping = true;
    if (skipping) begin_ = end_;  // drop what is read of the long line
    scanned = end_ - begin_;
    if (!Fill()) {
      if (skipping) {
        *too_long = true;
        *line = absl::string_view();
        return true;
      }
      if (begin_ == end_) return false;
      *line = absl::string_view(buffer_.data() + begin_, end_ - begin_);
      begin_ = end_;
      return true;
    }
  }
}

}  // namespace slad::tools
