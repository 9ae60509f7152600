#ifndef SLAD_TOOLS_LINE_READER_H_
#define SLAD_TOOLS_LINE_READER_H_

#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"

namespace slad::tools {

// LineReader splits a stream into lines, reading it in large chunks.
//
// Thread-safety: none. Memory: one buffer of chunk_bytes + max_line_bytes,
// allocated at construction; the returned views point into it and are
// valid until the next call to Next(). Borrows `in`, which must outlive it.
class LineReader {
 public:
  static constexpr size_t kDefaultChunkBytes = 1 << 20;

  LineReader(std::FILE* in, size_t max_line_bytes,
             size_t chunk_bytes = kDefaultChunkBytes);

  // The next line, without its "\n" (a last line without one counts).
  // False at the end of the input or on a read error (see error()). A line
  // longer than max_line_bytes is skipped up to its "\n" and reported with
  // *too_long set and an empty *line.
  bool Next(absl::string_view* line, bool* too_long);

  bool error() const { return error_; }

 private:
  // Moves the unread bytes to the front and reads more after them.
  // False when nothing more could be read.
  bool Fill();

  std::FILE* const in_;
  const size_t max_line_bytes_;
  std::string buffer_;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // one past the last byte read
  bool eof_ = false;
  bool error_ = false;
};

}  // namespace slad::tools

#endif  // SLAD_TOOLS_LINE_READER_H_
