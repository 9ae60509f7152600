#include "api/server.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "api/auth.h"
#include "api/json_writer.h"
#include "api/protocol_results.h"
#include "api/session.h"
#include "engine/status_macros.h"
#include "engine/time_format.h"

namespace slad::api {

void Log(absl::string_view message) {
  std::fprintf(stderr, "slad: %.*s\n", static_cast<int>(message.size()),
               message.data());
  std::fflush(stderr);
}

namespace {

// The refusal of a write while the store is read-only (a failed disk
// write being retried, docs/STORAGE.md "Errors").
absl::Status NotWritable() {
  return WireError(WireCode::kUnavailable, "storage cannot take writes now");
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

}  // namespace

Server::Server(DaemonConfig config, std::unique_ptr<Durability> durability)
    : config_(std::move(config)), durability_(std::move(durability)) {}

Server::~Server() {
  // The store's writer completes what it still holds as it closes (failed,
  // once a full disk outlasted the drain), and each completion posts to
  // io_: the store goes first, while io_ is still there to take (and
  // drop, unrun) what is posted.
  durability_.reset();
}

absl::Status Server::ReadOutbox(uint64_t after, size_t limit,
                                std::vector<storage::OutboxEvent>* out) const {
  return durability_->ReadOutbox(after, limit, out);
}

absl::Status Server::CheckAt(const Request& request,
                             const Principal& principal) const {
  if (!request.at_ms) return absl::OkStatus();
  const int64_t at_ms = *request.at_ms;
  const std::string at =
      absl::StrCat("at ", at_ms, " (", engine::FormatInstantMs(at_ms), ")");
  if (manual_clock_ == nullptr) {
    const int64_t now_ms = clock_->NowMs();
    if (at_ms - now_ms <= static_cast<int64_t>(config_.limits.max_at_ahead_ms)) {
      return absl::OkStatus();
    }
    return WireError(WireCode::kBadField,
                     absl::StrCat(at, " is more than ",
                                  config_.limits.max_at_ahead_ms,
                                  " ms ahead of this daemon's clock (the system "
                                  "clock, ", now_ms, "); omit at to mean now"));
  }
  // The manual clock is the whole daemon's time: moving it fires every
  // team's deadlines, which is advance's power. A request's `at` may move
  // it only for a token that may change state over time (ingest, the
  // role whose commands carry their own instants, or admin); an operator
  // or subscriber token's query must not breach other teams' tickets.
  if (at_ms <= engine_->now_ms() ||
      (principal.roles & (kRoleIngest | kRoleAdmin)) != 0) {
    return absl::OkStatus();
  }
  return WireError(WireCode::kForbidden,
                   absl::StrCat(at, " is ahead of the manual clock (",
                                engine::FormatInstantMs(engine_->now_ms()),
                                "): only an ingest or admin token moves it; "
                                "omit at to mean the clock's time"));
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
  if (const absl::Status at = CheckAt(request, principal); !at.ok()) {
    session->FillError(slot, request.req, at);
    return;
  }
  const bool read_only = !durability_->writable();
  if (!query && read_only) {
    session->FillError(slot, request.req,
                       NotWritable());
    return;
  }
  // A query moves time to its instant, firing what fell due, which the
  // store could not record while it cannot write: its reply would wait for
  // the disk. It answers as of the engine's clock instead (the timer, too,
  // fires nothing meanwhile), at once.
  Request frozen;
  if (query && read_only) {
    frozen = request;
    frozen.at_ms = engine_->now_ms();
  }
  const int64_t clock_before = engine_->now_ms();
  std::string reply;
  const absl::Status status =
      RunRequest(query && read_only ? frozen : request, principal, &reply);
  if (manual_clock_ != nullptr) manual_clock_->AdvanceTo(engine_->now_ms());
  const engine::Effects& effects = executor_->effects();
  const bool applied = status.ok() && !query && !advance;
  // An advance is staged even when nothing fell due: the clock it moved
  // to is recorded (Store::NoteClock) and a restart resumes there. So is
  // any request that moved the manual clock (a query or a refused command
  // with a later `at`): its reply then waits for the commit, or a restart
  // could take time back past an answer already given. The system clock
  // moves on by itself while slad is down.
  const bool clock_moved = manual_clock_ != nullptr &&
                           engine_->now_ms() > clock_before &&
                           durability_->writable();
  const bool nothing_staged = effects.events.empty() &&
                              effects.changed.empty() && !applied &&
                              !advance && !clock_moved;
  if (request.session_op == SessionOp::kNone &&
      request.command.op == engine::Op::kGet) {
    // The store reads only what is written: wait for the units before
    // this get (or the one it staged) so its history matches its state;
    // not while the store cannot write, when they may never be.
    if (nothing_staged && (pending_commits_ == 0 || read_only)) {
      AddHistory(ViewOfHistory(request.command.id, principal), principal, &reply);
    } else {
      GetAfterCommit(session, slot, std::move(reply), request.command.id,
                     principal, clock_moved);
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
Server::HistoryView Server::ViewOfHistory(absl::string_view id,
                                          const Principal& principal) const {
  HistoryView view{std::string(id), durability_->HistoryHead(id),
                   std::numeric_limits<int64_t>::min()};
  if (principal.team_limited()) {
    view.since_ms = engine_->OpenedAt(id).value_or(std::numeric_limits<int64_t>::max());
  }
  return view;
}

void Server::AddHistory(const HistoryView& view, const Principal& principal,
                        std::string* reply, size_t waiting) {
  // Decided before reading: a team-limited token's not_found, for a hidden
  // ticket as for an absent one, must not cost the read of up to a
  // thousand records (tens of ms), which would tell the two apart.
  const bool found = absl::StrContains(*reply, "\"ok\":true");
  if (!found && (principal.team_limited() ||
                 !absl::StrContains(*reply, "\"not_found\""))) {
    return;
  }
  std::vector<storage::HistoryRecord> records;
  if (absl::Status read = durability_->ReadHistory(view.id, view.head, kHistoryLimit, &records);
      !read.ok()) {
    // A damaged store: said, not answered as a ticket without history.
    // The store's message (file names, offsets) goes to the log only.
    const std::string message =
        absl::StrCat("the history of ticket \"", view.id, "\" cannot be read");
    Log(absl::StrCat(message, ": ", read.message()));
    const std::string req(ReqOfReply(*reply));
    reply->clear();
    AppendErrorReply(req,
                     WireError(WireCode::kInternal,
                               absl::StrCat(message, " (a storage error; the daemon's log has it)")),
                     reply);
    return;
  }
  // Oldest first: what came before the cut is a prefix.
  records.erase(records.begin(),
                std::find_if(records.begin(), records.end(),
                             [&](const storage::HistoryRecord& r) {
                               return r.at_ms >= view.since_ms;
                             }));
  // The newest that fit a quarter of the output limit: request lines of
  // up to max_line_bytes each, a thousand of them could make a reply the
  // session must refuse as a slow consumer every time it is asked for.
  // Less when much is waiting already: gets held behind a commit are all
  // answered at once, and together must stay under the limit.
  const size_t limit = config_.limits.max_output_bytes;
  const size_t budget = std::min(limit / 4, limit / 2 - std::min(limit / 2, waiting));
  size_t bytes = 0, keep = 0;
  for (auto r = records.rbegin(); r != records.rend(); ++r, ++keep) {
    bytes += r->json.size() + 64;
    if (bytes > budget && keep > 0) break;
  }
  records.erase(records.begin(), records.end() - static_cast<ptrdiff_t>(keep));
  if (!found) {
    if (records.empty()) return;
    // Rebuild as ok: the engine forgot the ticket, the audit trail did not.
    const size_t ok = reply->find("\"ok\":false");
    reply->resize(ok);
    reply->append("\"ok\":true}\n");
  }
  reply->resize(reply->size() - 2);
  AppendHistoryResult(records, reply);
  AppendReplyEnd(reply);
}

// Stages nothing unless the get fired timers or moved the manual clock;
// either way its reply leaves once every unit before it is durable, with
// the history read then.
void Server::GetAfterCommit(Session* session, uint64_t slot, std::string reply,
                            absl::string_view id, const Principal& principal,
                            bool clock_moved) {
  const engine::Effects& effects = executor_->effects();
  Unit& unit = OpenUnit();
  if (!effects.events.empty() || !effects.changed.empty() || clock_moved) {
    durability_->Stage("", engine_->now_ms(), nullptr, effects, &unit.events);
  }
  ReplyWhenDurable(session, slot, std::move(reply),
                   [this, view = ViewOfHistory(id, principal),
                    principal](Session* s, std::string* r) {
                     AddHistory(view, principal, r, s != nullptr ? s->output_bytes() : 0);
                   });
}

void Server::Subscribe(Session* session, uint64_t slot,
                       const Request& request) {
  if (!durability_->writable()) {
    session->SubscribeRefused();
    session->FillError(slot, request.req,
                       NotWritable());
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
                       NotWritable());
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

namespace {

// A stored group name as people say it: "crm", or "crm" of teams east,
// west; past 8 teams, how many more (a token may list 256).
std::string GroupForHumans(absl::string_view stored) {
  constexpr size_t kShown = 8;
  const GroupNameParts name = SplitStoredGroupName(stored);
  std::string out = absl::StrCat("\"", name.group, "\"");
  for (size_t i = 0; i < name.teams.size() && i < kShown; ++i) {
    absl::StrAppend(&out, i == 0 ? " of teams \"" : ", \"", name.teams[i], "\"");
  }
  if (name.teams.size() > kShown) {
    absl::StrAppend(&out, " and ", name.teams.size() - kShown, " more");
  }
  return out;
}

}  // namespace

size_t Server::ConnectionsOf(absl::string_view stored_group) const {
  size_t n = 0;
  for (const auto& [ptr, s] : sessions_) n += s->asked_stored_group() == stored_group;
  return n;
}

// Each group with the name its subscribers give, the teams a team-limited
// token's group is stored under (StoredGroupName), and `key`, the
// name as stored, which drop_group takes.
void Server::ListGroups(Session* session, uint64_t slot, const Request& request) {
  const uint64_t last = durability_->last_outbox_seq();
  std::string reply;
  AppendOkReplyBegin(request.req, &reply);
  reply.append(",\"groups\":[");
  bool first = true;
  for (const auto& [stored, acked] : durability_->GroupCursors()) {
    const GroupNameParts name = SplitStoredGroupName(stored);
    reply.append(first ? "{\"key\":" : ",{\"key\":");
    first = false;
    AppendJsonString(stored, &reply);
    reply.append(",\"group\":");
    AppendJsonString(name.group, &reply);
    if (!name.teams.empty()) {
      reply.append(",\"teams\":[");
      for (size_t i = 0; i < name.teams.size(); ++i) {
        if (i > 0) reply.push_back(',');
        AppendJsonString(name.teams[i], &reply);
      }
      reply.push_back(']');
    }
    absl::StrAppend(&reply, ",\"acked\":", acked,
                    ",\"behind\":", last > acked ? last - acked : 0,
                    ",\"connections\":", ConnectionsOf(stored), "}");
  }
  reply.push_back(']');
  AppendReplyEnd(&reply);
  OpenUnit();  // answered in order, once what was staged before is durable
  ReplyWhenDurable(session, slot, std::move(reply));
}

void Server::DropGroup(Session* session, uint64_t slot, const Request& request) {
  if (!durability_->writable()) {
    session->FillError(slot, request.req,
                       NotWritable());
    return;
  }
  // A consumer still connected would ack a group that no longer exists
  // (not_found) and, reconnecting, start again from the oldest event.
  if (const size_t n = ConnectionsOf(request.key); n > 0) {
    session->FillError(
        slot, request.req,
        WireError(WireCode::kFailedPrecondition,
                  absl::StrCat(n, " connection(s) subscribe group ",
                               GroupForHumans(request.key),
                               "; stop its consumers before dropping it")));
    return;
  }
  if (!durability_->DropGroup(request.key).ok()) {  // NotFound: no such group
    session->FillError(slot, request.req,
                       WireError(WireCode::kNotFound,
                                 absl::StrCat("no subscriber group ",
                                              GroupForHumans(request.key))));
    return;
  }
  // It deletes a cursor, and with it maybe events no one acknowledged.
  Log(absl::StrCat("subscriber group ", GroupForHumans(request.key), " dropped by ",
                   session->peer()));
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

}  // namespace slad::api
