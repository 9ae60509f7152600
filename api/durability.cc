#include "api/durability.h"

#include <algorithm>
#include <deque>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "api/journal.h"
#include "api/protocol.h"

namespace slad::api {

engine::Event ToEngineEvent(const storage::OutboxEvent& record) {
  return engine::Event{static_cast<engine::EventType>(record.type),
                       record.at_ms,
                       record.id,
                       record.target,
                       record.deadline_ms,
                       record.from,
                       record.to};
}

namespace {

class MemoryDurability final : public Durability {
 public:
  absl::Status Recover(engine::Engine* engine, std::string* report) override {
    engine_ = engine;
    *report = "nothing (in-memory store: nothing survives a restart)";
    return absl::OkStatus();
  }
  void SetEngine(engine::Engine* engine) override { engine_ = engine; }

  void Stage(absl::string_view line, int64_t at_ms,
             const engine::Command* cmd, const engine::Effects& effects,
             std::vector<storage::OutboxEvent>* outbox) override {
    // As Journal::Stage: events due before the command come before it.
    const size_t before = cmd != nullptr ? effects.events_begin : 0;
    StageEvents(effects, 0, before, outbox);
    if (cmd != nullptr) {
      Journal::ForEachHistoryTicket(*cmd, effects, &seen_, [&](absl::string_view id) {
        AddHistory(id, at_ms, storage::HistoryRecord::kCommand, line);
      });
    }
    StageEvents(effects, before, effects.events.size(), outbox);
  }
  // Groups, acks and the outbox's bounds follow storage::Store's: a new
  // group starts from the oldest event kept, an ack never passes the last
  // event, and what every group acknowledged is dropped.
  void RegisterGroup(absl::string_view group) override {
    acked_.try_emplace(std::string(group), floor_);
  }
  void Ack(absl::string_view group, uint64_t seq) override {
    RegisterGroup(group);
    uint64_t& acked = acked_[std::string(group)];
    acked = std::max(acked, std::min(seq, last_seq_));
    TrimAcked();
  }
  absl::Status DropGroup(absl::string_view group) override {
    if (acked_.erase(std::string(group)) == 0) {
      return absl::NotFoundError(absl::StrCat("no subscriber group \"", group, "\""));
    }
    TrimAcked();
    return absl::OkStatus();
  }
  void Commit(std::function<void(absl::Status)> done) override {
    done(absl::OkStatus());
  }
  std::vector<std::pair<std::string, uint64_t>> GroupCursors() const override {
    return {acked_.begin(), acked_.end()};
  }
  uint64_t last_outbox_seq() const override { return last_seq_; }

  absl::StatusOr<uint64_t> AckedUpTo(absl::string_view group) const override {
    auto it = acked_.find(std::string(group));
    if (it == acked_.end()) return absl::NotFoundError("unknown group");
    return it->second;
  }
  absl::Status ReadOutbox(uint64_t after, size_t limit,
                          std::vector<storage::OutboxEvent>* out) const override {
    // Kept events have the seqs floor_ + 1 .. last_seq_, in order.
    const uint64_t skip = after > floor_ ? after - floor_ : 0;
    for (uint64_t i = skip; i < outbox_.size() && out->size() < limit; ++i) {
      out->push_back(outbox_[i]);
    }
    return absl::OkStatus();
  }
  std::optional<uint64_t> HistoryHead(absl::string_view id) const override {
    auto it = history_.find(std::string(id));
    if (it == history_.end() || it->second.empty()) return std::nullopt;
    return it->second.back().seq;
  }
  absl::Status ReadHistory(absl::string_view id, std::optional<uint64_t> head,
                           size_t limit,
                           std::vector<storage::HistoryRecord>* out) const override {
    auto it = history_.find(std::string(id));
    if (it == history_.end()) return absl::OkStatus();
    const auto& records = it->second;
    const auto end = head.has_value()
                         ? std::upper_bound(records.begin(), records.end(), *head,
                                            [](uint64_t seq, const storage::HistoryRecord& r) {
                                              return seq < r.seq;
                                            })
                         : records.end();
    const auto first = end - std::min<ptrdiff_t>(end - records.begin(),
                                                 static_cast<ptrdiff_t>(limit));
    out->insert(out->end(), first, end);
    return absl::OkStatus();
  }

  bool persistent() const override { return false; }
  bool writable() const override { return true; }
  size_t pending_bytes() const override { return 0; }
  absl::Status fatal_error() const override { return absl::OkStatus(); }
  void Flush() override {}

 private:
  void StageEvents(const engine::Effects& effects, size_t from, size_t to,
                   std::vector<storage::OutboxEvent>* outbox) {
    for (size_t i = from; i < to; ++i) {
      const engine::Event& event = effects.events[i];
      storage::OutboxEvent record = Journal::ToOutbox(event, event.team);
      record.seq = ++last_seq_;
      outbox_.push_back(record);
      outbox->push_back(std::move(record));
      DropBeyondBound();
      std::string json;
      AppendEvent(event, std::nullopt, &json);
      json.pop_back();  // "\n"
      AddHistory(event.id, event.at_ms, storage::HistoryRecord::kEvent, json);
    }
  }
  void AddHistory(absl::string_view id, int64_t at_ms, uint8_t kind,
                  absl::string_view json) {
    history_[std::string(id)].push_back(storage::HistoryRecord{
        ++history_seq_, at_ms, kind, std::string(json)});
  }

  // Drops the events every group has acknowledged (none while no group
  // is registered: the next one starts from them).
  void TrimAcked() {
    if (acked_.empty()) return;
    uint64_t through = last_seq_;
    for (const auto& [group, acked] : acked_) through = std::min(through, acked);
    DropThrough(through);
  }
  // The store's bound: a group that never acknowledges must not fill
  // memory either.
  void DropBeyondBound() {
    if (const uint64_t through = storage::OutboxOverflow(
            last_seq_, floor_, storage::Options{}.max_outbox_events)) {
      DropThrough(through);
    }
  }
  void DropThrough(uint64_t seq) {
    while (!outbox_.empty() && outbox_.front().seq <= seq) outbox_.pop_front();
    floor_ = std::max(floor_, seq);
  }

  engine::Engine* engine_ = nullptr;
  uint64_t last_seq_ = 0, history_seq_ = 0;
  uint64_t floor_ = 0;  // every event up to it is dropped
  absl::flat_hash_set<absl::string_view> seen_;  // Stage's scratch
  std::deque<storage::OutboxEvent> outbox_;
  std::map<std::string, uint64_t> acked_;
  absl::flat_hash_map<std::string, std::vector<storage::HistoryRecord>> history_;
};

}  // namespace

std::unique_ptr<Durability> NewMemoryDurability() {
  return std::make_unique<MemoryDurability>();
}

}  // namespace slad::api
