// The lookahead of api/line_lookahead.h: which line's hints come when.

#include "api/line_lookahead.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace slad::api {
namespace {

using Hint = LineLookahead::Hint;
constexpr size_t kFar = LineLookahead::kFar;
constexpr size_t kNear = LineLookahead::kNear;

struct Hinted {
  std::string id;
  Hint hint;
  size_t during;  // the line whose Advance() gave it
};

// n request lines naming tickets T0, T1, ...; the last one cut short
// after its id (a read that ended mid-line) when `cut`.
std::string Chunk(size_t n, bool cut) {
  std::string chunk;
  for (size_t j = 0; j < n; ++j) {
    absl::StrAppend(&chunk, R"({"op":"event","id":"T)", j, R"(","name":"x"})");
    if (!(cut && j + 1 == n)) chunk += '\n';
  }
  if (cut && n > 0) chunk.resize(chunk.size() - 12);
  return chunk;
}

const Hinted* Find(const std::vector<Hinted>& log, size_t line, Hint hint) {
  const std::string id = absl::StrCat("T", line);
  for (const Hinted& h : log) {
    if (h.id == id && h.hint == hint) return &h;
  }
  return nullptr;
}

TEST(LineLookaheadTest, EachLineIsProbedThenRecordedAheadOfItsTurn) {
  for (size_t n = 0; n <= 20; ++n) {
    for (bool cut : {false, true}) {
      // Handled up to `stop` lines: Consume may stop early.
      for (size_t stop = 0; stop <= n; ++stop) {
        SCOPED_TRACE(absl::StrCat("n=", n, " cut=", cut, " stop=", stop));
        const std::string chunk = Chunk(n, cut);
        std::vector<Hinted> log;
        size_t line = 0;
        const auto record = [&](absl::string_view id, Hint hint) {
          log.push_back({std::string(id), hint, line});
        };
        LineLookahead lookahead(chunk.data(), chunk.data() + chunk.size(),
                                record);
        for (line = 0; line < stop; ++line) lookahead.Advance();

        // Lines hinted: those up to kFar - 1 past the last handled one.
        const size_t seen = stop == 0 ? 0 : std::min(n, stop - 1 + kFar);
        // One probe per line seen, one record per line up to kNear past
        // the last one handled.
        const size_t recorded = stop == 0 ? 0 : std::min(n, stop + kNear);
        ASSERT_EQ(log.size(), seen + recorded);
        for (size_t j = 0; j < seen; ++j) {
          const Hinted* probe = Find(log, j, Hint::kProbe);
          ASSERT_NE(probe, nullptr) << "line " << j;
          EXPECT_EQ(probe->during, j < kFar ? 0 : j - kFar + 1) << "line " << j;
          const Hinted* rec = Find(log, j, Hint::kRecord);
          if (j >= stop + kNear) {
            EXPECT_EQ(rec, nullptr) << "line " << j;
            continue;
          }
          ASSERT_NE(rec, nullptr) << "line " << j;
          EXPECT_LT(probe, rec) << "line " << j << ": record before probe";
          EXPECT_EQ(rec->during, j < kNear ? 0 : j - kNear) << "line " << j;
        }
        // The chunk's first records wait for every probe of the first
        // Advance, so that those misses overlap.
        if (stop > 0 && n > 0) {
          EXPECT_EQ(log[std::min(n, kFar)].hint, Hint::kRecord);
        }
      }
    }
  }
}

TEST(LineLookaheadTest, LinesWithoutASniffableIdAreHintedEmpty) {
  const std::string chunk = "not json\n{\"id\":7}\n\n{\"id\":\"T\\u0031\"}";
  std::vector<std::string> ids;
  const auto record = [&](absl::string_view id, Hint) {
    ids.emplace_back(id);
  };
  LineLookahead lookahead(chunk.data(), chunk.data() + chunk.size(), record);
  for (int i = 0; i < 4; ++i) lookahead.Advance();
  ASSERT_EQ(ids.size(), 8u);
  for (const std::string& id : ids) EXPECT_EQ(id, "");
}

}  // namespace
}  // namespace slad::api
