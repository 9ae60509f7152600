#ifndef SLAD_TOOLS_LOAD_MIX_H_
#define SLAD_TOOLS_LOAD_MIX_H_

// slaload's help-desk workload: which kinds, events and priorities a
// policy offers (LoadMix, shared and read-only), and per connection a
// TicketGen that keeps the tickets it has opened and draws the next
// operation on one of them, written as a slad request line or as the
// equivalent Redis commands.
//
// Thread-safety: LoadMix is immutable after FromPolicy (share it);
// a TicketGen belongs to one worker thread.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/policy.h"
#include "tools/resp.h"

namespace slad::tools {

enum class Op : uint8_t {
  kOpen, kEvent, kPause, kResume, kPriority, kResolve, kGet, kCount
};
inline constexpr int kOpCount = static_cast<int>(Op::kCount);
const char* OpName(Op op);

// Tickets are opened in teams "team0" .. "team<kTeams - 1>", by number.
inline constexpr int kTeams = 16;

// Relative weights of the operations on an existing ticket and of opens.
struct MixWeights {
  double open = 20, event = 35, pause = 15, priority = 10, resolve = 20;
};

struct KindInfo {
  std::string name;
  // The events that stop its targets, in the policy's order, and each
  // target's budget as wall-clock ms (working days taken as 24 h): what
  // the Redis mode uses as deadlines, since it has no calendar.
  std::vector<std::string> events;
  std::vector<int64_t> within_ms;
  bool long_lived;  // every target ≥ 24 h: safe to preload
};

class LoadMix {
 public:
  // Kinds from `policy` (every kind but `breach_kind`, which, when not
  // empty, must exist: the tickets left to breach are opened with it).
  // InvalidArgument for an unknown breach kind or no usable kind.
  static absl::StatusOr<LoadMix> FromPolicy(const engine::Policy& policy,
                                            const std::string& breach_kind,
                                            double breach_share,
                                            MixWeights weights);

  const std::vector<KindInfo>& kinds() const { return kinds_; }
  const std::vector<std::string>& priorities() const { return priorities_; }
  const KindInfo* breach_kind() const {
    return breach_kind_.name.empty() ? nullptr : &breach_kind_;
  }
  double breach_share() const { return breach_share_; }
  const MixWeights& weights() const { return weights_; }
  const std::vector<int>& preload_kinds() const { return preload_kinds_; }

 private:
  std::vector<KindInfo> kinds_;
  std::vector<int> preload_kinds_;  // indices of long-lived kinds
  std::vector<std::string> priorities_;  // without escalate-at-once ones
  KindInfo breach_kind_;
  double breach_share_ = 0;
  MixWeights weights_;
};

// One ticket a worker has opened and not resolved (8 bytes: 10M fit).
struct LiveTicket {
  uint32_t num;
  uint8_t kind;
  uint8_t step;      // events sent so far
  uint8_t priority;
  bool paused;
};

// One operation drawn: what to send, on which ticket.
struct Planned {
  Op op;
  LiveTicket ticket;  // its state after the operation
  bool breach = false;  // an open of the breach kind (never touched again)
};

class TicketGen {
 public:
  // Ids are `prefix` + a number; new tickets of worker `worker` of
  // `workers` are numbered first_new + worker + k × workers.
  TicketGen(const LoadMix* mix, std::string prefix, int worker, int workers,
            uint32_t first_new, uint64_t seed);

  // A preload open of ticket `num` (a long-lived kind); it joins the pool.
  Planned Preload(uint32_t num);
  // The next operation of the mix, applied to the pool at once (replies
  // come in order on one connection, so the pool is what slad will have).
  Planned Next();

  // The request line (with "\n") for `p`, `req` as its req.
  void AppendSlad(const Planned& p, int64_t req, std::string* out) const;
  // The Redis commands for `p` at `now_ms`; returns how many (replies).
  int AppendRedis(const Planned& p, int64_t now_ms, std::string* out) const;

  std::string Id(uint32_t num) const;
  const std::vector<LiveTicket>& live() const { return live_; }

 private:
  Op Draw();
  size_t PickLive();

  const LoadMix* mix_;
  std::string prefix_;
  uint32_t next_new_;
  uint32_t stride_;
  std::mt19937_64 rng_;
  std::vector<LiveTicket> live_;
  size_t pool_target_ = 0;  // set by the first Next()
  int64_t owed_opens_ = 0;  // opens due after resolves below the target
};

}  // namespace slad::tools

#endif  // SLAD_TOOLS_LOAD_MIX_H_
