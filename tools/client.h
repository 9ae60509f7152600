#ifndef SLAD_TOOLS_CLIENT_H_
#define SLAD_TOOLS_CLIENT_H_

// A small blocking TCP client for line protocols: slad's NDJSON (slactl,
// slaload) and Redis's RESP (slaload --redis). POSIX sockets, no event
// loop: one LineClient per connection, each driven by one thread.
//
// Thread-safety: none; a LineClient belongs to the thread that uses it.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace slad::tools {

// "HOST:PORT" (HOST a name or an IPv4 address; "[v6]:PORT" too) split.
// InvalidArgument when there is no port or it is not 1..65535.
absl::Status SplitHostPort(absl::string_view addr, std::string* host,
                           uint16_t* port);

class LineClient {
 public:
  // Connects to `addr` ("HOST:PORT"). Unavailable when nothing listens or
  // the name does not resolve; InvalidArgument for a malformed address.
  static absl::StatusOr<std::unique_ptr<LineClient>> Dial(
      absl::string_view addr);

  ~LineClient();
  LineClient(const LineClient&) = delete;
  LineClient& operator=(const LineClient&) = delete;

  // Writes all of `data`. Unavailable when the connection is lost.
  absl::Status Write(absl::string_view data);

  // Reads the next line into *line (without its "\n"; a trailing "\r" is
  // kept). Blocks until a whole line is buffered. Unavailable on EOF or a
  // read error. *line points into the client's buffer and is valid until
  // the next call.
  absl::Status ReadLine(absl::string_view* line);

  // Like ReadLine but never blocks: false when no whole line is buffered.
  bool ReadBufferedLine(absl::string_view* line);

  // Whether a whole line is buffered (ReadLine would not block).
  bool HasBufferedLine() const { return FindNewline(begin_) != kNone; }

  // Reads exactly `n` bytes plus the "\r\n" that follows (a RESP bulk
  // string's body) into *body. Unavailable on EOF.
  absl::Status ReadExact(size_t n, absl::string_view* body);

  // Waits up to `timeout_ms` for data; true when some arrived (or is
  // buffered), false on timeout. Unavailable on EOF or error.
  absl::StatusOr<bool> WaitReadable(int timeout_ms);

  // Waits up to `timeout_ms` for data and reads once (one recv of up to
  // 64 KiB, whatever is there): true when it read some, false on
  // timeout. Unavailable on EOF or error. Unlike WaitReadable it does not
  // go on reading, so the lines it completed can be told apart from
  // later data (and stamped with rx_unix_ns()).
  absl::StatusOr<bool> ReadOnce(int timeout_ms);

  // Bounds each wait of ReadLine, ReadExact and the like for more data:
  // DeadlineExceeded ("no reply within ...") once `ms` pass with none;
  // 0 waits forever (the default).
  void SetReadTimeout(int ms);

  int fd() const { return fd_; }

  // Asks the kernel to stamp received data (SO_TIMESTAMPNS, system clock).
  // Afterwards rx_unix_ns() is when the data of the latest read reached
  // the socket (of the last packet that read took); 0 before any read,
  // when the kernel refused, or for a read without a stamp (the kernel
  // turns stamping on lazily: the first packets may have none). It does not depend on when this thread got
  // to run, which the caller's own clock reading does.
  void EnableReceiveTimestamps();
  int64_t rx_unix_ns() const { return rx_unix_ns_; }

 private:
  explicit LineClient(int fd) : fd_(fd) {}
  static constexpr size_t kNone = static_cast<size_t>(-1);
  // Reads what the socket has (blocking for at least one byte).
  absl::Status Fill();
  // The position of the first '\n' at or after `from` in the unread data;
  // kNone when there is none.
  size_t FindNewline(size_t from) const;

  int fd_;
  // Unread data is buf_[begin_, end_); the rest of buf_ is room for the
  // next read. buf_ only grows, so a read does not zero 64 KiB first
  // (resizing a string per read was 7 % of slaload's CPU).
  std::string buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool timestamps_ = false;
  int read_timeout_ms_ = 0;
  int64_t rx_unix_ns_ = 0;
};

}  // namespace slad::tools

#endif  // SLAD_TOOLS_CLIENT_H_
