#include "api/journal.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "api/protocol.h"
#include "engine/status_macros.h"

namespace slad::api {
namespace {

absl::string_view WithoutNewline(absl::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  return line;
}

}  // namespace

storage::OutboxEvent Journal::ToOutbox(const engine::Event& event,
                                       absl::string_view team) {
  storage::OutboxEvent out;
  out.type = static_cast<uint8_t>(event.type);
  out.at_ms = event.at_ms;
  out.id = event.id;
  out.target = std::string(event.target);
  out.deadline_ms = event.deadline_ms;
  out.from = std::string(event.from);
  out.to = std::string(event.to);
  out.team = std::string(team);
  return out;
}

void Journal::Stage(absl::string_view request_line, int64_t at_ms,
                    const engine::Command* command,
                    const engine::Effects& effects,
                    std::vector<storage::OutboxEvent>* outbox) {
  store_->NoteClock(engine_->now_ms());
  // Heads first: a purged id opened again in the same call links to them.
  for (const engine::Effects::Purged& p : effects.purged) {
    if (p.history_head != 0) {
      store_->PutHistoryHead(p.id, p.history_head, engine_->now_ms());
    }
  }
  // What fell due before the command's instant comes before it, in the
  // outbox and in each ticket's history, as it happened.
  const size_t before = command != nullptr ? effects.events_begin : 0;
  StageEvents(effects, 0, before, outbox);
  if (command != nullptr) StageCommand(request_line, at_ms, *command, effects);
  StageEvents(effects, before, effects.events.size(), outbox);
  StageTickets(effects);
}

void Journal::StageStats() {
  engine_->DrainStats(
      [this](engine::StatsCellRecord&& cell) { store_->AddStatsCell(cell); });
}

void Journal::StageCommand(absl::string_view line, int64_t at_ms,
                           const engine::Command& command,
                           const engine::Effects& effects) {
  // The record is made per ticket: one for a command's own, handed over.
  ForEachHistoryTicket(command, effects, &seen_, [&](absl::string_view id) {
    AppendHistory(id, {.at_ms = at_ms,
                       .kind = storage::HistoryRecord::kCommand,
                       .json = std::string(WithoutNewline(line))});
  });
}

void Journal::ForEachHistoryTicket(const engine::Command& command,
                                   const engine::Effects& effects,
                                   absl::flat_hash_set<absl::string_view>* seen,
                                   absl::FunctionRef<void(absl::string_view)> fn) {
  if (command.op != engine::Op::kPauseAll &&
      command.op != engine::Op::kResumeAll) {
    fn(command.id);
    return;
  }
  seen->clear();
  for (size_t i = effects.command_begin; i < effects.command_end; ++i) {
    const std::string& id = effects.changed[i];
    if (seen->insert(id).second) fn(id);
  }
}

void Journal::AppendHistory(absl::string_view id,
                            storage::HistoryRecord record) {
  uint64_t prev = engine_->HistoryHead(id).value_or(0);
  if (prev == 0) {
    // A ticket's first record: its id may have been used by a ticket
    // purged since, whose chain this one continues, as the history of an
    // id always did. A read error only costs that link.
    prev = store_->PurgedHistoryHead(id).value_or(0);
  }
  engine_->SetHistoryHead(id, store_->AppendHistory(id, prev, std::move(record)));
}

std::optional<uint64_t> Journal::HistoryHead(absl::string_view id) const {
  return engine_->HistoryHead(id);
}

absl::Status Journal::ReadHistory(absl::string_view id,
                                  std::optional<uint64_t> head, size_t limit,
                                  std::vector<storage::HistoryRecord>* out) const {
  return store_->ReadHistory(id, head, limit, out);
}

void Journal::StageEvents(const engine::Effects& effects, size_t from, size_t to,
                          std::vector<storage::OutboxEvent>* outbox) {
  for (size_t i = from; i < to; ++i) {
    const engine::Event& event = effects.events[i];
    storage::OutboxEvent record = ToOutbox(event, event.team);
    record.seq = store_->AppendOutbox(record);
    outbox->push_back(std::move(record));
    json_.clear();
    AppendEvent(event, std::nullopt, &json_);
    AppendHistory(event.id, {.at_ms = event.at_ms,
                             .kind = storage::HistoryRecord::kEvent,
                             .json = std::string(WithoutNewline(json_))});
  }
}

void Journal::StageTickets(const engine::Effects& effects) {
  seen_.clear();
  for (const std::string& id : effects.changed) {
    if (!seen_.insert(id).second) continue;
    if (engine_->Export(id, &record_)) {
      store_->PutTicket(record_);
    } else {
      store_->DeleteTicket(id);
    }
  }
}

absl::Status Journal::Recover(storage::Store* store, engine::Engine* engine,
                              storage::RecoveryReport* report) {
  const auto start = std::chrono::steady_clock::now();
  // Sized once up front, the tables do not rehash or regrow while millions
  // of tickets go in; the estimate may be off either way, harmlessly.
  engine->Reserve(store->ApproximateTickets());
  engine->set_records_clock(store->clock_ms());
  // Restore's errors name the ticket already.
  RETURN_IF_ERROR(store->Load(
      [engine](absl::Span<engine::TicketRecord> tickets) {
        return engine->RestoreBatch(tickets);
      },
      [engine](engine::StatsCellRecord&& cell) {
        return engine->RestoreStats(std::move(cell));
      },
      report));
  // Back to the clock the last unit reached. Everything due before it
  // fired before that unit was durable and is recorded as fired in the
  // tickets, so this normally fires nothing; whatever it does fire is
  // journaled like any timer. What is due at that very instant may not
  // have fired (commands at it come first: Engine::Apply), and waits.
  if (report->clock_ms > engine->now_ms()) {
    engine::Effects effects;
    engine->AdvanceBefore(report->clock_ms, &effects);
    if (!effects.events.empty() || !effects.changed.empty()) {
      Journal journal(engine, store);
      std::vector<storage::OutboxEvent> outbox;
      journal.Stage("", report->clock_ms, nullptr, effects, &outbox);
      journal.StageStats();
      store->Commit([](absl::Status) {});
    }
  }
  // The start-up line's figure: all of recovery, sizing the tables (their
  // first touch is a good part of it at millions of tickets) included.
  report->elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  return absl::OkStatus();
}

}  // namespace slad::api
