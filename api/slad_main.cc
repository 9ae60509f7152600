// slad: the SLA daemon. Usage and configuration: README "Running slad";
// the protocol: docs/API.md.
//
//   slad [--config FILE] [--policy FILE] [--data DIR] [--listen HOST:PORT]
//        [--clock system|manual]
//
// Exit status: 0 after a SIGTERM/SIGINT drain; 1 on a storage failure;
// 2 for a bad command line or configuration.

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "api/daemon_config.h"
#include "api/durability.h"
#include "api/heap_trim.h"
#include "api/server.h"

namespace {

absl::StatusOr<std::unique_ptr<slad::api::Durability>> OpenDurability(
    const std::string& data_dir, int64_t commit_interval_us) {
  if (data_dir == slad::api::kInMemoryData) return slad::api::NewMemoryDurability();
  return slad::api::OpenStoreDurability(
      data_dir, std::chrono::microseconds(commit_interval_us));
}

// glibc tunables slad sets for itself; tunables are read when a process
// starts, so slad runs itself again, once, with those the environment does
// not name added (naming one, e.g. glibc.malloc.hugetlb=0, opts out of it).
//
// glibc.malloc.hugetlb=1: millions of tickets live in a few GiB that
// restore and bulk opens touch page by page; with transparent huge pages
// behind malloc restoring 10M tickets took 6-8 s of CPU instead of 17-21 s
// (docs/BENCHMARKS.md, "Engine"). The machine must allow madvise'd huge
// pages (/sys/kernel/mm/transparent_hugepage/enabled: always or madvise).
//
// Not glibc.malloc.mmap_threshold=1048576, tried: memtable blocks freed at
// each flush then leave the process (~5 bytes per ticket less at 10M),
// but the next memtable faults them in again, 3.5x the page faults and
// ~10 % less throughput flat out (docs/BENCHMARKS.md, "Fourth session").
constexpr const char* kTunables[] = {"glibc.malloc.hugetlb=1"};

void SetTunables(char** argv) {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string before = tunables != nullptr ? tunables : "";
  std::string value = before;
  for (const char* tunable : kTunables) {
    const absl::string_view name(tunable, std::strchr(tunable, '=') - tunable);
    if (absl::StrContains(before, name)) continue;
    value = value.empty() ? tunable : absl::StrCat(value, ":", tunable);
  }
  if (value == before) return;
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  // Named "exe" after this; main() names the process after argv[0].
  execv("/proc/self/exe", argv);
  // No re-exec (no /proc, say): run as we are, with glibc's defaults.
  if (tunables != nullptr) {
    setenv("GLIBC_TUNABLES", before.c_str(), 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
}

// The soft limit on open files is often 1024, the default max_connections,
// with RocksDB's files and the listener on top: connections would run out
// of descriptors before the limit slad enforces. Raised to the hard limit.
void RaiseFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  (void)setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

int main(int argc, char** argv) {
  // SIGHUP, SIGTERM and SIGINT wait, pending, until the server catches
  // them (Server::Init unblocks them): a reload or stop sent in the first
  // milliseconds (the re-exec below keeps the mask and pending signals)
  // would otherwise kill the process with no word.
  sigset_t stops;
  sigemptyset(&stops);
  for (const int s : slad::api::kStopSignals) sigaddset(&stops, s);
  sigprocmask(SIG_BLOCK, &stops, nullptr);
  SetTunables(argv);
  RaiseFileLimit();
  // Named as it was started (argv[0]), not after the file it runs: the
  // re-exec above runs /proc/self/exe (named "exe"), and a binary may be a
  // symlink's target (/opt/slad/slad-1.4); pgrep, killall, ps -C and top
  // are asked for "slad".
  if (argc > 0 && argv[0] != nullptr) {
    const char* slash = std::strrchr(argv[0], '/');
    prctl(PR_SET_NAME, slash != nullptr ? slash + 1 : argv[0], 0, 0, 0);
  }
  // A client that goes away mid-write must not kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::fprintf(stdout,
                 "usage: slad [--config FILE] [--policy FILE] [--data DIR] "
                 "[--listen HOST:PORT] [--clock system|manual]\n");
    return 0;
  }
  absl::StatusOr<slad::api::DaemonConfig> config =
      slad::api::ConfigFromArgs(args);
  if (!config.ok()) {
    slad::api::Log(config.status().message());
    return 2;
  }
  // Opened by the server once the configuration is checked and its address
  // bound: a mistake in either leaves no data folder behind.
  auto open = [dir = config->data_dir, interval = config->commit_interval_us]()
      -> absl::StatusOr<std::unique_ptr<slad::api::Durability>> {
    absl::StatusOr<std::unique_ptr<slad::api::Durability>> durability =
        OpenDurability(dir, interval);
    if (!durability.ok()) {
      return absl::Status(durability.status().code(),
                          absl::StrCat("cannot open the data folder ", dir, ": ",
                                       durability.status().message()));
    }
    return durability;
  };
  const int64_t trim_seconds = config->trim_seconds;
  absl::StatusOr<std::unique_ptr<slad::api::Server>> server =
      slad::api::Server::Create(*std::move(config), open);
  if (!server.ok()) {
    slad::api::Log(server.status().message());
    // The data folder's failures (open, recovery) are 1, the rest 2.
    return slad::api::IsDataError(server.status()) ? 1 : 2;
  }
  const slad::api::HeapTrimmer trimmer(absl::Seconds(trim_seconds));
  const absl::Status status = (*server)->Run();
  (*server)->IgnoreStopSignals();
  if (!status.ok()) {
    slad::api::Log(status.message());
    return 1;
  }
  return 0;
}
