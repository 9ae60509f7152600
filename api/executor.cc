#include "api/executor.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "api/protocol_results.h"
#include "engine/status_macros.h"
#include "engine/time_format.h"

namespace slad::api {
namespace {

absl::Status BackInTime(absl::string_view what, int64_t at_ms,
                        int64_t now_ms) {
  return WireError(WireCode::kBadField,
                   absl::StrCat(what, " ", at_ms, " (", engine::FormatInstantMs(at_ms),
                                ") is before the engine's clock ", now_ms, " (",
                                engine::FormatInstantMs(now_ms), "): time never goes back"));
}

}  // namespace

absl::Status Executor::Execute(const Request& request, int64_t now_ms,
                               std::string* out) {
  effects_.Clear();
  const int64_t clock_ms = engine_->now_ms();
  switch (request.session_op) {
    case SessionOp::kNone:
      break;
    case SessionOp::kAdvance:
      if (request.advance_to_ms < clock_ms) {
        return Fail(request, BackInTime("to", request.advance_to_ms, clock_ms),
                    out);
      }
      AdvanceTo(request.advance_to_ms, out);
      AppendOkReply(request.req, out);
      return absl::OkStatus();
    default:
      return Fail(request,
                  WireError(WireCode::kFailedPrecondition,
                            absl::StrCat(OpName(request),
                                         " is a session op of the TCP server; "
                                         "nothing here executes it")),
                  out);
  }
  const int64_t at_ms = request.at_ms.value_or(std::max(now_ms, clock_ms));
  if (at_ms < clock_ms) {
    return Fail(request, BackInTime("at", at_ms, clock_ms), out);
  }
  if (engine::IsQuery(request.command.op)) {
    return RunQuery(request, at_ms, out);
  }
  return RunCommand(request, at_ms, out);
}

void Executor::AdvanceTo(int64_t to_ms, std::string* out) {
  // effects() is what the last Execute() or AdvanceTo() did: a daemon's
  // timer calling this between requests must not see (and store and send
  // again) the events of the request before. Inside Execute this is the
  // first step that fires anything, so clearing here loses nothing.
  effects_.Clear();
  const size_t first = effects_.events.size();
  if (to_ms >= engine_->now_ms()) engine_->Advance(to_ms, &effects_);
  AppendEvents(first, effects_.events.size(), out);
}

// Engine::Apply fires what is due before the command itself; firing it
// here first (to at - 1, Apply's own bound) separates those events, which
// precede the reply, from the command's own.
absl::Status Executor::RunCommand(const Request& request, int64_t at_ms,
                                  std::string* out) {
  if (at_ms > engine_->now_ms()) AdvanceTo(at_ms - 1, out);
  const size_t first = effects_.events.size();
  engine::Command command = request.command;
  command.at_ms = at_ms;
  const absl::Status status = engine_->Apply(command, &effects_);
  if (!status.ok()) {
    AppendErrorReply(request.req, status, out);
  } else if (command.op == engine::Op::kPauseAll ||
             command.op == engine::Op::kResumeAll) {
    AppendOkReplyBegin(request.req, out);
    AppendCountResult(effects_.count, out);
    AppendReplyEnd(out);
  } else {
    AppendOkReply(request.req, out);
  }
  AppendEvents(first, effects_.events.size(), out);
  return status;
}

absl::StatusOr<const engine::Command*> Executor::OpenCursor(
    const engine::Command& cmd, engine::Command* opened) {
  if (cursors_ == nullptr || cmd.cursor.empty()) return &cmd;
  ASSIGN_OR_RETURN(opened_cursor_, cursors_->Open(cmd.cursor, QueryOf(cmd)));
  *opened = cmd;  // a Command's strings are views: the cursor's stays here
  opened->cursor = opened_cursor_;
  return opened;
}

void Executor::SealCursor(const engine::Command& cmd, std::string* cursor) {
  if (cursors_ != nullptr && !cursor->empty()) {
    *cursor = cursors_->Seal(*cursor, QueryOf(cmd));
  }
}

// `within` and `limit` are left out: a page may ask for a longer window or
// more items than the one before it and go on from the same position.
const std::string& Executor::QueryOf(const engine::Command& cmd) {
  query_.clear();
  query_.push_back(static_cast<char>(cmd.op));
  // An absent team (any) and a null one (none) page different entries.
  for (const std::optional<absl::string_view>& field :
       {std::optional(cmd.filter.kind), cmd.filter.team, cmd.filter.assignee,
        std::optional(cmd.filter.priority), std::optional(cmd.filter.level),
        std::optional(cmd.filter.target)}) {
    if (field) {
      absl::StrAppend(&query_, field->size(), ":", *field);
    } else {
      query_.push_back('-');
    }
  }
  return query_;
}

// A query fires what is due before its instant and moves the clock to it;
// what is due at the instant waits, as after a command there, so that a
// query (any token may send one) cannot breach a ticket a command at the
// same instant is about to stop on time.
absl::Status Executor::RunQuery(const Request& request, int64_t at_ms,
                                std::string* out) {
  effects_.Clear();
  engine_->AdvanceBefore(at_ms, &effects_);
  AppendEvents(0, effects_.events.size(), out);
  return Answer(request, out);
}

// Runs the query and writes its reply. The reply is begun only once the
// engine has answered, so an error leaves no partial line.
absl::Status Executor::Answer(const Request& request, std::string* out) {
  const engine::Command& cmd = request.command;
  switch (cmd.op) {
    case engine::Op::kGet: {
      absl::StatusOr<engine::TicketView> view = engine_->Get(cmd.id);
      if (!view.ok()) return Fail(request, view.status(), out);
      AppendOkReplyBegin(request.req, out);
      AppendTicketResult(*view, out);
      break;
    }
    case engine::Op::kOverdue: {
      absl::StatusOr<const engine::Command*> q = OpenCursor(cmd, &opened_);
      if (!q.ok()) return Fail(request, q.status(), out);
      absl::Status status = engine_->Overdue(**q, &overdue_);
      if (!status.ok()) return Fail(request, std::move(status), out);
      SealCursor(cmd, &overdue_.next_cursor);
      AppendOkReplyBegin(request.req, out);
      AppendOverdueResult(overdue_, out);
      break;
    }
    case engine::Op::kDueSoon: {
      absl::StatusOr<const engine::Command*> q = OpenCursor(cmd, &opened_);
      if (!q.ok()) return Fail(request, q.status(), out);
      absl::Status status = engine_->DueSoon(**q, &due_soon_);
      if (!status.ok()) return Fail(request, std::move(status), out);
      SealCursor(cmd, &due_soon_.next_cursor);
      AppendOkReplyBegin(request.req, out);
      AppendDueSoonResult(due_soon_, out);
      break;
    }
    case engine::Op::kExplain: {
      absl::StatusOr<engine::Explanation> e =
          engine_->Explain(cmd.id, cmd.target);
      if (!e.ok()) return Fail(request, e.status(), out);
      AppendOkReplyBegin(request.req, out);
      AppendExplanationResult(*e, out);
      break;
    }
    case engine::Op::kStats: {
      absl::StatusOr<engine::StatsTable> table = engine_->Stats(cmd);
      if (!table.ok()) return Fail(request, table.status(), out);
      AppendOkReplyBegin(request.req, out);
      AppendStatsResult(*table, out);
      break;
    }
    default:
      return Fail(request, absl::InternalError("not a query"), out);
  }
  AppendReplyEnd(out);
  return absl::OkStatus();
}

absl::Status Executor::Fail(const Request& request, absl::Status status,
                            std::string* out) {
  AppendErrorReply(request.req, status, out);
  return status;
}

void Executor::AppendEvents(size_t from, size_t to, std::string* out) const {
  for (size_t i = from; i < to; ++i) {
    AppendEvent(effects_.events[i], std::nullopt, out);
  }
}

}  // namespace slad::api
