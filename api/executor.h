#ifndef SLAD_API_EXECUTOR_H_
#define SLAD_API_EXECUTOR_H_

// Executor runs decoded requests against an Engine and writes what a
// client sees: event lines and one reply line, in time order. `slactl
// simulate` drives it from stdin; the TCP daemon will drive it from its
// connections (adding auth, subscriptions and persistence around it).

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/protocol.h"
#include "engine/engine.h"

namespace slad::api {

// What clients see of the engine's page cursors (overdue, due_soon): the
// daemon seals them (api/cursor_seal.h); without a codec they go out as the
// engine writes them (simulate, tests). `query` names the query a cursor
// belongs to (its op and filters): a cursor pages only the query that
// made it.
class CursorCodec {
 public:
  virtual ~CursorCodec() = default;
  virtual std::string Seal(absl::string_view cursor, absl::string_view query) = 0;
  // InvalidArgument (bad_field) for a cursor Seal() did not make for `query`.
  virtual absl::StatusOr<std::string> Open(absl::string_view sealed,
                                           absl::string_view query) = 0;
};

// Thread-safety: none; one per engine, on the engine's thread.
// Memory: borrows `engine` (which must outlive it); keeps its effects and
// query pages between calls so that their capacity is reused.
class Executor {
 public:
  // `cursors`, if given, is borrowed and must outlive the executor.
  explicit Executor(engine::Engine* engine, CursorCodec* cursors = nullptr)
      : engine_(engine), cursors_(cursors) {}
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Executes `request` at its `at`, or at max(now_ms, engine clock) when it
  // has none, appending to *out, in this order:
  //   1. event lines of what fell due before that instant (a query too:
  //      what is due at the instant itself waits for time to move past
  //      it, after every command at it);
  //   2. the reply line: ok (with the result body of a query, "count" for
  //      pause_all/resume_all) or error, with the request's `req`;
  //   3. a command's own event lines (met, escalated, and what it made due
  //      before its instant).
  // Returns the status of the reply (OK for an ok reply). Errors, each also
  // written as the error reply:
  //   bad_field (InvalidArgument): `at` (or advance's `to`) before the
  //     engine's clock: time never goes back; the engine is untouched.
  //   failed_precondition: auth, subscribe, ack: the TCP session handles
  //     those, not the executor.
  //   and whatever Engine::Apply and the queries return (docs/API.md).
  // `advance {to}` advances the engine to `to`, writing the events fired,
  // then an ok reply.
  absl::Status Execute(const Request& request, int64_t now_ms,
                       std::string* out);

  // Fires everything due at or before `to_ms` (ignored if before the
  // engine's clock), appending one event line each.
  void AdvanceTo(int64_t to_ms, std::string* out);

  // Everything the last Execute() or AdvanceTo() did to the engine: the
  // events written and the ids of the tickets whose stored state changed
  // (what the daemon must persist). Valid until the next call.
  const engine::Effects& effects() const { return effects_; }

 private:
  absl::Status RunCommand(const Request& request, int64_t at_ms,
                          std::string* out);
  absl::Status RunQuery(const Request& request, int64_t at_ms,
                        std::string* out);
  absl::Status Answer(const Request& request, std::string* out);
  absl::Status Fail(const Request& request, absl::Status status,
                    std::string* out);
  void AppendEvents(size_t from, size_t to, std::string* out) const;
  // The command with its cursor as the engine wrote it, in `*opened` (its
  // cursor in opened_cursor_) when it had to be opened; `cmd` itself
  // otherwise.
  absl::StatusOr<const engine::Command*> OpenCursor(const engine::Command& cmd,
                                                    engine::Command* opened);
  void SealCursor(const engine::Command& cmd, std::string* cursor);
  // The op and filters of `cmd`, unambiguously: what a cursor is bound to.
  const std::string& QueryOf(const engine::Command& cmd);

  engine::Engine* const engine_;
  CursorCodec* const cursors_;
  engine::Command opened_;
  std::string opened_cursor_;  // what opened_.cursor views
  std::string query_;          // QueryOf's
  engine::Effects effects_;
  engine::OverduePage overdue_;
  engine::DueSoonPage due_soon_;
};

}  // namespace slad::api

#endif  // SLAD_API_EXECUTOR_H_
