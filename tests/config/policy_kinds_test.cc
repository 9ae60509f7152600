// The non-calendar part of the policy file: priorities, reopen_window,
// escalation and kinds; and the embedded default policy's kinds.

#include <string>

#include "absl/status/status.h"
#include "config/policy_file.h"
#include "engine/compiled_policy.h"
#include "engine/engine.h"
#include "engine/time_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace slad::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kHourMs = 60 * kMinuteMs;

// A calendar every kind below can use, on lines 1-3.
constexpr char kCal[] = "[calendars.c]\nalways = true\n\n";

absl::StatusOr<engine::Policy> Parse(const std::string& text) {
  return ParsePolicy(text, "p.toml");
}

// Returns the error message of parsing `text`, which must fail.
std::string ErrorOf(const std::string& text) {
  absl::StatusOr<engine::Policy> p = Parse(text);
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(p.status().message());
}

// A kind "k" on calendar c with one target written as `target` (line 6).
std::string KindWith(const std::string& target) {
  return std::string(kCal) + "[kinds.k]\ncalendar = \"c\"\ntargets = [\n" +
         target + "\n]\n";
}

constexpr char kGoodTarget[] =
    "{ name = \"t\", start = [\"open\"], stop = [\"done\"], within = \"1h\" }";

bool Same(const engine::DurationSpec& d, int64_t wd, int64_t ms) {
  return d.working_days == wd && d.ms == ms;
}

TEST(PolicyKindsTest, ParsesTheIssueExample) {
  absl::StatusOr<engine::Policy> p = Parse(R"(
priorities = ["low", "normal", "urgent", "vip"]
default_priority = "low"
reopen_window = "72h"

[escalation]
levels   = ["agent", "supervisor", "management"]
warn_at  = [0.9, 0.5]
warn_before = ["30m", "1wd"]
step     = 0
major    = ["vip"]

[calendars.cn]
timezone = "Asia/Shanghai"
mon = ["09:00-18:00"]
[calendars.always]
always = true

[kinds.return]
calendar = "cn"
targets = [
  { name = "review",   start = ["open"],     stop = ["approved", "rejected"], within = "2wd" },
  { name = "complete", start = ["approved"], stop = ["completed"],            within = "3wd" },
]
[kinds.after_sales]
calendar = "always"
targets  = [ { name = "response", start = ["open", "reopened"], stop = ["responded"], within = "2h" } ]
[kinds.after_sales.priority.urgent]
response = "1h"
)");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->priorities, ElementsAre("low", "normal", "urgent", "vip"));
  EXPECT_EQ(p->default_priority, "low");
  EXPECT_EQ(p->reopen_window_ms, 72 * kHourMs);
  const engine::EscalationSpec& e = p->escalation;
  EXPECT_THAT(e.levels, ElementsAre("agent", "supervisor", "management"));
  EXPECT_THAT(e.warn_at, ElementsAre(0.5, 0.9));  // sorted
  ASSERT_EQ(e.warn_before.size(), 2u);
  EXPECT_TRUE(Same(e.warn_before[0], 0, 30 * kMinuteMs));
  EXPECT_TRUE(Same(e.warn_before[1], 1, 0));
  EXPECT_EQ(e.step, 0.0);
  EXPECT_THAT(e.major, ElementsAre("vip"));

  ASSERT_EQ(p->kinds.size(), 2u);
  const engine::KindSpec& ret = p->kinds.at("return");
  EXPECT_EQ(ret.name, "return");
  EXPECT_EQ(ret.calendar, "cn");
  ASSERT_EQ(ret.targets.size(), 2u);
  EXPECT_EQ(ret.targets[0].name, "review");  // file order kept
  EXPECT_THAT(ret.targets[0].start, ElementsAre("open"));
  EXPECT_THAT(ret.targets[0].stop, ElementsAre("approved", "rejected"));
  EXPECT_TRUE(Same(ret.targets[0].within, 2, 0));
  EXPECT_TRUE(Same(ret.targets[1].within, 3, 0));
  const engine::TargetSpec& resp = p->kinds.at("after_sales").targets[0];
  EXPECT_THAT(resp.start, ElementsAre("open", "reopened"));
  EXPECT_TRUE(Same(resp.within, 0, 2 * kHourMs));
  ASSERT_EQ(resp.within_by_priority.size(), 1u);
  EXPECT_TRUE(Same(resp.within_by_priority.at("urgent"), 0, kHourMs));
}

TEST(PolicyKindsTest, DefaultsWhenKeysAreOmitted) {
  absl::StatusOr<engine::Policy> p = Parse(kCal);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->kinds.empty());  // a calendar-only policy is valid
  EXPECT_THAT(p->priorities,
              ElementsAre("low", "normal", "high", "urgent", "major"));
  EXPECT_EQ(p->default_priority, "normal");
  EXPECT_EQ(p->reopen_window_ms, 168 * kHourMs);
  EXPECT_EQ(p->escalation.levels.size(), 3u);
  EXPECT_TRUE(p->escalation.warn_at.empty());
  EXPECT_EQ(p->escalation.step, 0.5);
}

TEST(PolicyKindsTest, TargetsAsArrayOfTables) {
  absl::StatusOr<engine::Policy> p = Parse(std::string(kCal) + R"(
[kinds.k]
calendar = "c"
[[kinds.k.targets]]
name = "a"
start = ["open"]
stop = ["resolved"]
within = "1wd2h"
)");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(Same(p->kinds.at("k").targets[0].within, 1, 2 * kHourMs));
}

TEST(PolicyKindsTest, WarnAtDuplicatesMergeAndIntegerStepIsFine) {
  absl::StatusOr<engine::Policy> p =
      Parse("[escalation]\nwarn_at = [0.8, 0.5, 0.8]\nstep = 1\n");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->escalation.warn_at, ElementsAre(0.5, 0.8));
  EXPECT_EQ(p->escalation.step, 1.0);
}

// --- top level -------------------------------------------------------------

TEST(PolicyKindsTest, UnknownTopLevelKeyListsTheKnownOnes) {
  EXPECT_THAT(ErrorOf("priorities = [\"a\"]\ndefault_priority = \"a\"\n"
                      "reopen = \"1h\"\n"),
              AllOf(StartsWith("p.toml:3:1: "), HasSubstr("\"reopen\""),
                    HasSubstr("reopen_window")));
}

TEST(PolicyKindsTest, BadPriorities) {
  EXPECT_THAT(ErrorOf("priorities = []\n"),
              AllOf(StartsWith("p.toml:1:14: "), HasSubstr("empty")));
  EXPECT_THAT(ErrorOf("priorities = [\"low\", \"Low\"]\n"),
              AllOf(StartsWith("p.toml:1:22: "), HasSubstr("bad name")));
  EXPECT_THAT(ErrorOf("priorities = [\"a\", \"b\", \"a\"]\n"),
              AllOf(StartsWith("p.toml:1:25: "), HasSubstr("twice")));
  EXPECT_THAT(ErrorOf("priorities = \"low\"\n"), StartsWith("p.toml:1:14: "));
}

TEST(PolicyKindsTest, DefaultPriorityMustBeListed) {
  EXPECT_THAT(
      ErrorOf("priorities = [\"a\", \"b\"]\ndefault_priority = \"c\"\n"),
      AllOf(StartsWith("p.toml:2:20: "), HasSubstr("\"c\"")));
  // The list dropped the implicit default "normal": point at the list.
  EXPECT_THAT(ErrorOf("\npriorities = [\"a\", \"b\"]\n"),
              AllOf(StartsWith("p.toml:2:14: "), HasSubstr("\"normal\"")));
}

TEST(PolicyKindsTest, BadReopenWindow) {
  EXPECT_THAT(ErrorOf("reopen_window = \"7wd\"\n"),
              AllOf(StartsWith("p.toml:1:17: "), HasSubstr("wd")));
  EXPECT_THAT(ErrorOf("reopen_window = \"0h\"\n"),
              AllOf(StartsWith("p.toml:1:17: "), HasSubstr("positive")));
  EXPECT_THAT(ErrorOf("reopen_window = \"7d\"\n"),
              AllOf(StartsWith("p.toml:1:17: "), HasSubstr("bad duration")));
  EXPECT_THAT(ErrorOf("reopen_window = 7\n"), StartsWith("p.toml:1:17: "));
}

// --- escalation ------------------------------------------------------------

TEST(PolicyKindsTest, EscalationUnknownKey) {
  EXPECT_THAT(ErrorOf("[escalation]\nstep = 1\nwarn = [0.5]\n"),
              AllOf(StartsWith("p.toml:3:1: "), HasSubstr("\"warn\"")));
  EXPECT_THAT(ErrorOf("escalation = 1\n"),
              AllOf(StartsWith("p.toml:1:14: "), HasSubstr("table")));
}

TEST(PolicyKindsTest, BadLevels) {
  EXPECT_THAT(ErrorOf("[escalation]\nlevels = [\"agent\"]\n"),
              AllOf(StartsWith("p.toml:2:10: "), HasSubstr("2 to 8")));
  EXPECT_THAT(ErrorOf("[escalation]\nlevels = [\"a\",\"b\",\"c\",\"d\",\"e\","
                      "\"f\",\"g\",\"h\",\"i\"]\n"),
              AllOf(StartsWith("p.toml:2:10: "), HasSubstr("2 to 8")));
  EXPECT_THAT(ErrorOf("[escalation]\nlevels = [\"agent\", \"agent\"]\n"),
              AllOf(StartsWith("p.toml:2:20: "), HasSubstr("twice")));
  EXPECT_THAT(ErrorOf("[escalation]\nlevels = [\"agent\", \"\"]\n"),
              AllOf(StartsWith("p.toml:2:20: "), HasSubstr("bad name")));
}

TEST(PolicyKindsTest, BadWarnAt) {
  EXPECT_THAT(ErrorOf("[escalation]\nwarn_at = [0.5, 1.0]\n"),
              AllOf(StartsWith("p.toml:2:17: "), HasSubstr("between 0 and 1")));
  EXPECT_THAT(ErrorOf("[escalation]\nwarn_at = [0]\n"),
              StartsWith("p.toml:2:12: "));
  EXPECT_THAT(ErrorOf("[escalation]\nwarn_at = [\"80%\"]\n"),
              StartsWith("p.toml:2:12: "));
  EXPECT_THAT(ErrorOf("[escalation]\nwarn_at = [nan]\n"),
              StartsWith("p.toml:2:12: "));
  EXPECT_THAT(ErrorOf("[escalation]\nwarn_at = 0.8\n"),
              AllOf(StartsWith("p.toml:2:11: "), HasSubstr("array")));
}

TEST(PolicyKindsTest, BadWarnBefore) {
  EXPECT_THAT(ErrorOf("[escalation]\nwarn_before = [\"30m\", \"0m\"]\n"),
              AllOf(StartsWith("p.toml:2:23: "), HasSubstr("positive")));
  EXPECT_THAT(ErrorOf("[escalation]\nwarn_before = [\"half an hour\"]\n"),
              AllOf(StartsWith("p.toml:2:16: "), HasSubstr("bad duration")));
  EXPECT_THAT(ErrorOf("[escalation]\nwarn_before = \"30m\"\n"),
              StartsWith("p.toml:2:15: "));
}

TEST(PolicyKindsTest, BadStep) {
  EXPECT_THAT(ErrorOf("[escalation]\nstep = -0.5\n"),
              AllOf(StartsWith("p.toml:2:8: "), HasSubstr(">= 0")));
  EXPECT_THAT(ErrorOf("[escalation]\nstep = inf\n"),
              StartsWith("p.toml:2:8: "));
  EXPECT_THAT(ErrorOf("[escalation]\nstep = \"0.5\"\n"),
              StartsWith("p.toml:2:8: "));
}

// A tiny step used to round to a 0 ms step, which stopped the steps: only
// `step = 0` may do that.
TEST(PolicyKindsTest, APositiveStepIsAtLeastOneMs) {
  absl::StatusOr<engine::Policy> p =
      Parse(KindWith(kGoodTarget) + "[escalation]\nstep = 0.0000001\n");
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<std::unique_ptr<engine::CompiledPolicy>> compiled =
      engine::CompiledPolicy::Compile(*p);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ((*compiled)->StepMs(kHourMs), 1);  // 0.36 ms
  p->escalation.step = 0.4;
  compiled = engine::CompiledPolicy::Compile(*p);
  EXPECT_EQ((*compiled)->StepMs(1), 1);  // within "1ms"
  p->escalation.step = 0;
  compiled = engine::CompiledPolicy::Compile(*p);
  EXPECT_EQ((*compiled)->StepMs(kHourMs), 0);
  // And so large a step is never, not an overflow.
  p->escalation.step = 1e30;
  compiled = engine::CompiledPolicy::Compile(*p);
  EXPECT_EQ((*compiled)->StepMs(kHourMs), engine::CompiledPolicy::kMaxStepMs);

  // A ticket of that policy climbs the ladder a millisecond after its breach.
  p = Parse(KindWith(kGoodTarget) + "[escalation]\nstep = 0.0000001\n");
  absl::StatusOr<std::unique_ptr<engine::Engine>> engine =
      engine::Engine::Create(*std::move(p), 0);
  ASSERT_TRUE(engine.ok()) << engine.status();
  engine::Effects effects;
  ASSERT_TRUE((*engine)
                  ->Apply(engine::Command{.op = engine::Op::kOpen,
                                          .at_ms = 0,
                                          .id = "T",
                                          .kind = "k"},
                          &effects)
                  .ok());
  (*engine)->Advance(kHourMs, &effects);
  EXPECT_EQ((*engine)->Get("T")->level, "supervisor");
  (*engine)->Advance(kHourMs + 1, &effects);
  EXPECT_EQ((*engine)->Get("T")->level, "management");
}

TEST(PolicyKindsTest, MajorMustBeKnownPriorities) {
  EXPECT_THAT(ErrorOf("[escalation]\nmajor = [\"urgent\", \"critical\"]\n"),
              AllOf(StartsWith("p.toml:2:20: "), HasSubstr("\"critical\"")));
  // Priorities are read first, whatever the order in the file.
  EXPECT_TRUE(Parse("escalation = { major = [\"p1\"] }\n"
                    "priorities = [\"normal\", \"p1\"]\n")
                  .ok());
}

// --- kinds -----------------------------------------------------------------

TEST(PolicyKindsTest, KindsSectionMustNotBeEmpty) {
  EXPECT_THAT(
      ErrorOf("kinds = {}\n" + std::string(kCal)),
      AllOf(StartsWith("p.toml:1:9: "), HasSubstr("at least one kind")));
  EXPECT_THAT(
      ErrorOf(std::string(kCal) + "[kinds]\n"),
      AllOf(StartsWith("p.toml:4:1: "), HasSubstr("at least one kind")));
}

TEST(PolicyKindsTest, BadKindName) {
  EXPECT_THAT(ErrorOf(std::string(kCal) + "[kinds.Return]\ncalendar = \"c\"\n"),
              AllOf(StartsWith("p.toml:4:8: "), HasSubstr("\"Return\"")));
}

// The wire carries names of at most 128 bytes (docs/API.md): a longer one
// could never be sent or answered.
TEST(PolicyKindsTest, NamesAreAtMost128Bytes) {
  const std::string n128(128, 'n'), n129(129, 'n');
  const std::string too_long = "name \"" + std::string(32, 'n') +
                               "...\" is 129 bytes (at most 128";
  const auto kind = [](const std::string& name, const std::string& target,
                       const std::string& event) {
    return std::string(kCal) + "[kinds." + name +
           "]\ncalendar = \"c\"\ntargets = [{ name = \"" + target +
           "\", start = [\"open\"], stop = [\"" + event +
           "\"], within = \"1h\" }]\n";
  };
  EXPECT_TRUE(Parse(kind(n128, n128, n128)).ok());
  EXPECT_THAT(ErrorOf(kind(n129, "t", "done")),
              AllOf(StartsWith("p.toml:4:8: kind: "), HasSubstr(too_long)));
  EXPECT_THAT(ErrorOf(kind("k", n129, "done")),
              AllOf(StartsWith("p.toml:6:21: target name: "),
                    HasSubstr(too_long)));
  EXPECT_THAT(ErrorOf(kind("k", "t", n129)),
              AllOf(StartsWith("p.toml:6:"), HasSubstr(too_long)));
  EXPECT_THAT(ErrorOf("priorities = [\"normal\", \"" + n129 + "\"]\n"),
              AllOf(StartsWith("p.toml:1:25: priorities: "),
                    HasSubstr(too_long)));
  EXPECT_THAT(ErrorOf("[escalation]\nlevels = [\"a\", \"" + n129 + "\"]\n"),
              AllOf(StartsWith("p.toml:2:16: levels: "), HasSubstr(too_long)));
  EXPECT_TRUE(Parse("[escalation]\nlevels = [\"a\", \"" + n128 + "\"]\n").ok());
}

TEST(PolicyKindsTest, KindUnknownKey) {
  EXPECT_THAT(
      ErrorOf(std::string(kCal) + "[kinds.k]\ncalendar = \"c\"\ntarget = []\n"),
      AllOf(StartsWith("p.toml:6:1: "), HasSubstr("\"target\"")));
}

TEST(PolicyKindsTest, KindCalendarMustExist) {
  EXPECT_THAT(ErrorOf(std::string(kCal) +
                      "[kinds.k]\ncalendar = \"office\"\ntargets = []\n"),
              AllOf(StartsWith("p.toml:5:12: "), HasSubstr("\"office\"")));
  EXPECT_THAT(ErrorOf(std::string(kCal) + "[kinds.k]\ntargets = []\n"),
              AllOf(StartsWith("p.toml:4:1: "), HasSubstr("\"calendar\"")));
}

TEST(PolicyKindsTest, KindNeedsTargets) {
  EXPECT_THAT(ErrorOf(std::string(kCal) + "[kinds.k]\ncalendar = \"c\"\n"),
              AllOf(StartsWith("p.toml:4:1: "), HasSubstr("\"targets\"")));
  EXPECT_THAT(ErrorOf(std::string(kCal) +
                      "[kinds.k]\ncalendar = \"c\"\ntargets = []\n"),
              AllOf(StartsWith("p.toml:6:11: "), HasSubstr("at least one")));
}

TEST(PolicyKindsTest, TargetUnknownAndMissingKeys) {
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"open\"], stop = "
                               "[\"x\"], within = \"1h\", calendar = \"c\" }")),
              AllOf(StartsWith("p.toml:7:62: "), HasSubstr("\"calendar\"")));
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"open\"], stop = "
                               "[\"x\"] }")),
              AllOf(StartsWith("p.toml:7:1: "), HasSubstr("\"within\"")));
  EXPECT_THAT(ErrorOf(KindWith("\"t\"")),
              AllOf(StartsWith("p.toml:7:1: "), HasSubstr("table")));
}

TEST(PolicyKindsTest, BadTargetName) {
  EXPECT_THAT(
      ErrorOf(KindWith("{ name = \"first-response\", start = "
                       "[\"open\"], stop = [\"x\"], within = \"1h\" }")),
      AllOf(StartsWith("p.toml:7:10: "), HasSubstr("bad name")));
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"\", start = [\"open\"], stop = "
                               "[\"x\"], within = \"1h\" }")),
              StartsWith("p.toml:7:10: "));
}

TEST(PolicyKindsTest, DuplicateTargetName) {
  EXPECT_THAT(ErrorOf(KindWith(std::string(kGoodTarget) + ",\n" + kGoodTarget)),
              AllOf(StartsWith("p.toml:8:1: "), HasSubstr("twice")));
}

TEST(PolicyKindsTest, AtMostEightTargets) {
  std::string targets;
  for (int i = 0; i < 9; ++i) {
    targets += "{ name = \"t" + std::to_string(i) +
               "\", start = [\"open\"], stop = [\"x\"], within = \"1h\" },\n";
  }
  EXPECT_THAT(ErrorOf(KindWith(targets)),
              AllOf(StartsWith("p.toml:15:1: "), HasSubstr("more than 8")));
}

TEST(PolicyKindsTest, StartAndStopMustBeNonEmptyEventNames) {
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [], stop = [\"x\"], "
                               "within = \"1h\" }")),
              AllOf(StartsWith("p.toml:7:23: "), HasSubstr("start")));
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"open\"], stop = [], "
                               "within = \"1h\" }")),
              AllOf(StartsWith("p.toml:7:40: "), HasSubstr("stop")));
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"open\"], stop = "
                               "[\"Approved\"], within = \"1h\" }")),
              AllOf(StartsWith("p.toml:7:41: "), HasSubstr("bad name")));
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"open\", \"open\"], "
                               "stop = [\"x\"], within = \"1h\" }")),
              AllOf(StartsWith("p.toml:7:32: "), HasSubstr("twice")));
}

TEST(PolicyKindsTest, BuiltInEventRules) {
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"resolved\"], stop = "
                               "[\"x\"], within = \"1h\" }")),
              AllOf(StartsWith("p.toml:7:24: "), HasSubstr("cannot start")));
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"x\"], stop = "
                               "[\"reopened\"], within = \"1h\" }")),
              AllOf(StartsWith("p.toml:7:38: "), HasSubstr("only start")));
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"x\"], stop = "
                               "[\"y\", \"x\"], within = \"1h\" }")),
              AllOf(StartsWith("p.toml:7:37: "), HasSubstr("both starts")));
  // `resolved` may be listed as a stop (it is one anyway).
  EXPECT_TRUE(Parse(KindWith("{ name = \"t\", start = [\"open\"], stop = "
                             "[\"resolved\"], within = \"1h\" }"))
                  .ok());
}

TEST(PolicyKindsTest, AtMost64EventNamesInThePolicy) {
  // 3 built-ins + 61 of ours = 64: fine; one more is refused.
  std::string targets;
  for (int t = 0; t < 8; ++t) {
    targets += "{ name = \"t" + std::to_string(t) + "\", start = [\"open\"], ";
    targets += "stop = [";
    for (int e = 0; e < 8; ++e) {
      const int id = t * 8 + e;
      if (id > 61) break;
      targets +=
          (e ? ", " : "") + std::string("\"e") + std::to_string(id) + "\"";
    }
    targets += "], within = \"1h\" },\n";
  }
  // e0..e61 is 62 names: the last one (e61, line 14) is the 65th.
  EXPECT_THAT(ErrorOf(KindWith(targets)),
              AllOf(StartsWith("p.toml:14:"), HasSubstr("more than 64")));
}

TEST(PolicyKindsTest, BadWithin) {
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"open\"], stop = "
                               "[\"x\"], within = \"0wd\" }")),
              AllOf(StartsWith("p.toml:7:56: "), HasSubstr("positive")));
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"open\"], stop = "
                               "[\"x\"], within = \"2 days\" }")),
              AllOf(StartsWith("p.toml:7:56: "), HasSubstr("bad duration")));
  EXPECT_THAT(ErrorOf(KindWith("{ name = \"t\", start = [\"open\"], stop = "
                               "[\"x\"], within = 2 }")),
              StartsWith("p.toml:7:56: "));
}

TEST(PolicyKindsTest, PriorityOverrides) {
  const std::string kind = KindWith(kGoodTarget);
  absl::StatusOr<engine::Policy> p =
      Parse(kind +
            "[kinds.k.priority.high]\nt = \"30m\"\n"
            "[kinds.k.priority.low]\nt = \"1wd\"\n");
  ASSERT_TRUE(p.ok()) << p.status();
  const engine::TargetSpec& t = p->kinds.at("k").targets[0];
  EXPECT_TRUE(Same(t.within_by_priority.at("high"), 0, 30 * kMinuteMs));
  EXPECT_TRUE(Same(t.within_by_priority.at("low"), 1, 0));

  EXPECT_THAT(ErrorOf(kind + "[kinds.k.priority.critical]\nt = \"30m\"\n"),
              AllOf(StartsWith("p.toml:9:19: "), HasSubstr("\"critical\"")));
  EXPECT_THAT(ErrorOf(kind + "[kinds.k.priority.high]\nresponse = \"30m\"\n"),
              AllOf(StartsWith("p.toml:10:1: "), HasSubstr("\"response\"")));
  // The kind is named: the same priority may be overridden in every kind.
  EXPECT_EQ(ErrorOf(kind + "[kinds.k.priority.high]\nt = \"0m\"\n"),
            "p.toml:10:5: kind k: priority high: t: must be positive");
  EXPECT_THAT(ErrorOf(kind + "[kinds.k.priority]\nhigh = \"30m\"\n"),
              AllOf(StartsWith("p.toml:10:8: "), HasSubstr("table")));
}

// --- the embedded default ----------------------------------------------------

struct Expected {
  const char* kind;
  const char* calendar;
  const char* target;
  int64_t wd;
  int64_t ms;
};

// Every limit of DESIGN.md's domain table.
constexpr Expected kDefaultTargets[] = {
    {"first_contact", "always", "response", 0, 15 * kMinuteMs},
    {"first_contact", "always", "handling", 0, 48 * kHourMs},
    {"inquiry", "always", "response", 0, 24 * kHourMs},
    {"inquiry", "always", "resolution", 0, 48 * kHourMs},
    {"after_sales", "always", "response", 0, 2 * kHourMs},
    {"complaint", "always", "response", 0, 24 * kHourMs},
    {"complaint", "always", "handling", 0, 24 * kHourMs},
    {"technical_support", "always", "response", 0, 24 * kHourMs},
    {"return", "cn_office", "review", 2, 0},
    {"return", "cn_office", "complete", 3, 0},
    {"repair", "cn_office", "review", 3, 0},
    {"repair", "cn_office", "repair", 5, 0},
    {"refund", "cn_office", "refund", 3, 0},
    {"shipping", "always", "shipment", 0, 24 * kHourMs},
};

const engine::TargetSpec* FindTarget(const engine::KindSpec& kind,
                                     const std::string& name) {
  for (const engine::TargetSpec& t : kind.targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

TEST(PolicyKindsTest, DefaultPolicyEncodesEveryNormLimit) {
  absl::StatusOr<engine::Policy> p = LoadDefaultPolicy();
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->kinds.size(), 9u);
  size_t targets = 0;
  for (const auto& [name, kind] : p->kinds) targets += kind.targets.size();
  EXPECT_EQ(targets, std::size(kDefaultTargets));
  for (const Expected& e : kDefaultTargets) {
    SCOPED_TRACE(std::string(e.kind) + "." + e.target);
    ASSERT_TRUE(p->kinds.contains(e.kind));
    const engine::KindSpec& kind = p->kinds.at(e.kind);
    EXPECT_EQ(kind.calendar, e.calendar);
    const engine::TargetSpec* t = FindTarget(kind, e.target);
    ASSERT_NE(t, nullptr);
    EXPECT_TRUE(Same(t->within, e.wd, e.ms))
        << t->within.working_days << "wd " << t->within.ms << "ms";
  }
}

TEST(PolicyKindsTest, DefaultPolicyUrgentAfterSalesIsOneHour) {
  engine::Policy p = *LoadDefaultPolicy();
  const engine::TargetSpec& t = p.kinds.at("after_sales").targets[0];
  ASSERT_EQ(t.within_by_priority.size(), 1u);
  EXPECT_TRUE(Same(t.within_by_priority.at("urgent"), 0, kHourMs));
}

TEST(PolicyKindsTest, DefaultPolicyChainsReturnAndRepairOnApproval) {
  engine::Policy p = *LoadDefaultPolicy();
  for (const char* kind : {"return", "repair"}) {
    const engine::KindSpec& k = p.kinds.at(kind);
    EXPECT_THAT(k.targets[0].stop, ElementsAre("approved", "rejected"));
    EXPECT_THAT(k.targets[1].start, ElementsAre("approved"));
  }
}

TEST(PolicyKindsTest, DefaultPolicyEscalationAndReopen) {
  engine::Policy p = *LoadDefaultPolicy();
  EXPECT_THAT(p.escalation.levels,
              ElementsAre("agent", "supervisor", "management"));
  EXPECT_THAT(p.escalation.warn_at, ElementsAre(0.8));
  EXPECT_TRUE(p.escalation.warn_before.empty());
  EXPECT_EQ(p.escalation.step, 0.5);
  EXPECT_THAT(p.escalation.major, ElementsAre("major"));
  EXPECT_EQ(p.default_priority, "normal");
  EXPECT_EQ(p.reopen_window_ms, 7 * 24 * kHourMs);
}

}  // namespace
}  // namespace slad::config
