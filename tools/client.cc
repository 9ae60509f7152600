#include "tools/client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace slad::tools {
namespace {

// recv() that also takes the kernel's receive timestamp of the data
// (SCM_TIMESTAMPNS) into *rx_unix_ns when there is one.
ssize_t RecvStamped(int fd, char* data, size_t size, int64_t* rx_unix_ns) {
  iovec iov{data, size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  *rx_unix_ns = 0;
  const ssize_t n = recvmsg(fd, &msg, 0);
  if (n <= 0) return n;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
       c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
      *rx_unix_ns = int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
    }
  }
  return n;
}

}  // namespace

absl::Status SplitHostPort(absl::string_view addr, std::string* host,
                           uint16_t* port) {
  const size_t colon = addr.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", addr, "\" is not HOST:PORT"));
  }
  absl::string_view h = addr.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  }
  int p = 0;
  if (!absl::SimpleAtoi(addr.substr(colon + 1), &p) || p < 1 || p > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", addr, "\" has no valid port"));
  }
  *host = std::string(h);
  *port = static_cast<uint16_t>(p);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<LineClient>> LineClient::Dial(
    absl::string_view addr) {
  std::string host;
  uint16_t port = 0;
  if (absl::Status s = SplitHostPort(addr, &host, &port); !s.ok()) return s;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
      rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve ", host, ": ", gai_strerror(rc)));
  }
  int last_errno = 0;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                          ai->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      freeaddrinfo(list);
      // Small request lines must not wait for Nagle.
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      return std::unique_ptr<LineClient>(new LineClient(fd));
    }
    last_errno = errno;
    close(fd);
  }
  freeaddrinfo(list);
  return absl::UnavailableError(absl::StrCat(
      "cannot connect to ", addr, ": ", std::strerror(last_errno)));
}

LineClient::~LineClient() { close(fd_); }

absl::Status LineClient::Write(absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::UnavailableError(
          absl::StrCat("connection lost: ", std::strerror(errno)));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

void LineClient::EnableReceiveTimestamps() {
  const int on = 1;
  timestamps_ =
      setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) == 0;
}

absl::Status LineClient::Fill() {
  // Drop consumed bytes once they dominate, so the buffer stays small.
  if (begin_ > 0 && begin_ * 2 >= end_) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  constexpr size_t kRead = 65536;
  if (buf_.size() - end_ < kRead) buf_.resize(end_ + kRead);
  ssize_t n;
  do {
    if (timestamps_) {
      n = RecvStamped(fd_, buf_.data() + end_, kRead, &rx_unix_ns_);
    } else {
      n = recv(fd_, buf_.data() + end_, kRead, 0);
    }
  } while (n < 0 && errno == EINTR);
  if (n == 0) return absl::UnavailableError("connection closed by the server");
  if (n < 0 && read_timeout_ms_ > 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "no reply within ", read_timeout_ms_ / 1000.0, " s (--timeout)"));
  }
  if (n < 0) {
    return absl::UnavailableError(
        absl::StrCat("connection lost: ", std::strerror(errno)));
  }
  end_ += static_cast<size_t>(n);
  return absl::OkStatus();
}

size_t LineClient::FindNewline(size_t from) const {
  if (from >= end_) return kNone;
  const void* nl = std::memchr(buf_.data() + from, '\n', end_ - from);
  return nl == nullptr ? kNone
                       : static_cast<size_t>(static_cast<const char*>(nl) -
                                             buf_.data());
}

bool LineClient::ReadBufferedLine(absl::string_view* line) {
  const size_t nl = FindNewline(begin_);
  if (nl == kNone) return false;
  *line = absl::string_view(buf_.data() + begin_, nl - begin_);
  begin_ = nl + 1;
  return true;
}

absl::Status LineClient::ReadLine(absl::string_view* line) {
  size_t scanned = begin_;
  while (true) {
    const size_t nl = FindNewline(scanned);
    if (nl != kNone) {
      *line = absl::string_view(buf_.data() + begin_, nl - begin_);
      begin_ = nl + 1;
      return absl::OkStatus();
    }
    const size_t unread = end_ - begin_;
    if (absl::Status s = Fill(); !s.ok()) return s;
    scanned = begin_ + unread;  // Fill may have moved the data to 0
  }
}

absl::Status LineClient::ReadExact(size_t n, absl::string_view* body) {
  while (end_ - begin_ < n + 2) {
    if (absl::Status s = Fill(); !s.ok()) return s;
  }
  *body = absl::string_view(buf_.data() + begin_, n);
  begin_ += n + 2;
  return absl::OkStatus();
}

absl::StatusOr<bool> LineClient::ReadOnce(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  int rc;
  do {
    rc = poll(&p, 1, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return absl::UnavailableError(std::strerror(errno));
  if (rc == 0) return false;
  if (absl::Status s = Fill(); !s.ok()) return s;
  return true;
}

absl::StatusOr<bool> LineClient::WaitReadable(int timeout_ms) {
  if (HasBufferedLine()) return true;
  absl::StatusOr<bool> read = ReadOnce(timeout_ms);
  if (!read.ok() || !*read) return read;
  // Take whatever else is already there (up to ~1 MiB) without blocking:
  // one wakeup per burst instead of one per 64 KiB.
  for (int i = 0; i < 16; ++i) {
    pollfd q{fd_, POLLIN, 0};
    if (poll(&q, 1, 0) != 1) break;
    if (absl::Status s = Fill(); !s.ok()) return s;
  }
  return true;
}

void LineClient::SetReadTimeout(int ms) {
  read_timeout_ms_ = ms;
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

}  // namespace slad::tools
