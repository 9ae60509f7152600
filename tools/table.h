#ifndef SLAD_TOOLS_TABLE_H_
#define SLAD_TOOLS_TABLE_H_

// Human output of slactl and slaload: aligned text tables, instants as
// RFC 3339 UTC and durations as "1h30m" (business time never in days).
// Pure; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace slad::tools {

// The columns `text` (UTF-8) takes in a terminal: East Asian wide
// characters (CJK ideographs, kana, Hangul, fullwidth forms) count 2,
// every other character 1.
size_t DisplayWidth(absl::string_view text);

// A text table: a header row and rows of cells, rendered with every column
// padded to its widest cell (in terminal columns: DisplayWidth) and two
// spaces between columns. Rows shorter
// than the header are padded with empty cells.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void AddRow(std::vector<std::string> row);
  size_t rows() const { return rows_.size() - 1; }
  // Every row, each ending in "\n"; trailing spaces trimmed.
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;  // rows_[0] is the header
};

// "2026-01-05T01:00:00Z" ("...:00.250Z" when the ms are not zero).
std::string HumanInstant(int64_t ms);

// Wall-clock time, largest units first, at most two: "0s", "250ms",
// "45s", "1h30m", "2d4h" (a day is 24 h); negative durations get a
// leading "-".
std::string HumanDuration(int64_t ms);

// Business time, the same without days: "24h", "1h30m", "26h". 24 h of
// business time is no calendar day (three 8-hour working days, under
// cn_office), and "wd" means a calendar's day_length, which the reply
// does not carry: hours are the one unit that cannot be misread.
std::string HumanBusinessDuration(int64_t ms);

// A fraction 0..1 as a percentage with one decimal: "95.0%".
std::string HumanPercent(double fraction);

}  // namespace slad::tools

#endif  // SLAD_TOOLS_TABLE_H_
