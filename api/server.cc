#include "api/server.h"

#include <csignal>
#include <cstdio>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "api/protocol_results.h"
#include "api/session.h"
#include "config/policy_file.h"
#include "engine/status_macros.h"

namespace slad::api {

void Log(absl::string_view message) {
  std::fprintf(stderr, "slad: %.*s\n", static_cast<int>(message.size()),
               message.data());
  std::fflush(stderr);
}

namespace {

absl::StatusOr<engine::Policy> LoadPolicy(const std::string& path) {
  if (path.empty()) return config::LoadDefaultPolicy();
  return config::LoadPolicyFile(path);
}

// The executor writes event lines around the reply; on the wire the
// requester gets the reply alone (events go to subscribers, with their
// sequence numbers, through the outbox).
std::string ExtractReply(absl::string_view lines) {
  size_t pos = 0;
  while (pos < lines.size()) {
    size_t end = lines.find('\n', pos);
    end = end == absl::string_view::npos ? lines.size() : end + 1;
    const absl::string_view line = lines.substr(pos, end - pos);
    if (!absl::StartsWith(line, "{\"event\":")) return std::string(line);
    pos = end;
  }
  return std::string();
}

// A ticket id no ticket has (the decoder refuses control characters in
// ids): what a request runs with in place of the id of a ticket its
// principal may not see, so that it is answered as if there were none.
constexpr absl::string_view kAbsentId = "\x01" "absent" "\x01";

// Whether `request` names a ticket, open or resolved, of a team outside
// the teams `principal` is limited to.
bool NamesHiddenTicket(const Request& request, const Principal& principal,
                       const engine::Engine& engine) {
  if (!principal.team_limited() || request.session_op != SessionOp::kNone ||
      request.command.id.empty()) {
    return false;
  }
  const std::optional<absl::string_view> team =
      engine.TeamOf(request.command.id);
  return team.has_value() && !principal.AllowsTeam(*team);
}

// Whether `request` is an op on a ticket `principal` may not see, which it
// must not be able to tell from no ticket. An open of such an id is not:
// ids are one namespace, so it fails (OpenOfHiddenId).
bool HidesTicket(const Request& request, const Principal& principal,
                 const engine::Engine& engine) {
  return request.command.op != engine::Op::kOpen &&
         NamesHiddenTicket(request, principal, engine);
}

// The error for an open of an id a hidden ticket holds: whether that
// ticket is open or resolved is not the principal's to learn.
absl::Status OpenOfHiddenId(const Request& request) {
  return WireError(WireCode::kAlreadyExists,
                   absl::StrCat("ticket \"", request.command.id,
                                "\" already exists"));
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

// The raw `req` of a reply line the Append*Reply functions built: what
// lies between {"req": and the first ,"ok": (a quote inside a JSON string
// is escaped, so that sequence cannot occur inside `req`); "" if none.
absl::string_view ReqOfReply(absl::string_view line) {
  constexpr absl::string_view kBegin = "{\"req\":";
  if (!absl::StartsWith(line, kBegin)) return "";
  line.remove_prefix(kBegin.size());
  const size_t end = line.find(",\"ok\":");
  return end == absl::string_view::npos ? "" : line.substr(0, end);
}

constexpr size_t kHistoryLimit = 1000;
// Staged bytes past which sessions stop reading requests.
constexpr size_t kMaxPendingBytes = 64 << 20;
constexpr auto kDrainTimeout = std::chrono::seconds(10);

}  // namespace

Server::Server(DaemonConfig config, std::unique_ptr<Durability> durability)
    : config_(std::move(config)), durability_(std::move(durability)) {}

Server::~Server() = default;

absl::StatusOr<std::unique_ptr<Server>> Server::Create(
    DaemonConfig config, std::unique_ptr<Durability> durability) {
  std::unique_ptr<Server> server(
      new Server(std::move(config), std::move(durability)));
  RETURN_IF_ERROR(server->Init());
  return server;
}

absl::Status Server::Init() {
  RETURN_IF_ERROR(CheckServable(config_));
  for (const TokenConfig& t : config_.tokens) {
    RETURN_IF_ERROR(tokens_.Add(t.token, Principal{t.roles, t.teams}));
  }
  ASSIGN_OR_RETURN(engine::Policy policy, LoadPolicy(config_.policy_path));
  if (config_.manual_clock) {
    auto manual = std::make_unique<ManualClock>(0);
    manual_clock_ = manual.get();
    clock_ = std::move(manual);
  } else {
    clock_ = std::make_unique<SystemClock>();
  }
  ASSIGN_OR_RETURN(engine_,
                   engine::Engine::Create(std::move(policy), clock_->NowMs()));
  std::string recovered;
  RETURN_IF_ERROR(durability_->Recover(engine_.get(), &recovered));
  if (manual_clock_ != nullptr) manual_clock_->AdvanceTo(engine_->now_ms());
  executor_ = std::make_unique<Executor>(engine_.get());
  RETURN_IF_ERROR(InitTls());
  RETURN_IF_ERROR(Listen());
  Log(absl::StrCat("recovered ", recovered));
  Log(absl::StrCat(
      "policy ", config_.policy_path.empty() ? "<default policy>"
                                             : config_.policy_path,
      "; clock ", manual_clock_ != nullptr ? "manual" : "system"));
  Log(absl::StrCat(
      "listening on ", config_.listen_host, ":", port_,
      tls_ ? " (tls)" : " (plain tcp)",
      tokens_.empty()
          ? "; no tokens configured: every connection has every role, "
            "loopback only"
          : absl::StrCat("; ", tokens_.size(), " tokens")));
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
  tls_->use_private_key_file(config_.tls_key, asio::ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls.key ", config_.tls_key, ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status Server::Listen() {
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
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config_.listen_host, ":", config_.listen_port,
        ": ", ec.message()));
  }
  port_ = acceptor_.local_endpoint(ec).port();
  return absl::OkStatus();
}

absl::Status Server::Run() {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.add(SIGHUP);
  signals_.async_wait(
      [this](const asio::error_code& ec, int signal) {
        if (!ec) OnSignal(signal);
      });
  Accept();
  RearmTimer();
  io_.run();
  return exit_status_;
}

void Server::Accept() {
  acceptor_.async_accept([this](const asio::error_code& ec,
                                asio::ip::tcp::socket socket) {
    if (stopping_) return;
    if (ec) {
      Log(absl::StrCat("accept failed: ", ec.message()));
    } else {
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

absl::Status Server::ReadOutbox(uint64_t after, size_t limit,
                                std::vector<storage::OutboxEvent>* out) const {
  return durability_->ReadOutbox(after, limit, out);
}

void Server::Execute(Session* session, uint64_t slot, const Request& request,
                     absl::string_view line, const Principal& principal) {
  const bool advance = request.session_op == SessionOp::kAdvance;
  const bool query = !advance && engine::IsQuery(request.command.op);
  if (advance && manual_clock_ == nullptr) {
    session->FillError(slot, request.req,
                       WireError(WireCode::kFailedPrecondition,
                                 "advance needs --clock manual; this daemon "
                                 "runs on the system clock"));
    return;
  }
  if (!query && !durability_->writable()) {
    session->FillError(slot, request.req,
                       WireError(WireCode::kUnavailable,
                                 "storage cannot take writes now"));
    return;
  }
  std::string reply;
  const absl::Status status = RunRequest(request, principal, &reply);
  if (manual_clock_ != nullptr) manual_clock_->AdvanceTo(engine_->now_ms());
  const engine::Effects& effects = executor_->effects();
  const bool applied = status.ok() && !query && !advance;
  // An advance is staged even when nothing fell due: the clock it moved
  // to is recorded (Store::NoteClock) and a restart resumes there.
  const bool nothing_staged = effects.events.empty() &&
                              effects.changed.empty() && !applied && !advance;
  if (request.session_op == SessionOp::kNone &&
      request.command.op == engine::Op::kGet) {
    // The store reads only what is written: wait for the units before
    // this get (or the one it staged) so its history matches its state.
    if (nothing_staged && pending_commits_ == 0) {
      AddHistory(request.command.id, principal, &reply);
    } else {
      GetAfterCommit(session, slot, std::move(reply), request.command.id,
                     principal);
      RearmTimer();
      return;
    }
  }
  if (nothing_staged) {
    session->Fill(slot, std::move(reply));
    RearmTimer();
    return;
  }
  // Stage records the instant it is given, not the command's own `at`.
  durability_->Stage(line, engine_->now_ms(),
                     applied ? &request.command : nullptr, effects,
                     &OpenUnit().events);
  ReplyWhenDurable(session, slot, std::move(reply));
  RearmTimer();
}

// A request on a ticket hidden from the principal runs with an id no
// ticket has: every check before the lookup (at, names, ...), every timer
// it fires and the error itself are those of an unknown id; only the
// message gets the id as sent back.
absl::Status Server::RunRequest(const Request& request,
                                const Principal& principal,
                                std::string* reply) {
  scratch_.clear();
  if (!HidesTicket(request, principal, *engine_)) {
    const absl::Status status =
        executor_->Execute(request, clock_->NowMs(), &scratch_);
    *reply = ExtractReply(scratch_);
    if (absl::IsAlreadyExists(status) && request.command.op == engine::Op::kOpen &&
        NamesHiddenTicket(request, principal, *engine_)) {
      const absl::Status neutral = OpenOfHiddenId(request);
      reply->clear();
      AppendErrorReply(request.req, neutral, reply);
      return neutral;
    }
    return status;
  }
  Request absent = request;
  absent.command.id = kAbsentId;
  const absl::Status status =
      executor_->Execute(absent, clock_->NowMs(), &scratch_);
  *reply = ExtractReply(scratch_);
  if (status.ok()) return status;  // no op succeeds on an unknown ticket
  const absl::Status as_sent = WireError(
      WireCodeOf(status),
      absl::StrReplaceAll(status.message(), {{kAbsentId, request.command.id}}));
  reply->clear();
  AppendErrorReply(request.req, as_sent, reply);
  return as_sent;
}

// Replaces the final "}\n" of a get reply by ,"history":[...]}. A ticket
// gone from the engine (its reopen window ended) but with history still
// stored gets an ok reply with the history alone.
void Server::AddHistory(absl::string_view id, const Principal& principal,
                        std::string* reply) {
  std::vector<storage::HistoryRecord> records;
  if (!durability_->ReadHistory(id, kHistoryLimit, &records).ok()) return;
  const bool found = absl::StrContains(*reply, "\"ok\":true");
  if (!found) {
    if (records.empty() || principal.team_limited() ||
        !absl::StrContains(*reply, "\"not_found\"")) {
      return;
    }
    // Rebuild as ok: the engine forgot the ticket, the audit trail did not.
    const size_t ok = reply->find("\"ok\":false");
    reply->resize(ok);
    reply->append("\"ok\":true}\n");
  }
  reply->resize(reply->size() - 2);
  AppendHistoryResult(records, reply);
  AppendReplyEnd(reply);
}

// Stages nothing unless the get fired timers; either way its reply leaves
// once every unit before it is durable, with the history read then.
void Server::GetAfterCommit(Session* session, uint64_t slot, std::string reply,
                            absl::string_view id, const Principal& principal) {
  const engine::Effects& effects = executor_->effects();
  Unit& unit = OpenUnit();
  if (!effects.events.empty() || !effects.changed.empty()) {
    durability_->Stage("", engine_->now_ms(), nullptr, effects, &unit.events);
  }
  ReplyWhenDurable(session, slot, std::move(reply),
                   [this, id = std::string(id),
                    principal](Session*, std::string* r) {
                     AddHistory(id, principal, r);
                   });
}

void Server::Subscribe(Session* session, uint64_t slot,
                       const Request& request) {
  if (!durability_->writable()) {
    session->FillError(slot, request.req,
                       WireError(WireCode::kUnavailable,
                                 "storage cannot take writes now"));
    return;
  }
  durability_->RegisterGroup(request.group);
  std::string reply;
  AppendOkReply(request.req, &reply);
  OpenUnit();
  ReplyWhenDurable(session, slot, std::move(reply),
                   [this, slot, group = std::string(request.group)](
                       Session* s, std::string* r) {
                     s->Fill(slot, std::move(*r));  // the ok, then events
                     r->clear();
                     const absl::StatusOr<uint64_t> acked =
                         durability_->AckedUpTo(group);
                     s->StartSubscription(group, acked.ok() ? *acked : 0);
                   });
}

void Server::Ack(Session* session, uint64_t slot, const Request& request) {
  if (!durability_->writable()) {
    session->FillError(slot, request.req,
                       WireError(WireCode::kUnavailable,
                                 "storage cannot take writes now"));
    return;
  }
  if (!durability_->AckedUpTo(request.group).ok()) {
    // An ack would register the group, whose cursor then pins the outbox.
    session->FillError(slot, request.req,
                       WireError(WireCode::kNotFound,
                                 absl::StrCat("no subscriber group \"",
                                              request.group, "\"; subscribe first")));
    return;
  }
  durability_->Ack(request.group, request.seq);
  std::string reply;
  AppendOkReply(request.req, &reply);
  OpenUnit();
  ReplyWhenDurable(session, slot, std::move(reply));
}

Server::Unit& Server::OpenUnit() {
  if (!unit_open_) {
    unit_open_ = true;
    ++pending_commits_;
    asio::post(io_, [this] { CommitUnit(); });
  }
  return open_;
}

void Server::ReplyWhenDurable(Session* session, uint64_t slot,
                              std::string reply, Then then) {
  HeldReply& held = OpenUnit().replies.emplace_back();
  if (session != nullptr) held.session = session->weak_from_this();
  held.slot = slot;
  held.line = std::move(reply);
  held.then = std::move(then);
}

void Server::CommitUnit() {
  if (!unit_open_) return;
  unit_open_ = false;
  committed_.push_back(std::move(open_));
  if (spare_.empty()) {
    open_ = Unit();
  } else {
    open_ = std::move(spare_.back());
    spare_.pop_back();
  }
  durability_->Commit([this](absl::Status status) {
    asio::post(io_, [this, status = std::move(status)] { OnCommitted(status); });
  });
}

void Server::OnCommitted(const absl::Status& status) {
  --pending_commits_;
  Unit unit = std::move(committed_.front());
  committed_.pop_front();
  if (!status.ok()) {
    if (exit_status_.ok()) {
      exit_status_ = status;
      Log(absl::StrCat("storage failed for good: ", status.message(),
                       "; exiting"));
    }
    for (HeldReply& held : unit.replies) {
      if (auto session = held.session.lock()) {
        session->FillError(
            held.slot, ReqOfReply(held.line),
            WireError(WireCode::kInternal, "storage failed; not durable"));
      }
    }
    BeginShutdown();
    return;
  }
  held_sessions_.clear();
  for (HeldReply& held : unit.replies) {
    std::shared_ptr<Session> session = held.session.lock();
    if (!session) continue;
    if (session->Hold()) held_sessions_.push_back(session);
    if (held.then) held.then(session.get(), &held.line);
    if (!held.line.empty()) session->Fill(held.slot, std::move(held.line));
  }
  for (auto& session : held_sessions_) session->Unhold();
  held_sessions_.clear();
  if (!paused_.empty() && !Backlogged()) {
    std::vector<std::weak_ptr<Session>> paused;
    paused.swap(paused_);
    for (auto& weak_paused : paused) {
      if (auto s = weak_paused.lock()) s->ResumeReading();
    }
  }
  if (!unit.events.empty()) {
    // A delivery may close its session (slow consumer), which erases it
    // from sessions_: iterate over a copy.
    std::vector<std::shared_ptr<Session>> subscribers;
    for (auto& [ptr, s] : sessions_) {
      if (s->subscribed()) subscribers.push_back(s);
    }
    for (auto& s : subscribers) s->OnEvents(unit.events);
  }
  unit.replies.clear();
  unit.events.clear();
  spare_.push_back(std::move(unit));
  MaybeFinish();
}

void Server::RearmTimer() {
  if (manual_clock_ != nullptr || stopping_) return;
  const std::optional<int64_t> due = engine_->NextDue();
  if (due == armed_due_ms_) return;
  armed_due_ms_ = due;
  if (!due.has_value()) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(DelayUntil(*due, clock_->NowUs()));
  timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec) OnTimer();
  });
}

void Server::OnTimer() {
  armed_due_ms_.reset();
  if (stopping_) return;
  if (!durability_->writable()) {
    // Nothing fires while it could not be recorded; try again shortly.
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([this](const asio::error_code& ec) {
      if (!ec) OnTimer();
    });
    return;
  }
  scratch_.clear();
  executor_->AdvanceTo(clock_->NowMs(), &scratch_);
  const engine::Effects& effects = executor_->effects();
  if (!effects.events.empty() || !effects.changed.empty()) {
    durability_->Stage("", engine_->now_ms(), nullptr, effects,
                       &OpenUnit().events);
  }
  RearmTimer();
}

bool Server::Backlogged() const {
  return durability_->pending_bytes() > kMaxPendingBytes;
}

void Server::PauseReading(Session* session) {
  paused_.push_back(session->weak_from_this());
}

void Server::OnSessionClosed(Session* session) {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return;
  if (session->fin_sent()) --finishing_;
  // Handlers still queued keep their own reference; erase it later so
  // that this call never destroys the session it is running in.
  asio::post(io_, [keep = std::move(it->second)] {});
  sessions_.erase(it);
  MaybeFinish();
}

void Server::BeginShutdown() {
  if (stopping_) return;
  stopping_ = true;
  asio::error_code ignored;
  acceptor_.close(ignored);
  timer_.cancel();
  signals_.cancel();
  drain_timer_.expires_after(kDrainTimeout);
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
  io_.stop();
}

void Server::Reload() {
  const std::string source = config_.policy_path.empty()
                                 ? std::string("<default policy>")
                                 : config_.policy_path;
  absl::StatusOr<engine::Policy> policy = LoadPolicy(config_.policy_path);
  if (!policy.ok()) {
    Log(absl::StrCat("SIGHUP: policy reload refused, keeping the old one: ",
                     policy.status().message()));
    return;
  }
  absl::StatusOr<std::unique_ptr<engine::Engine>> next =
      engine::Engine::Create(*std::move(policy), engine_->now_ms());
  absl::Status status = next.status();
  if (status.ok()) status = SwapEngine(*std::move(next));
  if (!status.ok()) {
    Log(absl::StrCat("SIGHUP: policy reload refused, keeping the old one: ",
                     status.message()));
    return;
  }
  Log(absl::StrCat("SIGHUP: policy reloaded from ", source, "; ",
                   engine_->open_tickets(), " open tickets carried over"));
}

// Moves every ticket and stats cell into `next`; the old engine stays in
// place if any ticket does not fit the new policy.
absl::Status Server::SwapEngine(std::unique_ptr<engine::Engine> next) {
  absl::Status status;
  engine_->ExportAll([&](engine::TicketRecord&& record) {
    if (!status.ok()) return;
    const std::string id = record.id;
    status = next->Restore(std::move(record));
    if (!status.ok()) {
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
  engine_ = std::move(next);
  executor_ = std::make_unique<Executor>(engine_.get());
  durability_->SetEngine(engine_.get());
  armed_due_ms_.reset();
  RearmTimer();
  return absl::OkStatus();
}

}  // namespace slad::api
