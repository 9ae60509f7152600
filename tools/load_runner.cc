#include "tools/load_runner.h"

#include <iterator>
#include <vector>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "api/json_scan.h"
#include "tools/load_worker.h"
#include "tools/resp.h"

namespace slad::tools {
namespace {

// What the listener thread measured.
struct Listened {
  Histogram lateness_us;
  std::map<std::string, int64_t> by_name;
  int64_t events = 0;
  int64_t redelivered = 0;  // seq already seen, or due before the run
  int64_t duplicates = 0;   // the same event again under a new seq
  // Hashes of (event, id, target, at, to) of the events timed: a run's
  // million events would otherwise keep a million strings, built and
  // hashed on the listener's hot path. Two events colliding in 64 bits
  // would count one as a duplicate: about 1 in 10^7 for a million.
  absl::flat_hash_set<uint64_t> seen;
  Histogram read_us;  // lateness when this thread read it
  std::map<std::string, int64_t> errors;  // error replies, by code
};

// The error code of an error reply line, "" for anything else.
absl::string_view ReplyErrorCode(absl::string_view line) {
  if (line.find("\"ok\":false") == absl::string_view::npos) return "";
  const absl::string_view error = api::SniffStringMember(line, "code");
  return error.empty() ? "unexpected_reply" : error;
}

// The integer value of `"key":N` in an event line (-1 if absent).
int64_t IntField(absl::string_view line, absl::string_view key) {
  const std::string k = absl::StrCat("\"", key, "\":");
  const size_t at = line.find(k);
  if (at == absl::string_view::npos) return -1;
  const size_t begin = at + k.size();
  size_t end = begin;
  while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
  int64_t v = -1;
  if (!absl::SimpleAtoi(line.substr(begin, end - begin), &v)) return -1;
  return v;
}

// Records a breached ticket of this run (id = prefix + num).
void NoteBreached(LoadShared* shared, absl::string_view id) {
  uint32_t num = 0;
  if (!absl::ConsumePrefix(&id, shared->config.prefix) ||
      !absl::SimpleAtoi(id, &num)) {
    return;
  }
  std::lock_guard<std::mutex> lock(shared->mu);
  shared->breached.insert(num);
}

bool Subscribe(LoadShared* shared, std::unique_ptr<LineClient>* client) {
  absl::StatusOr<std::unique_ptr<LineClient>> c = DialLoad(shared->config);
  if (!c.ok()) return false;
  const std::string sub = absl::StrCat(
      R"({"op":"subscribe","req":"sub","group":")", shared->config.group,
      "\"}\n");
  if (!(*c)->Write(sub).ok()) return false;
  (*c)->EnableReceiveTimestamps();
  *client = *std::move(c);
  return true;
}

// slad: subscribes, times every escalation, acks after each burst, and
// resubscribes after a lost connection (unacked events come again).
void ListenSlad(LoadShared* shared, Listened* out) {
  const int64_t start_ms = NowUnixMs();
  std::unique_ptr<LineClient> client;
  int64_t last_seq = -1, acked = -1;
  while (!shared->stop_listener.load()) {
    if (!client && !Subscribe(shared, &client)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    // One read at a time, so that each line is stamped with the arrival
    // of the read that completed it: the kernel's receive time, not this
    // thread's, which on a busy machine also measures how long the load
    // generator's own threads kept it waiting.
    absl::StatusOr<bool> ready = client->ReadOnce(50);
    if (!ready.ok()) {
      client.reset();
      acked = -1;
      continue;
    }
    const int64_t rx_us = client->rx_unix_ns() / 1000;
    absl::string_view line;
    while (client->ReadBufferedLine(&line)) {
      const absl::string_view name = api::SniffStringMember(line, "event");
      if (name.empty()) {  // the subscribe or an ack reply
        if (absl::string_view code = ReplyErrorCode(line); !code.empty()) {
          ++out->errors[absl::StrCat("subscriber:", code)];
        }
        continue;
      }
      const int64_t now_us = NowUnixUs();
      const int64_t arrived_us = rx_us > 0 ? rx_us : now_us;
      const int64_t seq = IntField(line, "seq");
      const int64_t at_ms = IntField(line, "at");
      const absl::string_view id = api::SniffStringMember(line, "id");
      if (name == "breached") NoteBreached(shared, id);
      // Lateness is of first deliveries of this run's events only: a
      // redelivery after a reconnect, or an event left in the outbox by
      // an earlier run, would measure the outage, not the timer.
      if (seq <= last_seq || at_ms < start_ms) {
        ++out->redelivered;
        continue;
      }
      last_seq = seq;
      // The same event (name, ticket, target, instant, level) under a new
      // seq is a duplicate: counted, not timed again.
      if (!out->seen
               .insert(absl::HashOf(name, id,
                                    api::SniffStringMember(line, "target"),
                                    at_ms, api::SniffStringMember(line, "to")))
               .second) {
        ++out->duplicates;
        continue;
      }
      ++out->events;
      shared->events.fetch_add(1, std::memory_order_relaxed);
      ++out->by_name[std::string(name)];
      if (name == "warning" || name == "breached" || name == "escalated") {
        out->lateness_us.Record(arrived_us - at_ms * 1000);
        out->read_us.Record(now_us - at_ms * 1000);
      }
    }
    if (last_seq > acked) {
      const std::string ack = absl::StrCat(
          R"({"op":"ack","group":")", shared->config.group,
          "\",\"seq\":", last_seq, "}\n");
      if (!client->Write(ack).ok()) {
        client.reset();
        continue;
      }
      acked = last_seq;
    }
  }
}

// Redis: the hand-built poller. ZRANGEBYSCORE what is due, escalate each
// (HSET level) and ZREM it; lateness = now - its score (the deadline).
void PollRedis(LoadShared* shared, Listened* out) {
  std::unique_ptr<LineClient> client;
  RespReply reply;
  while (!shared->stop_listener.load()) {
    if (!client) {
      absl::StatusOr<std::unique_ptr<LineClient>> c =
          LineClient::Dial(shared->config.addr);
      if (!c.ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      client = *std::move(c);
    }
    std::string cmd;
    AppendRespCommand({"ZRANGEBYSCORE", "sla", "-inf",
                       absl::StrCat(NowUnixMs()), "WITHSCORES", "LIMIT", "0",
                       "1000"},
                      &cmd);
    if (!client->Write(cmd).ok() || !ReadRespReply(client.get(), &reply).ok()) {
      client.reset();
      continue;
    }
    const int64_t now_us = NowUnixUs();
    std::vector<std::string> due = reply.items;
    cmd.clear();
    for (size_t i = 0; i + 1 < due.size(); i += 2) {
      int64_t deadline_ms = 0;
      (void)absl::SimpleAtoi(due[i + 1], &deadline_ms);
      out->lateness_us.Record(now_us - deadline_ms * 1000);
      ++out->events;
      ++out->by_name["breached"];
      shared->events.fetch_add(1, std::memory_order_relaxed);
      NoteBreached(shared, due[i]);
      AppendRespCommand({"HSET", absl::StrCat("t:", due[i]), "level",
                         "supervisor"},
                        &cmd);
      AppendRespCommand({"ZREM", "sla", due[i]}, &cmd);
    }
    bool ok = client->Write(cmd).ok();
    for (size_t i = 0; ok && i < due.size(); ++i) {  // 2 replies per item
      ok = ReadRespReply(client.get(), &reply).ok();
    }
    if (!ok) client.reset();
    if (due.empty()) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(shared->config.poll_ms));
    }
  }
}

void Progress(const LoadShared& shared, double elapsed, int64_t* last) {
  const int64_t done = shared.done.load();
  std::fprintf(stderr,
               "%s[%6.1fs] %9lld req/s  total %lld  errors %lld  events %lld"
               "  disconnects %lld%s",
               isatty(2) ? "\r" : "", elapsed,
               static_cast<long long>(done - *last),
               static_cast<long long>(done),
               static_cast<long long>(shared.errors.load()),
               static_cast<long long>(shared.events.load()),
               static_cast<long long>(shared.disconnects.load()),
               isatty(2) ? "" : "\n");
  *last = done;
}

double Seconds(int64_t from_ns) { return (NowMonoNs() - from_ns) / 1e9; }

// Waits for every worker's preload, printing its progress.
void AwaitPreload(const LoadShared& shared, LoadResult* result) {
  const int64_t start = NowMonoNs();
  int64_t shown = NowMonoNs();
  while (shared.preloaded_workers.load() < shared.config.connections) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (shared.config.progress && NowMonoNs() - shown > 1'000'000'000) {
      shown = NowMonoNs();
      std::fprintf(stderr, "preload: %lld of %u tickets\n",
                   static_cast<long long>(shared.preload_done.load()),
                   shared.config.preload);
    }
  }
  result->preload_seconds = Seconds(start);
}

void Collect(const LoadShared& shared, std::vector<std::unique_ptr<Worker>>& workers,
             int64_t end_ms, LoadResult* result) {
  const int64_t breach_ms =
      shared.mix.breach_kind() && !shared.mix.breach_kind()->within_ms.empty()
          ? shared.mix.breach_kind()->within_ms[0]
          : 0;
  for (auto& w : workers) {
    for (const auto& [num, acked_ms] : w->breach_acks) {
      // Its deadline is at most ack time + budget; allow a second.
      if (result->subscribe_refused || acked_ms + breach_ms + 1000 > end_ms) {
        continue;
      }
      ++result->breach_tickets;
      if (!shared.breached.contains(num)) ++result->undelivered;
    }
    for (int op = 0; op < kOpCount; ++op) {
      result->latency_us[op].Merge(w->latency_us[op]);
      result->all_us.Merge(w->latency_us[op]);
    }
    result->scheduled_us.Merge(w->scheduled_us);
    for (const auto& [code, n] : w->errors) result->errors[code] += n;
    result->preloaded += w->preloaded;
    result->preload_errors += w->preload_errors;
    result->verified += w->verified;
    result->lost += w->lost;
    result->verify_errors += w->verify_errors;
  }
  result->disconnects = shared.disconnects.load();
}

// Sends `request` on `client` and returns the error code of its reply
// (skipping event lines), "" when it is ok. Unavailable on a lost
// connection.
absl::StatusOr<std::string> Ask(LineClient* client, absl::string_view request) {
  if (absl::Status s = client->Write(request); !s.ok()) return s;
  absl::string_view line;
  do {
    if (absl::Status s = client->ReadLine(&line); !s.ok()) return s;
  } while (!api::SniffStringMember(line, "event").empty());
  return std::string(ReplyErrorCode(line));
}

// Refuses a run whose token may not do what its checks need, rather than
// reporting, at the end, tickets "lost" or escalations "never delivered"
// that were only refused to it (forbidden).
absl::Status Preflight(const LoadConfig& config, LineClient* probe) {
  if (config.redis) return absl::OkStatus();
  struct Need {
    bool wanted;
    std::string request, what;
  };
  std::vector<Need> needs = {
      // A resume of an id no ticket has: not_found to a token that may
      // change tickets, forbidden to one that may not, and no change.
      {true,
       absl::StrCat(R"({"op":"resume","req":"preflight","id":")", config.prefix,
                    "-slaload-preflight\"}\n"),
       "the load needs its commands (role ingest)"}};
  // The load opens tickets in team0.. (LoadMix, kTeams): an open of a kind
  // no policy has in each is refused as forbidden by a token limited to
  // other teams, and as bad_field, changing nothing, by one that may.
  for (int team = 0; team < kTeams; ++team) {
    needs.push_back(
        {true,
         absl::StrCat(R"({"op":"open","req":"preflight","id":")", config.prefix,
                      R"(-slaload-preflight","kind":"slaload preflight: no such kind",)",
                      R"("team":"team)", team, "\"}\n"),
         absl::StrCat("the load opens tickets in teams team0 to team", kTeams - 1,
                      ", not all of them this token's")});
  }
  const Need rest[] = {
      {config.verify > 0,
       absl::StrCat(R"({"op":"get","req":"preflight","id":")", config.prefix,
                    "-slaload-preflight\"}\n"),
       "--verify needs get (role operator)"},
      // Last: the probe then closes, and the group's events go to the
      // subscriber thread.
      {config.subscribe,
       absl::StrCat(R"({"op":"subscribe","req":"preflight","group":")",
                    config.group, "\"}\n"),
       "the escalation subscriber needs subscribe (role subscriber; "
       "--no-subscribe runs without it)"}};
  needs.insert(needs.end(), std::begin(rest), std::end(rest));
  for (const Need& need : needs) {
    if (!need.wanted) continue;
    absl::StatusOr<std::string> code = Ask(probe, need.request);
    if (!code.ok()) return code.status();
    if (*code == "unauthorized" && config.token.empty()) {
      return absl::PermissionDeniedError(
          "the daemon wants a token: --token T (docs/API.md, \"Authentication and roles\")");
    }
    if (*code == "forbidden" || *code == "unauthorized") {
      return absl::PermissionDeniedError(
          absl::StrCat(need.what, ", which the server refuses (", *code,
                       ") to this token"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunLoad(const LoadConfig& config, const LoadMix& mix,
                     LoadResult* result) {
  {
    absl::StatusOr<std::unique_ptr<LineClient>> probe = DialLoad(config);
    if (!probe.ok()) {
      // A refused token is the caller's to fix (exit 2), not a daemon
      // that cannot be reached (3).
      if (absl::IsPermissionDenied(probe.status())) return probe.status();
      return absl::UnavailableError(probe.status().message());
    }
    if (absl::Status s = Preflight(config, probe->get()); !s.ok()) return s;
  }
  LoadShared shared(config, mix);
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  for (int i = 0; i < config.connections; ++i) {
    workers.push_back(std::make_unique<Worker>(&shared, i));
    threads.emplace_back([w = workers.back().get()] { w->Run(); });
  }
  AwaitPreload(shared, result);
  Listened listened;
  std::thread listener;
  if (config.subscribe) {
    listener = std::thread([&] {
      if (config.redis) {
        PollRedis(&shared, &listened);
      } else {
        ListenSlad(&shared, &listened);
      }
    });
  }
  const int64_t start = NowMonoNs();
  shared.start_ns = start;
  shared.go.store(true);
  int64_t last = 0, shown = start;
  while (Seconds(start) < config.seconds &&
         (config.requests == 0 || shared.done.load() < config.requests)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (config.progress && NowMonoNs() - shown >= 1'000'000'000) {
      shown = NowMonoNs();
      Progress(shared, Seconds(start), &last);
    }
  }
  shared.stop.store(true);
  result->seconds = Seconds(start);
  if (config.progress && isatty(2)) std::fputc('\n', stderr);
  for (size_t i = 0; i < threads.size(); ++i) threads[i].join();
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<int64_t>(config.drain_seconds * 1000)));
  const int64_t end_ms = NowUnixMs();
  shared.stop_listener.store(true);
  if (listener.joinable()) listener.join();
  result->events = listened.events;
  result->redelivered = listened.redelivered;
  result->duplicates = listened.duplicates;
  result->events_by_name = listened.by_name;
  result->lateness_us = listened.lateness_us;
  result->lateness_read_us = listened.read_us;
  for (const auto& [code, n] : listened.errors) {
    result->errors[code] += n;
    if (absl::StartsWith(code, "subscriber:") &&
        code != "subscriber:failed_precondition") {
      result->subscribe_refused = true;
    }
  }
  Collect(shared, workers, end_ms, result);
  return absl::OkStatus();
}

}  // namespace slad::tools
