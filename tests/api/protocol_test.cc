// RequestDecoder: every op with every field, the field rules, and one
// test per error case with its wire code.

#include "api/protocol.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"

namespace slad::api {
namespace {

using engine::GroupBy;
using engine::Op;

// 2026-01-05T01:00:00Z
constexpr int64_t kMonday9 = 1767574800000;

class ProtocolTest : public ::testing::Test {
 protected:
  // Decodes `line`; fails the test unless it is OK.
  const Request& Ok(const std::string& line) {
    const absl::Status status = decoder_.Decode(line, &request_);
    EXPECT_TRUE(status.ok()) << line << " → " << status;
    return request_;
  }
  // Decodes `line`; returns its wire code name ("ok" if it decoded).
  std::string Code(const std::string& line) {
    const absl::Status status = decoder_.Decode(line, &request_);
    if (status.ok()) return "ok";
    return std::string(WireCodeName(WireCodeOf(status)));
  }
  std::string Message(const std::string& line) {
    return std::string(decoder_.Decode(line, &request_).message());
  }

  RequestDecoder decoder_;
  Request request_;
};

// The stored group name: the group alone for a token of every team; for a
// team-limited one, its teams sorted, once each, after a 0x1f each; and
// split back into the same parts.
TEST(StoredGroupNameTest, TeamsSortedOnceAndSplitBack) {
  EXPECT_EQ(StoredGroupName("crm", {}), "crm");
  const std::string stored = StoredGroupName("crm", {"west", "east", "west"});
  EXPECT_EQ(stored, "crm\x1f" "east\x1f" "west");
  const GroupNameParts parts = SplitStoredGroupName(stored);
  EXPECT_EQ(parts.group, "crm");
  EXPECT_EQ(parts.teams, (std::vector<absl::string_view>{"east", "west"}));
  EXPECT_TRUE(SplitStoredGroupName("crm").teams.empty());
}

// drop_group's key holds a stored group name: a group and up to
// kMaxTeamsPerToken teams, longer than the other opaque fields' 512 bytes.
TEST_F(ProtocolTest, AGroupKeyHoldsAGroupAndEveryTeamATokenMayList) {
  std::string longest(kMaxNameBytes, 'g');
  for (size_t i = 0; i < kMaxTeamsPerToken; ++i) {
    longest += '\x1f';
    longest += std::string(kMaxNameBytes, 't');
  }
  ASSERT_EQ(longest.size(), kMaxGroupKeyBytes);
  auto line = [](const std::string& key) {
    return absl::StrCat(R"({"op":"drop_group","key":")", absl::CEscape(key) , R"("})");
  };
  // JSON's escape for 0x1f, not C's.
  auto json_line = [&](const std::string& key) {
    return absl::StrReplaceAll(line(key), {{"\\037", "\\u001f"}});
  };
  EXPECT_EQ(Code(json_line(longest)), "ok");
  EXPECT_EQ(request_.key, longest);
  EXPECT_EQ(Code(json_line(longest + "t")), "bad_field");
  EXPECT_EQ(Code(R"({"op":"auth","token":")" + std::string(513, 'x') + R"("})"), "bad_field");
}

TEST_F(ProtocolTest, OpenWithEveryField) {
  const Request& r = Ok(
      R"({"op":"open","req":1,"at":1767574800000,"id":"T-1","kind":"return",)"
      R"("priority":"urgent","team":"east","assignee":"li.wei"})");
  EXPECT_EQ(r.session_op, SessionOp::kNone);
  EXPECT_EQ(r.command.op, Op::kOpen);
  EXPECT_EQ(r.at_ms, kMonday9);
  EXPECT_EQ(r.command.at_ms, kMonday9);
  EXPECT_EQ(r.command.id, "T-1");
  EXPECT_EQ(r.command.kind, "return");
  EXPECT_EQ(r.command.priority, "urgent");
  EXPECT_EQ(r.command.team, "east");
  EXPECT_EQ(r.command.assignee, "li.wei");
  EXPECT_EQ(r.req, "1");
  EXPECT_EQ(OpName(r), "open");
}

TEST_F(ProtocolTest, OpenWithoutOptionalsLeavesThemUnset) {
  const Request& r = Ok(R"({"op":"open","id":"T-1","kind":"return"})");
  EXPECT_FALSE(r.at_ms.has_value());
  EXPECT_EQ(r.command.at_ms, 0);
  EXPECT_FALSE(r.command.priority.has_value());
  EXPECT_FALSE(r.command.team.has_value());
  EXPECT_FALSE(r.command.assignee.has_value());
  EXPECT_TRUE(r.req.empty());
}

TEST_F(ProtocolTest, TicketCommands) {
  const Request* r = &Ok(R"({"op":"event","id":"a","name":"approved"})");
  EXPECT_EQ(r->command.op, Op::kEvent);
  EXPECT_EQ(r->command.name, "approved");
  r = &Ok(R"({"op":"pause","id":"a","reason":"waiting on customer"})");
  EXPECT_EQ(r->command.op, Op::kPause);
  EXPECT_EQ(r->command.reason, "waiting on customer");
  r = &Ok(R"({"op":"resume","id":"a"})");
  EXPECT_EQ(r->command.op, Op::kResume);
  r = &Ok(R"({"op":"priority","id":"a","priority":"urgent"})");
  EXPECT_EQ(r->command.op, Op::kPriority);
  EXPECT_EQ(r->command.priority, "urgent");
  r = &Ok(R"({"op":"assign","id":"a","team":"west"})");
  EXPECT_EQ(r->command.op, Op::kAssign);
  EXPECT_EQ(r->command.team, "west");
  EXPECT_FALSE(r->command.assignee.has_value());
  r = &Ok(R"({"op":"assign","id":"a","assignee":"wang"})");
  EXPECT_EQ(r->command.assignee, "wang");
  r = &Ok(R"({"op":"escalate","id":"a","level":"management","note":"VIP"})");
  EXPECT_EQ(r->command.op, Op::kEscalate);
  EXPECT_EQ(r->command.level, "management");
  EXPECT_EQ(r->command.note, "VIP");
  r = &Ok(R"({"op":"resolve","id":"a"})");
  EXPECT_EQ(r->command.op, Op::kResolve);
  r = &Ok(R"({"op":"reopen","id":"a"})");
  EXPECT_EQ(r->command.op, Op::kReopen);
  r = &Ok(R"({"op":"rate","id":"a","score":5})");
  EXPECT_EQ(r->command.op, Op::kRate);
  EXPECT_EQ(r->command.score, 5);
}

TEST_F(ProtocolTest, BulkCommandsTakeTopLevelFilterFields) {
  const Request* r = &Ok(
      R"({"op":"pause_all","reason":"outage","kind":"shipping","team":"east",)"
      R"("assignee":"li","priority":"high"})");
  EXPECT_EQ(r->command.op, Op::kPauseAll);
  EXPECT_EQ(r->command.reason, "outage");
  EXPECT_EQ(r->command.filter.kind, "shipping");
  EXPECT_EQ(r->command.filter.team, "east");
  EXPECT_EQ(r->command.filter.assignee, "li");
  EXPECT_EQ(r->command.filter.priority, "high");
  EXPECT_TRUE(r->command.kind.empty());  // a filter, not the ticket's kind
  EXPECT_FALSE(r->command.team.has_value());
  r = &Ok(R"({"op":"resume_all","team":"east"})");
  EXPECT_EQ(r->command.op, Op::kResumeAll);
  EXPECT_EQ(r->command.filter.team, "east");
}

// null names no team (assignee): `assign` clears one with it and a filter
// finds tickets without one; absent means "leave as is" and "any". No
// other field takes null.
TEST_F(ProtocolTest, NullTeamOrAssigneeMeansNone) {
  const Request* r = &Ok(R"({"op":"assign","id":"a","team":null,"assignee":null})");
  EXPECT_EQ(r->command.team, std::optional<absl::string_view>(""));
  EXPECT_EQ(r->command.assignee, std::optional<absl::string_view>(""));
  r = &Ok(R"({"op":"assign","id":"a","assignee":null})");
  EXPECT_FALSE(r->command.team.has_value());
  EXPECT_EQ(r->command.assignee, std::optional<absl::string_view>(""));
  r = &Ok(R"({"op":"overdue","team":null})");
  EXPECT_EQ(r->command.filter.team, std::optional<absl::string_view>(""));
  EXPECT_FALSE(r->command.filter.assignee.has_value());
  r = &Ok(R"({"op":"pause_all","reason":"x","assignee":null})");
  EXPECT_EQ(r->command.filter.assignee, std::optional<absl::string_view>(""));
  EXPECT_FALSE(r->command.filter.team.has_value());
  r = &Ok(R"({"op":"overdue"})");
  EXPECT_FALSE(r->command.filter.team.has_value());
  EXPECT_EQ(Code(R"({"op":"overdue","team":""})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"overdue","kind":null})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":null})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"overdue","team":nul})"), "bad_json");
}

TEST_F(ProtocolTest, Queries) {
  const Request* r = &Ok(R"({"op":"get","id":"a"})");
  EXPECT_EQ(r->command.op, Op::kGet);
  EXPECT_EQ(r->command.id, "a");
  r = &Ok(R"({"op":"overdue","level":"supervisor","kind":"return","team":"e",)"
          R"("assignee":"x","priority":"low","target":"review","limit":5,)"
          R"("cursor":"abc"})");
  EXPECT_EQ(r->command.op, Op::kOverdue);
  EXPECT_EQ(r->command.filter.level, "supervisor");
  EXPECT_EQ(r->command.filter.kind, "return");
  EXPECT_EQ(r->command.filter.team, "e");
  EXPECT_EQ(r->command.filter.assignee, "x");
  EXPECT_EQ(r->command.filter.priority, "low");
  EXPECT_EQ(r->command.filter.target, "review");
  EXPECT_EQ(r->command.limit, 5u);
  EXPECT_EQ(r->command.cursor, "abc");
  r = &Ok(R"({"op":"due_soon","within":"90m","team":"e"})");
  EXPECT_EQ(r->command.op, Op::kDueSoon);
  EXPECT_EQ(r->command.within_ms, 90 * 60 * 1000);
  EXPECT_EQ(r->command.limit, 100u);  // the default
  r = &Ok(R"({"op":"explain","id":"a","target":"review"})");
  EXPECT_EQ(r->command.op, Op::kExplain);
  EXPECT_EQ(r->command.target, "review");
  r = &Ok(R"({"op":"stats","from":"2026-01-01T00:00:00Z",)"
          R"("to":"2026-02-01T00:00:00Z","group_by":"team"})");
  EXPECT_EQ(r->command.op, Op::kStats);
  EXPECT_EQ(r->command.from_ms, 1767225600000);
  EXPECT_EQ(r->command.to_ms, 1769904000000);
  EXPECT_EQ(r->command.group_by, GroupBy::kTeam);
  EXPECT_TRUE(engine::IsQuery(r->command.op));
}

TEST_F(ProtocolTest, GroupByNames) {
  const std::pair<const char*, GroupBy> cases[] = {
      {"kind", GroupBy::kKind},         {"team", GroupBy::kTeam},
      {"assignee", GroupBy::kAssignee}, {"target", GroupBy::kTarget},
      {"priority", GroupBy::kPriority}};
  for (const auto& [name, want] : cases) {
    EXPECT_EQ(Ok(std::string(R"({"op":"stats","from":0,"to":1,"group_by":")") +
                 name + "\"}")
                  .command.group_by,
              want);
  }
  EXPECT_EQ(Code(R"({"op":"stats","from":0,"to":1,"group_by":"day"})"),
            "bad_field");
}

TEST_F(ProtocolTest, SessionOps) {
  const Request* r = &Ok(R"({"op":"auth","token":"s3cret"})");
  EXPECT_EQ(r->session_op, SessionOp::kAuth);
  EXPECT_EQ(r->token, "s3cret");
  EXPECT_EQ(OpName(*r), "auth");
  r = &Ok(R"({"op":"subscribe","group":"crm"})");
  EXPECT_EQ(r->session_op, SessionOp::kSubscribe);
  EXPECT_EQ(r->group, "crm");
  r = &Ok(R"({"op":"ack","group":"crm","seq":18446744073709551615})");
  EXPECT_EQ(r->session_op, SessionOp::kAck);
  EXPECT_EQ(r->seq, 18446744073709551615ull);
  r = &Ok(R"({"op":"advance","to":"2026-01-05T09:00:00+08:00"})");
  EXPECT_EQ(r->session_op, SessionOp::kAdvance);
  EXPECT_EQ(r->advance_to_ms, kMonday9);
  EXPECT_EQ(OpName(*r), "advance");
}

TEST_F(ProtocolTest, InstantForms) {
  EXPECT_EQ(Ok(R"({"op":"get","id":"a","at":1767574800000})").at_ms, kMonday9);
  EXPECT_EQ(Ok(R"({"op":"get","id":"a","at":"1767574800000"})").at_ms,
            kMonday9);
  EXPECT_EQ(Ok(R"({"op":"get","id":"a","at":"2026-01-05T09:00:00+08:00"})")
                .at_ms,
            kMonday9);
  EXPECT_EQ(Ok(R"({"op":"get","id":"a","at":"2026-01-05T01:00:00.250Z"})")
                .at_ms,
            kMonday9 + 250);
}

TEST_F(ProtocolTest, WithinForms) {
  EXPECT_EQ(Ok(R"({"op":"due_soon","within":"2h"})").command.within_ms,
            7200000);
  EXPECT_EQ(Ok(R"({"op":"due_soon","within":"1h30m"})").command.within_ms,
            5400000);
  EXPECT_EQ(Ok(R"({"op":"due_soon","within":5400000})").command.within_ms,
            5400000);
}

TEST_F(ProtocolTest, EscapedStringsAreUnescaped) {
  const Request& r =
      Ok(R"({"op":"open","id":"T\u002D1","kind":"ret\"urn","team":"\u4e1c"})");
  EXPECT_EQ(r.command.id, "T-1");
  EXPECT_EQ(r.command.kind, "ret\"urn");
  EXPECT_EQ(r.command.team, "\xE4\xB8\x9C");
}

TEST_F(ProtocolTest, WhitespaceAndNewlineAroundTheObjectAreFine) {
  EXPECT_EQ(Code(" \t{ \"op\" : \"get\" , \"id\" : \"a\" } \r\n"), "ok");
}

TEST_F(ProtocolTest, FieldOrderDoesNotMatter) {
  EXPECT_EQ(Ok(R"({"id":"a","kind":"k","op":"open"})").command.op, Op::kOpen);
}

// ---------------------------------------------------------------------------
// req echo.

TEST_F(ProtocolTest, ReqEchoesStringNumberNullAndBoolVerbatim) {
  EXPECT_EQ(Ok(R"({"op":"get","id":"a","req":"abc\"d\u00e9"})").req,
            R"("abc\"d\u00e9")");
  EXPECT_EQ(Ok(R"({"op":"get","id":"a","req":-12.5e3})").req, "-12.5e3");
  EXPECT_EQ(Ok(R"({"op":"get","id":"a","req" : 7 })").req, "7");
  EXPECT_EQ(Ok(R"({"op":"get","id":"a","req":null})").req, "null");
  EXPECT_EQ(Ok(R"({"op":"get","id":"a","req":true})").req, "true");
}

TEST_F(ProtocolTest, ReqMustBeAScalar) {
  EXPECT_EQ(Code(R"({"op":"get","id":"a","req":[1]})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":"a","req":{"x":1}})"), "bad_field");
}

TEST_F(ProtocolTest, ReqIsKeptForErrorsBeforeAndAfterIt) {
  EXPECT_EQ(Code(R"({"op":"nope","req":42})"), "unknown_op");
  EXPECT_EQ(request_.req, "42");
  EXPECT_EQ(Code(R"({"req":"x","op":"get"})"), "missing_field");
  EXPECT_EQ(request_.req, R"("x")");
  EXPECT_EQ(Code(R"({"req":"x","op":"get","id":5})"), "bad_field");
  EXPECT_EQ(request_.req, R"("x")");
}

// Every error the decoder can give, each with a readable `req` placed
// first and last: the error must carry it (the reply echoes it).
TEST_F(ProtocolTest, EveryErrorWithAReadableReqKeepsIt) {
  const struct {
    const char* fields;  // the object's other fields, without braces
    const char* code;
  } cases[] = {
      // The pass: unknown and repeated fields, each field reader.
      {R"("op":"get","id":"a","colour":"red")", "unknown_field"},
      {R"("op":"get","id":"a","id":"b")", "bad_field"},
      {R"("op":1,"id":"a")", "bad_field"},
      {R"("op":"delete","id":"a")", "unknown_op"},
      {R"("op":"get","id":"a","at":true)", "bad_field"},
      {R"("op":"get","id":"a","at":"yesterday")", "bad_field"},
      {R"("op":"get","id":"a","at":1e999)", "bad_field"},
      {R"("op":"get","id":"a b")", "bad_field"},
      {R"("op":"open","id":"a","kind":"")", "bad_field"},
      {R"("op":"pause","id":"a","reason":"")", "bad_field"},
      {R"("op":"auth","token":"")", "bad_field"},
      {R"("op":"rate","id":"a","score":6)", "bad_field"},
      {R"("op":"overdue","limit":0)", "bad_field"},
      {R"("op":"overdue","limit":18446744073709551616)", "bad_field"},
      {R"("op":"due_soon","within":"3wd")", "bad_field"},
      {R"("op":"ack","group":"g","seq":-1)", "bad_field"},
      {R"("op":"stats","from":0,"to":1,"group_by":"colour")", "bad_field"},
      // After the pass: the op's table and cross-field rules.
      {R"("id":"a")", "missing_field"},
      {R"("op":"get")", "missing_field"},
      {R"("op":"get","id":"a","kind":"k")", "unknown_field"},
      {R"("op":"assign","id":"a")", "missing_field"},
      {R"("op":"stats","from":2,"to":1)", "bad_field"},
  };
  for (const auto& c : cases) {
    for (const std::string& line :
         {absl::StrCat(R"({"req":"r",)", c.fields, "}"),
          absl::StrCat("{", c.fields, R"(,"req":"r"})")}) {
      EXPECT_EQ(Code(line), c.code) << line;
      EXPECT_EQ(request_.req, R"("r")") << line;
    }
  }
}

// Malformed JSON after `req`, and anything after a well-formed object
// (simdjson refuses those before looking inside), keep a readable `req`.
TEST_F(ProtocolTest, MalformedLinesWithAReadableReqKeepIt) {
  const std::string object = R"({"op":"get","id":"a","req":"r"})";
  const std::string lines[] = {
      R"({"req":"r","op":"get",,"id":"a"})",  // a field, then not one
      R"({"req":"r","op":"get","id":"a",})",
      R"({"req":"r","op":"get","id":"a")",    // never closed
      R"({"req":"r","op":"get","x":[1,{)",    // nor what is inside
      R"({"req":"r","op":"get","id":"a"])",   // closed by a wrong bracket
      R"({"req":"r","op":"get","x":[1})",
      R"({"req":"r","op":"get","id":"a\q"})",  // a field's value
      object + "}",                           // a bracket after it
      object + " x",                          // a word after it
      object + R"({"op":"get","id":"b"})",    // a second object
      object + " [1]",
      object + "ÿ",                        // invalid UTF-8 after it
      "  " + object + " 7 ",
  };
  for (const std::string& line : lines) {
    EXPECT_EQ(Code(line), "bad_json") << line;
    EXPECT_EQ(request_.req, R"("r")") << line;
  }
  EXPECT_EQ(Message(object + " x"),
            "trailing characters after the request object");
  // What is wrong inside the leading object wins over what follows it.
  EXPECT_EQ(Code(R"({"req":"r","op":"get","id":a} x)"), "bad_json");
  EXPECT_EQ(request_.req, R"("r")");
  EXPECT_EQ(Code(R"({"op":"get","id":a,"req":"r"} x)"), "bad_json");
  EXPECT_TRUE(request_.req.empty());
  // A line that ends inside a string, or nested deeper than the decoder
  // closes, is not looked into: `req` could be anything.
  EXPECT_EQ(Code(R"({"req":"r","op":"get","id":"a)"), "bad_json");
  EXPECT_TRUE(request_.req.empty());
  EXPECT_EQ(Code(R"({"req":"r","x":)" + std::string(40, '[')), "bad_json");
  EXPECT_TRUE(request_.req.empty());
}

// Invalid UTF-8 or a raw control character inside the object (a Latin-1
// reason from an old system) made simdjson refuse the line before any
// field, so req was lost; it is echoed now, unless those bytes are in req
// itself. Valid UTF-8 in req is echoed as it is.
TEST_F(ProtocolTest, BadBytesInsideTheObjectKeepAReadableReq) {
  const struct {
    std::string line;
    const char* req;  // "" when none can be read
  } cases[] = {
      {"{\"op\":\"pause\",\"req\":2,\"id\":\"W-1\",\"reason\":\"caf\xe9\"}", "2"},
      {std::string("{\"op\":\"get\",\"req\":6,\"id\":\"AS") + '\0' + "-1\"}", "6"},
      {"{\"op\":\"get\",\"id\":\"\x01\",\"req\":\"r\"}", R"("r")"},
      {"{\"op\":\"x\xff\",\"req\":\"caf\xc3\xa9\"}", "\"caf\xc3\xa9\""},
      {"{\"op\":\"get\",\"req\":\"caf\xe9\"}", ""},
      {"{\"op\":\"get\",\"req\":\"a\x01\"}", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Code(c.line), "bad_json") << c.line;
    EXPECT_EQ(request_.req, c.req) << c.line;
  }
}

// A number beyond int64/uint64/double is refused, not echoed: many JSON
// parsers (simdjson's DOM, which slactl uses) would refuse the reply.
TEST_F(ProtocolTest, ReqBeyondMachineNumbersIsNotEchoed) {
  for (const char* bad : {"12345678901234567890123", "1e400", "01", "-"}) {
    const std::string line =
        absl::StrCat(R"({"op":"get","id":"a","req":)", bad, "}");
    EXPECT_EQ(Code(line), "bad_field") << line;
    EXPECT_TRUE(request_.req.empty()) << line;
  }
}

// A number that is valid JSON but beyond the machine's numbers is said to
// be out of range, not malformed.
TEST_F(ProtocolTest, ANumberTooLargeIsOutOfRangeNotMalformed) {
  for (const char* big : {"18446744073709551616", "99999999999999999999", "1e400"}) {
    EXPECT_EQ(Message(absl::StrCat(R"({"op":"get","id":"a","req":)", big, "}")),
              "field \"req\": a number beyond 64-bit integers and doubles (send a string)")
        << big;
    const std::string at = Message(absl::StrCat(R"({"op":"advance","to":)", big, "}"));
    EXPECT_NE(at.find("must be in 0.."), std::string::npos) << at;
  }
  EXPECT_EQ(Message(R"({"op":"get","id":"a","req":01})"),
            "field \"req\": not a valid JSON number");
  EXPECT_EQ(Message(R"({"op":"advance","to":1.})"), "field \"to\": not a valid JSON number");
}

// within is wall-clock time: the error says how to write it, and does
// not suggest working days, which it refuses.
TEST_F(ProtocolTest, ABadWithinSaysHowToWriteIt) {
  const std::string message = Message(R"({"op":"due_soon","within":"3d"})");
  EXPECT_NE(message.find("\"3d\" is not a wall-clock duration"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("wd"), std::string::npos) << message;
  EXPECT_EQ(Code(R"({"op":"due_soon","within":"3wd"})"), "bad_field");
  // Well written but too long: says so, not that it is malformed.
  const std::string too_long = Message(R"({"op":"due_soon","within":"1000000h"})");
  EXPECT_NE(too_long.find("\"1000000h\" is longer than 100 years"), std::string::npos)
      << too_long;
}

// req is kept with the request in its history: up to 512 bytes as sent.
TEST_F(ProtocolTest, ReqLongerThan512BytesIsRefused) {
  const std::string at_limit = absl::StrCat("\"", std::string(510, 'r'), "\"");
  EXPECT_EQ(Ok(absl::StrCat(R"({"op":"get","id":"a","req":)", at_limit, "}")).req, at_limit);
  const std::string over = absl::StrCat("\"", std::string(511, 'r'), "\"");
  const std::string line = absl::StrCat(R"({"op":"get","id":"a","req":)", over, "}");
  EXPECT_EQ(Code(line), "bad_field");
  EXPECT_TRUE(request_.req.empty());
}

TEST_F(ProtocolTest, ReqIsEmptyWhenTheLineIsNotJson) {
  EXPECT_EQ(Code(R"({"op":"get" "req":1})"), "bad_json");
  EXPECT_TRUE(request_.req.empty());
}

// ---------------------------------------------------------------------------
// Errors, one per case.

TEST_F(ProtocolTest, MalformedJsonIsBadJson) {
  EXPECT_EQ(Code(R"({"op":"get","id":"a")"), "bad_json");
  EXPECT_EQ(Code(R"({"op":"get",,"id":"a"})"), "bad_json");
  EXPECT_EQ(Code(R"({"op":"get","id":"a\x"})"), "bad_json");
  EXPECT_EQ(Code(R"({op:"get"})"), "bad_json");
  EXPECT_EQ(Code("{\"op\":\"get\",\"id\":\"a\xFF\"}"), "bad_json");
  EXPECT_EQ(Code(""), "bad_json");
  EXPECT_EQ(Code("   "), "bad_json");
}

TEST_F(ProtocolTest, MalformedJsonWinsOverAnEarlierFieldError) {
  EXPECT_EQ(Code(R"({"op":"nope","id":"a",})"), "bad_json");
}

TEST_F(ProtocolTest, NonObjectLineIsBadJson) {
  EXPECT_EQ(Code(R"(["op","get"])"), "bad_json");
  EXPECT_EQ(Code(R"("get")"), "bad_json");
  EXPECT_EQ(Code("42"), "bad_json");
  EXPECT_EQ(Code("null"), "bad_json");
}

TEST_F(ProtocolTest, TrailingGarbageIsBadJson) {
  EXPECT_EQ(Code(R"({"op":"get","id":"a"} x)"), "bad_json");
  EXPECT_EQ(Code(R"({"op":"get","id":"a"}{"op":"get","id":"b"})"),
            "bad_json");
  EXPECT_EQ(Code(R"({"op":"get","id":"a"}})"), "bad_json");
}

TEST_F(ProtocolTest, UnknownOp) {
  EXPECT_EQ(Code(R"({"op":"delete","id":"a"})"), "unknown_op");
  EXPECT_EQ(Message(R"({"op":"delete","id":"a"})"), "unknown op \"delete\"");
}

TEST_F(ProtocolTest, OpMustBeAString) {
  EXPECT_EQ(Code(R"({"op":1,"id":"a"})"), "bad_field");
}

TEST_F(ProtocolTest, MissingFields) {
  EXPECT_EQ(Code(R"({"id":"a"})"), "missing_field");
  EXPECT_EQ(Code(R"({})"), "missing_field");
  EXPECT_EQ(Code(R"({"op":"open","id":"a"})"), "missing_field");
  EXPECT_EQ(Message(R"({"op":"open","id":"a"})"),
            "op \"open\" needs field \"kind\"");
  EXPECT_EQ(Code(R"({"op":"get"})"), "missing_field");
  EXPECT_EQ(Code(R"({"op":"assign","id":"a"})"), "missing_field");
  EXPECT_EQ(Code(R"({"op":"pause","id":"a"})"), "missing_field");
  EXPECT_EQ(Code(R"({"op":"due_soon"})"), "missing_field");
  EXPECT_EQ(Code(R"({"op":"stats","from":0})"), "missing_field");
  EXPECT_EQ(Code(R"({"op":"ack","group":"g"})"), "missing_field");
  EXPECT_EQ(Code(R"({"op":"advance"})"), "missing_field");
}

TEST_F(ProtocolTest, WrongTypes) {
  EXPECT_EQ(Code(R"({"op":"get","id":7})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":null})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"rate","id":"a","score":"5"})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"rate","id":"a","score":4.0})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":"a","at":true})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"ack","group":"g","seq":-1})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"ack","group":"g","seq":1.5})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"overdue","limit":[1]})"), "bad_field");
  EXPECT_EQ(Message(R"({"op":"get","id":7})"),
            "field \"id\": must be a string");
}

TEST_F(ProtocolTest, BadInstants) {
  EXPECT_EQ(Code(R"({"op":"get","id":"a","at":"yesterday"})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":"a","at":"2026-01-05T09:00:00"})"),
            "bad_field");  // no offset
  EXPECT_EQ(Code(R"({"op":"get","id":"a","at":-1})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":"a","at":7258118400000})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":"a","at":99999999999999999999})"),
            "bad_field");
  EXPECT_EQ(Code(R"({"op":"stats","from":2,"to":1})"), "bad_field");
}

TEST_F(ProtocolTest, BadDurations) {
  EXPECT_EQ(Code(R"({"op":"due_soon","within":"2 hours"})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"due_soon","within":"3wd"})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"due_soon","within":"0m"})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"due_soon","within":0})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"due_soon","within":-5})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"due_soon","within":1.5})"), "bad_field");
}

TEST_F(ProtocolTest, LimitRange) {
  EXPECT_EQ(Ok(R"({"op":"overdue","limit":1})").command.limit, 1u);
  EXPECT_EQ(Ok(R"({"op":"overdue","limit":1000})").command.limit, 1000u);
  EXPECT_EQ(Code(R"({"op":"overdue","limit":0})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"overdue","limit":1001})"), "bad_field");
}

TEST_F(ProtocolTest, ScoreRange) {
  EXPECT_EQ(Ok(R"({"op":"rate","id":"a","score":1})").command.score, 1);
  EXPECT_EQ(Code(R"({"op":"rate","id":"a","score":0})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"rate","id":"a","score":6})"), "bad_field");
}

TEST_F(ProtocolTest, UnknownFields) {
  EXPECT_EQ(Code(R"({"op":"get","id":"a","idd":"b"})"), "unknown_field");
  EXPECT_EQ(Message(R"({"op":"get","id":"a","idd":"b"})"),
            "unknown field \"idd\"");
  // A known field the op does not take is reported the same way.
  EXPECT_EQ(Code(R"({"op":"get","id":"a","within":"2h"})"), "unknown_field");
  EXPECT_EQ(Code(R"({"op":"overdue","filter":{"team":"e"}})"),
            "unknown_field");
  EXPECT_EQ(Code(R"({"op":"auth","token":"t","at":1})"), "unknown_field");
}

TEST_F(ProtocolTest, RepeatedFieldIsBadField) {
  EXPECT_EQ(Code(R"({"op":"get","id":"a","id":"b"})"), "bad_field");
}

TEST_F(ProtocolTest, IdRules) {
  EXPECT_EQ(Code(R"({"op":"get","id":""})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":"a b"})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":"a\nb"})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":"a\u007f"})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":")" + std::string(128, 'x') + "\"}"),
            "ok");
  EXPECT_EQ(Code(R"({"op":"get","id":")" + std::string(129, 'x') + "\"}"),
            "bad_field");
  EXPECT_EQ(Code(R"({"op":"get","id":"工单-1"})"), "ok");
}

TEST_F(ProtocolTest, NameAndTextRules) {
  EXPECT_EQ(Code(R"({"op":"open","id":"a","kind":""})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"open","id":"a","kind":"k","team":"East Hub"})"),
            "ok");
  EXPECT_EQ(Code(R"({"op":"open","id":"a","kind":"k","team":"a\tb"})"),
            "bad_field");
  EXPECT_EQ(Code(R"({"op":"pause","id":"a","reason":""})"), "bad_field");
  EXPECT_EQ(Code(R"({"op":"escalate","id":"a","level":"l","note":""})"),
            "ok");
  EXPECT_EQ(Code(R"({"op":"escalate","id":"a","level":"l","note":")" +
                 std::string(1025, 'n') + "\"}"),
            "bad_field");
}

TEST_F(ProtocolTest, LineTooLong) {
  RequestDecoder small(32);
  Request r;
  const std::string line = R"({"op":"get","id":")" + std::string(20, 'x') +
                           "\"}";
  ASSERT_GT(line.size(), 32u);
  EXPECT_EQ(WireCodeOf(small.Decode(line, &r)), WireCode::kLineTooLong);
  EXPECT_TRUE(small.Decode(R"({"op":"get","id":"x"})", &r).ok());
}

TEST_F(ProtocolTest, DecoderIsReusableAfterAnError) {
  EXPECT_EQ(Code(R"({"op":"get",)"), "bad_json");
  EXPECT_EQ(Code(R"({"op":"get","id":"a"})"), "ok");
  EXPECT_EQ(request_.command.id, "a");
}

TEST_F(ProtocolTest, ViewsOutliveTheCallersLine) {
  std::string line = R"({"op":"get","id":"abc","req":"r"})";
  Ok(line);
  line.assign(line.size(), '#');
  EXPECT_EQ(request_.command.id, "abc");
  EXPECT_EQ(request_.req, R"("r")");
}

}  // namespace
}  // namespace slad::api
