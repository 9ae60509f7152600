#ifndef SLAD_STORAGE_CODEC_H_
#define SLAD_STORAGE_CODEC_H_

// The byte formats of everything slad stores (grammar in codec.cc and in
// docs/STORAGE.md). Pure functions: no RocksDB, no I/O, so that tests can
// round-trip random records without a database.
//
// Every value starts with a one-byte format version; a decoder refuses a
// version it does not know (DataLoss), so that a newer writer's record is
// never misread. Keys carry no version: their layout is fixed by the
// schema version in `meta`.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/ticket_record.h"
#include "storage/store.h"

namespace slad::storage::codec {

// Ticket values: 2 adds the history head; 1 is read as head 0.
inline constexpr uint8_t kTicketFormat = 2;
// kTicketFormat with flag bit 3 (resolution counted): written only for a
// ticket that has it, so that what an older slad can read stays readable.
inline constexpr uint8_t kTicketFormatCounted = 3;
inline constexpr uint8_t kLegacyTicketFormat = 1;
inline constexpr uint8_t kStatsFormat = 1;
inline constexpr uint8_t kOutboxFormat = 1;
// History values: 2 is a link of a ticket's chain, under a seq key; 1 was
// keyed by id and seq (schema 2), read only to migrate it.
inline constexpr uint8_t kHistoryFormat = 2;
inline constexpr uint8_t kLegacyHistoryFormat = 1;
inline constexpr uint8_t kHistoryHeadFormat = 1;

// --- Primitive pieces (exposed for tests and for the key helpers).
void PutVarint64(std::string* dst, uint64_t v);
void PutSigned(std::string* dst, int64_t v);  // zigzag varint
void PutString(std::string* dst, absl::string_view s);  // varint length
void PutFixed64BE(std::string* dst, uint64_t v);  // sorts like the number
uint64_t DecodeFixed64BE(const char* p);

// --- Values. Encode* append to *dst (callers reuse one buffer). Decode*
// return DataLoss for a truncated, trailing-garbage or unknown-version
// value, and leave *out unspecified then.
void EncodeTicket(const engine::TicketRecord& t, std::string* dst);
// The id lives in the key: `id` is copied into out->id.
absl::Status DecodeTicket(absl::string_view id, absl::string_view value,
                          engine::TicketRecord* out);

void EncodeStatsCell(const engine::StatsCellRecord& c, std::string* dst);
// Key and value together hold the cell.
absl::Status DecodeStatsCell(absl::string_view key, absl::string_view value,
                             engine::StatsCellRecord* out);
// The figures alone (by, hour and group are in the key).
absl::Status DecodeStatsValue(absl::string_view value,
                              engine::StatsCellRecord* out);

void EncodeOutboxEvent(const OutboxEvent& e, std::string* dst);
// The seq lives in the key: `seq` is copied into out->seq.
absl::Status DecodeOutboxEvent(uint64_t seq, absl::string_view value,
                               OutboxEvent* out);

// A record of ticket `id`; `r.seq` is its key, `prev` the seq of the
// ticket's record before it (0: none), `kept_from_ms` the instant its
// retention counts from: the store's clock as it is written, which never
// decreases along a chain, so that retention cuts a chain only at its old
// end (an event fired late is dated before the command written ahead of
// it).
void EncodeHistory(const HistoryRecord& r, absl::string_view id, uint64_t prev,
                   int64_t kept_from_ms, std::string* dst);
// *id points into `value`. A legacy (format 1) value has neither id nor
// link: *id is empty and *prev 0.
absl::Status DecodeHistory(uint64_t seq, absl::string_view value,
                           HistoryRecord* out, absl::string_view* id,
                           uint64_t* prev);
// The instant a history value's retention counts from (a legacy value's
// at_ms), for the retention filter; false if the value is not one this
// version can read.
bool HistoryKeptFromMs(absl::string_view value, int64_t* ms);

// history_heads: a purged ticket's newest history record, and when it was
// purged (retention drops the head once its chain is past it).
void EncodeHistoryHead(uint64_t head, int64_t at_ms, std::string* dst);
absl::Status DecodeHistoryHead(absl::string_view value, uint64_t* head);
bool HistoryHeadAtMs(absl::string_view value, int64_t* at_ms);

// --- Keys.
// outbox: 8-byte big-endian seq.
std::string OutboxKey(uint64_t seq);
// history: 8-byte big-endian seq, so that records are written in key
// order (docs/STORAGE.md, "History").
std::string HistoryKey(uint64_t seq);
// Splits a history key; false if it is not one.
bool ParseHistoryKey(absl::string_view key, uint64_t* seq);
// Schema 2's history key: id + 0x00 + 8-byte big-endian seq (migration).
std::string LegacyHistoryKey(absl::string_view id, uint64_t seq);
bool ParseLegacyHistoryKey(absl::string_view key, absl::string_view* id,
                           uint64_t* seq);
// meta: "stats/" + by (1 byte) + hour (8 bytes big-endian, sign bit
// flipped so that negative hours sort first) + group name.
inline constexpr absl::string_view kStatsPrefix = "stats/";
std::string StatsKey(const engine::StatsCellRecord& c);
// meta: "group/" + name -> 8-byte big-endian ack cursor.
inline constexpr absl::string_view kGroupPrefix = "group/";
inline constexpr absl::string_view kSchemaKey = "schema";
// Present while a schema 2 history is being migrated (Store::Open).
inline constexpr absl::string_view kHistoryMigrationKey = "migrating/history";
inline constexpr absl::string_view kOutboxSeqKey = "seq/outbox";
inline constexpr absl::string_view kHistorySeqKey = "seq/history";
// The oldest outbox seq not yet deleted minus one (what every group acked,
// or what the size bound dropped).
inline constexpr absl::string_view kOutboxFloorKey = "seq/outbox_floor";
// The latest instant any unit noted (Store::NoteClock), as the 8-byte
// big-endian two's complement of its Unix ms.
inline constexpr absl::string_view kClockKey = "clock";

}  // namespace slad::storage::codec

#endif  // SLAD_STORAGE_CODEC_H_
