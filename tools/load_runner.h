#ifndef SLAD_TOOLS_LOAD_RUNNER_H_
#define SLAD_TOOLS_LOAD_RUNNER_H_

// slaload's moving parts: the per-connection workers that preload and
// then drive the mix, and the subscriber (slad) or poller (Redis) that
// receives escalations and measures their lateness. RunLoad ties them
// together and returns what they measured.
//
// Thread-safety: RunLoad starts one thread per connection plus one for
// the subscriber and joins them all before it returns.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/histogram.h"
#include "tools/load_mix.h"

namespace slad::tools {

struct LoadConfig {
  std::string addr = "127.0.0.1:7411";
  std::string token;
  bool redis = false;
  int connections = 4;
  int depth = 32;           // requests in flight per connection
  double rate = 0;          // requests/s over all connections; 0: max
  double seconds = 10;      // timed phase; ends first of this and requests
  int64_t requests = 0;     // 0: no limit
  uint32_t preload = 0;     // tickets opened before the timed phase
  std::string prefix = "T";  // ticket ids: prefix + number
  uint64_t seed = 1;
  std::string group = "slaload";
  bool subscribe = true;
  int poll_ms = 1;          // Redis poller's sleep when nothing is due
  double drain_seconds = 0;  // keep receiving events after the load
  int64_t verify = 0;       // tickets to `get` at the end (slad only)
  bool progress = true;
};

// What a run measured. Latencies in µs, lateness in µs.
struct LoadResult {
  double preload_seconds = 0;
  int64_t preloaded = 0;
  int64_t preload_errors = 0;
  double seconds = 0;  // the timed phase
  Histogram latency_us[kOpCount];
  Histogram all_us;
  Histogram scheduled_us;  // from the rate schedule (Worker::scheduled_us)
  std::map<std::string, int64_t> errors;  // by code
  int64_t events = 0;       // first deliveries to the subscriber
  int64_t redelivered = 0;  // deliveries again, or from before the run
  int64_t duplicates = 0;   // the same event again under another seq
  std::map<std::string, int64_t> events_by_name;
  // Of warning, breached and escalated events (Redis: due items): their
  // arrival at the subscriber's socket (slad; the kernel's receive time)
  // or the poller's time (Redis), minus the instant they were due.
  Histogram lateness_us;
  // slad: when the subscriber thread read them, minus the instant due;
  // above lateness_us by however long slaload's own threads delayed it.
  Histogram lateness_read_us;
  int64_t disconnects = 0;
  int64_t breach_tickets = 0;  // opened, acknowledged, deadline passed
  int64_t undelivered = 0;     // ... and no breached event received
  int64_t verified = 0;        // tickets checked with get
  int64_t lost = 0;            // acknowledged state not found by get
  int64_t verify_errors = 0;   // gets refused (forbidden, ...): no check
  // The subscriber's subscribe was refused (its code is in `errors`):
  // breach_tickets and undelivered are then not counted.
  bool subscribe_refused = false;
};

// Runs the whole load against config.addr. Errors go into the result.
// Before it starts: Unavailable when nothing could be connected (or auth
// failed); PermissionDenied when the token may not do what the run needs
// (subscribe: role subscriber, unless !subscribe; get for --verify: role
// operator), whose message says so.
absl::Status RunLoad(const LoadConfig& config, const LoadMix& mix,
                     LoadResult* result);

}  // namespace slad::tools

#endif  // SLAD_TOOLS_LOAD_RUNNER_H_
