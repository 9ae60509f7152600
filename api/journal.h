#ifndef SLAD_API_JOURNAL_H_
#define SLAD_API_JOURNAL_H_

// Journal: the glue between the engine and the store. After each executor
// call it stages, as one unit, everything that call made durable-worthy:
// the command as an audit record, every event into the outbox and into
// history, the re-encoded state of every ticket that changed, and the
// stats cells that changed (docs/STORAGE.md, "What one command writes").
// Recover() is the reverse, at start-up.
//
// Thread-safety: event-loop thread only.
// Memory: borrows `engine` and `store`, which must outlive it; keeps its
// scratch record and id set between calls so that their capacity is reused.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/command.h"
#include "engine/engine.h"
#include "storage/store.h"

namespace slad::api {

class Journal {
 public:
  Journal(engine::Engine* engine, storage::Store* store)
      : engine_(engine), store_(store) {}
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // After a policy reload: the engine whose tickets Stage() exports.
  void set_engine(engine::Engine* engine) { engine_ = engine; }

  // Stages (does not Commit) what one Executor call did:
  //   - `request_line` (trailing newline dropped) as a command record in
  //     the history of the ticket `command` names, or, for pause_all/
  //     resume_all, of each ticket the command itself touched; nothing if
  //     `command` is null (a timer firing, advance, a failed command);
  //   - every event, in order, into the outbox (with the ticket's team)
  //     and as an event record into the ticket's history;
  //   - each changed ticket once: its record if the engine still has it,
  //     else a deletion (purged after its reopen window).
  //   - for each ticket purged after its reopen window, its history head
  //     (Store::PutHistoryHead).
  // Each history record is linked to the ticket's newest before it, and
  // becomes the engine's head for the ticket (docs/STORAGE.md, "History").
  // Stats are not staged here: see StageStats.
  // Appends the staged outbox events, with their seq, to *outbox, for the
  // caller to deliver once the unit is durable.
  void Stage(absl::string_view request_line, int64_t at_ms,
             const engine::Command* command, const engine::Effects& effects,
             std::vector<storage::OutboxEvent>* outbox);

  // Stages every stats cell changed since the last call, each once. Call
  // it right before each Store::Commit that closes a unit holding staged
  // commands: the cells then go into the same atomic unit as the commands
  // that changed them (nothing acknowledged loses its stats in a crash),
  // and a unit of many commands writes each cell once, not per command.
  void StageStats();

  // Restores every stored ticket and stats cell into `engine` (which must
  // be fresh, on the policy to serve with) and fills *report (its
  // elapsed_ms: the whole recovery, sizing the engine included). Errors: the
  // store's (DataLoss for an undecodable record) or the engine's
  // (InvalidArgument for a record the policy cannot take), with the id.
  // What fell due while the daemon was down fires on the engine's next
  // Advance/Apply, which the caller does at once.
  static absl::Status Recover(storage::Store* store, engine::Engine* engine,
                              storage::RecoveryReport* report);

  // The engine's head of the ticket's history; nullopt if it has no such
  // ticket.
  std::optional<uint64_t> HistoryHead(absl::string_view id) const;
  // The ticket's history as Store::ReadHistory gives it, from `head` (a
  // HistoryHead answer), or from the head kept at its purge if nullopt.
  absl::Status ReadHistory(absl::string_view id, std::optional<uint64_t> head,
                           size_t limit,
                           std::vector<storage::HistoryRecord>* out) const;

  // The outbox form of an engine event; `team` is the ticket's team.
  static storage::OutboxEvent ToOutbox(const engine::Event& event,
                                       absl::string_view team);

  // Calls fn(id) for each ticket whose history a successful `command`'s
  // line goes to: its own, or for pause_all and resume_all each ticket it
  // touched, once. `seen` is scratch. Both stores keep history this way.
  static void ForEachHistoryTicket(const engine::Command& command,
                                   const engine::Effects& effects,
                                   absl::flat_hash_set<absl::string_view>* seen,
                                   absl::FunctionRef<void(absl::string_view)> fn);

 private:
  void StageCommand(absl::string_view line, int64_t at_ms,
                    const engine::Command& command,
                    const engine::Effects& effects);
  // Stages effects.events[from, to).
  void StageEvents(const engine::Effects& effects, size_t from, size_t to,
                   std::vector<storage::OutboxEvent>* outbox);
  void StageTickets(const engine::Effects& effects);
  void AppendHistory(absl::string_view id, storage::HistoryRecord record);

  engine::Engine* engine_;
  storage::Store* const store_;
  engine::TicketRecord record_;
  absl::flat_hash_set<absl::string_view> seen_;
  std::string json_;
};

}  // namespace slad::api

#endif  // SLAD_API_JOURNAL_H_
