// slactl's human renderings of reply lines (tools/remote_print.h).

#include "tools/remote_print.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace slad::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kExplain[] =
    R"({"req":1,"ok":true,"explanation":{"id":"A","target":"keep","calendar":"office",)"
    R"("state":"running","priority":"normal","start":1767603600000,)"
    R"("deadline":1767632400000,"budget_ms":28800000,)"
    R"("counted":[{"from":1767603600000,"to":1767632400000}],"days":[],"pauses":[],)"
    R"("priority_changes":[])";

// An explanation cut at its lists' limit says so under its tables: the
// rows shown are not all the working time.
TEST(RemotePrintTest, AnExplanationCutShortSaysSo) {
  const std::string whole = HumanReply(ReplyShape::kExplain, absl::StrCat(kExplain, "}}\n"));
  EXPECT_THAT(whole, HasSubstr("COUNTED FROM"));
  EXPECT_THAT(whole, HasSubstr("2026-01-05T09:00:00Z"));
  EXPECT_THAT(whole, Not(HasSubstr("cut short")));
  const std::string cut = HumanReply(ReplyShape::kExplain,
                                     absl::StrCat(kExplain, R"(,"truncated":true}})", "\n"));
  EXPECT_THAT(cut, HasSubstr("(cut short: the lists stop at their first 1000 entries)"));
}

}  // namespace
}  // namespace slad::tools
