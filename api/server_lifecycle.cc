// The daemon's life: start (policy, recovery, TLS, listening), accepting
// connections, signals, the policy reload and the orderly shutdown.
// Requests, units and timers are in server.cc.

#include "api/server.h"

#include <chrono>
#include <csignal>
#include <random>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/session.h"
#include "config/policy_file.h"
#include "engine/status_macros.h"
#include "engine/time_format.h"

namespace slad::api {

namespace {

// The payload that marks an error as the data folder's (IsDataError).
constexpr absl::string_view kDataErrorUrl = "slad/data-folder";

absl::Status DataError(absl::Status status) {
  status.SetPayload(kDataErrorUrl, absl::Cord("1"));
  return status;
}

absl::StatusOr<engine::Policy> LoadPolicy(const std::string& path) {
  if (path.empty()) return config::LoadDefaultPolicy();
  return config::LoadPolicyFile(path);
}

// The last log line. An in-memory store (--data :memory:) is never
// called durable: everything in it is gone when the process exits.
absl::string_view StopMessage(bool ok, bool persistent) {
  if (!ok) return "stopped on error";
  if (!persistent) {
    return "stopped; the store was in memory: nothing survives this exit";
  }
  return "stopped; state is durable";
}


}  // namespace

bool IsDataError(const absl::Status& status) {
  return status.GetPayload(kDataErrorUrl).has_value();
}

absl::StatusOr<std::unique_ptr<Server>> Server::Create(DaemonConfig config,
                                                       DurabilityOpener open) {
  std::unique_ptr<Server> server(new Server(std::move(config), nullptr));
  RETURN_IF_ERROR(server->Init(open));
  return server;
}

absl::StatusOr<std::unique_ptr<Server>> Server::Create(
    DaemonConfig config, std::unique_ptr<Durability> durability) {
  auto held = std::make_shared<std::unique_ptr<Durability>>(std::move(durability));
  return Create(std::move(config),
                [held]() -> absl::StatusOr<std::unique_ptr<Durability>> {
                  return std::move(*held);
                });
}

absl::Status Server::Init(const DurabilityOpener& open) {
  // Caught from here, before recovery (13-19 s at 10M tickets): a SIGTERM,
  // SIGINT or SIGHUP then waits, queued, for Run() instead of killing the
  // process by default. A shutdown asked for during recovery happens as
  // soon as it is done; a reload, right after. slad's main() blocks them
  // until they are caught here; unblocked now, any that came meanwhile
  // reach the set.
  sigset_t caught;
  sigemptyset(&caught);
  for (const int s : kStopSignals) {
    signals_.add(s);
    sigaddset(&caught, s);
  }
  pthread_sigmask(SIG_UNBLOCK, &caught, nullptr);
  RETURN_IF_ERROR(CheckServable(config_));
  for (const TokenConfig& t : config_.tokens) {
    RETURN_IF_ERROR(tokens_.Add(t.token, Principal{t.roles, t.teams}));
  }
  ASSIGN_OR_RETURN(engine::Policy policy, LoadPolicy(config_.policy_path));
  RETURN_IF_ERROR(InitTls());
  ASSIGN_OR_RETURN(cursor_seal_, CursorSeal::Create());
  RETURN_IF_ERROR(Bind());
  absl::StatusOr<std::unique_ptr<Durability>> opened = open();
  if (!opened.ok()) return DataError(opened.status());
  durability_ = *std::move(opened);
  if (config_.manual_clock) {
    auto manual = std::make_unique<ManualClock>(0);
    manual_clock_ = manual.get();
    clock_ = std::move(manual);
  } else {
    clock_ = std::make_unique<SystemClock>();
  }
  ASSIGN_OR_RETURN(engine_,
                   engine::Engine::Create(std::move(policy), clock_->NowMs()));
  engine_->set_cursor_epoch(std::random_device()());
  std::string recovered;
  if (absl::Status r = durability_->Recover(engine_.get(), &recovered); !r.ok()) {
    return DataError(absl::Status(
        r.code(), absl::StrCat("cannot recover the data in ", config_.data_dir, " under ",
                               config_.policy_path.empty() ? "the default policy"
                                                           : config_.policy_path,
                               ": ", r.message())));
  }
  if (manual_clock_ != nullptr) manual_clock_->AdvanceTo(engine_->now_ms());
  executor_ = std::make_unique<Executor>(engine_.get(), cursor_seal_.get());
  Log(absl::StrCat("recovered ", recovered));
  // The engine's clock never goes back: data written ahead of this
  // machine's clock (a manual clock moved on, a clock set wrong) stamps
  // every request without `at` with that future instant until the system
  // clock passes it.
  if (manual_clock_ == nullptr &&
      engine_->now_ms() >
          clock_->NowMs() + static_cast<int64_t>(config_.limits.max_at_ahead_ms)) {
    Log(absl::StrCat("warning: the data's clock, ",
                     engine::FormatInstantMs(engine_->now_ms()),
                     ", is ahead of the system clock, ",
                     engine::FormatInstantMs(clock_->NowMs()),
                     "; requests are dated at it until the system clock "
                     "passes it, and an `at` before it is refused"));
  }
  Log(absl::StrCat(
      "policy ", config_.policy_path.empty() ? "<default policy>"
                                             : config_.policy_path,
      "; clock ", manual_clock_ != nullptr ? "manual" : "system"));
  WarnOfCalendarsRunningOut();
  RETURN_IF_ERROR(StartListening());
  Log(absl::StrCat(
      "listening on ", config_.listen_host, ":", port_,
      tls_ ? " (tls)" : " (plain tcp)",
      tokens_.empty()
          ? "; no tokens configured: every connection has every role, "
            "loopback only"
          : absl::StrCat("; ", tokens_.size(), tokens_.size() == 1 ? " token" : " tokens")));
  return absl::OkStatus();
}

absl::Status Server::InitTls() {
  if (config_.tls_cert.empty()) return absl::OkStatus();
  tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  tls_->set_options(asio::ssl::context::default_workarounds |
                    asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 |
                    asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
  asio::error_code ec;
  tls_->use_certificate_chain_file(config_.tls_cert, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tls.cert ", config_.tls_cert, ": ", ec.message()));
  }
  // OpenSSL asks for the passphrase of an encrypted key on the terminal,
  // where a daemon has none (or a service manager's): no passphrase, and
  // the error says why.
  bool encrypted = false;
  tls_->set_password_callback(
      [&encrypted](size_t, asio::ssl::context::password_purpose) {
        encrypted = true;
        return std::string();
      },
      ec);
  tls_->use_private_key_file(config_.tls_key, asio::ssl::context::pem, ec);
  // Not left pointing at this frame's `encrypted`.
  asio::error_code ignored;
  tls_->set_password_callback(
      [](size_t, asio::ssl::context::password_purpose) { return std::string(); },
      ignored);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tls.key ", config_.tls_key, ": ",
        encrypted ? "the key is encrypted; slad takes an unencrypted PEM key "
                    "(openssl pkey -in KEY -out PLAIN writes one; keep it readable "
                    "by slad only)"
                  : ec.message()));
  }
  return absl::OkStatus();
}

absl::Status Server::Bind() {
  asio::error_code ec;
  asio::ip::tcp::resolver resolver(io_);
  auto results = resolver.resolve(config_.listen_host,
                                  std::to_string(config_.listen_port), ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen: cannot resolve ", config_.listen_host, ": ", ec.message()));
  }
  const asio::ip::tcp::endpoint endpoint = results.begin()->endpoint();
  if (!endpoint.address().is_loopback() && tokens_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to listen on ", endpoint.address().to_string(),
        " without tokens (with none, slad serves loopback only)"));
  }
  // A name CheckServable took for loopback ("localhost") that resolves
  // elsewhere: tokens would go over the network in plain text.
  if (!endpoint.address().is_loopback() && config_.tls_cert.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to listen on ", endpoint.address().to_string(), " (",
        config_.listen_host, " resolves there) without TLS: set [tls] cert "
        "and key for a non-loopback address"));
  }
  acceptor_.open(endpoint.protocol(), ec);
  // SO_REUSEADDR to bind beside the TIME_WAIT connections of a process
  // that just stopped; then off while the data recovers: two sockets that
  // both have it may share an address until one listens, so another
  // process (a second slad) could take the port during a long recovery.
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(false), ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config_.listen_host, ":", config_.listen_port,
        ": ", ec.message()));
  }
  port_ = acceptor_.local_endpoint(ec).port();
  return absl::OkStatus();
}

absl::Status Server::StartListening() {
  asio::error_code ec;
  // listen() checks the address again, and without SO_REUSEADDR a
  // TIME_WAIT connection on it would fail that.
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config_.listen_host, ":", port_, ": ", ec.message()));
  }
  return absl::OkStatus();
}

void Server::IgnoreStopSignals() {
  // Removing them from the set restores their default action; ignored
  // right after, so the gap is a few instructions, not the teardown.
  asio::error_code ignored;
  signals_.clear(ignored);
  for (const int s : kStopSignals) std::signal(s, SIG_IGN);
}

absl::Status Server::Run() {
  signals_.async_wait(
      [this](const asio::error_code& ec, int signal) {
        if (!ec) OnSignal(signal);
      });
  Accept();
  RearmTimer();
  io_.run();
  if (stopping_ && !finished_) {
    // Every connection closed while units still waited for a store that
    // could not write: nothing waits on the loop any more. Their requests
    // were never answered ok, so nothing acknowledged is lost, but the
    // daemon did not end durable, which its exit and last line must say.
    if (exit_status_.ok()) {
      exit_status_ = absl::UnavailableError(absl::StrCat(
          "stopping with ", pending_commits_,
          " units of requests the store never made durable (none was "
          "acknowledged): ",
          durability_->writable() ? "it did not complete them"
                                  : "it could not write"));
    }
    Log(StopMessage(false, durability_->persistent()));
  }
  return exit_status_;
}

void Server::Accept() {
  acceptor_.async_accept([this](const asio::error_code& ec,
                                asio::ip::tcp::socket socket) {
    if (stopping_) return;
    if (ec) {
      // Out of descriptors (EMFILE) stays so until connections close: log
      // once, and try again in 100 ms; the pending connections wait in the
      // kernel's backlog meanwhile.
      if (!accept_failing_) {
        Log(absl::StrCat("accept failed: ", ec.message(),
                         "; retrying every 100 ms until it succeeds"));
      }
      accept_failing_ = true;
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this](const asio::error_code& wait) {
        if (!wait && !stopping_) Accept();
      });
      return;
    } else {
      if (accept_failing_) Log("accepting connections again");
      accept_failing_ = false;
      const bool reject =
          sessions_.size() - finishing_ >= config_.limits.max_connections;
      auto session =
          std::make_shared<Session>(this, std::move(socket), tls_.get());
      if (reject) {
        Log(absl::StrCat(session->peer(), ": refused: connection limit ",
                         config_.limits.max_connections, " reached"));
      }
      sessions_.emplace(session.get(), session);
      session->Start(reject);
    }
    Accept();
  });
}

void Server::OnSignal(int signal) {
  if (signal == SIGHUP) {
    Reload();
    signals_.async_wait([this](const asio::error_code& ec, int next) {
      if (!ec) OnSignal(next);
    });
    return;
  }
  Log(absl::StrCat(signal == SIGTERM ? "SIGTERM" : "SIGINT",
                   ": draining, then exiting"));
  BeginShutdown();
}

void Server::BeginShutdown() {
  if (stopping_) return;
  stopping_ = true;
  asio::error_code ignored;
  acceptor_.close(ignored);
  timer_.cancel();
  accept_retry_.cancel();
  signals_.cancel();
  drain_timer_.expires_after(config_.drain_timeout);
  drain_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec) return;
    Log("drain timed out; closing the remaining connections");
    std::vector<std::shared_ptr<Session>> left;
    for (auto& [ptr, s] : sessions_) left.push_back(s);
    for (auto& s : left) s->Close("");
  });
  std::vector<std::shared_ptr<Session>> all;
  for (auto& [ptr, s] : sessions_) all.push_back(s);
  for (auto& s : all) s->Drain();
  MaybeFinish();
}

void Server::MaybeFinish() {
  if (!stopping_ || pending_commits_ > 0 || !sessions_.empty()) return;
  durability_->Flush();
  if (const absl::Status fatal = durability_->fatal_error();
      !fatal.ok() && exit_status_.ok()) {
    exit_status_ = fatal;
  }
  drain_timer_.cancel();
  Log(StopMessage(exit_status_.ok(), durability_->persistent()));
  finished_ = true;
  io_.stop();
}

void Server::Reload() {
  const std::string source = config_.policy_path.empty()
                                 ? std::string("<default policy>")
                                 : config_.policy_path;
  // Every request waits while the tickets move (1-4 us each): said in the
  // log, so that an operator sees what a reload of a large desk costs.
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<engine::Policy> policy = LoadPolicy(config_.policy_path);
  if (!policy.ok()) {
    Log(absl::StrCat("SIGHUP: policy reload refused, keeping the old one: ",
                     policy.status().message()));
    return;
  }
  absl::StatusOr<std::unique_ptr<engine::Engine>> next =
      engine::Engine::CreateAfter(*std::move(policy), *engine_);
  absl::Status status = next.status();
  if (status.ok()) {
    (*next)->set_cursor_epoch(std::random_device()());
    status = SwapEngine(*std::move(next));
  }
  if (!status.ok()) {
    Log(absl::StrCat("SIGHUP: policy reload refused, keeping the old one: ",
                     status.message()));
    return;
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  Log(absl::StrCat("SIGHUP: policy reloaded from ", source, "; ",
                   engine_->open_tickets(), " open and ", engine_->resolved_tickets(),
                   " resolved tickets (reopen window) carried over in ",
                   took.count(), " ms (requests waited meanwhile)"));
  WarnOfCalendarsRunningOut();
}

// A calendar whose holiday list ends counts next year's holidays as
// working days: deadlines fall on them, silently. Said at every start
// and reload, from the last quarter of its last listed year on.
void Server::WarnOfCalendarsRunningOut() {
  for (const std::string& warning :
       config::CalendarCoverageWarnings(engine_->policy().source(),
                                        engine_->now_ms())) {
    Log(absl::StrCat("warning: ", warning));
  }
}

// Moves every ticket and stats cell into `next`; the old engine stays in
// place if any ticket does not fit the new policy.
absl::Status Server::SwapEngine(std::unique_ptr<engine::Engine> next) {
  absl::Status status;
  engine_->ExportAll([&](engine::TicketRecord&& record) {
    if (!status.ok()) return;
    const std::string id = record.id;
    status = next->Restore(std::move(record));
    // Restore's errors name the ticket already.
    if (!status.ok() && !absl::StrContains(status.message(), id)) {
      status = absl::Status(status.code(),
                            absl::StrCat("ticket ", id, ": ", status.message()));
    }
  });
  RETURN_IF_ERROR(status);
  engine_->ExportAllStats([&](engine::StatsCellRecord&& cell) {
    if (status.ok()) status = next->RestoreStats(std::move(cell));
  });
  RETURN_IF_ERROR(status);
  // The durability layer stages the old engine's changed stats cells at
  // commit: close the open unit (or an empty one) before it sees the new.
  OpenUnit();
  CommitUnit();
  next->ForgetPredecessor();  // its policy goes with the old engine
  engine_ = std::move(next);
  executor_ = std::make_unique<Executor>(engine_.get(), cursor_seal_.get());
  durability_->SetEngine(engine_.get());
  StoreRecounted();
  armed_due_ms_.reset();
  RearmTimer();
  return absl::OkStatus();
}

// A reload recounts the warnings each clock has sent against the new
// lists, in memory; a restart would read the stored counts (of the old
// lists) against the new ones, sending some again and losing others.
// The recounted tickets' records are written, a few thousand a unit.
void Server::StoreRecounted() {
  const std::vector<std::string> recounted = engine_->TakeRecounted();
  if (recounted.empty()) return;
  if (!durability_->writable()) {
    Log(absl::StrCat("SIGHUP: the store is read-only; ", recounted.size(),
                     " tickets' counts of warnings sent under the new "
                     "policy are not stored: after a restart their clocks "
                     "may send a warning again, or skip one"));
    return;
  }
  constexpr size_t kPerUnit = 4096;
  engine::Effects effects;
  for (size_t i = 0; i < recounted.size(); i += kPerUnit) {
    effects.Clear();
    effects.changed.assign(
        recounted.begin() + i,
        recounted.begin() + std::min(recounted.size(), i + kPerUnit));
    durability_->Stage("", engine_->now_ms(), nullptr, effects,
                       &OpenUnit().events);
    CommitUnit();
  }
}

}  // namespace slad::api
