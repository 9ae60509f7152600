#ifndef SLAD_API_SESSION_H_
#define SLAD_API_SESSION_H_

// One client connection of the daemon (docs/API.md, "TCP"): reads request
// lines under the line limit, checks auth, roles and teams, hands requests
// to the Server, and writes replies in request order however late their
// durability arrives (one reply slot per request line). A subscribed
// connection also receives its group's events, first from the outbox,
// then live once it has caught up.
//
// Limits: a line longer than max_line_bytes gets `line_too_long` and the
// rest of it is discarded as it arrives (never buffered). With
// max_in_flight requests unanswered, or (unless it subscribes) output over
// half of max_output_bytes, the session stops consuming (the rest of the
// chunk already read waits) and reading until half are answered and the
// output is down to a quarter: TCP slows a pipelining client down; it is
// never refused. Output waiting for the client (replies held for earlier
// ones included) beyond max_output_bytes disconnects it as a slow
// consumer: a subscriber that stops reading, or one reply that large.
//
// Thread-safety: none; every method on the event-loop thread. Lifetime:
// shared_ptr, kept alive by its pending Asio handlers and the Server's
// table; the Server and commit callbacks hold weak_ptrs.

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "api/asio.h"
#include "api/auth.h"
#include "api/protocol.h"
#include "storage/store.h"

namespace slad::api {

class Server;

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `tls`, if not null, is the server's TLS context (outlives the session).
  Session(Server* server, asio::ip::tcp::socket socket,
          asio::ssl::context* tls);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts the TLS handshake if any, then reading. With `reject`, sends
  // one too_many_connections line instead and closes.
  void Start(bool reject);

  // Sets the reply of request slot `slot` (from OpenSlot order) and sends
  // every reply that is no longer waiting for an earlier one.
  void Fill(uint64_t slot, std::string line);
  void FillError(uint64_t slot, absl::string_view req,
                 const absl::Status& status);
  // Between Hold and Unhold, Fill queues replies without sending: the
  // server fills a whole unit's replies, then each session sends once
  // (one send per unit, not one for the first reply and one for the
  // rest). Hold returns false if the session was already held.
  bool Hold();
  void Unhold();

  // Begins delivery of `group`'s events (the name the store keeps) after
  // `acked` (the group's ack cursor). REQUIRES: not subscribed yet.
  void StartSubscription(absl::string_view group, uint64_t acked);
  // Live events just made durable, in sequence order.
  void OnEvents(const std::vector<storage::OutboxEvent>& events);

  // Reads again after the server paused it (store backlog).
  void ResumeReading();
  // Shutdown: takes in no more requests (what it has read and not parsed
  // is dropped, and so is whatever arrives), then ends as Finish says
  // once every reply is written.
  void Drain();
  // Closes now; `reason` (if not empty) is logged with the peer.
  void Close(absl::string_view reason);

  bool subscribed() const { return !group_.empty(); }
  // The group a subscribe on this connection asked for, as stored (its
  // delivery may still wait for the commit); empty if none, or once the
  // connection is ending (a slow consumer cut off, a drain): it delivers
  // nothing more, though its socket may linger.
  absl::string_view asked_stored_group() const {
    return subscribe_asked_ && !ending_ && !fin_sent_ ? absl::string_view(stored_group_)
                                                      : absl::string_view();
  }
  // Output waiting for the client: written, queued, and replies held.
  size_t output_bytes() const { return Buffered(); }
  // The server refused the subscribe asked last (storage unavailable): the
  // connection may ask again.
  void SubscribeRefused() {
    subscribe_asked_ = false;
    asked_group_.clear();
  }
  // Finish ran: the session only waits for the client to close.
  bool fin_sent() const { return fin_sent_; }
  const std::string& peer() const { return peer_; }

 private:
  void ArmAuthTimer();
  void Handshake();
  void Read();
  void OnRead(const asio::error_code& ec, size_t n);
  // Handles the bytes read: lines, until max_in_flight requests are
  // unanswered; the rest waits in unread_ until half are answered.
  void Feed(const char* data, size_t n);
  // Returns how many bytes it consumed: all, or up to the line boundary
  // where max_in_flight requests became unanswered.
  size_t Consume(const char* data, size_t n);
  void HandleLine(absl::string_view line);
  void Dispatch(uint64_t slot, absl::string_view line);
  void Auth(uint64_t slot);
  absl::Status CheckTeams();
  absl::Status ForceTeamFilter(std::optional<absl::string_view>* team);

  uint64_t OpenSlot();
  void Release();
  size_t Buffered() const;
  // Buffered, plus kReplyReserve per request in flight (OutputHigh).
  size_t Expected() const;
  static constexpr size_t kReplyReserve = 32;  // {"req":..,"ok":true} and more
  bool OutputHigh() const;
  void MaybeResumeConsuming();
  bool CheckBudget();
  void Write();
  void OnWrite(const asio::error_code& ec);
  void Pump();
  void Deliver(const storage::OutboxEvent& event);
  void MaybeClose();
  // Every reply owed is written and the session ends on its side: shuts
  // down the socket's send side (FIN after the last reply; under TLS a
  // close_notify first), then reads and drops until the client closes, or
  // kLinger passes, and closes. Closing
  // with the client's bytes unread would send a reset instead, and a reset
  // can destroy replies the client has not read yet.
  void Finish();
  void ShutdownTls();
  void DropUntilEof();  // raw TCP reads, dropped, after a TLS shutdown failed
  asio::ip::tcp::socket& Socket();  // the TCP socket, under TLS if any

  template <typename Buffers, typename Handler>
  void AsyncReadSome(const Buffers& buffers, Handler&& handler);
  template <typename Buffers, typename Handler>
  void AsyncWrite(const Buffers& buffers, Handler&& handler);

  Server* const server_;
  asio::ip::tcp::socket socket_;  // plain connections
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
  asio::steady_timer linger_;  // bounds Finish's wait for the client
  asio::steady_timer auth_timer_;  // ArmAuthTimer
  std::string peer_;
  const size_t max_line_bytes_;

  RequestDecoder decoder_;
  Request request_;
  std::array<char, 16 * 1024> read_buf_;
  // A partial line, at most max_line_bytes_ + RequestDecoder::kFrameBytes.
  std::string line_;
  bool discarding_ = false;  // inside a too-long line

  bool authed_;
  Principal principal_;

  // Reply slots of requests not yet sent, oldest first; ids are
  // consecutive from first_slot_.
  struct Slot {
    bool ready = false;
    std::string line;
  };
  std::deque<Slot> slots_;
  uint64_t first_slot_ = 0;
  size_t slot_bytes_ = 0;  // bytes of ready lines still held in slots_

  std::string out_;      // to write next
  std::string writing_;  // being written
  bool write_pending_ = false;

  // Subscription: events up to cursor_ are queued or skipped.
  std::string group_;
  bool subscribe_asked_ = false;  // a subscribe was accepted (maybe pending)
  std::string asked_group_;       // its group: the only one this may ack
  std::string stored_group_;      // the same as the store keeps it (StoredGroupName)
  std::string history_line_;      // HandleLine's request, minified
  uint64_t cursor_ = 0;
  bool caught_up_ = false;
  std::vector<storage::OutboxEvent> page_;

  bool reject_ = false;
  bool handshaken_ = false;    // plain, or the TLS handshake succeeded
  bool read_pending_ = false;  // an async read is in flight
  bool fin_sent_ = false;      // Finish ran
  bool read_eof_ = false;
  bool draining_ = false;
  bool closed_ = false;
  bool ending_ = false;  // over the output limit: sending slow_consumer
  bool read_paused_ = false;  // by the server's store backlog
  bool in_flight_paused_ = false;  // max_in_flight replies outstanding
  bool consuming_ = false;         // inside Consume (Release must not feed)
  bool held_ = false;              // between Hold and Unhold
  std::string unread_;  // read but not consumed while in_flight_paused_
};

}  // namespace slad::api

#endif  // SLAD_API_SESSION_H_
