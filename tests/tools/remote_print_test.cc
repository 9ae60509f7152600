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

// A ratio over nothing (no clock stopped, nothing opened, nothing rated)
// is 0 on the wire and "-" in the table, not a 0 % that reads as failure.
TEST(RemotePrintTest, StatsShowRatiosOverNothingAsMissing) {
  const std::string text = HumanReply(
      ReplyShape::kStats,
      R"({"req":1,"ok":true,"rows":[{"group":"return","started":1,"met":0,"met_late":0,)"
      R"("breached":1,"attainment":0,"mean_stop_ms":0,"p90_stop_ms":0,"opened":0,)"
      R"("resolved":0,"resolution_rate":0,"rated":0,"mean_score":0,"satisfied":0},)"
      R"({"group":"x","started":2,"met":1,"met_late":1,"breached":1,"attainment":0.5,)"
      R"("mean_stop_ms":3600000,"p90_stop_ms":3600000,"opened":2,"resolved":1,)"
      R"("resolution_rate":0.5,"rated":1,"mean_score":4,"satisfied":1}]})" "\n");
  EXPECT_THAT(text, HasSubstr("return  1        0    0         1         -           -"));
  EXPECT_THAT(text, HasSubstr("50.0%"));
  EXPECT_THAT(text, HasSubstr("4.00"));
  EXPECT_THAT(text, Not(HasSubstr(" 0.0%"))) << text;
}

}  // namespace
}  // namespace slad::tools
