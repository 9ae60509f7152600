// The Durability seam over RocksDB: Store (storage/store.h) for the
// writes and reads, Journal (api/journal.h) for what one executor call
// stages, and Journal::Recover at start.

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/durability.h"
#include "api/journal.h"
#include "engine/status_macros.h"

namespace slad::api {
namespace {

class StoreDurability final : public Durability {
 public:
  StoreDurability(std::unique_ptr<storage::Store> store, std::string dir)
      : store_(std::move(store)), dir_(std::move(dir)) {}

  absl::Status Recover(engine::Engine* engine, std::string* report) override {
    storage::RecoveryReport r;
    RETURN_IF_ERROR(Journal::Recover(store_.get(), engine, &r));
    journal_ = std::make_unique<Journal>(engine, store_.get());
    *report = absl::StrCat(r.tickets, " tickets, ", r.stats_cells,
                           " stats cells, ", r.outbox_events,
                           " unacknowledged events, ", r.groups,
                           " subscriber groups from ", dir_, " in ",
                           r.elapsed_ms, " ms");
    return absl::OkStatus();
  }
  void SetEngine(engine::Engine* engine) override {
    journal_->set_engine(engine);
  }

  void Stage(absl::string_view line, int64_t at_ms,
             const engine::Command* cmd, const engine::Effects& effects,
             std::vector<storage::OutboxEvent>* outbox) override {
    journal_->Stage(line, at_ms, cmd, effects, outbox);
  }
  void RegisterGroup(absl::string_view group) override {
    store_->RegisterGroup(group);
  }
  void Ack(absl::string_view group, uint64_t seq) override {
    store_->Ack(group, seq);
  }
  absl::Status DropGroup(absl::string_view group) override {
    return store_->DropGroup(group);
  }
  std::vector<std::pair<std::string, uint64_t>> GroupCursors() const override {
    std::vector<std::pair<std::string, uint64_t>> cursors;
    for (std::string& name : store_->Groups()) {
      const absl::StatusOr<uint64_t> acked = store_->AckedUpTo(name);
      cursors.emplace_back(std::move(name), acked.ok() ? *acked : 0);
    }
    return cursors;
  }
  uint64_t last_outbox_seq() const override { return store_->last_outbox_seq(); }
  // The stats cells of every command in the unit, once each, atomically
  // with them (Journal::StageStats).
  void Commit(std::function<void(absl::Status)> done) override {
    journal_->StageStats();
    store_->Commit(std::move(done));
  }

  absl::StatusOr<uint64_t> AckedUpTo(absl::string_view group) const override {
    return store_->AckedUpTo(group);
  }
  absl::Status ReadOutbox(uint64_t after, size_t limit,
                          std::vector<storage::OutboxEvent>* out) const override {
    return store_->ReadOutbox(after, limit, out);
  }
  std::optional<uint64_t> HistoryHead(absl::string_view id) const override {
    return journal_->HistoryHead(id);
  }
  absl::Status ReadHistory(absl::string_view id, std::optional<uint64_t> head,
                           size_t limit,
                           std::vector<storage::HistoryRecord>* out) const override {
    return journal_->ReadHistory(id, head, limit, out);
  }

  bool writable() const override { return store_->writable(); }
  size_t pending_bytes() const override { return store_->pending_bytes(); }
  absl::Status fatal_error() const override { return store_->fatal_error(); }
  void Flush() override { store_->Flush(); }

 private:
  std::unique_ptr<storage::Store> store_;
  std::string dir_;
  std::unique_ptr<Journal> journal_;
};

}  // namespace

namespace {

// A file RocksDB writes in a store's folder, or what a mount point holds.
bool IsStoreFile(const std::string& name) {
  return name == "LOCK" || name == "IDENTITY" || name == "LOG" ||
         name == "lost+found" || absl::StartsWith(name, "LOG.old") ||
         absl::StartsWith(name, "MANIFEST-") || absl::StartsWith(name, "OPTIONS-") ||
         absl::EndsWith(name, ".log") || absl::EndsWith(name, ".sst") ||
         absl::EndsWith(name, ".blob") || absl::EndsWith(name, ".dbtmp");
}

// A folder that holds other files and no store is most likely a mistyped
// --data ("." or a home folder), which the store would fill with its
// files. A store's folder has CURRENT; one whose first open was cut off
// before it holds only the store's own files, and is opened.
absl::Status CheckDataFolder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec) || fs::exists(fs::path(dir) / "CURRENT", ec)) {
    return absl::OkStatus();  // created by the store, or the store's own error
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (IsStoreFile(name)) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        "it holds \"", name,
        "\" and no slad store; give a new or empty folder (slad fills it with "
        "its store's files)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Durability>> OpenStoreDurability(
    const std::string& dir, std::chrono::microseconds commit_interval) {
  RETURN_IF_ERROR(CheckDataFolder(dir));
  storage::Options options;
  options.dir = dir;
  options.min_commit_interval = commit_interval;
  options.defer_compactions = true;  // Recover() runs before anything else
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Store> store,
                   storage::Store::Open(options));
  return std::make_unique<StoreDurability>(std::move(store), dir);
}

}  // namespace slad::api
