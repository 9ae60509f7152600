#include "tools/load_worker.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tools/resp.h"

namespace slad::tools {
namespace {

// Preloading runs deeper than the mix: it is a bulk load.
constexpr int kPreloadDepth = 512;

// The error code of a slad error reply line (its "code" member).
absl::string_view ErrorCode(absl::string_view line) {
  constexpr absl::string_view kKey = "\"code\":\"";
  const size_t at = line.find(kKey);
  if (at == absl::string_view::npos) return "unexpected_reply";
  const size_t begin = at + kKey.size();
  const size_t end = line.find('"', begin);
  return line.substr(begin, end == absl::string_view::npos ? 0 : end - begin);
}

}  // namespace

int64_t NowUnixMs() { return NowUnixUs() / 1000; }

int64_t NowUnixUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t NowMonoNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

absl::StatusOr<std::unique_ptr<LineClient>> DialLoad(
    const LoadConfig& config) {
  absl::StatusOr<std::unique_ptr<LineClient>> client =
      LineClient::Dial(config.addr);
  if (!client.ok() || config.redis || config.token.empty()) return client;
  const std::string auth =
      absl::StrCat(R"({"op":"auth","token":")", config.token, "\"}\n");
  absl::string_view line;
  absl::Status s = (*client)->Write(auth);
  if (s.ok()) s = (*client)->ReadLine(&line);
  if (!s.ok()) return s;
  if (line.find("\"ok\":true") == absl::string_view::npos) {
    return absl::PermissionDeniedError(absl::StrCat("auth refused: ", line));
  }
  return client;
}

Worker::Worker(LoadShared* shared, int index)
    : shared_(shared),
      index_(index),
      gen_(&shared->mix, shared->config.prefix, index,
           shared->config.connections, shared->config.preload,
           shared->config.seed * 1000003 + static_cast<uint64_t>(index)) {}

bool Worker::Connect() {
  while (true) {
    absl::StatusOr<std::unique_ptr<LineClient>> c = DialLoad(shared_->config);
    if (c.ok()) {
      client_ = *std::move(c);
      return true;
    }
    // Reconnect until the run ends: a restarted server comes back.
    if (shared_->stop.load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void Worker::Lose() {
  for (const InFlight& f : inflight_) uncertain_.insert(f.num);
  if (driving_ && shared_->config.requests > 0) {
    // Unanswered, so not done: give them back to --requests, or the run
    // would wait for replies that never come until --seconds.
    shared_->claimed.fetch_sub(static_cast<int64_t>(inflight_.size()));
  }
  inflight_.clear();
  client_.reset();
  shared_->disconnects.fetch_add(1);
  ++errors["disconnected"];
  Connect();
}

void Worker::Send(const Planned& p, std::string* batch, int64_t due_ns) {
  int replies = 1;
  if (shared_->config.redis) {
    replies = gen_.AppendRedis(p, NowUnixMs(), batch);
  } else {
    gen_.AppendSlad(p, next_req_++, batch);
  }
  const int64_t now = NowMonoNs();
  inflight_.push_back(InFlight{p.op, p.breach, p.ticket.paused, p.ticket.num,
                               replies, now,
                               due_ns > 0 ? std::min(due_ns, now) : now});
}

bool Worker::Flush(std::string* batch) {
  if (batch->empty()) return true;
  const absl::Status s = client_ ? client_->Write(*batch)
                                 : absl::UnavailableError("not connected");
  batch->clear();
  if (!s.ok()) Lose();
  return s.ok();
}

void Worker::Complete(const InFlight& f, bool ok, absl::string_view code,
                      absl::string_view line, Phase phase) {
  switch (phase) {
    case Phase::kPreload:
      ++preloaded;
      if (!ok) ++preload_errors;
      shared_->preload_done.fetch_add(1, std::memory_order_relaxed);
      return;
    case Phase::kVerify:
      if (!ok && code != "not_found") {
        // forbidden, unauthorized, ...: the check could not run; that is
        // no evidence of loss.
        ++verify_errors;
        ++errors[absl::StrCat("verify:", code)];
        shared_->errors.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      ++verified;
      if (!ok) {
        ++lost;
      } else if (!shared_->config.redis) {
        const bool paused =
            line.find("\"paused\":true") != absl::string_view::npos &&
            line.find("\"paused\":true") < line.find("\"paused\":false");
        if (paused != f.expect_paused) ++lost;
      }
      return;
    case Phase::kTimed:
      break;
  }
  const int64_t now = NowMonoNs();
  latency_us[static_cast<int>(f.op)].Record((now - f.sent_ns) / 1000);
  scheduled_us.Record((now - f.due_ns) / 1000);
  shared_->done.fetch_add(1, std::memory_order_relaxed);
  if (!ok) {
    ++errors[std::string(code)];
    shared_->errors.fetch_add(1, std::memory_order_relaxed);
  } else if (f.breach) {
    breach_acks.emplace_back(f.num, NowUnixMs());
  }
}

bool Worker::Receive(int timeout_ms, Phase phase) {
  if (!client_) return false;
  absl::StatusOr<bool> ready = client_->WaitReadable(timeout_ms);
  if (!ready.ok()) {
    Lose();
    return false;
  }
  if (!*ready) return true;
  if (shared_->config.redis) {
    RespReply reply;
    while (client_->HasBufferedLine() && !inflight_.empty()) {
      if (!ReadRespReply(client_.get(), &reply).ok()) {
        Lose();
        return false;
      }
      InFlight& f = inflight_.front();
      bool ok = !reply.error;
      if (phase == Phase::kVerify) ok = ok && !reply.items[0].empty();
      if (--f.replies_left > 0 && ok) continue;
      const InFlight done = f;
      // An error ends the op; skip its remaining replies.
      for (int i = 1; i < f.replies_left + 1 && !ok; ++i) {
        if (!ReadRespReply(client_.get(), &reply).ok()) {
          Lose();
          return false;
        }
      }
      inflight_.pop_front();
      Complete(done, ok, ok ? "" : "redis_error", "", phase);
    }
    return true;
  }
  absl::string_view line;
  while (client_->ReadBufferedLine(&line)) {
    if (line.substr(0, 9) == "{\"event\":") continue;
    if (inflight_.empty()) continue;  // the auth reply, say
    const InFlight f = inflight_.front();
    inflight_.pop_front();
    const bool ok = line.find("\"ok\":true") != absl::string_view::npos;
    Complete(f, ok, ok ? "" : ErrorCode(line), line, phase);
  }
  return true;
}

void Worker::Drain(Phase phase) {
  const int64_t deadline = NowMonoNs() + 30'000'000'000;
  while (!inflight_.empty() && client_ && NowMonoNs() < deadline) {
    Receive(100, phase);
  }
}

void Worker::Preload() {
  const LoadConfig& c = shared_->config;
  const uint32_t per = c.preload / static_cast<uint32_t>(c.connections);
  const uint32_t begin = per * static_cast<uint32_t>(index_);
  const uint32_t end =
      index_ + 1 == c.connections ? c.preload : begin + per;
  std::string batch;
  for (uint32_t num = begin; num < end && client_;) {
    while (num < end && inflight_.size() < kPreloadDepth) {
      Send(gen_.Preload(num++), &batch);
    }
    if (Flush(&batch)) Receive(1000, Phase::kPreload);
  }
  Drain(Phase::kPreload);
}

bool Worker::ClaimRequest() {
  const int64_t limit = shared_->config.requests;
  if (limit == 0) return true;
  int64_t claimed = shared_->claimed.load(std::memory_order_relaxed);
  do {
    if (claimed >= limit) return false;
  } while (!shared_->claimed.compare_exchange_weak(
      claimed, claimed + 1, std::memory_order_relaxed));
  return true;
}

// The k-th request of all connections together is due at start + k / rate;
// this worker sends numbers index_, index_ + C, index_ + 2C, ... So the
// total is the rate from the first millisecond, with no burst of one
// request per connection at t = 0.
int64_t Worker::DueNs(int64_t k) const {
  const LoadConfig& c = shared_->config;
  const double n = static_cast<double>(index_) +
                   static_cast<double>(k) * c.connections;
  return shared_->start_ns + static_cast<int64_t>(n * 1e9 / c.rate);
}

void Worker::Drive() {
  const LoadConfig& c = shared_->config;
  const bool paced = c.rate > 0;
  int64_t k = 0;  // timed requests this worker has sent
  std::string batch;
  driving_ = true;
  while (!shared_->stop.load(std::memory_order_relaxed)) {
    if (!client_ && !Connect()) break;
    bool exhausted = false;  // --requests all claimed (for now: a lost
                             // connection gives its unanswered back)
    const int64_t now = NowMonoNs();
    int64_t next_ns = paced ? DueNs(k) : now;
    while (!exhausted && static_cast<int>(inflight_.size()) < c.depth &&
           next_ns <= now) {
      if (!ClaimRequest()) {
        exhausted = true;
        break;
      }
      Send(gen_.Next(), &batch, paced ? next_ns : 0);
      next_ns = paced ? DueNs(++k) : now;
    }
    if (!Flush(&batch)) continue;
    if (exhausted && inflight_.empty()) break;
    // Never 0 and never long: poll() takes whole milliseconds, and a 0
    // (the next send due in under 1 ms) made every worker spin on the
    // cores the server under test needs, so sends leave in 1 ms steps;
    // at most 100 ms, so that the end of the run is seen at once even
    // when the next send is seconds away.
    int timeout_ms = 100;
    if (paced && !exhausted && static_cast<int>(inflight_.size()) < c.depth) {
      const int64_t wait_ms =
          (std::max<int64_t>(0, next_ns - now) + 999'999) / 1'000'000;
      timeout_ms = static_cast<int>(std::clamp<int64_t>(wait_ms, 1, 100));
    }
    if (inflight_.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
      continue;
    }
    Receive(timeout_ms, Phase::kTimed);
  }
  Drain(Phase::kTimed);
  driving_ = false;
}

void Worker::Verify() {
  const LoadConfig& c = shared_->config;
  // N split over the workers, the first N % C taking one more.
  const int64_t quota = c.verify / c.connections +
                        (index_ < c.verify % c.connections ? 1 : 0);
  std::string batch;
  int64_t checked = 0;
  for (const LiveTicket& t : gen_.live()) {
    if (checked >= quota || !client_) break;
    if (uncertain_.contains(t.num)) continue;
    Planned p{Op::kGet, t};
    Send(p, &batch);
    ++checked;
    if (static_cast<int>(inflight_.size()) >= c.depth) {
      if (Flush(&batch)) Receive(1000, Phase::kVerify);
    }
  }
  if (Flush(&batch)) Drain(Phase::kVerify);
}

void Worker::Run() {
  if (Connect()) Preload();
  shared_->preloaded_workers.fetch_add(1);
  while (!shared_->go.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  Drive();
  if (shared_->config.verify > 0) Verify();
}

}  // namespace slad::tools
