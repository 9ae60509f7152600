// Round-trip and property tests of storage/codec: random records in,
// identical records out; truncated, extended or unknown-version values are
// DataLoss, never a misread. Seeds are printed; SLAD_TEST_SEED replays one.

#include "storage/codec.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testing/random_records.h"
#include "tests/testing/seed.h"

namespace slad::storage::codec {
namespace {

using slad::testing::PropertySeeds;
using slad::testing::SplitMix64;

engine::TicketRecord SampleTicket() {
  engine::TicketRecord t;
  t.id = "T-1";
  t.kind = "incident";
  t.priority = "p2";
  t.team = "network";
  t.level = "agent";
  t.opened_ms = 1'767'571'200'000;
  t.targets.push_back({.name = "response",
                       .start_ms = t.opened_ms,
                       .deadline_ms = t.opened_ms + 3'600'000,
                       .state = 1});
  t.targets.push_back({.name = "resolution"});
  return t;
}

TEST(CodecTest, TicketRoundTrips) {
  const engine::TicketRecord t = SampleTicket();
  std::string bytes;
  EncodeTicket(t, &bytes);
  engine::TicketRecord back;
  ASSERT_TRUE(DecodeTicket(t.id, bytes, &back).ok());
  EXPECT_EQ(back, t);
}

TEST(CodecTest, TypicalOpenTicketIsCompact) {
  const engine::TicketRecord t = SampleTicket();
  std::string bytes;
  EncodeTicket(t, &bytes);
  // Names dominate (a length byte each); the rest, instants included, is
  // about 20 bytes: opened_ms 6, the start 1, the deadline 4.
  size_t names = 0;
  for (const std::string* s : {&t.kind, &t.priority, &t.team, &t.assignee,
                               &t.level, &t.targets[0].name,
                               &t.targets[1].name}) {
    names += 1 + s->size();
  }
  EXPECT_LE(bytes.size(), names + 24) << bytes.size();
}

TEST(CodecTest, UnknownFormatIsDataLoss) {
  std::string bytes;
  EncodeTicket(SampleTicket(), &bytes);
  bytes[0] = kTicketFormatCounted + 1;
  engine::TicketRecord back;
  EXPECT_TRUE(absl::IsDataLoss(DecodeTicket("T-1", bytes, &back)));
}

// A reopened ticket whose resolution is counted is written as format 3
// (flag bit 3); every other ticket stays format 2, readable by a slad
// before the flag: a resolved one reads as counted. Format 2 with bit 3
// set is corrupt, not read as counted.
TEST(CodecTest, ResolutionCountedIsFormatThreeOnly) {
  engine::TicketRecord t = SampleTicket();
  t.resolved_ms = 0;
  std::string bytes;
  EncodeTicket(t, &bytes);
  EXPECT_EQ(bytes[0], kTicketFormat);
  engine::TicketRecord resolved = t;
  resolved.resolved_ms = t.opened_ms + 1000;
  resolved.resolution_counted = true;
  bytes.clear();
  EncodeTicket(resolved, &bytes);
  EXPECT_EQ(bytes[0], kTicketFormat);
  engine::TicketRecord read;
  ASSERT_TRUE(DecodeTicket(t.id, bytes, &read).ok());
  EXPECT_EQ(read, resolved);
  t.resolution_counted = true;
  bytes.clear();
  EncodeTicket(t, &bytes);
  EXPECT_EQ(bytes[0], kTicketFormatCounted);
  engine::TicketRecord back;
  ASSERT_TRUE(DecodeTicket(t.id, bytes, &back).ok());
  EXPECT_EQ(back, t);
  bytes[0] = kTicketFormat;
  EXPECT_TRUE(absl::IsDataLoss(DecodeTicket(t.id, bytes, &back)));
}

// Format 1 (before the history head) is format 2 without the head's
// varint, which follows the flags byte of a ticket never resolved.
TEST(CodecTest, FormatOneTicketReadsWithNoHistoryHead) {
  engine::TicketRecord t = SampleTicket();
  t.history_head = 0;
  std::string bytes;
  EncodeTicket(t, &bytes);
  size_t at = 1;
  for (const std::string* s : {&t.kind, &t.priority, &t.team, &t.assignee, &t.level}) {
    at += 1 + s->size();
  }
  std::string opened;
  PutSigned(&opened, t.opened_ms);
  at += opened.size() + 1;
  ASSERT_EQ(bytes[at], 0);  // the head
  std::string one = bytes.substr(0, at) + bytes.substr(at + 1);
  one[0] = 1;
  t.history_head = 7;  // a decode must reset it
  engine::TicketRecord back = t;
  ASSERT_TRUE(DecodeTicket("T-1", one, &back).ok());
  EXPECT_EQ(back.history_head, 0u);
  t.history_head = 0;
  EXPECT_EQ(back, t);
}

TEST(CodecTest, TruncatedOrExtendedTicketIsDataLoss) {
  std::string bytes;
  EncodeTicket(SampleTicket(), &bytes);
  engine::TicketRecord back;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_TRUE(absl::IsDataLoss(DecodeTicket("T-1", bytes.substr(0, n), &back)))
        << n;
  }
  EXPECT_TRUE(absl::IsDataLoss(DecodeTicket("T-1", bytes + "x", &back)));
}

TEST(CodecTest, RandomTicketsRoundTrip) {
  for (uint64_t seed : PropertySeeds(1, 20)) {
    SCOPED_TRACE(::testing::Message() << "SLAD_TEST_SEED=" << seed);
    SplitMix64 rng(seed);
    for (int i = 0; i < 500; ++i) {
      const engine::TicketRecord t = slad::testing::RandomTicket(rng);
      std::string bytes;
      EncodeTicket(t, &bytes);
      engine::TicketRecord back;
      ASSERT_TRUE(DecodeTicket(t.id, bytes, &back).ok()) << i;
      ASSERT_EQ(back, t) << i;
    }
  }
}

TEST(CodecTest, RandomStatsCellsRoundTripWithTheirKeys) {
  for (uint64_t seed : PropertySeeds(100, 20)) {
    SCOPED_TRACE(::testing::Message() << "SLAD_TEST_SEED=" << seed);
    SplitMix64 rng(seed);
    for (int i = 0; i < 500; ++i) {
      const engine::StatsCellRecord c = slad::testing::RandomStatsCell(rng);
      std::string bytes;
      EncodeStatsCell(c, &bytes);
      engine::StatsCellRecord back;
      ASSERT_TRUE(DecodeStatsCell(StatsKey(c), bytes, &back).ok()) << i;
      ASSERT_EQ(back, c) << i;
    }
  }
}

TEST(CodecTest, StatsKeysSortByDimensionThenHour) {
  engine::StatsCellRecord a{.by = 1, .hour = -5, .group = "z"};
  engine::StatsCellRecord b{.by = 1, .hour = 3, .group = "a"};
  engine::StatsCellRecord c{.by = 2, .hour = -9, .group = ""};
  EXPECT_LT(StatsKey(a), StatsKey(b));
  EXPECT_LT(StatsKey(b), StatsKey(c));
}

TEST(CodecTest, RandomOutboxEventsRoundTrip) {
  for (uint64_t seed : PropertySeeds(200, 20)) {
    SCOPED_TRACE(::testing::Message() << "SLAD_TEST_SEED=" << seed);
    SplitMix64 rng(seed);
    for (int i = 0; i < 500; ++i) {
      OutboxEvent e = slad::testing::RandomOutboxEvent(rng);
      e.seq = rng.Next();
      std::string bytes;
      EncodeOutboxEvent(e, &bytes);
      OutboxEvent back;
      ASSERT_TRUE(DecodeOutboxEvent(e.seq, bytes, &back).ok()) << i;
      ASSERT_EQ(back, e) << i;
      if (!bytes.empty()) {
        EXPECT_FALSE(DecodeOutboxEvent(e.seq, bytes.substr(0, bytes.size() - 1),
                                       &back).ok());
      }
    }
  }
}

TEST(CodecTest, HistoryRoundTripsWithItsTicketLinkAndRetentionInstant) {
  const HistoryRecord r{.seq = 7, .at_ms = -42, .kind = HistoryRecord::kEvent,
                        .json = R"({"event":"breached","id":"T-1"})"};
  for (uint64_t prev : {uint64_t{0}, uint64_t{1}, uint64_t{6}}) {
    std::string bytes;
    EncodeHistory(r, "T-1", prev, 1000, &bytes);
    HistoryRecord back;
    absl::string_view id;
    uint64_t back_prev = 99;
    ASSERT_TRUE(DecodeHistory(7, bytes, &back, &id, &back_prev).ok());
    EXPECT_EQ(back, r);
    EXPECT_EQ(id, "T-1");
    EXPECT_EQ(back_prev, prev);
    int64_t kept_from = 0;  // the store's clock, for retention
    ASSERT_TRUE(HistoryKeptFromMs(bytes, &kept_from));
    EXPECT_EQ(kept_from, 1000);
    // A link back past the first record is corruption.
    EXPECT_TRUE(absl::IsDataLoss(DecodeHistory(prev == 0 ? 7 : 0, bytes,
                                               &back, &id, &back_prev)) ||
                prev == 0);
    bytes[0] = 9;
    EXPECT_FALSE(HistoryKeptFromMs(bytes, &kept_from));
    EXPECT_TRUE(absl::IsDataLoss(DecodeHistory(7, bytes, &back, &id, &back_prev)));
  }
}

TEST(CodecTest, LegacyHistoryDecodesWithoutTicketOrLink) {
  std::string bytes = "\x01";
  bytes.push_back(static_cast<char>(HistoryRecord::kCommand));
  PutSigned(&bytes, 1234);
  bytes += R"({"op":"open"})";
  HistoryRecord back;
  absl::string_view id = "x";
  uint64_t prev = 99;
  ASSERT_TRUE(DecodeHistory(3, bytes, &back, &id, &prev).ok());
  EXPECT_EQ(back.at_ms, 1234);
  EXPECT_EQ(back.json, R"({"op":"open"})");
  EXPECT_TRUE(id.empty());
  EXPECT_EQ(prev, 0u);
  int64_t kept_from = 0;  // a legacy record's is its instant
  ASSERT_TRUE(HistoryKeptFromMs(bytes, &kept_from));
  EXPECT_EQ(kept_from, 1234);
}

TEST(CodecTest, HistoryHeadsRoundTripAndExposeTheirInstant) {
  std::string bytes;
  EncodeHistoryHead(281474976710655u, -5, &bytes);
  uint64_t head = 0;
  ASSERT_TRUE(DecodeHistoryHead(bytes, &head).ok());
  EXPECT_EQ(head, 281474976710655u);
  int64_t at_ms = 0;
  ASSERT_TRUE(HistoryHeadAtMs(bytes, &at_ms));
  EXPECT_EQ(at_ms, -5);
  EXPECT_TRUE(absl::IsDataLoss(DecodeHistoryHead(bytes + "x", &head)));
  EXPECT_TRUE(absl::IsDataLoss(DecodeHistoryHead(bytes.substr(0, 2), &head)));
}

TEST(CodecTest, HistoryKeysSortLikeTheirSeq) {
  EXPECT_LT(HistoryKey(255), HistoryKey(256));
  uint64_t seq = 0;
  ASSERT_TRUE(ParseHistoryKey(HistoryKey(300), &seq));
  EXPECT_EQ(seq, 300u);
  EXPECT_FALSE(ParseHistoryKey("short", &seq));
  EXPECT_FALSE(ParseHistoryKey(LegacyHistoryKey("T-9", 300), &seq));
}

TEST(CodecTest, LegacyHistoryKeysSplitIntoIdAndSeq) {
  EXPECT_LT(LegacyHistoryKey("a", 2), LegacyHistoryKey("a", 10));
  EXPECT_LT(LegacyHistoryKey("a", ~uint64_t{0}), LegacyHistoryKey("a0", 0));
  absl::string_view id;
  uint64_t seq;
  const std::string key = LegacyHistoryKey("T-9", 300);  // id views into it
  ASSERT_TRUE(ParseLegacyHistoryKey(key, &id, &seq));
  EXPECT_EQ(id, "T-9");
  EXPECT_EQ(seq, 300u);
  EXPECT_FALSE(ParseLegacyHistoryKey("short", &id, &seq));
}

TEST(CodecTest, OutboxKeysSortLikeTheirSeq) {
  EXPECT_LT(OutboxKey(255), OutboxKey(256));
  EXPECT_EQ(DecodeFixed64BE(OutboxKey(0x0102030405060708).data()),
            0x0102030405060708u);
}

}  // namespace
}  // namespace slad::storage::codec
