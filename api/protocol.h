#ifndef SLAD_API_PROTOCOL_H_
#define SLAD_API_PROTOCOL_H_

// The NDJSON wire vocabulary (docs/API.md): one JSON request object per
// line decoded into engine::Command (plus the session ops of the TCP
// server), and replies, errors and events encoded as one JSON object per
// line. The stable wire error codes live here too: every absl::Status that
// reaches a client becomes one of them through WireCodeOf().

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/command.h"

namespace slad::api {

// A token lists at most this many teams (the config refuses more), each a
// name of at most kMaxNameBytes: so a team-limited token's stored group
// name (the group, then each team after a 0x1f) fits kMaxGroupKeyBytes,
// the bound of drop_group's `key`.
inline constexpr size_t kMaxNameBytes = 128;
inline constexpr size_t kMaxTeamsPerToken = 256;
inline constexpr size_t kMaxGroupKeyBytes =
    kMaxNameBytes + kMaxTeamsPerToken * (1 + kMaxNameBytes);

// The name a subscriber group is stored under, which drop_group's `key`
// takes. A team-limited token's groups are its teams' own: a group has one
// cursor, so a token limited to east acking a "crm" it shared with west
// (or with an unlimited token) would pass over west's events, which east
// was never sent. So its group is stored as the group, then each of its
// `teams` (sorted, once each) after a 0x1f, a control character no name on
// the wire holds; with no teams (every team), as the group alone.
std::string StoredGroupName(absl::string_view group, std::vector<std::string> teams);

// A stored group name's parts: the group as its subscribers name it and
// the teams of a team-limited token's group (none otherwise). Views into
// `stored`.
struct GroupNameParts {
  absl::string_view group;
  std::vector<absl::string_view> teams;
};
GroupNameParts SplitStoredGroupName(absl::string_view stored);

// ---------------------------------------------------------------------------
// Wire error codes.

// Stable: clients match on the name (WireCodeName), never on the message.
// New codes may be added; none is renamed or reused.
enum class WireCode : uint8_t {
  kBadJson,             // not one well-formed JSON object
  kUnknownOp,           // `op` names no operation
  kMissingField,        // a required field is absent
  kBadField,            // a field has the wrong type or value
  kUnknownField,        // a field the op does not take (typo?)
  kLineTooLong,         // the line exceeds the limit; the rest was discarded
  kNotFound,            // unknown ticket (or other named thing)
  kAlreadyExists,       // e.g. open of an id that is open
  kFailedPrecondition,  // the op does not apply in the ticket's state
  kUnauthorized,        // no (valid) auth on this connection yet
  kForbidden,           // the token's role or teams do not allow this
  kTooManyConnections,  // connection limit; the server closes the socket
  kOverloaded,          // too many requests in flight; retry later
  kSlowConsumer,        // output buffer limit; the server disconnects
  kUnavailable,         // storage cannot take writes (read-only, shutdown)
  kInternal,            // a bug or corruption; please report it
};

// "bad_json", "unknown_op", ... (docs/API.md, "Error codes").
absl::string_view WireCodeName(WireCode code);

// A status that carries `code` as its payload "slad.code", with the
// canonical code that matches it (kBadField → InvalidArgument, kNotFound →
// NotFound, ...) so code that only looks at absl::StatusCode still works.
// REQUIRES: code's canonical status is not OK (true for every WireCode).
absl::Status WireError(WireCode code, absl::string_view message);

// The wire code of a non-OK `status`: its "slad.code" payload if it has a
// known one, else by canonical code: InvalidArgument and OutOfRange →
// bad_field, NotFound → not_found, AlreadyExists → already_exists,
// FailedPrecondition → failed_precondition, ResourceExhausted →
// overloaded, Unavailable → unavailable, PermissionDenied → forbidden,
// Unauthenticated → unauthorized, anything else → internal.
WireCode WireCodeOf(const absl::Status& status);

// ---------------------------------------------------------------------------
// Requests.

// The ops of the TCP session that are not engine commands.
enum class SessionOp : uint8_t {
  kNone,       // an engine op: Request::command holds it
  kAuth,       // token
  kSubscribe,  // group
  kAck,        // group, seq
  kAdvance,    // advance_to_ms (manual clock, admin only)
  kGroups,     // (admin) the subscriber groups and their cursors
  kDropGroup,  // key (admin): forget a subscriber group
};

// One decoded request line. Every view points into the RequestDecoder
// that produced it and stays valid until its next Decode() or its
// destruction.
struct Request {
  SessionOp session_op = SessionOp::kNone;
  // When session_op == kNone: the engine command. Its at_ms is *at_ms
  // when the request had `at`, else 0: the daemon stamps it with its clock.
  engine::Command command;
  // `at` as given; nullopt means "now" (the daemon's clock).
  std::optional<int64_t> at_ms;
  // The raw JSON text of `req` (a string with its quotes and escapes, a
  // number, true, false or null), to echo verbatim; empty if absent.
  absl::string_view req;
  absl::string_view token;     // auth
  absl::string_view group;     // subscribe, ack
  absl::string_view key;       // drop_group: a group as `groups` lists it
  uint64_t seq = 0;           // ack: everything up to seq is acknowledged
  int64_t advance_to_ms = 0;  // advance
};

// The wire name of the request's op ("open", "overdue", "auth", ...).
absl::string_view OpName(const Request& request);
absl::string_view OpName(engine::Op op);

// RequestDecoder parses request lines with simdjson (On Demand) into
// Requests, refusing anything docs/API.md does not define.
//
// Thread-safety: none; one decoder per connection or per event-loop
// thread (the decoded views live in it).
// Memory: owns a padded copy of the current line and simdjson's buffers,
// all allocated once at construction for max_line_bytes; Decode() does not
// allocate on success. The caller's line needs no padding: Decode() copies
// it (a memcpy of a few hundred bytes, cheaper than asking every reader to
// keep SIMDJSON_PADDING spare bytes after each line).
class RequestDecoder {
 public:
  static constexpr size_t kDefaultMaxLineBytes = 64 * 1024;
  // What a line may carry beside its max_line_bytes, which Decode() does
  // not count: a byte order mark before the object (3 bytes) and a CRLF
  // ending's '\r'. Readers keep lines up to the limit plus this, and
  // Decode() checks the exact limit wherever the line fell in their buffer.
  static constexpr size_t kFrameBytes = 4;

  explicit RequestDecoder(size_t max_line_bytes = kDefaultMaxLineBytes);
  ~RequestDecoder();
  RequestDecoder(const RequestDecoder&) = delete;
  RequestDecoder& operator=(const RequestDecoder&) = delete;

  // Decodes one line (without or with its trailing "\n" / "\r\n", and one
  // byte order mark before it) into *request, overwriting it. On error returns a WireError status (bad_json,
  // unknown_op, missing_field, bad_field, unknown_field, line_too_long) and
  // leaves request->req set to the echo whenever a valid `req` could be
  // read: the line is a JSON object, or starts with one (anything after
  // it is bad_json), and the object is well formed up to its `req`. So the
  // error reply carries it whatever else is wrong; only line_too_long (the
  // line is not read) and JSON that breaks before `req` have none. The
  // other fields are then unspecified. `line` may be released as soon as
  // Decode returns.
  absl::Status Decode(absl::string_view line, Request* request);

  size_t max_line_bytes() const { return max_line_bytes_; }

 private:
  struct Impl;  // keeps simdjson.h out of this header
  // After a bad_json `status` without `req`: looks for it in the line's
  // leading object; returns the error to give.
  absl::Status SalvageReq(absl::string_view line, const absl::Status& status,
                          Request* request);
  absl::Status FindReq(absl::string_view line, const absl::Status& status,
                       Request* request);

  const size_t max_line_bytes_;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------
// Replies and events. Each Append* appends exactly one line, "\n"
// included, to *out, so the caller can reuse one output buffer per
// connection. `req` is Request::req: raw JSON, echoed as is; omitted from
// the line when empty.

// {"req":<req>,"ok":true}
void AppendOkReply(absl::string_view req, std::string* out);

// For replies with results: appends {"req":<req>,"ok":true and leaves the
// object open; the caller appends ,"key":value pairs (see JsonWriter /
// AppendJsonString) and then AppendReplyEnd().
void AppendOkReplyBegin(absl::string_view req, std::string* out);
void AppendReplyEnd(std::string* out);

// {"req":<req>,"ok":false,"error":{"code":"<WireCodeOf>","message":"..."}}
// REQUIRES: !status.ok().
void AppendErrorReply(absl::string_view req, const absl::Status& status,
                      std::string* out);

// "warning", "breached", "escalated", "met", "met_late".
absl::string_view EventTypeName(engine::EventType type);

// Where a subscriber's copy of an event sits in its group's sequence.
struct Delivery {
  absl::string_view group;
  uint64_t seq;
};

// {"event":"breached","at":<ms>,"id":"...","target":"...","deadline":<ms>}
// plus "from"/"to" for escalated, and "group"/"seq" when `delivery` is
// given. "target" is omitted when empty (a manual escalation), "deadline"
// when 0 (none).
void AppendEvent(const engine::Event& event,
                 const std::optional<Delivery>& delivery, std::string* out);

}  // namespace slad::api

#endif  // SLAD_API_PROTOCOL_H_
