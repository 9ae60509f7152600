// The human formats of tools/table.h: tables, instants and durations.

#include "tools/table.h"

#include "gtest/gtest.h"

namespace slad::tools {
namespace {

constexpr int64_t kMinute = 60000;
constexpr int64_t kHour = 60 * kMinute;

TEST(TableTest, WallClockDurationsUseDays) {
  EXPECT_EQ(HumanDuration(0), "0s");
  EXPECT_EQ(HumanDuration(250), "250ms");
  EXPECT_EQ(HumanDuration(45000), "45s");
  EXPECT_EQ(HumanDuration(90 * kMinute), "1h30m");
  EXPECT_EQ(HumanDuration(24 * kHour), "1d");
  EXPECT_EQ(HumanDuration(70 * kHour), "2d22h");
  EXPECT_EQ(HumanDuration(-90 * kMinute), "-1h30m");
}

// Business time has no days: 24 h of it is three 8-hour working days under
// cn_office, and a calendar's working day ("wd") is its own day_length.
TEST(TableTest, BusinessDurationsNeverUseDays) {
  EXPECT_EQ(HumanBusinessDuration(0), "0s");
  EXPECT_EQ(HumanBusinessDuration(250), "250ms");
  EXPECT_EQ(HumanBusinessDuration(90 * kMinute), "1h30m");
  EXPECT_EQ(HumanBusinessDuration(24 * kHour), "24h");
  EXPECT_EQ(HumanBusinessDuration(26 * kHour), "26h");
  EXPECT_EQ(HumanBusinessDuration(26 * kHour + 30 * kMinute), "26h30m");
  EXPECT_EQ(HumanBusinessDuration(240 * kHour + 1000), "240h");
  EXPECT_EQ(HumanBusinessDuration(-24 * kHour), "-24h");
}

TEST(TableTest, ColumnsArePaddedToTheirWidestCell) {
  Table table({"ID", "LEFT"});
  table.AddRow({"RET-1", "24h"});
  table.AddRow({"A"});
  EXPECT_EQ(table.Render(), "ID     LEFT\nRET-1  24h\nA\n");
}

// Columns line up in a terminal for Chinese text: a wide character takes
// two columns, whatever its three UTF-8 bytes.
TEST(TableTest, WideCharactersCountTwoColumns) {
  EXPECT_EQ(DisplayWidth("east"), 4u);
  EXPECT_EQ(DisplayWidth("华东"), 4u);
  EXPECT_EQ(DisplayWidth("é"), 1u);
  EXPECT_EQ(DisplayWidth("ｱ"), 1u);  // halfwidth katakana
  EXPECT_EQ(DisplayWidth("\xE5"), 1u);  // truncated sequence
  Table t({"TEAM", "ID"});
  t.AddRow({"华东", "A"});
  t.AddRow({"east-team", "B"});
  EXPECT_EQ(t.Render(),
            "TEAM       ID\n"
            "华东       A\n"
            "east-team  B\n");
}

}  // namespace
}  // namespace slad::tools
