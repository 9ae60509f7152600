#ifndef SLAD_TESTS_TESTING_DAEMON_PROCESS_H_
#define SLAD_TESTS_TESTING_DAEMON_PROCESS_H_

// Test helpers that run the real `slad` binary: DaemonProcess starts it
// (on `--listen 127.0.0.1:0`, reading the bound port from its "listening
// on HOST:PORT" log line), collects its log, signals and reaps it, and
// always kills it in its destructor; LineClient is a blocking NDJSON
// connection with read timeouts, so a test never hangs on a lost reply.
//
// Thread-safety: one test thread per object; DaemonProcess reads the
// daemon's stderr on a thread of its own (log() is safe to call).

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace slad::testing {

class LineClient {
 public:
  LineClient() = default;
  explicit LineClient(int fd) : fd_(fd) {}
  LineClient(LineClient&& other) noexcept;
  LineClient& operator=(LineClient&& other) noexcept;
  ~LineClient();

  // A TCP connection to 127.0.0.1:port; !connected() on failure.
  static LineClient Connect(uint16_t port);

  bool connected() const { return fd_ >= 0; }
  // The socket, e.g. for a TLS client layered on it; owned by this object.
  int fd() const { return fd_; }
  // Sends `line` plus "\n". False if the connection failed.
  bool SendLine(const std::string& line);
  // Sends bytes as they are.
  bool SendRaw(const std::string& bytes);
  // The next line without its "\n"; nullopt on timeout, EOF or error.
  std::optional<std::string> ReadLine(int timeout_ms = 5000);
  // `n` lines; fewer if one does not arrive in time.
  std::vector<std::string> ReadLines(size_t n, int timeout_ms = 5000);
  // True when the peer closed the connection (EOF or reset) within the
  // timeout, after discarding any lines still buffered.
  bool WaitForClose(int timeout_ms = 5000);
  // How a connection ended, for ReadToEnd.
  enum class End { kEof, kReset, kError, kTimeout };
  // Reads until the peer closes: every complete line (without "\n") into
  // *lines, the bytes after the last "\n" into *partial. kReset when the
  // connection was reset (ECONNRESET) rather than closed, kError for any
  // other failure.
  End ReadToEnd(std::vector<std::string>* lines, std::string* partial,
                int timeout_ms = 10000);
  void ShutdownWrite();
  void Close();

 private:
  int fd_ = -1;
  std::string buffer_;
};

class DaemonProcess {
 public:
  // Starts `binary` with `args` (which should include --listen
  // 127.0.0.1:0) and waits up to `timeout_ms` for its listen line. On
  // failure returns nullptr and sets *error (the daemon's log included).
  // `spawned`, if given, runs with the child's pid as soon as it exists.
  static std::unique_ptr<DaemonProcess> Start(
      const std::string& binary, const std::vector<std::string>& args,
      std::string* error, int timeout_ms = 10000,
      const std::function<void(pid_t)>& spawned = nullptr);
  // Runs `binary` with `args` to completion (it is expected to exit by
  // itself, e.g. refusing its configuration): its exit status, and its
  // log in *log. -1 if it did not exit within the timeout (then killed).
  static int RunToExit(const std::string& binary,
                       const std::vector<std::string>& args, std::string* log,
                       int timeout_ms = 10000);
  ~DaemonProcess();  // SIGKILL if still running, then reaps it

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  LineClient Connect() const { return LineClient::Connect(port_); }

  // Everything the daemon wrote to stderr so far.
  std::string log() const;
  // Waits until the log contains `text`; false on timeout.
  bool WaitForLog(const std::string& text, int timeout_ms = 5000) const;
  // Sends `signal` to the daemon.
  void Signal(int signal) const;
  // Waits for the daemon to exit: its exit status (0..255), 128+signal if
  // killed by one, -1 on timeout. Once it exited, log() holds all it wrote.
  int Wait(int timeout_ms = 10000);

 private:
  DaemonProcess() = default;
  static pid_t Spawn(const std::string& binary,
                     const std::vector<std::string>& args, int* stderr_fd);
  void ReadLog(int fd);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_status_ = -1;
  uint16_t port_ = 0;
  std::thread reader_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::string log_;  // guarded by mu_
  bool log_closed_ = false;  // guarded by mu_
};

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_DAEMON_PROCESS_H_
