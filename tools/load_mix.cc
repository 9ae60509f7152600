#include "tools/load_mix.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace slad::tools {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

bool IsBuiltinEvent(const std::string& name) {
  return name == "open" || name == "reopened" || name == "resolved";
}

KindInfo InfoOf(const engine::KindSpec& kind) {
  KindInfo info{kind.name, {}, {}, true};
  for (const engine::TargetSpec& t : kind.targets) {
    const int64_t ms = t.within.working_days * kDayMs + t.within.ms;
    info.long_lived = info.long_lived && ms >= kDayMs;
    for (const std::string& stop : t.stop) {
      if (IsBuiltinEvent(stop)) continue;
      info.events.push_back(stop);
      info.within_ms.push_back(ms);
      break;
    }
  }
  return info;
}

}  // namespace

const char* OpName(Op op) {
  static constexpr const char* kNames[] = {
      "open", "event", "pause", "resume", "priority", "resolve", "get"};
  return kNames[static_cast<int>(op)];
}

absl::StatusOr<LoadMix> LoadMix::FromPolicy(const engine::Policy& policy,
                                            const std::string& breach_kind,
                                            double breach_share,
                                            MixWeights weights) {
  LoadMix mix;
  mix.breach_share_ = breach_share;
  mix.weights_ = weights;
  for (const auto& [name, kind] : policy.kinds) {
    KindInfo info = InfoOf(kind);
    if (name == breach_kind) {
      mix.breach_kind_ = std::move(info);
      continue;
    }
    if (info.events.empty()) continue;
    if (info.long_lived) {
      mix.preload_kinds_.push_back(static_cast<int>(mix.kinds_.size()));
    }
    mix.kinds_.push_back(std::move(info));
  }
  if (!breach_kind.empty() && mix.breach_kind_.name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--breach-kind ", breach_kind, ": no such kind"));
  }
  if (mix.kinds_.empty() || mix.kinds_.size() > 255) {
    return absl::InvalidArgumentError("the policy has no usable kind");
  }
  if (mix.preload_kinds_.empty()) {
    for (size_t i = 0; i < mix.kinds_.size(); ++i) {
      mix.preload_kinds_.push_back(static_cast<int>(i));
    }
  }
  const auto& major = policy.escalation.major;
  for (const std::string& p : policy.priorities) {
    if (std::find(major.begin(), major.end(), p) == major.end()) {
      mix.priorities_.push_back(p);
    }
  }
  if (mix.priorities_.empty()) mix.priorities_ = policy.priorities;
  return mix;
}

TicketGen::TicketGen(const LoadMix* mix, std::string prefix, int worker,
                     int workers, uint32_t first_new, uint64_t seed)
    : mix_(mix),
      prefix_(std::move(prefix)),
      next_new_(first_new + static_cast<uint32_t>(worker)),
      stride_(static_cast<uint32_t>(workers)),
      rng_(seed) {}

std::string TicketGen::Id(uint32_t num) const {
  return absl::StrCat(prefix_, num);
}

Planned TicketGen::Preload(uint32_t num) {
  const auto& kinds = mix_->preload_kinds();
  LiveTicket t{num, static_cast<uint8_t>(kinds[num % kinds.size()]), 0,
               static_cast<uint8_t>(num % mix_->priorities().size()), false};
  live_.push_back(t);
  return {Op::kOpen, t};
}

Op TicketGen::Draw() {
  const MixWeights& w = mix_->weights();
  const double total = w.open + w.event + w.pause + w.priority + w.resolve;
  double x = std::uniform_real_distribution<double>(0, total)(rng_);
  if ((x -= w.open) < 0 || live_.empty()) return Op::kOpen;
  if ((x -= w.event) < 0) return Op::kEvent;
  if ((x -= w.pause) < 0) return Op::kPause;
  if ((x -= w.priority) < 0) return Op::kPriority;
  return Op::kResolve;
}

size_t TicketGen::PickLive() {
  return std::uniform_int_distribution<size_t>(0, live_.size() - 1)(rng_);
}

Planned TicketGen::Next() {
  // The pool keeps the size it had when the mix started (at least
  // kMinPool): each resolve below it is followed by an open, so a long
  // run does not drain the preloaded tickets away.
  constexpr size_t kMinPool = 256;
  if (pool_target_ == 0) pool_target_ = std::max(live_.size(), kMinPool);
  Op op = Draw();
  if (owed_opens_ > 0 || live_.size() < kMinPool / 4) op = Op::kOpen;
  if (op == Op::kOpen && owed_opens_ > 0) --owed_opens_;
  if (op == Op::kOpen) {
    const uint32_t num = next_new_;
    next_new_ += stride_;
    const bool breach =
        mix_->breach_kind() != nullptr &&
        std::uniform_real_distribution<double>(0, 1)(rng_) <
            mix_->breach_share();
    LiveTicket t{num,
                 static_cast<uint8_t>(
                     breach ? 0 : rng_() % mix_->kinds().size()),
                 0, static_cast<uint8_t>(rng_() % mix_->priorities().size()),
                 false};
    if (!breach) live_.push_back(t);
    return {Op::kOpen, t, breach};
  }
  const size_t i = PickLive();
  LiveTicket& t = live_[i];
  const KindInfo& kind = mix_->kinds()[t.kind];
  Planned p{op, t};
  switch (op) {
    case Op::kEvent:
      if (t.step >= kind.events.size()) {  // nothing left: resolve it
        p.op = Op::kResolve;
        break;
      }
      p.ticket.step = ++t.step;
      return p;
    case Op::kPause:
      p.op = t.paused ? Op::kResume : Op::kPause;
      t.paused = !t.paused;
      p.ticket.paused = t.paused;
      return p;
    case Op::kPriority:
      t.priority = static_cast<uint8_t>((t.priority + 1) %
                                        mix_->priorities().size());
      p.ticket.priority = t.priority;
      return p;
    default:
      break;
  }
  // Resolve: the ticket leaves the pool.
  live_[i] = live_.back();
  live_.pop_back();
  if (live_.size() < pool_target_) ++owed_opens_;
  return p;
}

void TicketGen::AppendSlad(const Planned& p, int64_t req,
                           std::string* out) const {
  const LiveTicket& t = p.ticket;
  const KindInfo& kind =
      p.breach ? *mix_->breach_kind() : mix_->kinds()[t.kind];
  absl::StrAppend(out, "{\"op\":\"", OpName(p.op), "\",\"req\":", req,
                  ",\"id\":\"", prefix_, t.num, "\"");
  switch (p.op) {
    case Op::kOpen:
      absl::StrAppend(out, ",\"kind\":\"", kind.name, "\",\"priority\":\"",
                      mix_->priorities()[t.priority], "\",\"team\":\"team",
                      t.num % kTeams, "\"}\n");
      return;
    case Op::kEvent:
      absl::StrAppend(out, ",\"name\":\"", kind.events[t.step - 1], "\"}\n");
      return;
    case Op::kPause:
      absl::StrAppend(out, ",\"reason\":\"waiting on customer\"}\n");
      return;
    case Op::kPriority:
      absl::StrAppend(out, ",\"priority\":\"",
                      mix_->priorities()[t.priority], "\"}\n");
      return;
    default:
      absl::StrAppend(out, "}\n");
      return;
  }
}

int TicketGen::AppendRedis(const Planned& p, int64_t now_ms,
                           std::string* out) const {
  const LiveTicket& t = p.ticket;
  const KindInfo& kind =
      p.breach ? *mix_->breach_kind() : mix_->kinds()[t.kind];
  const std::string key = absl::StrCat("t:", prefix_, t.num);
  const std::string id = absl::StrCat(prefix_, t.num);
  // The deadline of the target now running, if any: step s has stopped
  // targets 0..s-1.
  auto zadd = [&](size_t step) {
    if (step >= kind.within_ms.size()) {
      AppendRespCommand({"ZREM", "sla", id}, out);
      return;
    }
    AppendRespCommand(
        {"ZADD", "sla", absl::StrCat(now_ms + kind.within_ms[step]), id},
        out);
  };
  switch (p.op) {
    case Op::kOpen:
      AppendRespCommand({"HSET", key, "kind", kind.name, "priority",
                         mix_->priorities()[t.priority], "team",
                         absl::StrCat("team", t.num % kTeams), "level", "agent"},
                        out);
      zadd(0);
      return 2;
    case Op::kEvent:
      AppendRespCommand({"HSET", key, "last_event", kind.events[t.step - 1]},
                        out);
      zadd(t.step);
      return 2;
    case Op::kPause:
      AppendRespCommand({"HSET", key, "paused", "1"}, out);
      AppendRespCommand({"ZREM", "sla", id}, out);
      return 2;
    case Op::kResume:
      AppendRespCommand({"HSET", key, "paused", "0"}, out);
      zadd(t.step);
      return 2;
    case Op::kPriority:
      AppendRespCommand({"HSET", key, "priority",
                         mix_->priorities()[t.priority]}, out);
      zadd(t.step);
      return 2;
    case Op::kResolve:
      AppendRespCommand({"HSET", key, "state", "resolved"}, out);
      AppendRespCommand({"ZREM", "sla", id}, out);
      return 2;
    default:
      AppendRespCommand({"HGET", key, "kind"}, out);
      return 1;
  }
}

}  // namespace slad::tools
