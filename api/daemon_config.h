#ifndef SLAD_API_DAEMON_CONFIG_H_
#define SLAD_API_DAEMON_CONFIG_H_

// The daemon's configuration: a TOML file (docs/slad.example.toml,
// README "Running slad") whose keys the command-line flags override.
// toml++ stays behind this edge. Pure functions; thread-safe.

#include <cstddef>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/auth.h"

namespace slad::api {

struct TokenConfig {
  std::string token;
  Roles roles = 0;
  std::vector<std::string> teams;  // empty: every team
};

// `[limits]`. The file may set each between its kMin... and kMax...
// (docs/API.md, "Limits"); a value set in code is not checked.
struct Limits {
  // Linux's default ceiling on one process's open files (fs.nr_open).
  static constexpr size_t kMinConnections = 1, kMaxConnections = 1 << 20;
  size_t max_connections = 1024;
  // Every connection allocates its decoder for a line this long up front.
  static constexpr size_t kMinLineBytes = 64, kMaxLineBytes = 64 << 20;
  size_t max_line_bytes = 64 * 1024;
  // Output buffered for one connection (replies waiting for earlier ones
  // included) before it is a slow consumer and is disconnected.
  static constexpr size_t kMinOutputBytes = 1024, kMaxOutputBytes = 1 << 30;
  size_t max_output_bytes = 4 << 20;
  // Requests of one connection waiting for durability; beyond, the
  // connection is not read until replies go out (nothing is refused).
  static constexpr size_t kMinInFlight = 1, kMaxInFlight = 1 << 16;
  size_t max_in_flight = 4096;
  // Outbox events read per page when a subscriber catches up; delivered
  // while the output is under max_output_bytes / 2, the rest of a page
  // read again once it drains.
  static constexpr size_t kMinOutboxPage = 1, kMaxOutboxPage = 4096;
  size_t outbox_page = 256;
  // On the system clock, how far a request's `at` may be ahead of it. The
  // engine's clock never goes back, so one `at` far ahead would move every
  // deadline, and every later `at`, with it, for good; past an hour the
  // guard no longer guards.
  static constexpr size_t kMinAtAheadMs = 0, kMaxAtAheadMs = 3'600'000;
  size_t max_at_ahead_ms = 1000;
  // With tokens, how long a connection may stay without a successful
  // auth (TLS handshake included) before it is ended; 0: for ever.
  static constexpr size_t kMinAuthTimeoutMs = 0, kMaxAuthTimeoutMs = 3'600'000;
  size_t auth_timeout_ms = 10'000;
};

// `data` (or --data) for the in-memory store: nothing survives a restart.
inline constexpr absl::string_view kInMemoryData = ":memory:";

struct DaemonConfig {
  std::string policy_path;          // "": the embedded default policy
  std::string data_dir = "slad-data";  // or kInMemoryData
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 7411;
  bool manual_clock = false;
  std::string tls_cert, tls_key;    // both or neither
  std::vector<TokenConfig> tokens;  // none: every connection has every role
  Limits limits;
  // How often freed heap pages go back to the kernel (HeapTrimmer);
  // `[memory] trim_seconds`, 0: never.
  int64_t trim_seconds = 10;
  // The shortest time between the starts of two synced writes while
  // commits keep coming; `[storage] commit_interval_us`, 0: none.
  // (docs/STORAGE.md, "Group commit").
  int64_t commit_interval_us = 500;
  // How long a SIGTERM waits for connections to finish before closing
  // them (API.md, "Shutdown"). Not in the file: tests shorten it.
  std::chrono::milliseconds drain_timeout{10'000};
};

// Parses config TOML `text`; `source` names it in errors, which are
// InvalidArgument "source:line:col: reason" (syntax, unknown key, wrong
// type, bad value). Relative paths (policy, data, tls.*) are resolved
// against `base_dir` when it is not empty; `data = ":memory:"` is no
// path and stays as it is.
absl::StatusOr<DaemonConfig> ParseDaemonConfig(absl::string_view text,
                                               absl::string_view source,
                                               absl::string_view base_dir);

// Reads `path` (NotFound "cannot read config file PATH: reason" if it is
// unreadable or a directory) and parses it, with paths relative to the
// file's folder.
absl::StatusOr<DaemonConfig> LoadDaemonConfigFile(const std::string& path);

// "host:port" → host, port. InvalidArgument for anything else.
absl::Status ParseListen(absl::string_view text, std::string* host,
                         uint16_t* port);

// Applies the command line (without argv[0]) to `config`, reading
// --config first if given: --config FILE, --policy FILE, --data DIR,
// --listen HOST:PORT, --clock system|manual, each `--flag VALUE` or
// `--flag=VALUE`. InvalidArgument for an unknown flag, a flag given twice,
// a missing or empty value or a bad one; the file's errors as
// LoadDaemonConfigFile.
absl::StatusOr<DaemonConfig> ConfigFromArgs(
    const std::vector<std::string>& args);

// A refusal when the configuration is unsafe to serve: tokens are missing
// for a non-loopback address. OK otherwise.
absl::Status CheckServable(const DaemonConfig& config);

bool IsLoopback(absl::string_view host);

}  // namespace slad::api

#endif  // SLAD_API_DAEMON_CONFIG_H_
