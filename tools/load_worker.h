#ifndef SLAD_TOOLS_LOAD_WORKER_H_
#define SLAD_TOOLS_LOAD_WORKER_H_

// Internals of slaload (tools/load_runner.h): the state the threads share
// and one connection's worker.
//
// Thread-safety: LoadShared's atomics and `mu` are for every thread; a
// Worker is touched by its own thread only, and by RunLoad after join.

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "tools/client.h"
#include "tools/histogram.h"
#include "tools/load_mix.h"
#include "tools/load_runner.h"

namespace slad::tools {

struct LoadShared {
  LoadShared(const LoadConfig& c, const LoadMix& m) : config(c), mix(m) {}
  const LoadConfig& config;
  const LoadMix& mix;
  std::atomic<int> preloaded_workers{0};  // workers done preloading
  std::atomic<bool> go{false};            // timed phase started
  std::atomic<bool> stop{false};          // timed phase over
  std::atomic<bool> stop_listener{false};
  std::atomic<int64_t> done{0};  // timed-phase replies, all workers
  std::atomic<int64_t> errors{0};
  std::atomic<int64_t> events{0};
  std::atomic<int64_t> disconnects{0};
  std::atomic<int64_t> preload_done{0};
  // Timed-phase requests taken against --requests by all workers, never
  // past it; those lost with a connection are given back.
  std::atomic<int64_t> claimed{0};
  // When the timed phase started (monotonic ns): written before `go` is
  // set, read after it is seen, so the atomic orders it. The rate
  // schedule of every worker counts from it.
  int64_t start_ns = 0;
  std::mutex mu;
  absl::flat_hash_set<uint32_t> breached;  // GUARDED_BY(mu): ticket nums
};

// Dials `config.addr` and, for slad with a token, authenticates.
absl::StatusOr<std::unique_ptr<LineClient>> DialLoad(const LoadConfig& config);

// Milliseconds / nanoseconds on the system clock / a monotonic clock.
int64_t NowUnixMs();
int64_t NowUnixUs();
int64_t NowMonoNs();

class Worker {
 public:
  Worker(LoadShared* shared, int index);

  // The thread body: connect, preload its share, wait for the start, run
  // the mix until stop, drain, then verify if asked.
  void Run();

  Histogram latency_us[kOpCount];
  // Every timed request from when the rate schedule meant to send it (the
  // send itself when there is no rate): a server stall that holds the
  // connection's window full delays the sends behind it, and timing those
  // from their late send would hide the stall (coordinated omission).
  Histogram scheduled_us;
  std::map<std::string, int64_t> errors;
  int64_t preloaded = 0;
  int64_t preload_errors = 0;
  // Acknowledged opens of the breach kind: ticket num, ack time (Unix ms).
  std::vector<std::pair<uint32_t, int64_t>> breach_acks;
  int64_t verified = 0;
  int64_t lost = 0;
  int64_t verify_errors = 0;  // gets answered neither ok nor not_found

 private:
  enum class Phase { kPreload, kTimed, kVerify };
  struct InFlight {
    Op op;
    bool breach;
    bool expect_paused;  // kVerify
    uint32_t num;
    int replies_left;    // Redis: one op is several commands
    int64_t sent_ns;
    int64_t due_ns;  // when the schedule meant to send it
  };

  bool Connect();
  // `due_ns`: when the rate schedule meant to send it; 0: now.
  void Send(const Planned& p, std::string* batch, int64_t due_ns = 0);
  // Waits up to timeout_ms for replies and handles those that came; false
  // when the connection was lost (and has been re-established or not).
  bool Receive(int timeout_ms, Phase phase);
  void Complete(const InFlight& f, bool ok, absl::string_view code,
                absl::string_view line, Phase phase);
  bool Flush(std::string* batch);
  void Lose();
  void Preload();
  // Takes one of --requests (always true without a limit).
  bool ClaimRequest();
  // When the rate schedule means this worker's k-th timed request to go.
  int64_t DueNs(int64_t k) const;
  void Drive();
  void Drain(Phase phase);
  void Verify();

  LoadShared* shared_;
  int index_;
  TicketGen gen_;
  std::unique_ptr<LineClient> client_;
  std::deque<InFlight> inflight_;
  int64_t next_req_ = 1;
  absl::flat_hash_set<uint32_t> uncertain_;  // state unknown after a loss
  bool driving_ = false;  // in Drive: in-flight requests hold claims
};

}  // namespace slad::tools

#endif  // SLAD_TOOLS_LOAD_WORKER_H_
