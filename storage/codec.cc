// Byte formats (docs/STORAGE.md has the same grammar with examples).
//
//   varint   := LEB128, 1..10 bytes, 7 bits a byte, low group first
//   svarint  := varint of zigzag(v): 0,-1,1,-2 -> 0,1,2,3
//   str      := varint(length) bytes
//   rel(t)   := svarint(t - base) in 64-bit wrapping arithmetic; base is the
//               ticket's opened_ms (ticket values) or the event's at_ms
//               (outbox values), so that nearby instants cost 1-4 bytes
//
//   ticket value  := 0x02 kind:str priority:str team:str assignee:str
//                    level:str opened_ms:svarint flags:byte
//                    [resolved_ms:rel]          -- flags bit 2
//                    history:varint
//                    ntargets:varint target* nlog:varint adjustment*
//                    (0x01: the same without history, read as 0)
//     flags       := bit0 paused | bit1 rated | bit2 resolved_ms != 0 |
//                    bit3 resolution counted in the stats (0x03 only:
//                    the same as 0x02 otherwise, written when bit 3 is set)
//   target        := name:str state:byte warned:byte steps:byte tflags:byte
//                    [start_ms:rel] [deadline_ms:rel] [mark_ms:rel]
//     tflags      := bit0 paused | bit1 breached | bit2 start_ms != 0 |
//                    bit3 deadline_ms != 0 | bit4 mark_ms != 0
//   adjustment    := what:byte aflags:byte at_ms:rel [until_ms:rel]
//                    from:str to:str
//     aflags      := bit0 until_ms != 0
//
//   stats value   := 0x01 started met met_late breached opened resolved
//                    rated score_sum satisfied (each varint)
//                    stop_sum_ms:svarint nhist:varint (bucket count)*
//                    (bucket, count: varint)
//   outbox value  := 0x01 type:byte at_ms:svarint id:str target:str
//                    deadline:rel(at_ms) from:str to:str team:str
//   history value := 0x02 kind:byte at_ms:svarint kept_from:rel(at_ms)
//                    back:varint id:str json:bytes-to-end
//     kept_from   := the instant retention counts from (the store's clock)
//     back        := seq - prev, the distance to the ticket's record before
//                    this one; 0: none
//                    (0x01, schema 2: kind:byte at_ms:svarint json, keyed
//                    by id; read to migrate)
//   head value    := 0x01 head:varint at_ms:svarint
//
// Absent optional times are 0 in the records; the flag bits keep them from
// costing the 6 bytes that rel(0) would.

#include "storage/codec.h"

#include <cstring>

namespace slad::storage::codec {
namespace {

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}
int64_t Diff(int64_t t, int64_t base) {
  return static_cast<int64_t>(static_cast<uint64_t>(t) -
                              static_cast<uint64_t>(base));
}
int64_t Add(int64_t base, int64_t d) {
  return static_cast<int64_t>(static_cast<uint64_t>(base) +
                              static_cast<uint64_t>(d));
}

// Reads a value front to back; every getter returns false past the end.
class Reader {
 public:
  explicit Reader(absl::string_view in) : p_(in.data()), end_(p_ + in.size()) {}

  bool Byte(uint8_t* v) {
    if (p_ == end_) return false;
    *v = static_cast<uint8_t>(*p_++);
    return true;
  }
  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
      const uint64_t byte = static_cast<uint8_t>(*p_++);
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool Signed(int64_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    *v = UnZigZag(u);
    return true;
  }
  bool Rel(int64_t base, int64_t* v) {
    int64_t d;
    if (!Signed(&d)) return false;
    *v = Add(base, d);
    return true;
  }
  bool StringView(absl::string_view* s) {
    uint64_t n;
    if (!Varint(&n) || n > static_cast<uint64_t>(end_ - p_)) return false;
    *s = absl::string_view(p_, n);
    p_ += n;
    return true;
  }
  bool String(std::string* s) {
    absl::string_view v;
    if (!StringView(&v)) return false;
    s->assign(v.data(), v.size());
    return true;
  }
  template <typename T>
  bool Small(T* v) {  // a varint that must fit T
    uint64_t u;
    if (!Varint(&u) || u > static_cast<uint64_t>(static_cast<T>(~T{0}))) {
      return false;
    }
    *v = static_cast<T>(u);
    return true;
  }
  absl::string_view Rest() {
    absl::string_view r(p_, end_ - p_);
    p_ = end_;
    return r;
  }
  bool done() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
};

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(std::string("undecodable ") + std::string(what) +
                             " record");
}

void PutRel(std::string* dst, int64_t t, int64_t base) {
  PutSigned(dst, Diff(t, base));
}

void EncodeTarget(const engine::TargetRecord& r, int64_t base,
                  std::string* dst) {
  PutString(dst, r.name);
  dst->push_back(static_cast<char>(r.state));
  dst->push_back(static_cast<char>(r.warned));
  dst->push_back(static_cast<char>(r.steps));
  const uint8_t flags = (r.paused ? 1 : 0) | (r.breached ? 2 : 0) |
                        (r.start_ms != 0 ? 4 : 0) |
                        (r.deadline_ms != 0 ? 8 : 0) |
                        (r.mark_ms != 0 ? 16 : 0);
  dst->push_back(static_cast<char>(flags));
  if (r.start_ms != 0) PutRel(dst, r.start_ms, base);
  if (r.deadline_ms != 0) PutRel(dst, r.deadline_ms, base);
  if (r.mark_ms != 0) PutRel(dst, r.mark_ms, base);
}

bool DecodeTarget(Reader& in, int64_t base, engine::TargetRecord* r) {
  uint8_t flags;
  if (!in.String(&r->name) || !in.Byte(&r->state) || !in.Byte(&r->warned) ||
      !in.Byte(&r->steps) || !in.Byte(&flags) || flags > 31) {
    return false;
  }
  r->paused = flags & 1;
  r->breached = flags & 2;
  r->start_ms = r->deadline_ms = r->mark_ms = 0;
  return (!(flags & 4) || in.Rel(base, &r->start_ms)) &&
         (!(flags & 8) || in.Rel(base, &r->deadline_ms)) &&
         (!(flags & 16) || in.Rel(base, &r->mark_ms));
}

void EncodeAdjustment(const engine::AdjustmentRecord& a, int64_t base,
                      std::string* dst) {
  dst->push_back(static_cast<char>(a.what));
  dst->push_back(static_cast<char>(a.until_ms != 0 ? 1 : 0));
  PutRel(dst, a.at_ms, base);
  if (a.until_ms != 0) PutRel(dst, a.until_ms, base);
  PutString(dst, a.from);
  PutString(dst, a.to);
}

bool DecodeAdjustment(Reader& in, int64_t base, engine::AdjustmentRecord* a) {
  uint8_t flags;
  if (!in.Byte(&a->what) || !in.Byte(&flags) || flags > 1 ||
      !in.Rel(base, &a->at_ms)) {
    return false;
  }
  a->until_ms = 0;
  return (!(flags & 1) || in.Rel(base, &a->until_ms)) && in.String(&a->from) &&
         in.String(&a->to);
}

}  // namespace

void PutVarint64(std::string* dst, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}

void PutSigned(std::string* dst, int64_t v) { PutVarint64(dst, ZigZag(v)); }

void PutString(std::string* dst, absl::string_view s) {
  PutVarint64(dst, s.size());
  dst->append(s.data(), s.size());
}

void PutFixed64BE(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i, v >>= 8) buf[i] = static_cast<char>(v & 0xff);
  dst->append(buf, 8);
}

uint64_t DecodeFixed64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}

void EncodeTicket(const engine::TicketRecord& t, std::string* dst) {
  // A resolved ticket's resolution is counted (the decoder infers it), so
  // only a reopened one needs bit 3: every other record stays format 2,
  // which a slad before the flag reads.
  const bool counted = t.resolution_counted && t.resolved_ms == 0;
  dst->push_back(static_cast<char>(counted ? kTicketFormatCounted : kTicketFormat));
  PutString(dst, t.kind);
  PutString(dst, t.priority);
  PutString(dst, t.team);
  PutString(dst, t.assignee);
  PutString(dst, t.level);
  PutSigned(dst, t.opened_ms);
  const uint8_t flags = (t.paused ? 1 : 0) | (t.rated ? 2 : 0) |
                        (t.resolved_ms != 0 ? 4 : 0) | (counted ? 8 : 0);
  dst->push_back(static_cast<char>(flags));
  if (t.resolved_ms != 0) PutRel(dst, t.resolved_ms, t.opened_ms);
  PutVarint64(dst, t.history_head);
  PutVarint64(dst, t.targets.size());
  for (const auto& r : t.targets) EncodeTarget(r, t.opened_ms, dst);
  PutVarint64(dst, t.log.size());
  for (const auto& a : t.log) EncodeAdjustment(a, t.opened_ms, dst);
}

absl::Status DecodeTicket(absl::string_view id, absl::string_view value,
                          engine::TicketRecord* out) {
  Reader in(value);
  uint8_t format, flags;
  uint64_t n;
  if (!in.Byte(&format)) return Corrupt("ticket");
  if (format != kTicketFormat && format != kTicketFormatCounted &&
      format != kLegacyTicketFormat) {
    return absl::DataLossError("ticket record of unknown format " +
                               std::to_string(format));
  }
  out->id.assign(id.data(), id.size());
  if (!in.String(&out->kind) || !in.String(&out->priority) ||
      !in.String(&out->team) || !in.String(&out->assignee) ||
      !in.String(&out->level) || !in.Signed(&out->opened_ms) ||
      !in.Byte(&flags) || flags > (format == kTicketFormatCounted ? 15 : 7)) {
    return Corrupt("ticket");
  }
  out->paused = flags & 1;
  out->rated = flags & 2;
  out->resolved_ms = 0;
  if ((flags & 4) && !in.Rel(out->opened_ms, &out->resolved_ms)) {
    return Corrupt("ticket");
  }
  out->resolution_counted = (flags & 8) || out->resolved_ms != 0;
  out->history_head = 0;
  if (format != kLegacyTicketFormat && !in.Varint(&out->history_head)) {
    return Corrupt("ticket");
  }
  // Each target and adjustment takes at least 5 bytes: a corrupt count
  // cannot make us allocate more than the value could hold.
  if (!in.Varint(&n) || n > value.size()) return Corrupt("ticket");
  out->targets.resize(n);
  for (auto& r : out->targets) {
    if (!DecodeTarget(in, out->opened_ms, &r)) return Corrupt("ticket");
  }
  if (!in.Varint(&n) || n > value.size()) return Corrupt("ticket");
  out->log.resize(n);
  for (auto& a : out->log) {
    if (!DecodeAdjustment(in, out->opened_ms, &a)) return Corrupt("ticket");
  }
  return in.done() ? absl::OkStatus() : Corrupt("ticket");
}

void EncodeStatsCell(const engine::StatsCellRecord& c, std::string* dst) {
  dst->push_back(static_cast<char>(kStatsFormat));
  for (uint64_t v : {c.started, c.met, c.met_late, c.breached, c.opened,
                     c.resolved, c.rated, c.score_sum, c.satisfied}) {
    PutVarint64(dst, v);
  }
  PutSigned(dst, c.stop_sum_ms);
  PutVarint64(dst, c.stop_hist.size());
  for (const auto& [bucket, count] : c.stop_hist) {
    PutVarint64(dst, bucket);
    PutVarint64(dst, count);
  }
}

std::string StatsKey(const engine::StatsCellRecord& c) {
  std::string key(kStatsPrefix);
  key.push_back(static_cast<char>(c.by));
  PutFixed64BE(&key, static_cast<uint64_t>(c.hour) ^ (uint64_t{1} << 63));
  key.append(c.group);
  return key;
}

absl::Status DecodeStatsCell(absl::string_view key, absl::string_view value,
                             engine::StatsCellRecord* out) {
  const size_t fixed = kStatsPrefix.size() + 9;
  if (key.size() < fixed || key.substr(0, kStatsPrefix.size()) != kStatsPrefix) {
    return Corrupt("stats key");
  }
  out->by = static_cast<uint8_t>(key[kStatsPrefix.size()]);
  out->hour = static_cast<int64_t>(
      DecodeFixed64BE(key.data() + kStatsPrefix.size() + 1) ^
      (uint64_t{1} << 63));
  out->group.assign(key.data() + fixed, key.size() - fixed);
  return DecodeStatsValue(value, out);
}

absl::Status DecodeStatsValue(absl::string_view value,
                              engine::StatsCellRecord* out) {
  Reader in(value);
  uint8_t format;
  uint64_t n;
  if (!in.Byte(&format) || format != kStatsFormat) return Corrupt("stats");
  for (uint64_t* v : {&out->started, &out->met, &out->met_late,
                      &out->breached, &out->opened, &out->resolved,
                      &out->rated, &out->score_sum, &out->satisfied}) {
    if (!in.Varint(v)) return Corrupt("stats");
  }
  if (!in.Signed(&out->stop_sum_ms) || !in.Varint(&n) || n > value.size()) {
    return Corrupt("stats");
  }
  out->stop_hist.resize(n);
  for (auto& [bucket, count] : out->stop_hist) {
    if (!in.Small(&bucket) || !in.Small(&count)) return Corrupt("stats");
  }
  return in.done() ? absl::OkStatus() : Corrupt("stats");
}

void EncodeOutboxEvent(const OutboxEvent& e, std::string* dst) {
  dst->push_back(static_cast<char>(kOutboxFormat));
  dst->push_back(static_cast<char>(e.type));
  PutSigned(dst, e.at_ms);
  PutString(dst, e.id);
  PutString(dst, e.target);
  PutRel(dst, e.deadline_ms, e.at_ms);
  PutString(dst, e.from);
  PutString(dst, e.to);
  PutString(dst, e.team);
}

absl::Status DecodeOutboxEvent(uint64_t seq, absl::string_view value,
                               OutboxEvent* out) {
  Reader in(value);
  uint8_t format;
  if (!in.Byte(&format) || format != kOutboxFormat || !in.Byte(&out->type) ||
      !in.Signed(&out->at_ms) || !in.String(&out->id) ||
      !in.String(&out->target) || !in.Rel(out->at_ms, &out->deadline_ms) ||
      !in.String(&out->from) || !in.String(&out->to) ||
      !in.String(&out->team) || !in.done()) {
    return Corrupt("outbox");
  }
  out->seq = seq;
  return absl::OkStatus();
}

void EncodeHistory(const HistoryRecord& r, absl::string_view id, uint64_t prev,
                   int64_t kept_from_ms, std::string* dst) {
  dst->push_back(static_cast<char>(kHistoryFormat));
  dst->push_back(static_cast<char>(r.kind));
  PutSigned(dst, r.at_ms);
  PutRel(dst, kept_from_ms, r.at_ms);
  PutVarint64(dst, prev == 0 ? 0 : r.seq - prev);
  PutString(dst, id);
  dst->append(r.json);
}

absl::Status DecodeHistory(uint64_t seq, absl::string_view value,
                           HistoryRecord* out, absl::string_view* id,
                           uint64_t* prev) {
  Reader in(value);
  uint8_t format;
  uint64_t back = 0;
  int64_t kept_from_ms;
  *id = {};
  if (!in.Byte(&format) ||
      (format != kHistoryFormat && format != kLegacyHistoryFormat) ||
      !in.Byte(&out->kind) || !in.Signed(&out->at_ms) ||
      (format == kHistoryFormat &&
       (!in.Rel(out->at_ms, &kept_from_ms) || !in.Varint(&back) ||
        back > seq || !in.StringView(id)))) {
    return Corrupt("history");
  }
  *prev = back == 0 ? 0 : seq - back;
  absl::string_view json = in.Rest();
  out->json.assign(json.data(), json.size());
  out->seq = seq;
  return absl::OkStatus();
}

bool HistoryKeptFromMs(absl::string_view value, int64_t* ms) {
  Reader in(value);
  uint8_t format, kind;
  int64_t at_ms;
  if (!in.Byte(&format) ||
      (format != kHistoryFormat && format != kLegacyHistoryFormat) ||
      !in.Byte(&kind) || !in.Signed(&at_ms)) {
    return false;
  }
  if (format == kLegacyHistoryFormat) {
    *ms = at_ms;
    return true;
  }
  return in.Rel(at_ms, ms);
}

void EncodeHistoryHead(uint64_t head, int64_t at_ms, std::string* dst) {
  dst->push_back(static_cast<char>(kHistoryHeadFormat));
  PutVarint64(dst, head);
  PutSigned(dst, at_ms);
}

absl::Status DecodeHistoryHead(absl::string_view value, uint64_t* head) {
  Reader in(value);
  uint8_t format;
  int64_t at_ms;
  if (!in.Byte(&format) || format != kHistoryHeadFormat || !in.Varint(head) ||
      !in.Signed(&at_ms) || !in.done()) {
    return Corrupt("history head");
  }
  return absl::OkStatus();
}

bool HistoryHeadAtMs(absl::string_view value, int64_t* at_ms) {
  Reader in(value);
  uint8_t format;
  uint64_t head;
  return in.Byte(&format) && format == kHistoryHeadFormat &&
         in.Varint(&head) && in.Signed(at_ms);
}

std::string OutboxKey(uint64_t seq) {
  std::string key;
  PutFixed64BE(&key, seq);
  return key;
}

std::string HistoryKey(uint64_t seq) { return OutboxKey(seq); }

bool ParseHistoryKey(absl::string_view key, uint64_t* seq) {
  if (key.size() != 8) return false;
  *seq = DecodeFixed64BE(key.data());
  return true;
}

std::string LegacyHistoryKey(absl::string_view id, uint64_t seq) {
  std::string key;
  key.reserve(id.size() + 9);
  key.append(id.data(), id.size());
  key.push_back('\0');
  PutFixed64BE(&key, seq);
  return key;
}

bool ParseLegacyHistoryKey(absl::string_view key, absl::string_view* id,
                           uint64_t* seq) {
  if (key.size() < 9 || key[key.size() - 9] != '\0') return false;
  *id = key.substr(0, key.size() - 9);
  *seq = DecodeFixed64BE(key.data() + key.size() - 8);
  return true;
}

}  // namespace slad::storage::codec
