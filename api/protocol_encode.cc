// The encoding half of api/protocol.h: wire error codes, reply lines and
// event lines. Kept apart from the decoder so neither file needs the
// other's includes (simdjson is decode-only).
//
// Output grammar (one line each, "\n"-terminated, compact JSON):
//   ok     := {["req":<echo>,]"ok":true[,<result fields>]}
//   error  := {["req":<echo>,]"ok":false,"error":{"code":<code>,"message":<s>}}
//   event  := {"event":<type>,"at":<ms>,"id":<s>[,"target":<s>]
//              [,"deadline":<ms>][,"from":<s>,"to":<s>][,"group":<s>,"seq":<n>]}

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "api/json_writer.h"
#include "api/protocol.h"

namespace slad::api {
namespace {

constexpr char kPayloadKey[] = "slad.code";

struct CodeInfo {
  absl::string_view name;
  absl::StatusCode canonical;
};

// Indexed by WireCode.
constexpr CodeInfo kCodes[] = {
    {"bad_json", absl::StatusCode::kInvalidArgument},
    {"unknown_op", absl::StatusCode::kInvalidArgument},
    {"missing_field", absl::StatusCode::kInvalidArgument},
    {"bad_field", absl::StatusCode::kInvalidArgument},
    {"unknown_field", absl::StatusCode::kInvalidArgument},
    {"line_too_long", absl::StatusCode::kResourceExhausted},
    {"not_found", absl::StatusCode::kNotFound},
    {"already_exists", absl::StatusCode::kAlreadyExists},
    {"failed_precondition", absl::StatusCode::kFailedPrecondition},
    {"unauthorized", absl::StatusCode::kUnauthenticated},
    {"forbidden", absl::StatusCode::kPermissionDenied},
    {"too_many_connections", absl::StatusCode::kResourceExhausted},
    {"overloaded", absl::StatusCode::kResourceExhausted},
    {"slow_consumer", absl::StatusCode::kResourceExhausted},
    {"unavailable", absl::StatusCode::kUnavailable},
    {"internal", absl::StatusCode::kInternal},
};
static_assert(std::size(kCodes) ==
              static_cast<size_t>(WireCode::kInternal) + 1);

WireCode FromCanonical(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return WireCode::kBadField;
    case absl::StatusCode::kNotFound:
      return WireCode::kNotFound;
    case absl::StatusCode::kAlreadyExists:
      return WireCode::kAlreadyExists;
    case absl::StatusCode::kFailedPrecondition:
      return WireCode::kFailedPrecondition;
    case absl::StatusCode::kResourceExhausted:
      return WireCode::kOverloaded;
    case absl::StatusCode::kUnavailable:
      return WireCode::kUnavailable;
    case absl::StatusCode::kPermissionDenied:
      return WireCode::kForbidden;
    case absl::StatusCode::kUnauthenticated:
      return WireCode::kUnauthorized;
    default:
      return WireCode::kInternal;
  }
}

void AppendReq(absl::string_view req, std::string* out) {
  out->push_back('{');
  if (!req.empty()) {
    out->append("\"req\":");
    out->append(req.data(), req.size());
    out->push_back(',');
  }
}

}  // namespace

absl::string_view WireCodeName(WireCode code) {
  return kCodes[static_cast<size_t>(code)].name;
}

absl::Status WireError(WireCode code, absl::string_view message) {
  const CodeInfo& info = kCodes[static_cast<size_t>(code)];
  absl::Status status(info.canonical, message);
  status.SetPayload(kPayloadKey, absl::Cord(info.name));
  return status;
}

WireCode WireCodeOf(const absl::Status& status) {
  if (absl::optional<absl::Cord> name = status.GetPayload(kPayloadKey)) {
    for (size_t i = 0; i < std::size(kCodes); ++i) {
      if (*name == kCodes[i].name) return static_cast<WireCode>(i);
    }
  }
  return FromCanonical(status.code());
}

void AppendOkReply(absl::string_view req, std::string* out) {
  AppendOkReplyBegin(req, out);
  AppendReplyEnd(out);
}

void AppendOkReplyBegin(absl::string_view req, std::string* out) {
  AppendReq(req, out);
  out->append("\"ok\":true");
}

void AppendReplyEnd(std::string* out) { out->append("}\n"); }

void AppendErrorReply(absl::string_view req, const absl::Status& status,
                      std::string* out) {
  AppendReq(req, out);
  out->append("\"ok\":false,\"error\":{\"code\":\"");
  const absl::string_view code = WireCodeName(WireCodeOf(status));
  out->append(code.data(), code.size());
  out->append("\",\"message\":");
  AppendJsonString(status.message(), out);
  out->append("}}\n");
}

absl::string_view EventTypeName(engine::EventType type) {
  switch (type) {
    case engine::EventType::kWarning:
      return "warning";
    case engine::EventType::kBreached:
      return "breached";
    case engine::EventType::kEscalated:
      return "escalated";
    case engine::EventType::kMet:
      return "met";
    case engine::EventType::kMetLate:
      return "met_late";
  }
  return "unknown";
}

void AppendEvent(const engine::Event& event,
                 const std::optional<Delivery>& delivery, std::string* out) {
  out->append("{\"event\":\"");
  const absl::string_view type = EventTypeName(event.type);
  out->append(type.data(), type.size());
  absl::StrAppend(out, "\",\"at\":", event.at_ms, ",\"id\":");
  AppendJsonString(event.id, out);
  if (!event.target.empty()) {
    out->append(",\"target\":");
    AppendJsonString(event.target, out);
  }
  if (event.deadline_ms != 0) {
    absl::StrAppend(out, ",\"deadline\":", event.deadline_ms);
  }
  if (event.type == engine::EventType::kEscalated) {
    out->append(",\"from\":");
    AppendJsonString(event.from, out);
    out->append(",\"to\":");
    AppendJsonString(event.to, out);
  }
  if (delivery.has_value()) {
    out->append(",\"group\":");
    AppendJsonString(delivery->group, out);
    absl::StrAppend(out, ",\"seq\":", delivery->seq);
  }
  out->append("}\n");
}

}  // namespace slad::api
