#include "tests/testing/daemon_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <regex>
#include <utility>

namespace slad::testing {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

LineClient::LineClient(LineClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}

LineClient& LineClient::operator=(LineClient&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

LineClient::~LineClient() { Close(); }

LineClient LineClient::Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return LineClient();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return LineClient();
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return LineClient(fd);
}

bool LineClient::SendLine(const std::string& line) {
  return SendRaw(line + "\n");
}

bool LineClient::SendRaw(const std::string& bytes) {
  size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent,
                             MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return fd_ >= 0;
}

std::optional<std::string> LineClient::ReadLine(int timeout_ms) {
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (fd_ >= 0) {
    const size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  return std::nullopt;
}

std::vector<std::string> LineClient::ReadLines(size_t n, int timeout_ms) {
  std::vector<std::string> lines;
  while (lines.size() < n) {
    std::optional<std::string> line = ReadLine(timeout_ms);
    if (!line.has_value()) break;
    lines.push_back(*std::move(line));
  }
  return lines;
}

bool LineClient::WaitForClose(int timeout_ms) {
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (fd_ >= 0) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
  }
  return true;
}

LineClient::End LineClient::ReadToEnd(std::vector<std::string>* lines,
                                     std::string* partial, int timeout_ms) {
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(timeout_ms);
  End end = End::kTimeout;
  while (fd_ >= 0) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, RemainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      end = End::kEof;
      break;
    }
    if (n < 0) {
      end = errno == ECONNRESET ? End::kReset : End::kError;
      break;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  size_t begin = 0;
  for (size_t nl = buffer_.find('\n'); nl != std::string::npos;
       nl = buffer_.find('\n', begin)) {
    lines->push_back(buffer_.substr(begin, nl - begin));
    begin = nl + 1;
  }
  *partial = buffer_.substr(begin);
  buffer_.clear();
  return end;
}

void LineClient::ShutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void LineClient::Close() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  buffer_.clear();
}

pid_t DaemonProcess::Spawn(const std::string& binary,
                           const std::vector<std::string>& args,
                           int* stderr_fd) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDERR_FILENO);
    ::dup2(fds[1], STDOUT_FILENO);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return -1;
  }
  *stderr_fd = fds[0];
  return pid;
}

std::unique_ptr<DaemonProcess> DaemonProcess::Start(
    const std::string& binary, const std::vector<std::string>& args,
    std::string* error, int timeout_ms, const std::function<void(pid_t)>& spawned) {
  std::unique_ptr<DaemonProcess> d(new DaemonProcess);
  int fd = -1;
  d->pid_ = Spawn(binary, args, &fd);
  if (d->pid_ < 0) {
    *error = "cannot start " + binary;
    return nullptr;
  }
  if (spawned) spawned(d->pid_);
  d->reader_ = std::thread([p = d.get(), fd] { p->ReadLog(fd); });
  const std::regex listen_re("listening on [^ ]*:([0-9]+)");
  std::unique_lock<std::mutex> lock(d->mu_);
  std::smatch match;
  const bool ok = d->cv_.wait_for(
      lock, std::chrono::milliseconds(timeout_ms), [&] {
        return std::regex_search(d->log_, match, listen_re) || d->log_closed_;
      });
  if (!ok || d->log_closed_ || match.empty()) {
    *error = "slad did not report a listening port; its log:\n" + d->log_;
    return nullptr;
  }
  d->port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
  return d;
}

int DaemonProcess::RunToExit(const std::string& binary,
                             const std::vector<std::string>& args,
                             std::string* log, int timeout_ms) {
  std::unique_ptr<DaemonProcess> d(new DaemonProcess);
  int fd = -1;
  d->pid_ = Spawn(binary, args, &fd);
  if (d->pid_ < 0) return -1;
  d->reader_ = std::thread([p = d.get(), fd] { p->ReadLog(fd); });
  const int status = d->Wait(timeout_ms);
  *log = d->log();
  return status;
}

void DaemonProcess::ReadLog(int fd) {
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (n <= 0) {
      log_closed_ = true;
      cv_.notify_all();
      break;
    }
    log_.append(chunk, static_cast<size_t>(n));
    cv_.notify_all();
  }
  ::close(fd);
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (reader_.joinable()) reader_.join();
}

std::string DaemonProcess::log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

bool DaemonProcess::WaitForLog(const std::string& text, int timeout_ms) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return log_.find(text) != std::string::npos;
  });
}

void DaemonProcess::Signal(int signal) const {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signal);
}

int DaemonProcess::Wait(int timeout_ms) {
  if (reaped_) return exit_status_;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status)
                                       : 128 + WTERMSIG(status);
      // The reader may not have drained the pipe yet: callers read log()
      // right after Wait() and expect the daemon's last lines in it.
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(5), [&] { return log_closed_; });
      return exit_status_;
    }
    if (r < 0 || RemainingMs(deadline) == 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace slad::testing
