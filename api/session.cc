#include "api/session.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "api/durability.h"
#include "api/line_lookahead.h"
#include "api/server.h"
#include "simdjson.h"

namespace slad::api {
namespace {

// After its FIN, how long a session waits for the client to close before
// closing anyway: long enough for a live client to read its last replies
// and close, short enough that a departing or refused one never holds a
// socket for long.
constexpr auto kLinger = std::chrono::seconds(2);

std::string PeerOf(const asio::ip::tcp::socket& socket) {
  asio::error_code ec;
  const asio::ip::tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  return absl::StrCat(ep.address().to_string(), ":", ep.port());
}

}  // namespace

Session::Session(Server* server, asio::ip::tcp::socket socket,
                 asio::ssl::context* tls)
    : server_(server),
      socket_(std::move(socket)),
      linger_(socket_.get_executor()),
      auth_timer_(socket_.get_executor()),
      peer_(PeerOf(socket_)),
      max_line_bytes_(server->limits().max_line_bytes),
      decoder_(server->limits().max_line_bytes),
      authed_(server->open_access()) {
  if (server->open_access()) principal_.roles = kAllRoles;
  // Replies already leave in batches (out_ fills while a write is in
  // flight); Nagle would hold a small batch back until the client's ACK.
  asio::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  if (tls != nullptr) {
    tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(
        std::move(socket_), *tls);
  }
}

template <typename Buffers, typename Handler>
void Session::AsyncReadSome(const Buffers& buffers, Handler&& handler) {
  if (tls_) {
    tls_->async_read_some(buffers, std::forward<Handler>(handler));
  } else {
    socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }
}

template <typename Buffers, typename Handler>
void Session::AsyncWrite(const Buffers& buffers, Handler&& handler) {
  if (tls_) {
    asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
  } else {
    asio::async_write(socket_, buffers, std::forward<Handler>(handler));
  }
}

void Session::Start(bool reject) {
  reject_ = reject;
  if (!reject_) ArmAuthTimer();
  if (tls_) {
    Handshake();
    return;
  }
  handshaken_ = true;
  if (reject_) {
    FillError(OpenSlot(), "",
              WireError(WireCode::kTooManyConnections,
                        "connection limit reached; try again later"));
  } else {
    Read();
  }
}

// With tokens configured, a connection that has not authenticated within
// auth_timeout_ms (TLS handshake included) is answered unauthorized and
// ended as a refused one is: idle or trickling, such connections could
// otherwise hold every slot of max_connections, and their memory, for
// as long as they liked.
void Session::ArmAuthTimer() {
  const size_t timeout_ms = server_->limits().auth_timeout_ms;
  if (authed_ || timeout_ms == 0) return;
  auth_timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  auth_timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (ec || self->authed_ || self->closed_ || self->fin_sent_ || self->reject_ ||
        self->draining_) {
      return;
    }
    if (!self->handshaken_) {
      self->Close("TLS handshake not completed in time");
      return;
    }
    Log(absl::StrCat(self->peer_, ": no auth in ",
                           self->server_->limits().auth_timeout_ms, " ms; closing"));
    self->reject_ = true;
    self->FillError(self->OpenSlot(), "",
                    WireError(WireCode::kUnauthorized,
                              "no successful auth in time; closing"));
    self->MaybeClose();
  });
}

void Session::Handshake() {
  tls_->async_handshake(
      asio::ssl::stream_base::server,
      [self = shared_from_this()](const asio::error_code& ec) {
        if (self->closed_) return;
        if (ec) {
          self->Close(absl::StrCat("TLS handshake failed: ", ec.message()));
          return;
        }
        self->handshaken_ = true;
        if (self->draining_) {
          self->Close("");  // shutting down: nothing asked, nothing owed
        } else if (self->reject_) {
          self->FillError(self->OpenSlot(), "",
                          WireError(WireCode::kTooManyConnections,
                                    "connection limit reached; try again "
                                    "later"));
        } else {
          self->Read();
        }
      });
}

void Session::Read() {
  // Once a TLS session has finished, its shutdown (then DropUntilEof)
  // does the reading: a TLS read beside a shutdown would race it.
  if (read_pending_ || closed_ || (fin_sent_ && tls_)) return;
  read_pending_ = true;
  AsyncReadSome(asio::buffer(read_buf_),
                [self = shared_from_this()](const asio::error_code& ec,
                                            size_t n) { self->OnRead(ec, n); });
}

void Session::OnRead(const asio::error_code& ec, size_t n) {
  read_pending_ = false;
  if (closed_) return;
  if (fin_sent_ && tls_) {
    ShutdownTls();  // Finish cancelled this read; what it got is dropped
    return;
  }
  if (ec) {
    if (ec != asio::error::eof && ec != asio::ssl::error::stream_truncated) {
      Close("");  // reset or aborted: nobody to answer
      return;
    }
    read_eof_ = true;  // half-closed: answer what was asked, then close
    // A last request without its newline is a request all the same (as
    // simulate reads it), not dropped without a word.
    if (!line_.empty() && !discarding_ && !draining_ && !fin_sent_ && !reject_ &&
        !in_flight_paused_) {
      consuming_ = true;
      std::string last;
      last.swap(line_);
      HandleLine(last);
      consuming_ = false;
    }
    MaybeClose();
    return;
  }
  if (draining_ || fin_sent_ || reject_) {
    // Ending, or refused: what arrives now is not executed. It is read and dropped all
    // the same, because closing a socket with unread bytes sends a reset,
    // which can cut off the replies still on their way to the client.
    Read();
    return;
  }
  Feed(read_buf_.data(), n);
}

void Session::Feed(const char* data, size_t n) {
  consuming_ = true;
  const size_t used = Consume(data, n);
  consuming_ = false;
  if (closed_ || draining_) return;
  if (used < n || slots_.size() >= server_->limits().max_in_flight) {
    // Go on once half the replies are out (and the output is down to a
    // quarter of its limit), with what was read and not yet consumed: a
    // pipelining client is slowed down by TCP, never refused.
    unread_.assign(data + used, n - used);
    in_flight_paused_ = true;
    return;
  }
  if (server_->Backlogged()) {
    read_paused_ = true;
    server_->PauseReading(this);
    return;
  }
  Read();
}

void Session::ResumeReading() {
  if (!read_paused_ || closed_ || draining_) return;
  read_paused_ = false;
  Read();
}

// Splits the bytes into lines. A line never grows past max_line_bytes_
// (and the RequestDecoder::kFrameBytes a BOM and a '\r' take) in line_: past it, the
// line is answered with line_too_long at once and its remaining bytes are
// skipped up to the next '\n'. The decoder checks the exact limit.
size_t Session::Consume(const char* data, size_t n) {
  const char* p = data;
  const char* const end = data + n;
  const size_t max_in_flight = server_->limits().max_in_flight;
  const auto hint = [this](absl::string_view id, LineLookahead::Hint h) {
    server_->Prefetch(id, h);
  };
  LineLookahead lookahead(data, end, hint);
  while (p < end && !closed_ && !draining_) {
    if (!discarding_ && (slots_.size() >= max_in_flight || OutputHigh())) break;
    lookahead.Advance();
    const char* nl =
        static_cast<const char*>(std::memchr(p, '\n', end - p));
    const size_t len = (nl != nullptr ? nl : end) - p;
    const char* next = nl != nullptr ? nl + 1 : end;
    if (discarding_) {
      discarding_ = nl == nullptr;
    } else if (line_.size() + len > max_line_bytes_ + RequestDecoder::kFrameBytes) {
      line_.clear();
      discarding_ = nl == nullptr;
      FillError(OpenSlot(), "",
                WireError(WireCode::kLineTooLong,
                          absl::StrCat("line longer than ", max_line_bytes_,
                                       " bytes; the rest was discarded")));
    } else if (nl == nullptr) {
      line_.append(p, len);
    } else if (line_.empty()) {
      HandleLine(absl::string_view(p, len));
    } else {
      line_.append(p, len);
      HandleLine(line_);
      line_.clear();
    }
    p = next;
  }
  return static_cast<size_t>(p - data);
}

void Session::HandleLine(absl::string_view line) {
  // History keeps the request, as the decoder reads it: without a CRLF
  // ending's '\r', or the byte order mark an editor put before it (one:
  // a second is bad JSON), dropped once the line decoded.
  absl::ConsumeSuffix(&line, "\r");
  const uint64_t slot = OpenSlot();
  const absl::Status decoded = decoder_.Decode(line, &request_);
  if (!decoded.ok()) {
    FillError(slot, request_.req, decoded);
    return;
  }
  absl::ConsumePrefix(&line, "\xEF\xBB\xBF");
  // History keeps the request without the whitespace between its tokens:
  // with every field bounded (docs/API.md), a request costs its history a
  // few KiB at most, however it was padded to max_line_bytes.
  history_line_.resize(line.size());
  size_t minified = 0;
  if (simdjson::minify(line.data(), line.size(), history_line_.data(), minified) ==
      simdjson::SUCCESS) {
    line = absl::string_view(history_line_.data(), minified);
  }
  if (slots_.size() > server_->limits().max_in_flight) {
    FillError(slot, request_.req,
              WireError(WireCode::kOverloaded,
                        "too many requests in flight on this connection"));
    return;
  }
  Dispatch(slot, line);
}

void Session::Dispatch(uint64_t slot, absl::string_view line) {
  if (request_.session_op == SessionOp::kAuth) {
    Auth(slot);
    return;
  }
  if (!authed_) {
    FillError(slot, request_.req,
              WireError(WireCode::kUnauthorized, "auth first"));
    return;
  }
  if (!principal_.Allows(request_)) {
    FillError(slot, request_.req,
              WireError(WireCode::kForbidden,
                        absl::StrCat("the token's roles do not allow ",
                                     OpName(request_))));
    return;
  }
  if (absl::Status teams = CheckTeams(); !teams.ok()) {
    FillError(slot, request_.req, teams);
    return;
  }
  switch (request_.session_op) {
    case SessionOp::kSubscribe:
      // Checked when asked, not when delivery starts (after the commit):
      // a second subscribe pipelined behind the first must be refused too.
      if (subscribe_asked_) {
        FillError(slot, request_.req,
                  WireError(WireCode::kFailedPrecondition,
                            "this connection is already subscribed"));
        return;
      }
      subscribe_asked_ = true;
      asked_group_ = std::string(request_.group);
      stored_group_ = StoredGroupName(request_.group, principal_.teams);
      request_.group = stored_group_;
      server_->Subscribe(this, slot, request_);
      return;
    case SessionOp::kAck:
      // Only the connection that subscribes a group acknowledges it: an
      // ack from anywhere else (another team's token, a stray script)
      // would drop events that group's consumer has not had.
      if (!subscribe_asked_ || request_.group != asked_group_) {
        FillError(slot, request_.req,
                  WireError(WireCode::kFailedPrecondition,
                            absl::StrCat("this connection does not subscribe group \"",
                                         request_.group,
                                         "\"; ack on the connection that does")));
        return;
      }
      request_.group = stored_group_;
      server_->Ack(this, slot, request_);
      return;
    case SessionOp::kGroups:
    case SessionOp::kDropGroup:
      // Every team's consumers: an admin token limited to teams sees only
      // its own, through subscribe.
      if (principal_.team_limited()) {
        FillError(slot, request_.req,
                  WireError(WireCode::kForbidden,
                            absl::StrCat(OpName(request_),
                                         " is for a token of every team")));
        return;
      }
      if (request_.session_op == SessionOp::kGroups) {
        server_->ListGroups(this, slot, request_);
      } else {
        server_->DropGroup(this, slot, request_);
      }
      return;
    default:
      server_->Execute(this, slot, request_, line, principal_);
  }
}

void Session::Auth(uint64_t slot) {
  if (server_->open_access()) {
    Fill(slot, [&] {
      std::string line;
      AppendOkReply(request_.req, &line);
      return line;
    }());
    return;
  }
  // The subscription is the token's: its group is stored by the token's
  // teams and its events filtered by them. Another token would ack, or
  // read, a group that is not its own.
  if (subscribe_asked_) {
    FillError(slot, request_.req,
              WireError(WireCode::kFailedPrecondition,
                        "this connection subscribes a group: auth before subscribe, "
                        "or on a new connection"));
    return;
  }
  const Principal* principal = server_->tokens().Authenticate(request_.token);
  if (principal == nullptr) {
    // A refused auth leaves the connection unauthenticated, whatever an
    // earlier auth on it granted: until one succeeds, everything else is
    // unauthorized (API.md). The principal stays as it was, since it also
    // filters a subscription's events by team: an empty one would mean
    // every team.
    authed_ = false;
    Log(absl::StrCat("auth refused from ", peer_, ": unknown token"));
    FillError(slot, request_.req,
              WireError(WireCode::kUnauthorized, "unknown token"));
    return;
  }
  principal_ = *principal;
  authed_ = true;
  auth_timer_.cancel();
  std::string line;
  AppendOkReply(request_.req, &line);
  Fill(slot, std::move(line));
}

// A team-limited token sees and touches only its teams' tickets: queries
// get the team filter forced, and ops that span every team (stats) are
// refused. An op on a ticket of another team is not refused here: the
// server answers it as one on an unknown id (Server::Execute).
absl::Status Session::CheckTeams() {
  if (!principal_.team_limited()) return absl::OkStatus();
  if (request_.session_op != SessionOp::kNone) return absl::OkStatus();
  engine::Command& cmd = request_.command;
  switch (cmd.op) {
    case engine::Op::kOpen:
      if (!cmd.team.has_value() || !principal_.AllowsTeam(*cmd.team)) {
        return WireError(WireCode::kForbidden,
                         "open must name one of the token's teams");
      }
      return absl::OkStatus();
    case engine::Op::kPauseAll:
    case engine::Op::kResumeAll:
    case engine::Op::kOverdue:
    case engine::Op::kDueSoon:
      return ForceTeamFilter(&cmd.filter.team);
    case engine::Op::kStats:
      return WireError(WireCode::kForbidden,
                       "stats span every team; this token is limited to "
                       "some teams");
    default:
      break;
  }
  if (cmd.op == engine::Op::kAssign && cmd.team.has_value() &&
      !principal_.AllowsTeam(*cmd.team)) {
    return WireError(WireCode::kForbidden,
                     "assign to a team outside the token's teams");
  }
  return absl::OkStatus();
}

// With one team the filter is forced to it; with several the request must
// name one (running it per team and merging pages would break cursors).
absl::Status Session::ForceTeamFilter(std::optional<absl::string_view>* team) {
  if (team->has_value()) {
    // Tickets without a team are no team's: "" is outside every list.
    if (principal_.AllowsTeam(**team)) return absl::OkStatus();
    return WireError(WireCode::kForbidden,
                     "team outside the token's teams");
  }
  if (principal_.teams.size() == 1) {
    *team = principal_.teams.front();
    return absl::OkStatus();
  }
  return WireError(WireCode::kForbidden,
                   "this token is limited to several teams: name one with "
                   "`team`");
}

uint64_t Session::OpenSlot() {
  slots_.emplace_back();
  return first_slot_ + slots_.size() - 1;
}

void Session::Fill(uint64_t slot, std::string line) {
  if (closed_ || ending_ || slot < first_slot_) return;
  Slot& s = slots_[slot - first_slot_];
  slot_bytes_ += line.size();
  s.line = std::move(line);
  s.ready = true;
  Release();
}

void Session::FillError(uint64_t slot, absl::string_view req,
                        const absl::Status& status) {
  std::string line;
  AppendErrorReply(req, status, &line);
  Fill(slot, std::move(line));
}

bool Session::Hold() {
  if (held_) return false;
  held_ = true;
  return true;
}

void Session::Unhold() {
  held_ = false;
  Release();
}

void Session::Release() {
  while (!slots_.empty() && slots_.front().ready) {
    slot_bytes_ -= slots_.front().line.size();
    out_.append(slots_.front().line);
    slots_.pop_front();
    ++first_slot_;
  }
  if (held_) return;
  if (!CheckBudget()) return;
  Write();
  MaybeClose();
  MaybeResumeConsuming();
}

// Queries are answered at once, so a burst of them could pile up replies
// faster than the client takes them: reading stops while the output is
// over half its limit (Consume), and goes on here once it is down to a
// quarter (after a write) and half the replies in flight are out. The
// limit itself then only catches a client that stopped reading.
// A subscription's events are paced by Pump (which fills to half the
// limit): counted here, they would keep a catching-up subscriber's acks
// from ever being read.
bool Session::OutputHigh() const {
  return !subscribe_asked_ && Expected() >= server_->limits().max_output_bytes / 2;
}

// Replies held behind a commit arrive all at once when it completes: a
// session that read requests until their replies were over the limit
// would then cut off a client that was reading all along. So pacing counts
// each request in flight as at least a short reply.
size_t Session::Expected() const {
  return Buffered() + slots_.size() * kReplyReserve;
}

void Session::MaybeResumeConsuming() {
  if (!in_flight_paused_ || closed_ || consuming_ ||
      slots_.size() > server_->limits().max_in_flight / 2 ||
      (!subscribe_asked_ && Expected() > server_->limits().max_output_bytes / 4)) {
    return;
  }
  in_flight_paused_ = false;
  if (draining_) return;
  std::string rest;
  rest.swap(unread_);
  if (rest.empty()) {
    Read();
  } else {
    Feed(rest.data(), rest.size());
  }
}

size_t Session::Buffered() const {
  return out_.size() + writing_.size() + slot_bytes_;
}

// False (and closed) when the client lets more output pile up than the
// limit: a stalled reader must not hold the daemon's memory.
bool Session::CheckBudget() {
  if (Buffered() <= server_->limits().max_output_bytes) return true;
  const std::string reason = absl::StrCat(
      "slow consumer: more than ", server_->limits().max_output_bytes,
      " bytes of output waiting; disconnected",
      subscribed() ? " (its events wait in the outbox)" : "");
  if (write_pending_) {  // the client is not reading: nothing more can go
    Close(reason);
    return false;
  }
  // The socket keeps up but this burst is over the limit: drop what is
  // queued, say why, then close.
  Log(absl::StrCat(peer_, ": ", reason));
  ending_ = true;
  draining_ = true;
  slots_.clear();
  slot_bytes_ = 0;
  out_.clear();
  AppendErrorReply("", WireError(WireCode::kSlowConsumer, reason), &out_);
  Write();
  return false;
}

void Session::Write() {
  if (write_pending_ || out_.empty() || closed_) return;
  writing_.swap(out_);
  out_.clear();
  write_pending_ = true;
  AsyncWrite(asio::buffer(writing_),
             [self = shared_from_this()](const asio::error_code& ec, size_t) {
               self->OnWrite(ec);
             });
}

void Session::OnWrite(const asio::error_code& ec) {
  write_pending_ = false;
  writing_.clear();
  if (closed_) return;
  if (ec) {
    Close("");
    return;
  }
  if (subscribed() && !caught_up_ && !ending_) Pump();
  Write();
  MaybeClose();
  MaybeResumeConsuming();
}

void Session::StartSubscription(absl::string_view group, uint64_t acked) {
  group_ = std::string(group);
  cursor_ = acked;
  caught_up_ = false;
  Pump();
}

// Catches up from the outbox a page at a time, only while the output
// buffer is under half its limit: a lagging subscriber reads at its own
// pace, and the outbox holds the rest.
void Session::Pump() {
  const Limits& limits = server_->limits();
  // A team-limited subscriber skips other teams' events without writing
  // anything, so its catch-up is not paced by its output: read in one go,
  // a large outbox stalled every other client for a second. A few pages a
  // turn of the loop, then the rest after what else is waiting.
  constexpr int kPagesPerTurn = 8;
  int pages = 0;
  while (!closed_ && !fin_sent_ && !caught_up_ &&
         Buffered() < limits.max_output_bytes / 2) {
    if (pages++ == kPagesPerTurn) {
      asio::post(linger_.get_executor(), [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->Pump();
      });
      break;
    }
    page_.clear();
    const absl::Status s =
        server_->ReadOutbox(cursor_, limits.outbox_page, &page_);
    if (!s.ok()) {
      Close(absl::StrCat("outbox read failed: ", s.message()));
      return;
    }
    // Event by event, not the page at once: a page can be larger than
    // the whole output limit (256 events are about 33 KB), and delivered
    // at once it made the subscriber a slow consumer, page after page.
    size_t delivered = 0;
    while (delivered < page_.size() && Buffered() < limits.max_output_bytes / 2) {
      Deliver(page_[delivered++]);
    }
    if (delivered < page_.size()) break;  // the rest once the output drains
    if (page_.size() < limits.outbox_page) caught_up_ = true;
  }
  Write();
}

void Session::OnEvents(const std::vector<storage::OutboxEvent>& events) {
  if (closed_ || ending_ || fin_sent_ || !subscribed() || !caught_up_) {
    return;
  }
  // A unit over the output limit (a timer turn that breaches 30,000
  // clocks at the default 4 MiB) makes the subscriber a slow consumer, cut
  // off: it reconnects and catches up from the outbox, paced (Pump). Paced
  // here too, a subscriber that stopped reading would hold its group's
  // connection for ever.
  for (const storage::OutboxEvent& event : events) {
    if (event.seq > cursor_) Deliver(event);
  }
  if (CheckBudget()) Write();
}

void Session::Deliver(const storage::OutboxEvent& event) {
  cursor_ = event.seq;
  if (!principal_.AllowsTeam(event.team)) return;
  AppendEvent(ToEngineEvent(event), Delivery{asked_group_, event.seq}, &out_);
}

void Session::Drain() {
  if (!handshaken_) {
    Close("");  // no TLS session yet: nothing asked, nothing owed
    return;
  }
  draining_ = true;
  // Bytes read but not parsed are requests not taken in: not executed
  // (docs/API.md, "Time and signals"). From now on reads only drop.
  unread_.clear();
  line_.clear();
  in_flight_paused_ = false;
  read_paused_ = false;
  Read();
  MaybeClose();
}

void Session::MaybeClose() {
  if (closed_ || !(read_eof_ || draining_ || reject_)) return;
  if (!slots_.empty() || !out_.empty() || write_pending_) return;
  if (read_eof_) {
    Close("");  // the client is done sending: nothing unread to reset on
    return;
  }
  Finish();
}

void Session::Finish() {
  if (fin_sent_) return;
  fin_sent_ = true;
  server_->OnSessionFinishing();
  linger_.expires_after(kLinger);
  linger_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (!ec) self->Close("");
  });
  asio::error_code ignored;
  if (tls_) {
    // close_notify first, or a TLS client cannot tell this end from a cut
    // connection. A TLS stream cannot shut down under a pending read: the
    // read is cancelled (nothing is being written: MaybeClose waited for
    // that) and its completion starts the shutdown.
    if (read_pending_) {
      Socket().cancel(ignored);
    } else {
      ShutdownTls();
    }
    return;
  }
  Socket().shutdown(asio::socket_base::shutdown_send, ignored);
  Read();  // until the client's EOF (OnRead drops what comes)
}

// Sends close_notify and waits for the client's. A client that sends
// more data first (pipelined requests not taken in) fails the shutdown
// once ours is out: the session then ends as a plain one does, with a
// FIN and the client's bytes read and dropped until its EOF. Closing
// with them unread would send a reset, which can destroy the replies
// the client has not read yet. The linger timer ends either wait.
void Session::ShutdownTls() {
  tls_->async_shutdown([self = shared_from_this()](const asio::error_code& ec) {
    if (self->closed_) return;
    if (!ec) {
      self->Close("");
      return;
    }
    asio::error_code ignored;
    self->Socket().shutdown(asio::socket_base::shutdown_send, ignored);
    self->DropUntilEof();
  });
}

void Session::DropUntilEof() {
  Socket().async_read_some(
      asio::buffer(read_buf_),
      [self = shared_from_this()](const asio::error_code& ec, size_t) {
        if (self->closed_) return;
        if (ec) {
          self->Close("");
          return;
        }
        self->DropUntilEof();
      });
}

void Session::Close(absl::string_view reason) {
  if (closed_) return;
  closed_ = true;
  if (!reason.empty()) Log(absl::StrCat(peer_, ": ", reason));
  linger_.cancel();
  auth_timer_.cancel();
  asio::error_code ignored;
  Socket().close(ignored);
  server_->OnSessionClosed(this);
}

asio::ip::tcp::socket& Session::Socket() {
  return tls_ ? tls_->next_layer() : socket_;
}

}  // namespace slad::api
