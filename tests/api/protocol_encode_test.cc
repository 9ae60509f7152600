// Wire error codes, and the reply, error and event lines of api/protocol.h.
// Every line is also parsed back with simdjson's DOM parser.

#include <string>

#include "absl/status/status.h"
#include "api/protocol.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace slad::api {
namespace {

using engine::Event;
using engine::EventType;

// True if `line` is one JSON object followed by exactly one "\n".
bool IsJsonLine(const std::string& line) {
  if (line.empty() || line.back() != '\n') return false;
  if (line.find('\n') != line.size() - 1) return false;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  return parser.parse(line).get(object) == simdjson::SUCCESS;
}

TEST(WireCodeTest, NamesAreStable) {
  const std::pair<WireCode, const char*> names[] = {
      {WireCode::kBadJson, "bad_json"},
      {WireCode::kUnknownOp, "unknown_op"},
      {WireCode::kMissingField, "missing_field"},
      {WireCode::kBadField, "bad_field"},
      {WireCode::kUnknownField, "unknown_field"},
      {WireCode::kLineTooLong, "line_too_long"},
      {WireCode::kNotFound, "not_found"},
      {WireCode::kAlreadyExists, "already_exists"},
      {WireCode::kFailedPrecondition, "failed_precondition"},
      {WireCode::kUnauthorized, "unauthorized"},
      {WireCode::kForbidden, "forbidden"},
      {WireCode::kTooManyConnections, "too_many_connections"},
      {WireCode::kOverloaded, "overloaded"},
      {WireCode::kSlowConsumer, "slow_consumer"},
      {WireCode::kUnavailable, "unavailable"},
      {WireCode::kInternal, "internal"},
  };
  for (const auto& [code, name] : names) {
    EXPECT_EQ(WireCodeName(code), name);
    // WireError round-trips through the payload.
    EXPECT_EQ(WireCodeOf(WireError(code, "m")), code) << name;
    EXPECT_EQ(WireError(code, "m").message(), "m");
  }
}

TEST(WireCodeTest, WireErrorHasTheMatchingCanonicalCode) {
  EXPECT_TRUE(absl::IsInvalidArgument(WireError(WireCode::kBadJson, "")));
  EXPECT_TRUE(absl::IsInvalidArgument(WireError(WireCode::kBadField, "")));
  EXPECT_TRUE(absl::IsNotFound(WireError(WireCode::kNotFound, "")));
  EXPECT_TRUE(
      absl::IsResourceExhausted(WireError(WireCode::kLineTooLong, "")));
  EXPECT_TRUE(absl::IsUnauthenticated(WireError(WireCode::kUnauthorized, "")));
  EXPECT_TRUE(absl::IsPermissionDenied(WireError(WireCode::kForbidden, "")));
  EXPECT_TRUE(absl::IsUnavailable(WireError(WireCode::kUnavailable, "")));
  EXPECT_TRUE(absl::IsInternal(WireError(WireCode::kInternal, "")));
}

TEST(WireCodeTest, PlainStatusesMapByCanonicalCode) {
  EXPECT_EQ(WireCodeOf(absl::InvalidArgumentError("unknown kind")),
            WireCode::kBadField);
  EXPECT_EQ(WireCodeOf(absl::OutOfRangeError("")), WireCode::kBadField);
  EXPECT_EQ(WireCodeOf(absl::NotFoundError("")), WireCode::kNotFound);
  EXPECT_EQ(WireCodeOf(absl::AlreadyExistsError("")),
            WireCode::kAlreadyExists);
  EXPECT_EQ(WireCodeOf(absl::FailedPreconditionError("")),
            WireCode::kFailedPrecondition);
  EXPECT_EQ(WireCodeOf(absl::ResourceExhaustedError("")),
            WireCode::kOverloaded);
  EXPECT_EQ(WireCodeOf(absl::UnavailableError("")), WireCode::kUnavailable);
  EXPECT_EQ(WireCodeOf(absl::PermissionDeniedError("")),
            WireCode::kForbidden);
  EXPECT_EQ(WireCodeOf(absl::UnauthenticatedError("")),
            WireCode::kUnauthorized);
  EXPECT_EQ(WireCodeOf(absl::DataLossError("")), WireCode::kInternal);
  EXPECT_EQ(WireCodeOf(absl::InternalError("")), WireCode::kInternal);
  EXPECT_EQ(WireCodeOf(absl::UnknownError("")), WireCode::kInternal);
}

TEST(WireCodeTest, UnknownPayloadFallsBackToTheCanonicalCode) {
  absl::Status status = absl::NotFoundError("x");
  status.SetPayload("slad.code", absl::Cord("no_such_code"));
  EXPECT_EQ(WireCodeOf(status), WireCode::kNotFound);
}

TEST(ReplyTest, OkReplyEchoesReq) {
  std::string out;
  AppendOkReply(R"("a-1")", &out);
  EXPECT_EQ(out, "{\"req\":\"a-1\",\"ok\":true}\n");
  EXPECT_TRUE(IsJsonLine(out));
}

TEST(ReplyTest, OkReplyWithoutReq) {
  std::string out;
  AppendOkReply("", &out);
  EXPECT_EQ(out, "{\"ok\":true}\n");
}

TEST(ReplyTest, RepliesAppend) {
  std::string out = "x";
  AppendOkReply("1", &out);
  AppendOkReply("2", &out);
  EXPECT_EQ(out, "x{\"req\":1,\"ok\":true}\n{\"req\":2,\"ok\":true}\n");
}

TEST(ReplyTest, OpenReplyTakesResultFields) {
  std::string out;
  AppendOkReplyBegin("null", &out);
  out.append(",\"n\":3");
  AppendReplyEnd(&out);
  EXPECT_EQ(out, "{\"req\":null,\"ok\":true,\"n\":3}\n");
  EXPECT_TRUE(IsJsonLine(out));
}

TEST(ReplyTest, ErrorReplyCarriesCodeAndEscapedMessage) {
  std::string out;
  AppendErrorReply("7", WireError(WireCode::kUnknownOp, "unknown op \"x\"\n"),
                   &out);
  EXPECT_EQ(out,
            "{\"req\":7,\"ok\":false,\"error\":{\"code\":\"unknown_op\","
            "\"message\":\"unknown op \\\"x\\\"\\n\"}}\n");
  EXPECT_TRUE(IsJsonLine(out));
}

TEST(ReplyTest, ErrorReplyWithoutReqAndFromAnEngineStatus) {
  std::string out;
  AppendErrorReply("", absl::NotFoundError("no ticket \"T-9\""), &out);
  EXPECT_EQ(out,
            "{\"ok\":false,\"error\":{\"code\":\"not_found\","
            "\"message\":\"no ticket \\\"T-9\\\"\"}}\n");
}

TEST(ReplyTest, ErrorForADecodedLineEchoesItsReq) {
  RequestDecoder decoder;
  Request request;
  const absl::Status status =
      decoder.Decode(R"({"req":"q\"1","op":"get","id":""})", &request);
  std::string out;
  AppendErrorReply(request.req, status, &out);
  EXPECT_EQ(out,
            "{\"req\":\"q\\\"1\",\"ok\":false,\"error\":{\"code\":"
            "\"bad_field\",\"message\":\"field \\\"id\\\": must be 1 to 128 "
            "bytes\"}}\n");
  EXPECT_TRUE(IsJsonLine(out));
}

TEST(EventTest, Breached) {
  std::string out;
  AppendEvent(Event{EventType::kBreached, 1767578400000, "T-1", "response",
                    1767578400000, "", ""},
              std::nullopt, &out);
  EXPECT_EQ(out,
            "{\"event\":\"breached\",\"at\":1767578400000,\"id\":\"T-1\","
            "\"target\":\"response\",\"deadline\":1767578400000}\n");
  EXPECT_TRUE(IsJsonLine(out));
}

TEST(EventTest, EscalatedHasFromAndTo) {
  std::string out;
  AppendEvent(Event{EventType::kEscalated, 5, "T-1", "review", 4, "agent",
                    "supervisor"},
              std::nullopt, &out);
  EXPECT_EQ(out,
            "{\"event\":\"escalated\",\"at\":5,\"id\":\"T-1\",\"target\":"
            "\"review\",\"deadline\":4,\"from\":\"agent\",\"to\":"
            "\"supervisor\"}\n");
}

TEST(EventTest, ManualEscalationOmitsTargetAndDeadline) {
  std::string out;
  AppendEvent(Event{EventType::kEscalated, 5, "T-1", "", 0, "agent",
                    "management"},
              std::nullopt, &out);
  EXPECT_EQ(out,
            "{\"event\":\"escalated\",\"at\":5,\"id\":\"T-1\",\"from\":"
            "\"agent\",\"to\":\"management\"}\n");
}

TEST(EventTest, SubscriberCopyHasGroupAndSeq) {
  std::string out;
  AppendEvent(Event{EventType::kWarning, 1, "a\"b", "t", 2, "", ""},
              Delivery{"crm", 18446744073709551615ull}, &out);
  EXPECT_EQ(out,
            "{\"event\":\"warning\",\"at\":1,\"id\":\"a\\\"b\",\"target\":"
            "\"t\",\"deadline\":2,\"group\":\"crm\",\"seq\":"
            "18446744073709551615}\n");
  EXPECT_TRUE(IsJsonLine(out));
}

TEST(EventTest, TypeNames) {
  EXPECT_EQ(EventTypeName(EventType::kWarning), "warning");
  EXPECT_EQ(EventTypeName(EventType::kBreached), "breached");
  EXPECT_EQ(EventTypeName(EventType::kEscalated), "escalated");
  EXPECT_EQ(EventTypeName(EventType::kMet), "met");
  EXPECT_EQ(EventTypeName(EventType::kMetLate), "met_late");
}

TEST(OpNameTest, EveryEngineOp) {
  const char* names[] = {"open",      "event",      "pause",    "resume",
                         "priority",  "assign",     "escalate", "resolve",
                         "reopen",    "rate",       "pause_all", "resume_all",
                         "get",       "overdue",    "due_soon", "explain",
                         "stats"};
  for (int i = 0; i < 17; ++i) {
    EXPECT_EQ(OpName(static_cast<engine::Op>(i)), names[i]);
  }
}

}  // namespace
}  // namespace slad::api
