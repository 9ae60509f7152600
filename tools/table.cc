#include "tools/table.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/time_format.h"

namespace slad::tools {

namespace {

// Whether code point `c` takes two terminal columns: the East Asian Wide
// and Fullwidth blocks (Unicode UAX #11) that text in tickets uses: Hangul
// Jamo, CJK punctuation, kana and ideographs, Hangul syllables, fullwidth
// forms, emoji.
bool IsWide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
         (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
         (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

}  // namespace

size_t DisplayWidth(absl::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    // A sequence's length from its lead byte; a stray continuation or
    // invalid byte counts as one column (the terminal shows U+FFFD).
    const size_t n = lead < 0x80 ? 1 : lead >= 0xF0 && lead < 0xF8 ? 4
                     : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n == 1 || i + n > text.size()) {
      ++width;
      ++i;
      continue;
    }
    char32_t c = lead & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    width += IsWide(c) ? 2 : 1;
    i += n;
  }
  return width;
}

Table::Table(std::vector<std::string> header) {
  rows_.push_back(std::move(header));
}

void Table::AddRow(std::vector<std::string> row) {
  row.resize(std::max(row.size(), rows_[0].size()));
  rows_.push_back(std::move(row));
}

std::string Table::Render() const {
  std::vector<size_t> width;
  for (const auto& row : rows_) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line.append(2, ' ');
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - DisplayWidth(row[i]), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string HumanInstant(int64_t ms) {
  std::string text = engine::FormatInstantMs(ms);
  if (absl::EndsWith(text, ".000Z")) {
    text.resize(text.size() - 5);
    text += 'Z';
  }
  return text;
}

namespace {

// At most two of `units` (largest first), the first one that fits and the
// next if not zero.
struct Unit {
  const char* name;
  int64_t ms;
};
constexpr Unit kWallUnits[] = {
    {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};
constexpr Unit kBusinessUnits[] = {{"h", 3600000}, {"m", 60000}, {"s", 1000}};

template <size_t N>
std::string Render(int64_t ms, const Unit (&units)[N]) {
  if (ms < 0) return absl::StrCat("-", Render(-ms, units));
  if (ms == 0) return "0s";
  if (ms < 1000) return absl::StrCat(ms, "ms");
  std::string out;
  int shown = 0;
  for (const Unit& u : units) {
    if (shown == 2) break;
    const int64_t n = ms / u.ms;
    if (n > 0) {
      absl::StrAppend(&out, n, u.name);
      ms -= n * u.ms;
      ++shown;
    } else if (shown > 0) {
      break;  // "1d0h" reads worse than "1d"
    }
  }
  return out;
}

}  // namespace

std::string HumanDuration(int64_t ms) { return Render(ms, kWallUnits); }

std::string HumanBusinessDuration(int64_t ms) {
  return Render(ms, kBusinessUnits);
}

std::string HumanPercent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", fraction * 100.0);
  return buf;
}

}  // namespace slad::tools
