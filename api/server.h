#ifndef SLAD_API_SERVER_H_
#define SLAD_API_SERVER_H_

// The daemon `slad`: one event-loop thread (Asio) that owns the engine,
// accepts connections (plain or TLS), runs requests through the Executor,
// hands their effects to the Durability seam (the store's writer thread
// commits) and releases each reply once its change is durable. The loop
// sleeps until the engine's NextDue() (a steady_timer re-armed after every
// change) or the next request.
//
// Signals: SIGTERM/SIGINT stop accepting, finish what is in flight (the
// requests already parsed; the rest is dropped, not executed), end each
// connection with a FIN after its last reply (Session::Finish), flush the
// store and make Run() return OK; SIGHUP reloads the policy file (a
// bad one is refused and the old one kept, with a log line).
//
// Log lines go to stderr, one per line: "slad: <message>"; tokens never
// appear in them.
//
// Thread-safety: Create and Run from one thread; everything else runs on
// the loop (Run's thread). Commit callbacks are posted back to it.

#include <array>
#include <csignal>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/asio.h"
#include "api/auth.h"
#include "api/clock.h"
#include "api/cursor_seal.h"
#include "api/daemon_config.h"
#include "api/durability.h"
#include "api/executor.h"
#include "engine/engine.h"

namespace slad::api {

class Session;

// Writes "slad: <message>\n" to stderr at once.
void Log(absl::string_view message);

// The signals that stop (SIGINT, SIGTERM) or reload (SIGHUP) the daemon:
// slad's main() blocks them until Server::Init catches them, and
// IgnoreStopSignals() ignores them once Run() is over.
inline constexpr std::array<int, 3> kStopSignals = {SIGINT, SIGTERM, SIGHUP};

// Whether a Server::Create error came from the data folder (it could not be
// opened or recovered) rather than from the configuration or the address:
// slad exits 1 for those, 2 for the rest.
bool IsDataError(const absl::Status& status);

class Server {
 public:
  // Loads the policy and binds the listener, then opens the data through
  // `open` and recovers the engine from it, and logs where it listens and
  // what it recovered. A mistake in the configuration or an address in use
  // is reported before the data folder is touched (no folder is left
  // behind) or recovered (seconds at millions of tickets); connections
  // made during the recovery are refused. Errors:
  // InvalidArgument/NotFound for the policy or TLS files,
  // FailedPrecondition for an unsafe listener (CheckServable), Unavailable
  // if the address cannot be bound, and whatever `open` or the recovery
  // returns, those two marked as the data's (IsDataError).
  using DurabilityOpener = std::function<absl::StatusOr<std::unique_ptr<Durability>>()>;
  static absl::StatusOr<std::unique_ptr<Server>> Create(DaemonConfig config,
                                                        DurabilityOpener open);
  static absl::StatusOr<std::unique_ptr<Server>> Create(
      DaemonConfig config, std::unique_ptr<Durability> durability);
  ~Server();

  // Serves until SIGTERM/SIGINT has drained. OK: exit 0; an error: a
  // storage failure that cannot be recovered.
  absl::Status Run();

  uint16_t port() const { return port_; }

  // After Run(): SIGTERM, SIGINT and SIGHUP are ignored from now on, for
  // the whole process. The server and its store are torn down next; a
  // second SIGTERM meanwhile would take the default action (on any of
  // RocksDB's threads) and turn exit status 0 into 143.
  void IgnoreStopSignals();

  // --- For sessions (loop thread).
  const Limits& limits() const { return config_.limits; }
  const TokenTable& tokens() const { return tokens_; }
  bool open_access() const { return tokens_.empty(); }
  // Runs an engine op or advance for `session`'s reply slot `slot`, on
  // behalf of `principal`. A team-limited principal's request on a ticket
  // of another team is answered exactly as one on an id no ticket has
  // (not_found, or whatever error comes first for an unknown id): it must
  // not learn that the ticket exists.
  void Execute(Session* session, uint64_t slot, const Request& request,
               absl::string_view line, const Principal& principal);
  // A hint that a request on ticket `id` comes soon (Engine::Prefetch).
  void Prefetch(absl::string_view id, engine::Engine::Hint hint) const {
    engine_->Prefetch(id, hint);
  }
  void Subscribe(Session* session, uint64_t slot, const Request& request);
  void Ack(Session* session, uint64_t slot, const Request& request);
  // `groups` and `drop_group` (docs/API.md, "Subscribers").
  void ListGroups(Session* session, uint64_t slot, const Request& request);
  void DropGroup(Session* session, uint64_t slot, const Request& request);
  // Connections whose subscribe asked for `stored_group` (delivering, or
  // waiting for the subscribe's commit).
  size_t ConnectionsOf(absl::string_view stored_group) const;
  absl::Status ReadOutbox(uint64_t after, size_t limit,
                          std::vector<storage::OutboxEvent>* out) const;
  // A session sent its FIN and waits for the client to close: it no
  // longer counts against max_connections.
  void OnSessionFinishing() { ++finishing_; }
  void OnSessionClosed(Session* session);
  // True while the store has more staged bytes than the writer keeps up
  // with: sessions then stop reading (TCP pushes back on the clients) and
  // wait in PauseReading until a commit completes.
  bool Backlogged() const;
  void PauseReading(Session* session);

 private:
  Server(DaemonConfig config, std::unique_ptr<Durability> durability);
  absl::Status Init(const DurabilityOpener& open);
  absl::Status InitTls();
  // Binds the address (a port in use fails here, before any recovery) and
  // holds it exclusively; StartListening(), once the data is recovered,
  // takes connections: until then one is refused, so a TCP health probe
  // does not call a recovering daemon ready and no client waits on a
  // recovery unawares.
  absl::Status Bind();
  absl::Status StartListening();

  void Accept();
  void OnSignal(int signal);
  void Reload();
  // Refuses a request's `at` too far ahead: on the system clock past
  // limits.max_at_ahead_ms (bad_field), on the manual clock ahead of it
  // from a token that may not move it (forbidden).
  absl::Status CheckAt(const Request& request, const Principal& principal) const;
  // Logs config::CalendarCoverageWarnings for the policy in force.
  void WarnOfCalendarsRunningOut();
  // After SwapEngine: stores the records of the tickets whose count of
  // warnings sent the reload recounted (Engine::TakeRecounted).
  void StoreRecounted();
  absl::Status SwapEngine(std::unique_ptr<engine::Engine> next);
  void BeginShutdown();
  void MaybeFinish();

  // Runs `request` through the executor for `principal` and sets *reply to
  // its reply line (events go to subscribers); returns the reply's status.
  absl::Status RunRequest(const Request& request, const Principal& principal,
                          std::string* reply);
  void GetAfterCommit(Session* session, uint64_t slot, std::string reply,
                      absl::string_view id, const Principal& principal,
                      bool clock_moved);
  void RearmTimer();
  void OnTimer();
  // What of a ticket's history a get shows, fixed when the get runs.
  struct HistoryView {
    std::string id;
    // Up to the newest record staged by then (Durability::HistoryHead):
    // the history matches the state the reply shows, not what requests
    // behind it did before it left.
    std::optional<uint64_t> head;
    // Nothing dated before this: for a team-limited principal, the
    // ticket's opening. An id is reused once its ticket is purged, and the
    // history of the id goes on; what came before belongs to a ticket
    // whose team is unknown (it may be another team's).
    int64_t since_ms;
  };
  HistoryView ViewOfHistory(absl::string_view id, const Principal& principal) const;
  // Appends the ticket's history to a get reply.
  // A ticket the engine no longer knows is shown (its history alone) only
  // to a principal not limited to teams: its team is unknown.
  // `waiting` is the output already waiting for the client: gets answered
  // together after a commit share one budget.
  void AddHistory(const HistoryView& view, const Principal& principal,
                  std::string* reply, size_t waiting = 0);
  // Runs once a unit is durable, if its session is still there, before
  // the reply is sent; it may edit the reply, or send it itself and clear
  // it.
  using Then = std::function<void(Session*, std::string* reply)>;

  // One commit unit: everything staged during one turn of the loop (every
  // request of every connection read in that turn, timers fired), closed
  // by one Durability::Commit with one completion. Its replies are held
  // until the unit is durable, then released in the order they were
  // added (which is request order per connection).
  struct HeldReply {
    std::weak_ptr<Session> session;  // expired: nobody to answer
    uint64_t slot = 0;
    std::string line;
    Then then;
  };
  struct Unit {
    std::vector<HeldReply> replies;
    std::vector<storage::OutboxEvent> events;  // staged, in seq order
  };

  // Opens the loop turn's unit if none is open: counts it as pending and
  // posts CommitUnit behind the handlers already queued, so that every
  // read completed in this turn joins it.
  Unit& OpenUnit();
  // Holds `reply` for the session's slot until the open unit (possibly
  // staging nothing: a barrier behind every earlier unit) is durable;
  // then runs `then` and sends the reply.
  void ReplyWhenDurable(Session* session, uint64_t slot, std::string reply,
                        Then then = nullptr);
  // Closes the open unit (if any) with one Commit.
  void CommitUnit();
  // The oldest committed unit completed with `status`: releases its
  // replies, resumes paused readers and delivers its events.
  void OnCommitted(const absl::Status& status);

  DaemonConfig config_;
  std::unique_ptr<Durability> durability_;
  std::unique_ptr<Clock> clock_;
  ManualClock* manual_clock_ = nullptr;  // clock_, when manual
  std::unique_ptr<engine::Engine> engine_;
  // Seals the page cursors clients get; a fresh key each start, so a
  // cursor from before a restart is refused (a reload's engine refuses
  // its predecessor's by the cursor epoch).
  std::unique_ptr<CursorSeal> cursor_seal_;
  std::unique_ptr<Executor> executor_;
  TokenTable tokens_;

  // Declared before io_: sessions still queued in io_'s handlers when it
  // is destroyed use it.
  std::unique_ptr<asio::ssl::context> tls_;
  asio::io_context io_{1};
  asio::ip::tcp::acceptor acceptor_{io_};
  asio::signal_set signals_{io_};
  asio::steady_timer timer_{io_};
  std::optional<int64_t> armed_due_ms_;  // what timer_ waits for
  asio::steady_timer drain_timer_{io_};
  // Accept errors (out of file descriptors) retry after a pause, not at
  // once: re-arming at once spun the loop and its log at full speed.
  asio::steady_timer accept_retry_{io_};
  bool accept_failing_ = false;
  uint16_t port_ = 0;

  absl::flat_hash_map<Session*, std::shared_ptr<Session>> sessions_;
  size_t finishing_ = 0;  // sessions_ that sent their FIN (fin_sent())
  std::vector<std::weak_ptr<Session>> paused_;  // waiting for Backlogged()
  // Units committed and not completed, oldest first: the durability layer
  // completes units in commit order, so completion k is committed_[0].
  std::deque<Unit> committed_;
  Unit open_;               // the loop turn's unit, while unit_open_
  bool unit_open_ = false;
  std::vector<Unit> spare_;  // completed units, their capacity kept
  // Sessions held by OnCommitted while it fills a unit's replies.
  std::vector<std::shared_ptr<Session>> held_sessions_;
  size_t pending_commits_ = 0;  // committed_.size() + unit_open_
  bool finished_ = false;       // MaybeFinish logged the last line
  bool stopping_ = false;
  absl::Status exit_status_;

  std::string scratch_;  // executor output, reused
};

}  // namespace slad::api

#endif  // SLAD_API_SERVER_H_
