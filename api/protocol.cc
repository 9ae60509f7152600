// Request decoding. The grammar of a request line (docs/API.md):
//
//   line    := ws object ws                  ; one JSON object, nothing else
//   object  := { field ("," field)* }        ; each field at most once
//   field   := "op" : op-name                ; required
//            | "req" : string|number|true|false|null   ; echoed verbatim
//            | name : value                  ; per the field table below
//
// Decoding is one pass over the object's fields in document order. Each
// field has one type whatever the op (kFields), so a field can be checked
// before `op` is seen; its value lands in a slot of Slots. After the pass
// the op's table entry (kOps) says which slots it requires and allows, and
// Assemble() moves the slots into the Request. Field errors do not stop
// the pass: it goes on to find `req` (for the error reply) and to check
// that the rest is JSON; the first field error in document order wins,
// but malformed JSON anywhere wins over it. A line whose leading object is
// well formed but followed by something else is refused before the pass
// starts (simdjson checks the document's last token, and its UTF-8, up
// front): Decode then runs the pass over that object alone, for `req`.

#include "api/protocol.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "api/json_scan.h"
#include "api/rfc3339.h"
#include "engine/time_format.h"
#include "simdjson.h"

namespace slad::api {
namespace {

namespace od = simdjson::ondemand;

// ---------------------------------------------------------------------------
// Field and op tables.

enum Field : uint8_t {
  kOp, kReq, kAt, kId, kKind, kPriority, kTeam, kAssignee, kName, kReason,
  kLevel, kNote, kTarget, kScore, kWithin, kLimit, kCursor, kFrom, kTo,
  kGroupBy, kToken, kGroup, kSeq, kKey, kNumFields
};
static_assert(kNumFields <= 32, "Slots::seen is a 32-bit mask");

constexpr uint32_t Bit(Field f) { return uint32_t{1} << f; }

enum class Type : uint8_t {
  kOpName,    // one of kOps
  kEcho,      // req
  kInstant,   // Unix ms integer, or RFC 3339 / ms string
  kId,        // ticket id: 1..128 bytes, no spaces or control characters
  kName,      // 1..128 bytes, no control characters
  kText,      // 0..1024 bytes (reason must not be empty)
  kScore,     // integer 1..5
  kDuration,  // wall-clock: "90m" / "2h" or ms integer, > 0
  kLimit,     // integer 1..1000
  kOpaque,    // cursor, token: 1..512 bytes
  kGroupKey,  // key: 1..kMaxGroupKeyBytes
  kGroupBy,   // kind|team|assignee|target|priority
  kSeq,       // integer >= 0
};

struct FieldSpec {
  absl::string_view name;
  Type type;
};

// Indexed by Field.
constexpr FieldSpec kFields[kNumFields] = {
    {"op", Type::kOpName},     {"req", Type::kEcho},
    {"at", Type::kInstant},    {"id", Type::kId},
    {"kind", Type::kName},     {"priority", Type::kName},
    {"team", Type::kName},     {"assignee", Type::kName},
    {"name", Type::kName},     {"reason", Type::kText},
    {"level", Type::kName},    {"note", Type::kText},
    {"target", Type::kName},   {"score", Type::kScore},
    {"within", Type::kDuration}, {"limit", Type::kLimit},
    {"cursor", Type::kOpaque}, {"from", Type::kInstant},
    {"to", Type::kInstant},    {"group_by", Type::kGroupBy},
    {"token", Type::kOpaque},  {"group", Type::kName},
    {"seq", Type::kSeq},       {"key", Type::kGroupKey},
};

constexpr size_t kMaxTextBytes = 1024;
constexpr size_t kMaxOpaqueBytes = 512;
constexpr size_t kMaxEchoBytes = 512;  // req, as sent (quotes and escapes included)
constexpr int kMaxLimit = 1000;
constexpr uint32_t kDefaultLimit = 100;
// Instants outside [1970, 2200) are refused like slactl does: the
// calendar's range, and no int64 overflow when durations are added.
constexpr int64_t kMaxInstantMs = 7258118400000;  // 2200-01-01T00:00:00Z
constexpr int64_t kMaxWithinMs = int64_t{100} * 366 * 24 * 3600 * 1000;
// Brackets FindReq may add to close a line's leading object; a line left
// deeper than this gets its error without `req`.
constexpr size_t kMaxClosing = 32;

struct OpSpec {
  absl::string_view name;
  SessionOp session_op;
  engine::Op op;         // meaningful when session_op == kNone
  uint32_t required;     // besides op
  uint32_t optional;     // besides req
  bool filter;           // kind/team/... are a Filter, not ticket fields
};

constexpr uint32_t kTicketFilter =
    Bit(kKind) | Bit(kTeam) | Bit(kAssignee) | Bit(kPriority);
constexpr uint32_t kQueryFilter =
    kTicketFilter | Bit(kLevel) | Bit(kTarget) | Bit(kLimit) | Bit(kCursor);

using engine::Op;
constexpr OpSpec kOps[] = {
    {"open", SessionOp::kNone, Op::kOpen, Bit(kId) | Bit(kKind),
     Bit(kAt) | Bit(kPriority) | Bit(kTeam) | Bit(kAssignee), false},
    {"event", SessionOp::kNone, Op::kEvent, Bit(kId) | Bit(kName), Bit(kAt),
     false},
    {"pause", SessionOp::kNone, Op::kPause, Bit(kId) | Bit(kReason), Bit(kAt),
     false},
    {"resume", SessionOp::kNone, Op::kResume, Bit(kId), Bit(kAt), false},
    {"priority", SessionOp::kNone, Op::kPriority, Bit(kId) | Bit(kPriority),
     Bit(kAt), false},
    {"assign", SessionOp::kNone, Op::kAssign, Bit(kId),
     Bit(kAt) | Bit(kTeam) | Bit(kAssignee), false},
    {"escalate", SessionOp::kNone, Op::kEscalate, Bit(kId) | Bit(kLevel),
     Bit(kAt) | Bit(kNote), false},
    {"resolve", SessionOp::kNone, Op::kResolve, Bit(kId), Bit(kAt), false},
    {"reopen", SessionOp::kNone, Op::kReopen, Bit(kId), Bit(kAt), false},
    {"rate", SessionOp::kNone, Op::kRate, Bit(kId) | Bit(kScore), Bit(kAt),
     false},
    {"pause_all", SessionOp::kNone, Op::kPauseAll, Bit(kReason),
     Bit(kAt) | kTicketFilter, true},
    {"resume_all", SessionOp::kNone, Op::kResumeAll, 0,
     Bit(kAt) | kTicketFilter, true},
    {"get", SessionOp::kNone, Op::kGet, Bit(kId), Bit(kAt), false},
    {"overdue", SessionOp::kNone, Op::kOverdue, 0, Bit(kAt) | kQueryFilter,
     true},
    {"due_soon", SessionOp::kNone, Op::kDueSoon, Bit(kWithin),
     Bit(kAt) | kQueryFilter, true},
    {"explain", SessionOp::kNone, Op::kExplain, Bit(kId) | Bit(kTarget),
     Bit(kAt), false},
    {"stats", SessionOp::kNone, Op::kStats, Bit(kFrom) | Bit(kTo),
     Bit(kAt) | Bit(kGroupBy), false},
    {"auth", SessionOp::kAuth, Op::kGet, Bit(kToken), 0, false},
    {"subscribe", SessionOp::kSubscribe, Op::kGet, Bit(kGroup), 0, false},
    {"ack", SessionOp::kAck, Op::kGet, Bit(kGroup) | Bit(kSeq), 0, false},
    {"advance", SessionOp::kAdvance, Op::kGet, Bit(kTo), 0, false},
    {"groups", SessionOp::kGroups, Op::kGet, 0, 0, false},
    {"drop_group", SessionOp::kDropGroup, Op::kGet, Bit(kKey), 0, false},
};
constexpr int kNumEngineOps = 17;  // kOps[0..16] follow engine::Op order

constexpr bool EngineOpsInOrder() {
  for (int i = 0; i < kNumEngineOps; ++i) {
    if (kOps[i].session_op != SessionOp::kNone ||
        static_cast<int>(kOps[i].op) != i) {
      return false;
    }
  }
  return static_cast<int>(Op::kStats) == kNumEngineOps - 1;
}
static_assert(EngineOpsInOrder(), "OpName(engine::Op) indexes kOps");

constexpr absl::string_view kGroupByNames[] = {"kind", "team", "assignee",
                                              "target", "priority"};

// Linear scans: ~20 short keys, compared by length and first byte before
// memcmp (perf showed the memcmp calls at 11 % of a decode), beat hashing.
int FindField(absl::string_view key) {
  if (key.empty()) return -1;
  for (int i = 0; i < kNumFields; ++i) {
    const absl::string_view name = kFields[i].name;
    if (name.size() == key.size() && name[0] == key[0] && name == key) {
      return i;
    }
  }
  return -1;
}

const OpSpec* FindOp(absl::string_view name) {
  for (const OpSpec& spec : kOps) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Errors.

// Debian's Abseil has its own absl::string_view, not an alias of
// std::string_view (which simdjson returns); this converts.
absl::string_view AV(std::string_view s) { return {s.data(), s.size()}; }

// User text quoted in messages is clipped so an error line stays short.
absl::string_view Clip(absl::string_view s) { return s.substr(0, 64); }

absl::Status BadJson(simdjson::error_code e) {
  return WireError(WireCode::kBadJson,
                   absl::StrCat("malformed JSON: ",
                                simdjson::error_message(e)));
}

absl::Status BadField(Field f, absl::string_view why) {
  return WireError(WireCode::kBadField,
                   absl::StrCat("field \"", kFields[f].name, "\": ", why));
}

bool IsBadJson(const absl::Status& s) {
  return !s.ok() && WireCodeOf(s) == WireCode::kBadJson;
}

// ---------------------------------------------------------------------------
// Field readers. Each either fills its slot or returns bad_field (wrong
// type or value) or bad_json (the value is not valid JSON).

struct Slots {
  uint32_t seen = 0;
  const OpSpec* op = nullptr;
  absl::string_view str[kNumFields];
  int64_t num[kNumFields] = {};
  uint64_t seq = 0;
  engine::GroupBy group_by = engine::GroupBy::kKind;
};

absl::Status ReadString(Field f, od::value& v, absl::string_view* out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return BadJson(e);
  if (type != od::json_type::string) return BadField(f, "must be a string");
  std::string_view s;
  if (auto e = v.get_string().get(s)) return BadJson(e);
  *out = AV(s);
  return absl::OkStatus();
}

// Whether a number token simdjson refused is valid JSON all the same
// (18446744073709551616, 1e400): too large for the machine's numbers,
// which is what the error should say, rather than malformed (01, 1.).
bool IsJsonNumber(absl::string_view raw) {
  raw = absl::StripTrailingAsciiWhitespace(raw);
  size_t i = 0;
  const auto digits = [&] {
    const size_t from = i;
    while (i < raw.size() && absl::ascii_isdigit(raw[i])) ++i;
    return i > from;
  };
  if (i < raw.size() && raw[i] == '-') ++i;
  if (i < raw.size() && raw[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < raw.size() && raw[i] == '.' && (++i, !digits())) return false;
  if (i < raw.size() && (raw[i] == 'e' || raw[i] == 'E')) {
    ++i;
    if (i < raw.size() && (raw[i] == '+' || raw[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == raw.size();
}

// An integer in [lo, hi]. Floats, and integers beyond int64, are bad_field.
absl::Status ReadInt(Field f, od::value& v, int64_t lo, int64_t hi,
                     int64_t* out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return BadJson(e);
  if (type != od::json_type::number) {
    return BadField(f, "must be an integer");
  }
  const absl::string_view raw = AV(v.raw_json_token());
  od::number n;
  if (v.get_number().get(n)) {
    return BadField(f, IsJsonNumber(raw) ? absl::StrCat("must be in ", lo, "..", hi)
                                         : "not a valid JSON number");
  }
  if (n.get_number_type() == simdjson::ondemand::number_type::floating_point_number) {
    return BadField(f, "must be an integer");
  }
  if (n.get_number_type() != simdjson::ondemand::number_type::signed_integer ||
      n.get_int64() < lo || n.get_int64() > hi) {
    return BadField(f, absl::StrCat("must be in ", lo, "..", hi));
  }
  *out = n.get_int64();
  return absl::OkStatus();
}

bool HasControl(absl::string_view s, bool allow_space) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F || (c == ' ' && !allow_space)) return true;
  }
  return false;
}

absl::Status CheckLength(Field f, absl::string_view s, size_t lo, size_t hi) {
  if (s.size() < lo || s.size() > hi) {
    return BadField(f, lo == 0 ? absl::StrCat("longer than ", hi, " bytes")
                               : absl::StrCat("must be ", lo, " to ", hi,
                                              " bytes"));
  }
  return absl::OkStatus();
}

absl::Status ReadInstant(Field f, od::value& v, int64_t* ms) {
  od::json_type type;
  if (auto e = v.type().get(type)) return BadJson(e);
  if (type == od::json_type::number) return ReadInt(f, v, 0, kMaxInstantMs - 1, ms);
  if (type != od::json_type::string) {
    return BadField(f, "must be Unix ms or an RFC 3339 string");
  }
  std::string_view raw;
  if (auto e = v.get_string().get(raw)) return BadJson(e);
  const absl::string_view text = AV(raw);
  if (text.size() > 64) return BadField(f, "not an instant (too long)");
  const std::optional<int64_t> fast = ParseRfc3339FastMs(text);
  const absl::StatusOr<int64_t> parsed =
      fast.has_value() ? *fast : engine::ParseInstantMs(text);
  if (!parsed.ok()) return BadField(f, parsed.status().message());
  if (*parsed < 0 || *parsed >= kMaxInstantMs) {
    return BadField(f, "outside 1970-01-01 .. 2200-01-01");
  }
  *ms = *parsed;
  return absl::OkStatus();
}

absl::Status ReadDuration(Field f, od::value& v, int64_t* ms) {
  od::json_type type;
  if (auto e = v.type().get(type)) return BadJson(e);
  if (type == od::json_type::number) return ReadInt(f, v, 1, kMaxWithinMs, ms);
  if (type != od::json_type::string) {
    return BadField(f, "must be a duration (\"90m\", \"2h\") or ms");
  }
  std::string_view raw;
  if (auto e = v.get_string().get(raw)) return BadJson(e);
  const absl::string_view text = AV(raw);
  if (text.size() > 32) return BadField(f, "not a duration (too long)");
  absl::StatusOr<engine::DurationSpec> d = engine::ParseDuration(text);
  if (absl::IsOutOfRange(d.status())) {
    return BadField(f, absl::StrCat("\"", text, "\" is longer than 100 years"));
  }
  if (!d.ok()) {
    // ParseDuration's examples include working days, which this refuses.
    return BadField(f, absl::StrCat("\"", text,
                                    "\" is not a wall-clock duration: write it as "
                                    "90m, 2h, 1h30m, 45s (a day is 24h) or ms"));
  }
  if (d->working_days != 0) {
    return BadField(f, "is wall-clock time: working days (wd) not allowed");
  }
  if (d->ms <= 0) return BadField(f, "must be positive");
  *ms = d->ms;
  return absl::OkStatus();
}

// req: any JSON scalar, kept as its raw text (trailing spaces trimmed).
absl::Status ReadEcho(od::value& v, absl::string_view* raw) {
  od::json_type type;
  if (auto e = v.type().get(type)) return BadJson(e);
  absl::string_view token = AV(v.raw_json_token());
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' ||
                            token.back() == '\n' || token.back() == '\r')) {
    token.remove_suffix(1);
  }
  switch (type) {
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return BadJson(e);
      break;
    }
    case od::json_type::number: {
      // Refused beyond int64/uint64/double (12345678901234567890123,
      // 1e400): echoed, they would make the reply unreadable to many JSON
      // parsers, simdjson's DOM (slactl's) among them.
      const absl::string_view raw = AV(v.raw_json_token());
      od::number n;
      if (v.get_number().get(n)) {
        return BadField(kReq, IsJsonNumber(raw)
                                  ? "a number beyond 64-bit integers and doubles "
                                    "(send a string)"
                                  : "not a valid JSON number");
      }
      break;
    }
    case od::json_type::boolean: {
      bool b;
      if (auto e = v.get_bool().get(b)) return BadJson(e);
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null)) return BadJson(e);
      if (!is_null) return BadJson(simdjson::N_ATOM_ERROR);
      break;
    }
    default:
      return BadField(kReq, "must be a string, number, boolean or null");
  }
  // Kept with the request in its ticket's history for years: a 64 KiB
  // `req` on every line would make each request cost 64 KiB of disk.
  if (token.size() > kMaxEchoBytes) {
    return BadField(kReq, absl::StrCat("longer than ", kMaxEchoBytes, " bytes"));
  }
  *raw = token;
  return absl::OkStatus();
}

absl::Status ReadField(Field f, od::value& v, Slots* s, Request* r) {
  absl::string_view* str = &s->str[f];
  switch (kFields[f].type) {
    case Type::kOpName: {
      absl::string_view name;
      if (absl::Status st = ReadString(f, v, &name); !st.ok()) return st;
      s->op = FindOp(name);
      if (s->op == nullptr) {
        return WireError(WireCode::kUnknownOp,
                         absl::StrCat("unknown op \"", Clip(name), "\""));
      }
      return absl::OkStatus();
    }
    case Type::kEcho:
      return ReadEcho(v, &r->req);
    case Type::kInstant:
      return ReadInstant(f, v, &s->num[f]);
    case Type::kId:
      if (absl::Status st = ReadString(f, v, str); !st.ok()) return st;
      if (HasControl(*str, /*allow_space=*/false)) {
        return BadField(f, "must not contain spaces or control characters");
      }
      return CheckLength(f, *str, 1, kMaxNameBytes);
    case Type::kName:
      // null names no team (assignee): what `assign` sets to clear it, and
      // what a filter matches to find tickets without one.
      if (f == kTeam || f == kAssignee) {
        od::json_type type;
        if (auto e = v.type().get(type)) return BadJson(e);
        if (type == od::json_type::null) {
          bool is_null = false;
          if (auto e = v.is_null().get(is_null)) return BadJson(e);
          if (!is_null) return BadJson(simdjson::N_ATOM_ERROR);
          *str = absl::string_view();
          return absl::OkStatus();
        }
      }
      if (absl::Status st = ReadString(f, v, str); !st.ok()) return st;
      if (HasControl(*str, /*allow_space=*/true)) {
        return BadField(f, "must not contain control characters");
      }
      return CheckLength(f, *str, 1, kMaxNameBytes);
    case Type::kText:
      if (absl::Status st = ReadString(f, v, str); !st.ok()) return st;
      return CheckLength(f, *str, f == kReason ? 1 : 0, kMaxTextBytes);
    case Type::kOpaque:
      if (absl::Status st = ReadString(f, v, str); !st.ok()) return st;
      return CheckLength(f, *str, 1, kMaxOpaqueBytes);
    case Type::kGroupKey:
      if (absl::Status st = ReadString(f, v, str); !st.ok()) return st;
      return CheckLength(f, *str, 1, kMaxGroupKeyBytes);
    case Type::kScore:
      return ReadInt(f, v, 1, 5, &s->num[f]);
    case Type::kLimit:
      return ReadInt(f, v, 1, kMaxLimit, &s->num[f]);
    case Type::kDuration:
      return ReadDuration(f, v, &s->num[f]);
    case Type::kSeq: {
      od::json_type type;
      if (auto e = v.type().get(type)) return BadJson(e);
      if (type != od::json_type::number) return BadField(f, "must be an integer");
      if (v.get_uint64().get(s->seq)) {
        return BadField(f, "must be an integer in 0..2^64-1");
      }
      return absl::OkStatus();
    }
    case Type::kGroupBy: {
      absl::string_view name;
      if (absl::Status st = ReadString(f, v, &name); !st.ok()) return st;
      for (size_t i = 0; i < std::size(kGroupByNames); ++i) {
        if (kGroupByNames[i] == name) {
          s->group_by = static_cast<engine::GroupBy>(i);
          return absl::OkStatus();
        }
      }
      return BadField(f, "must be kind, team, assignee, target or priority");
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// After the pass.

Field FirstField(uint32_t mask) {
  return static_cast<Field>(__builtin_ctz(mask));
}

// Checks the fields against the op's table entry and cross-field rules.
absl::Status CheckFields(const Slots& s) {
  const OpSpec& op = *s.op;
  const uint32_t extra = s.seen & ~(op.required | op.optional | Bit(kOp) |
                                    Bit(kReq));
  if (extra != 0) {
    return WireError(WireCode::kUnknownField,
                     absl::StrCat("field \"", kFields[FirstField(extra)].name,
                                  "\" does not apply to op \"", op.name,
                                  "\""));
  }
  const uint32_t missing = op.required & ~s.seen;
  if (missing != 0) {
    return WireError(WireCode::kMissingField,
                     absl::StrCat("op \"", op.name, "\" needs field \"",
                                  kFields[FirstField(missing)].name,
                                  "\""));
  }
  if (op.op == Op::kAssign && op.session_op == SessionOp::kNone &&
      (s.seen & (Bit(kTeam) | Bit(kAssignee))) == 0) {
    return WireError(WireCode::kMissingField,
                     "op \"assign\" needs field \"team\" or \"assignee\"");
  }
  if (op.op == Op::kStats && op.session_op == SessionOp::kNone &&
      s.num[kFrom] > s.num[kTo]) {
    return BadField(kTo, "must not be before \"from\"");
  }
  return absl::OkStatus();
}

std::optional<absl::string_view> IfSeen(const Slots& s, Field f) {
  if (s.seen & Bit(f)) return s.str[f];
  return std::nullopt;
}

void Assemble(const Slots& s, Request* r) {
  const OpSpec& op = *s.op;
  r->session_op = op.session_op;
  if (op.session_op != SessionOp::kNone) {
    r->token = s.str[kToken];
    r->group = s.str[kGroup];
    r->key = s.str[kKey];
    r->seq = s.seq;
    r->advance_to_ms = s.num[kTo];
    return;
  }
  engine::Command& c = r->command;
  c.op = op.op;
  if (s.seen & Bit(kAt)) {
    r->at_ms = s.num[kAt];
    c.at_ms = s.num[kAt];
  }
  c.id = s.str[kId];
  if (op.filter) {
    c.filter = {s.str[kKind],     IfSeen(s, kTeam),  IfSeen(s, kAssignee),
                s.str[kPriority], s.str[kLevel], s.str[kTarget]};
  } else {
    c.kind = s.str[kKind];
    c.priority = IfSeen(s, kPriority);
    c.team = IfSeen(s, kTeam);
    c.assignee = IfSeen(s, kAssignee);
    c.level = s.str[kLevel];
    c.target = s.str[kTarget];
  }
  c.name = s.str[kName];
  c.reason = s.str[kReason];
  c.note = s.str[kNote];
  c.score = static_cast<int>(s.num[kScore]);
  c.within_ms = s.num[kWithin];
  c.limit = (s.seen & Bit(kLimit)) ? static_cast<uint32_t>(s.num[kLimit])
                                   : kDefaultLimit;
  c.cursor = s.str[kCursor];
  c.from_ms = s.num[kFrom];
  c.to_ms = s.num[kTo];
  c.group_by = s.group_by;
}

// ---------------------------------------------------------------------------
// One pass.

// Decodes buffer[0, len) (readable up to `capacity`, SIMDJSON_PADDING
// past len) into *request, overwriting it; see RequestDecoder::Decode.
absl::Status DecodeObject(od::parser& parser, const char* buffer, size_t len,
                          size_t capacity, Request* request) {
  *request = Request();
  od::document doc;
  if (auto e = parser.iterate(buffer, len, capacity).get(doc)) {
    return BadJson(e);
  }
  od::object object;
  if (auto e = doc.get_object().get(object)) {
    if (e == simdjson::INCORRECT_TYPE) {
      return WireError(WireCode::kBadJson,
                       "a request is one JSON object on one line");
    }
    return BadJson(e);
  }
  Slots slots;
  absl::Status first_error;  // the first field error, in document order
  for (auto item : object) {
    od::field field;
    if (auto e = std::move(item).get(field)) return BadJson(e);
    std::string_view raw_key;
    if (auto e = field.unescaped_key().get(raw_key)) return BadJson(e);
    const absl::string_view key = AV(raw_key);
    const int f = FindField(key);
    absl::Status status;
    if (f < 0) {
      status = WireError(WireCode::kUnknownField,
                         absl::StrCat("unknown field \"", Clip(key), "\""));
    } else if (slots.seen & Bit(static_cast<Field>(f))) {
      status = BadField(static_cast<Field>(f), "given twice");
    } else {
      slots.seen |= Bit(static_cast<Field>(f));
      status = ReadField(static_cast<Field>(f), field.value(), &slots, request);
    }
    if (IsBadJson(status)) return status;
    if (first_error.ok()) first_error = status;
  }
  // After the object: only whitespace may follow.
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) != simdjson::OUT_OF_BOUNDS) {
    return WireError(WireCode::kBadJson,
                     "trailing characters after the request object");
  }
  if (!first_error.ok()) return first_error;
  if (slots.op == nullptr) {
    return WireError(WireCode::kMissingField, "field \"op\" is required");
  }
  if (absl::Status st = CheckFields(slots); !st.ok()) return st;
  Assemble(slots, request);
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------------------
// RequestDecoder.

struct RequestDecoder::Impl {
  explicit Impl(size_t max_line_bytes)
      : parser(max_line_bytes + kMaxClosing),
        buffer(new char[max_line_bytes + kMaxClosing +
                        simdjson::SIMDJSON_PADDING]()) {
    // Allocates simdjson's index and string buffers now, not on the first
    // line; if it fails here, iterate() retries and reports the failure.
    if (parser.allocate(max_line_bytes + kMaxClosing) != simdjson::SUCCESS) {
      return;
    }
  }

  od::parser parser;
  // The current line, then room for FindReq's closing brackets and the
  // SIMDJSON_PADDING bytes that simdjson may read.
  std::unique_ptr<char[]> buffer;
};

RequestDecoder::RequestDecoder(size_t max_line_bytes)
    : max_line_bytes_(max_line_bytes),
      impl_(std::make_unique<Impl>(max_line_bytes)) {}

RequestDecoder::~RequestDecoder() = default;

absl::Status RequestDecoder::Decode(absl::string_view line, Request* request) {
  *request = Request();
  // A byte order mark, which editors put at the start of a saved file (and
  // so of its first line): RFC 8259 lets a parser ignore it.
  absl::ConsumePrefix(&line, "\xEF\xBB\xBF");
  // The line ending is not the request's, nor counted toward its limit.
  absl::ConsumeSuffix(&line, "\n");
  absl::ConsumeSuffix(&line, "\r");
  if (line.size() > max_line_bytes_) {
    return WireError(WireCode::kLineTooLong,
                     absl::StrCat("request line longer than ",
                                  max_line_bytes_, " bytes"));
  }
  std::memcpy(impl_->buffer.get(), line.data(), line.size());
  const size_t capacity = line.size() + simdjson::SIMDJSON_PADDING;
  const absl::Status status =
      DecodeObject(impl_->parser, impl_->buffer.get(), line.size(), capacity,
                   request);
  if (!IsBadJson(status) || !request->req.empty()) return status;
  const absl::Status found = FindReq(line, status, request);
  if (!request->req.empty()) return found;
  return SalvageReq(line, found, request);
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not one.
size_t Utf8Length(absl::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
  }
  return n;
}

}  // namespace

// Invalid UTF-8, or a raw control character in a string, makes simdjson
// refuse the whole line before reading any field, req included (an old
// system's Latin-1 `reason` after a good `req`). A copy with each such
// byte made a space keeps every offset and the JSON's shape; it is decoded
// for its req alone, which is kept only if its bytes are the line's own.
// The error is the line's.
absl::Status RequestDecoder::SalvageReq(absl::string_view line,
                                        const absl::Status& status,
                                        Request* request) {
  std::string clean(line);
  bool changed = false;
  for (size_t i = 0; i < clean.size();) {
    const auto c = static_cast<unsigned char>(clean[i]);
    if (c < 0x80) {
      if (c < 0x20) clean[i] = ' ', changed = true;
      ++i;
      continue;
    }
    const size_t n = Utf8Length(clean, i);
    if (n == 0) {
      clean[i] = ' ';
      changed = true;
      ++i;
    } else {
      i += n;
    }
  }
  if (!changed) return status;
  Request salvaged;
  std::memcpy(impl_->buffer.get(), clean.data(), clean.size());
  (void)DecodeObject(impl_->parser, impl_->buffer.get(), clean.size(),
                     clean.size() + simdjson::SIMDJSON_PADDING, &salvaged);
  if (salvaged.req.empty()) (void)FindReq(clean, status, &salvaged);
  const absl::string_view req = salvaged.req;
  if (req.empty()) return status;
  const size_t at = static_cast<size_t>(req.data() - impl_->buffer.get());
  if (at + req.size() > line.size() || line.substr(at, req.size()) != req) {
    return status;
  }
  *request = Request();
  request->req = req;
  return status;
}

// simdjson refuses, before looking inside, a document whose root object is
// not its last token (`{...} x`), is not closed, or has invalid UTF-8
// anywhere. The leading object alone (closed if need be) is then decoded
// for its `req`. The error given is the line's, except after a complete
// object: the object's own if it is malformed itself (as the pass would
// have found it), else "trailing characters".
absl::Status RequestDecoder::FindReq(absl::string_view line,
                                     const absl::Status& status,
                                     Request* request) {
  const LeadingObject lead = FindLeadingObject(line);
  if (lead.length == 0 || lead.closing.size() > kMaxClosing ||
      (lead.length == line.size() && lead.closing.empty())) {
    return status;
  }
  char* const buffer = impl_->buffer.get();
  const size_t length = lead.length + lead.closing.size();
  std::memcpy(buffer + lead.length, lead.closing.data(), lead.closing.size());
  const absl::Status inner =
      DecodeObject(impl_->parser, buffer, length,
                   length + simdjson::SIMDJSON_PADDING, request);
  if (!lead.closing.empty()) return status;  // cut short: say so
  if (IsBadJson(inner)) return inner;
  return WireError(WireCode::kBadJson,
                   "trailing characters after the request object");
}

absl::string_view OpName(engine::Op op) {
  const auto i = static_cast<size_t>(op);
  return i < kNumEngineOps ? kOps[i].name : "?";
}

absl::string_view OpName(const Request& request) {
  if (request.session_op == SessionOp::kNone) {
    return OpName(request.command.op);
  }
  for (const OpSpec& spec : kOps) {
    if (spec.session_op == request.session_op) return spec.name;
  }
  return "?";
}

std::string StoredGroupName(absl::string_view group, std::vector<std::string> teams) {
  if (teams.empty()) return std::string(group);
  std::sort(teams.begin(), teams.end());
  teams.erase(std::unique(teams.begin(), teams.end()), teams.end());
  return absl::StrCat(group, "\x1f", absl::StrJoin(teams, "\x1f"));
}

GroupNameParts SplitStoredGroupName(absl::string_view stored) {
  std::vector<absl::string_view> parts = absl::StrSplit(stored, '\x1f');
  GroupNameParts out{parts[0], {}};
  out.teams.assign(parts.begin() + 1, parts.end());
  return out;
}

}  // namespace slad::api
