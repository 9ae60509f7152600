// Property tests of RequestDecoder with fixed, printed seeds
// (SLAD_TEST_SEED=n replays one):
// - random requests written with JsonWriter, fields in random order,
//   decode to exactly the fields they were made from;
// - random bytes and random mutations of valid lines always give a Status
//   (never a crash), a decoder code if not OK, and a reply line that is
//   valid JSON whatever `req` the decoder recovered.

#include <algorithm>
#include <cstdio>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/json_writer.h"
#include "api/protocol.h"
#include "engine/time_format.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/testing/seed.h"

namespace slad::api {
namespace {

using engine::Op;
using testing::SplitMix64;

constexpr int64_t kMaxInstantMs = 7258118400000;  // 2200-01-01

enum class Chars { kId, kName, kAny };

// A random valid UTF-8 string of lo..hi bytes drawn from characters that
// exercise escaping: quotes, backslashes, controls (kAny only), and 2-, 3-
// and 4-byte sequences.
std::string RandomString(SplitMix64& rng, Chars chars, size_t lo, size_t hi) {
  static const char* const kPieces[] = {"a", "Z", "7", "-", "_", ".", "\"",
                                        "\\", "/", "\xC3\xA9", "\xE4\xB8\x9C",
                                        "\xF0\x9F\x98\x80", " ", "\n", "\t",
                                        "\x01", "\x7F"};
  const size_t usable = chars == Chars::kId     ? 12
                        : chars == Chars::kName ? 13
                                                : std::size(kPieces);
  const size_t want = lo + rng.Below(hi - lo + 1);
  std::string s;
  while (s.size() < want) {
    std::string piece = kPieces[rng.Below(usable)];
    if (s.size() + piece.size() > want) piece = "x";
    s += piece;
  }
  return s;
}

// What a test line is made of: its fields (key + writer of the value) and
// the Request it must decode to.
struct Case {
  std::vector<std::pair<std::string, std::function<void(JsonWriter&)>>> fields;
  Request want;
  std::deque<std::string> storage;  // keeps `want`'s views alive (stable)
};

absl::string_view Keep(Case& c, std::string s) {
  c.storage.push_back(std::move(s));
  return c.storage.back();
}

void AddString(Case& c, const std::string& key, absl::string_view value) {
  std::string v(value);
  c.fields.emplace_back(key, [v](JsonWriter& w) { w.String(v); });
}

void AddInt(Case& c, const std::string& key, int64_t value) {
  c.fields.emplace_back(key, [value](JsonWriter& w) { w.Int(value); });
}

// An instant in one of its three input forms.
int64_t AddInstant(SplitMix64& rng, Case& c, const std::string& key) {
  const int64_t ms = static_cast<int64_t>(rng.Below(kMaxInstantMs));
  switch (rng.Below(3)) {
    case 0:
      AddInt(c, key, ms);
      break;
    case 1:
      AddString(c, key, absl::StrCat(ms));
      break;
    default:
      AddString(c, key, engine::FormatInstantMs(ms));
  }
  return ms;
}

absl::string_view AddName(SplitMix64& rng, Case& c, const std::string& key,
                          Chars chars, size_t lo, size_t hi) {
  absl::string_view v = Keep(c, RandomString(rng, chars, lo, hi));
  AddString(c, key, v);
  return v;
}

// Fills the common part (op, req, at) and the op's fields.
Case RandomCase(SplitMix64& rng) {
  static const char* const kOpNames[] = {
      "open",    "event",    "pause",     "resume",     "priority", "assign",
      "escalate", "resolve", "reopen",    "rate",       "pause_all",
      "resume_all", "get",   "overdue",   "due_soon",   "explain",  "stats",
      "auth",    "subscribe", "ack",      "advance"};
  Case c;
  const int op_index = static_cast<int>(rng.Below(std::size(kOpNames)));
  const std::string op = kOpNames[op_index];
  AddString(c, "op", op);
  Request& r = c.want;
  engine::Command& cmd = r.command;
  if (rng.OneIn(2)) {
    switch (rng.Below(3)) {
      case 0: {
        const int64_t v = static_cast<int64_t>(rng.Next() >> 2);
        AddInt(c, "req", v);
        r.req = Keep(c, absl::StrCat(v));
        break;
      }
      case 1: {
        const std::string v = RandomString(rng, Chars::kAny, 0, 20);
        AddString(c, "req", v);
        std::string json;
        AppendJsonString(v, &json);
        r.req = Keep(c, json);
        break;
      }
      default:
        c.fields.emplace_back("req", [](JsonWriter& w) { w.Bool(true); });
        r.req = "true";
    }
  }
  const auto name = [&](const char* key) {
    return AddName(rng, c, key, Chars::kName, 1, 128);
  };
  const auto maybe = [&](const char* key) -> std::optional<absl::string_view> {
    if (rng.OneIn(2)) return std::nullopt;
    return name(key);
  };
  // team and assignee: absent, a name, or null ("": none).
  const auto maybe_null = [&](const char* key) -> std::optional<absl::string_view> {
    if (rng.OneIn(4)) {
      c.fields.emplace_back(key, [](JsonWriter& w) { w.Null(); });
      return absl::string_view();
    }
    return maybe(key);
  };
  if (op_index >= 17) {  // session ops
    if (op == "auth") {
      r.session_op = SessionOp::kAuth;
      r.token = AddName(rng, c, "token", Chars::kAny, 1, 512);
    } else if (op == "subscribe" || op == "ack") {
      r.session_op = op == "ack" ? SessionOp::kAck : SessionOp::kSubscribe;
      r.group = name("group");
      if (op == "ack") {
        r.seq = rng.Next() >> 1;
        AddInt(c, "seq", static_cast<int64_t>(r.seq));
      }
    } else {
      r.session_op = SessionOp::kAdvance;
      r.advance_to_ms = AddInstant(rng, c, "to");
    }
    return c;
  }
  cmd.op = static_cast<Op>(op_index);
  if (rng.OneIn(2)) {
    r.at_ms = AddInstant(rng, c, "at");
    cmd.at_ms = *r.at_ms;
  }
  switch (cmd.op) {
    case Op::kOpen:
    case Op::kEvent:
    case Op::kPause:
    case Op::kResume:
    case Op::kPriority:
    case Op::kAssign:
    case Op::kEscalate:
    case Op::kResolve:
    case Op::kReopen:
    case Op::kRate:
    case Op::kGet:
    case Op::kExplain:
      cmd.id = AddName(rng, c, "id", Chars::kId, 1, 128);
      break;
    default:
      break;
  }
  const bool query = cmd.op == Op::kOverdue || cmd.op == Op::kDueSoon;
  switch (cmd.op) {
    case Op::kOpen:
      cmd.kind = name("kind");
      cmd.priority = maybe("priority");
      cmd.team = maybe_null("team");
      cmd.assignee = maybe_null("assignee");
      break;
    case Op::kEvent:
      cmd.name = name("name");
      break;
    case Op::kPause:
      cmd.reason = AddName(rng, c, "reason", Chars::kAny, 1, 1024);
      break;
    case Op::kPriority:
      cmd.priority = name("priority");
      break;
    case Op::kAssign:
      cmd.team = name("team");
      cmd.assignee = maybe("assignee");
      break;
    case Op::kEscalate:
      cmd.level = name("level");
      if (rng.OneIn(2)) {
        cmd.note = AddName(rng, c, "note", Chars::kAny, 0, 1024);
      }
      break;
    case Op::kRate:
      cmd.score = 1 + static_cast<int>(rng.Below(5));
      AddInt(c, "score", cmd.score);
      break;
    case Op::kPauseAll:
      cmd.reason = AddName(rng, c, "reason", Chars::kAny, 1, 1024);
      [[fallthrough]];
    case Op::kResumeAll:
    case Op::kOverdue:
    case Op::kDueSoon:
      if (cmd.op == Op::kDueSoon) {
        cmd.within_ms = 1 + static_cast<int64_t>(rng.Below(30LL * 86400000));
        if (rng.OneIn(2) && cmd.within_ms % 60000 == 0) {
          AddString(c, "within", absl::StrCat(cmd.within_ms / 60000, "m"));
        } else if (rng.OneIn(2)) {
          AddString(c, "within", absl::StrCat(cmd.within_ms, "ms"));
        } else {
          AddInt(c, "within", cmd.within_ms);
        }
      }
      cmd.filter.kind = maybe("kind").value_or("");
      cmd.filter.team = maybe_null("team");
      cmd.filter.assignee = maybe_null("assignee");
      cmd.filter.priority = maybe("priority").value_or("");
      if (query) {
        cmd.filter.level = maybe("level").value_or("");
        cmd.filter.target = maybe("target").value_or("");
        if (rng.OneIn(2)) {
          cmd.limit = 1 + static_cast<uint32_t>(rng.Below(1000));
          AddInt(c, "limit", cmd.limit);
        }
        if (rng.OneIn(2)) {
          cmd.cursor = AddName(rng, c, "cursor", Chars::kAny, 1, 512);
        }
      }
      break;
    case Op::kExplain:
      cmd.target = name("target");
      break;
    case Op::kStats: {
      int64_t a = AddInstant(rng, c, "from");
      int64_t b = AddInstant(rng, c, "to");
      if (a > b) {  // swap the values, keep the keys
        std::swap(c.fields[c.fields.size() - 1].second,
                  c.fields[c.fields.size() - 2].second);
        std::swap(a, b);
      }
      cmd.from_ms = a;
      cmd.to_ms = b;
      if (rng.OneIn(2)) {
        static const char* const kGroups[] = {"kind", "team", "assignee",
                                              "target", "priority"};
        const int g = static_cast<int>(rng.Below(5));
        AddString(c, "group_by", kGroups[g]);
        cmd.group_by = static_cast<engine::GroupBy>(g);
      }
      break;
    }
    default:
      break;
  }
  return c;
}

std::string Line(SplitMix64& rng, Case& c) {
  for (size_t i = c.fields.size(); i > 1; --i) {  // Fisher–Yates
    std::swap(c.fields[i - 1], c.fields[rng.Below(i)]);
  }
  JsonWriter w;
  w.BeginObject();
  for (auto& [key, write] : c.fields) {
    w.Key(key);
    write(w);
  }
  w.EndObject();
  return w.str();
}

void ExpectSame(const Request& got, const Request& want) {
  EXPECT_EQ(got.session_op, want.session_op);
  EXPECT_EQ(got.at_ms, want.at_ms);
  EXPECT_EQ(got.req, want.req);
  EXPECT_EQ(got.token, want.token);
  EXPECT_EQ(got.group, want.group);
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.advance_to_ms, want.advance_to_ms);
  const engine::Command& g = got.command;
  const engine::Command& w = want.command;
  EXPECT_EQ(g.op, w.op);
  EXPECT_EQ(g.at_ms, w.at_ms);
  EXPECT_EQ(g.id, w.id);
  EXPECT_EQ(g.kind, w.kind);
  EXPECT_EQ(g.priority, w.priority);
  EXPECT_EQ(g.team, w.team);
  EXPECT_EQ(g.assignee, w.assignee);
  EXPECT_EQ(g.name, w.name);
  EXPECT_EQ(g.reason, w.reason);
  EXPECT_EQ(g.level, w.level);
  EXPECT_EQ(g.note, w.note);
  EXPECT_EQ(g.target, w.target);
  EXPECT_EQ(g.score, w.score);
  EXPECT_EQ(g.filter.kind, w.filter.kind);
  EXPECT_EQ(g.filter.team, w.filter.team);
  EXPECT_EQ(g.filter.assignee, w.filter.assignee);
  EXPECT_EQ(g.filter.priority, w.filter.priority);
  EXPECT_EQ(g.filter.level, w.filter.level);
  EXPECT_EQ(g.filter.target, w.filter.target);
  EXPECT_EQ(g.within_ms, w.within_ms);
  EXPECT_EQ(g.limit, w.limit);
  EXPECT_EQ(g.cursor, w.cursor);
  EXPECT_EQ(g.from_ms, w.from_ms);
  EXPECT_EQ(g.to_ms, w.to_ms);
  EXPECT_EQ(g.group_by, w.group_by);
}

TEST(ProtocolPropertyTest, RandomRequestsRoundTrip) {
  RequestDecoder decoder;
  Request got;
  for (uint64_t seed : testing::PropertySeeds(0x9A0000, 8)) {
    std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
    SCOPED_TRACE(seed);
    SplitMix64 rng(seed);
    for (int i = 0; i < 2000; ++i) {
      Case c = RandomCase(rng);
      const std::string line = Line(rng, c);
      const absl::Status status = decoder.Decode(line, &got);
      ASSERT_TRUE(status.ok()) << line << " → " << status;
      ExpectSame(got, c.want);
      if (::testing::Test::HasFailure()) {
        FAIL() << "line " << i << ": " << line;
      }
    }
  }
}

// Decodes `input` and checks what must hold for any input.
void CheckAnyInput(RequestDecoder& decoder, const std::string& input) {
  Request request;
  const absl::Status status = decoder.Decode(input, &request);
  std::string reply;
  if (status.ok()) {
    EXPECT_NE(OpName(request), "?");
    AppendOkReply(request.req, &reply);
  } else {
    const WireCode code = WireCodeOf(status);
    EXPECT_TRUE(code == WireCode::kBadJson || code == WireCode::kUnknownOp ||
                code == WireCode::kMissingField ||
                code == WireCode::kBadField ||
                code == WireCode::kUnknownField ||
                code == WireCode::kLineTooLong)
        << status;
    AppendErrorReply(request.req, status, &reply);
  }
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  EXPECT_EQ(parser.parse(reply).get(object), simdjson::SUCCESS)
      << "input: " << input << "\nreply: " << reply;
}

TEST(ProtocolPropertyTest, RandomBytesNeverCrash) {
  RequestDecoder decoder(256);
  for (uint64_t seed : testing::PropertySeeds(0x9B0000, 4)) {
    std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
    SCOPED_TRACE(seed);
    SplitMix64 rng(seed);
    static const char kAlphabet[] = "{}[]\":,\\ 0123456789.-+eEtrufalsn";
    for (int i = 0; i < 20000; ++i) {
      std::string input(rng.Below(300), '\0');
      const bool json_ish = rng.OneIn(2);
      for (char& ch : input) {
        ch = json_ish ? kAlphabet[rng.Below(sizeof(kAlphabet) - 1)]
                      : static_cast<char>(rng.Below(256));
      }
      CheckAnyInput(decoder, input);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(ProtocolPropertyTest, MutatedValidLinesNeverCrash) {
  RequestDecoder decoder;
  for (uint64_t seed : testing::PropertySeeds(0x9C0000, 4)) {
    std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
    SCOPED_TRACE(seed);
    SplitMix64 rng(seed);
    static const char kBytes[] = "{}[]\":,\\ 0a\xC3\xFF\x01";
    for (int i = 0; i < 5000; ++i) {
      Case c = RandomCase(rng);
      std::string line = Line(rng, c);
      const int edits = 1 + static_cast<int>(rng.Below(4));
      for (int e = 0; e < edits && !line.empty(); ++e) {
        const size_t at = rng.Below(line.size());
        const char byte = kBytes[rng.Below(sizeof(kBytes) - 1)];
        switch (rng.Below(4)) {
          case 0: line[at] = byte; break;
          case 1: line.insert(line.begin() + at, byte); break;
          case 2: line.erase(at, 1); break;
          default: line.resize(at); break;
        }
      }
      CheckAnyInput(decoder, line);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace slad::api
