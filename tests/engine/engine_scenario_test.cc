// Scenario tests of Engine on the embedded default policy
// (config/default_policy.toml), one per case the engine issue names from
// the norms. Every instant is written in China time (+08:00), the zone of
// the default's cn_office calendar: Mon-Fri 09:00-12:00 and 13:00-18:00,
// 1wd = 8 h, with the 2026 holidays (Qingming: Sat 04-04 .. Mon 04-06).
// The default escalation: agent → supervisor → management, a warning at
// 80 % of a target's time, a further level every 0.5 × target after a
// breach, `major` straight to management.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "config/policy_file.h"
#include "engine/engine.h"
#include "engine/time_format.h"
#include "gtest/gtest.h"

namespace slad::engine {
namespace {

using Lines = std::vector<std::string>;

// Unix ms of a China-time instant "2026-04-02 10:00".
int64_t Cn(const std::string& local) {
  absl::StatusOr<int64_t> ms =
      ParseInstantMs(local.substr(0, 10) + "T" + local.substr(11) + ":00+08:00");
  EXPECT_TRUE(ms.ok()) << local;
  return ms.value_or(0);
}

std::string CnText(int64_t ms) {
  static const absl::TimeZone kCn = absl::FixedTimeZone(8 * 3600);
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixMillis(ms), kCn);
}

class EngineScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Policy> policy = config::LoadDefaultPolicy();
    ASSERT_TRUE(policy.ok()) << policy.status();
    auto engine = Engine::Create(std::move(*policy), Cn("2026-01-01 00:00"));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
  }

  absl::Status Do(Command cmd) {
    effects_.Clear();
    return engine_->Apply(cmd, &effects_);
  }
  absl::Status Open(absl::string_view id, absl::string_view kind,
                    const std::string& at,
                    std::optional<absl::string_view> priority = std::nullopt) {
    Command c{.op = Op::kOpen, .at_ms = Cn(at), .id = id, .kind = kind};
    c.priority = priority;
    return Do(c);
  }
  absl::Status Event(absl::string_view id, absl::string_view name,
                     const std::string& at) {
    return Do(Command{.op = Op::kEvent, .at_ms = Cn(at), .id = id, .name = name});
  }
  absl::Status Simple(Op op, absl::string_view id, const std::string& at) {
    return Do(Command{.op = op, .at_ms = Cn(at), .id = id});
  }
  absl::Status Priority(absl::string_view id, absl::string_view priority,
                        const std::string& at) {
    Command c{.op = Op::kPriority, .at_ms = Cn(at), .id = id};
    c.priority = priority;
    return Do(c);
  }
  Lines AdvanceTo(const std::string& at) {
    effects_.Clear();
    engine_->Advance(Cn(at), &effects_);
    return Events();
  }
  // "type target @when (deadline)", and "from>to" for escalations.
  Lines Events() const {
    static const char* kNames[] = {"warning", "breached", "escalated", "met",
                                   "met_late"};
    Lines out;
    for (const engine::Event& e : effects_.events) {
      std::string s = absl::StrCat(kNames[static_cast<int>(e.type)], " ", e.target,
                                   " @", CnText(e.at_ms));
      if (e.deadline_ms != 0) absl::StrAppend(&s, " (", CnText(e.deadline_ms), ")");
      if (e.type == EventType::kEscalated) absl::StrAppend(&s, " ", e.from, ">", e.to);
      out.push_back(s);
    }
    return out;
  }
  TargetView TargetOf(absl::string_view id, size_t i) {
    absl::StatusOr<TicketView> v = engine_->Get(id);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? v->targets.at(i) : TargetView{};
  }
  std::string LevelOf(absl::string_view id) {
    absl::StatusOr<TicketView> v = engine_->Get(id);
    return v.ok() ? std::string(v->level) : "?";
  }

  std::unique_ptr<Engine> engine_;
  Effects effects_;
};

// A return (004 §4.1.2: review within 2wd = 16 business hours on
// cn_office) applied for on Thursday before Qingming and reviewed late.
//   Thu 04-02 10:00-12:00, 13:00-18:00       7 h  (7)
//   Fri 04-03 09:00-12:00, 13:00-18:00       8 h  (15)
//   Sat 04-04 .. Mon 04-06: weekend and Qingming holiday
//   Tue 04-07 09:00-10:00                    1 h  (16) → deadline Tue 10:00
// Warning at 80 % used = 3h12m left: Tue 09:00-10:00 is 1 h, the other
// 2h12m back from Fri 18:00 → Fri 15:48. The step is 0.5 × 16 h = 8 h
// after the breach: Tue 10:00-12:00 and 13:00-18:00 (7 h), Wed 09:00-10:00.
TEST_F(EngineScenarioTest, ReturnReviewedLateEscalatesAtBreachAndAfterTheStep) {
  ASSERT_TRUE(Open("R1", "return", "2026-04-02 10:00").ok());
  EXPECT_EQ(TargetOf("R1", 0).deadline_ms, Cn("2026-04-07 10:00"));
  EXPECT_EQ(AdvanceTo("2026-04-07 09:59"),
            (Lines{"warning review @2026-04-03 15:48 (2026-04-07 10:00)"}));
  EXPECT_EQ(AdvanceTo("2026-04-07 10:00"),
            (Lines{"breached review @2026-04-07 10:00 (2026-04-07 10:00)",
                   "escalated review @2026-04-07 10:00 (2026-04-07 10:00) "
                   "agent>supervisor"}));
  EXPECT_EQ(LevelOf("R1"), "supervisor");
  EXPECT_TRUE(AdvanceTo("2026-04-08 09:59").empty());
  EXPECT_EQ(AdvanceTo("2026-04-08 10:00"),
            (Lines{"escalated review @2026-04-08 10:00 (2026-04-07 10:00) "
                   "supervisor>management"}));
  EXPECT_EQ(LevelOf("R1"), "management");

  // Approved Wed 11:00: review met late; completion (3wd = 24 h) starts:
  // Wed 11:00-12:00, 13:00-18:00 (6), Thu (14), Fri (22), Mon 04-13
  // 09:00-11:00 (24) → Mon 11:00.
  ASSERT_TRUE(Event("R1", "approved", "2026-04-08 11:00").ok());
  EXPECT_EQ(Events(), (Lines{"met_late review @2026-04-08 11:00 (2026-04-07 10:00)"}));
  EXPECT_EQ(TargetOf("R1", 1).state, "running");
  EXPECT_EQ(TargetOf("R1", 1).deadline_ms, Cn("2026-04-13 11:00"));
  OverduePage page;
  ASSERT_TRUE(engine_->Overdue(Command{.op = Op::kOverdue}, &page).ok());
  EXPECT_TRUE(page.items.empty());
}

// A complaint (001 §3.4.1, 003 §4.5: responded to and handled within 24 h
// each, on `always`) opened Friday 16:00, answered at 17:00, then paused
// at 18:00 while waiting for the customer until Monday 09:00: 63 h.
// Handling was due Sat 16:00 and had 22 h left; on resume it moves by the
// 63 paused hours to Tue 07:00 (= Mon 09:00 + 22 h). Its 80 % warning
// (4h48m left) moves from Sat 11:12 to Tue 02:12; nothing fires while
// paused.
TEST_F(EngineScenarioTest, ComplaintPausedForTheCustomerOverAWeekend) {
  ASSERT_TRUE(Open("C1", "complaint", "2026-01-09 16:00").ok());
  ASSERT_TRUE(Event("C1", "responded", "2026-01-09 17:00").ok());
  EXPECT_EQ(Events(), (Lines{"met response @2026-01-09 17:00 (2026-01-10 16:00)"}));
  ASSERT_TRUE(Simple(Op::kPause, "C1", "2026-01-09 18:00").ok());
  EXPECT_EQ(TargetOf("C1", 1).state, "paused");
  EXPECT_TRUE(AdvanceTo("2026-01-12 08:59").empty());
  EXPECT_EQ(LevelOf("C1"), "agent");
  ASSERT_TRUE(Simple(Op::kResume, "C1", "2026-01-12 09:00").ok());
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(TargetOf("C1", 1).deadline_ms, Cn("2026-01-13 07:00"));
  EXPECT_EQ(TargetOf("C1", 1).remaining_ms, 22 * 3600 * 1000LL);
  EXPECT_EQ(AdvanceTo("2026-01-13 02:12"),
            (Lines{"warning handling @2026-01-13 02:12 (2026-01-13 07:00)"}));
  ASSERT_TRUE(Event("C1", "handled", "2026-01-13 06:00").ok());
  EXPECT_EQ(Events(), (Lines{"met handling @2026-01-13 06:00 (2026-01-13 07:00)"}));
}

// An after-sales request (004 §5.2.2: respond within 2 h; §5.2.3 urgent:
// 1 h, on `always`) opened 10:00 and found urgent at 10:20: 20 min used,
// 40 min left of the urgent hour → due 11:00. Its 80 % warning (12 min
// left) is 10:48, earlier than the normal one (11:36) would have been.
TEST_F(EngineScenarioTest, AfterSalesMadeUrgentMidFlightGetsTheShorterDeadline) {
  ASSERT_TRUE(Open("A1", "after_sales", "2026-03-02 10:00").ok());
  EXPECT_EQ(TargetOf("A1", 0).deadline_ms, Cn("2026-03-02 12:00"));
  ASSERT_TRUE(Priority("A1", "urgent", "2026-03-02 10:20").ok());
  EXPECT_EQ(TargetOf("A1", 0).deadline_ms, Cn("2026-03-02 11:00"));
  EXPECT_EQ(TargetOf("A1", 0).remaining_ms, 40 * 60 * 1000LL);
  ASSERT_TRUE(Event("A1", "responded", "2026-03-02 10:50").ok());
  EXPECT_EQ(Events(), (Lines{"warning response @2026-03-02 10:48 (2026-03-02 11:00)",
                             "met response @2026-03-02 10:50 (2026-03-02 11:00)"}));
}

// The same request found urgent only at 11:10: 70 min used, more than
// the urgent hour. The deadline is where the hour ran out, 11:00, and the
// breach fires at once, dated 11:00; the warnings already passed are not
// sent. The step (0.5 × 1 h) escalates again at 11:30.
TEST_F(EngineScenarioTest, AfterSalesMadeUrgentTooLateBreachesAtOnce) {
  ASSERT_TRUE(Open("A2", "after_sales", "2026-03-02 10:00").ok());
  ASSERT_TRUE(Priority("A2", "urgent", "2026-03-02 11:10").ok());
  EXPECT_EQ(Events(),
            (Lines{"breached response @2026-03-02 11:00 (2026-03-02 11:00)",
                   "escalated response @2026-03-02 11:00 (2026-03-02 11:00) "
                   "agent>supervisor"}));
  EXPECT_EQ(TargetOf("A2", 0).state, "breached");
  EXPECT_EQ(AdvanceTo("2026-03-02 11:30"),
            (Lines{"escalated response @2026-03-02 11:30 (2026-03-02 11:00) "
                   "supervisor>management"}));
}

// A major first contact (001 §2.2: major cases go to management): the
// 15 min response warns at 12 min (80 %) and its breach at 09:15 moves
// the ticket from agent straight to management. The 48 h handling clock
// then breaches Wed 09:00 with no escalation left to emit, and nothing
// more is due.
TEST_F(EngineScenarioTest, MajorTicketGoesStraightToManagement) {
  ASSERT_TRUE(Open("M1", "first_contact", "2026-03-02 09:00", "major").ok());
  EXPECT_EQ(AdvanceTo("2026-03-02 09:15"),
            (Lines{"warning response @2026-03-02 09:12 (2026-03-02 09:15)",
                   "breached response @2026-03-02 09:15 (2026-03-02 09:15)",
                   "escalated response @2026-03-02 09:15 (2026-03-02 09:15) "
                   "agent>management"}));
  EXPECT_EQ(LevelOf("M1"), "management");
  // Handling: 48 h to Wed 09:00; 80 % used (38h24m) is Tue 23:24.
  EXPECT_EQ(AdvanceTo("2026-03-04 09:00"),
            (Lines{"warning handling @2026-03-03 23:24 (2026-03-04 09:00)",
                   "breached handling @2026-03-04 09:00 (2026-03-04 09:00)"}));
  EXPECT_FALSE(engine_->NextDue().has_value());
}

// An after-sales request breached and escalated to the supervisor, then
// made major (001 §2.2: major cases go to management): the breach now asks
// for the top level, so the ticket goes to management at the change, not
// left at supervisor with no step due.
TEST_F(EngineScenarioTest, BreachedTicketMadeMajorGoesToManagementAtOnce) {
  ASSERT_TRUE(Open("A4", "after_sales", "2026-03-02 10:00").ok());
  EXPECT_EQ(AdvanceTo("2026-03-02 12:00"),
            (Lines{"warning response @2026-03-02 11:36 (2026-03-02 12:00)",
                   "breached response @2026-03-02 12:00 (2026-03-02 12:00)",
                   "escalated response @2026-03-02 12:00 (2026-03-02 12:00) "
                   "agent>supervisor"}));
  ASSERT_TRUE(Priority("A4", "major", "2026-03-02 12:10").ok());
  EXPECT_EQ(Events(),
            (Lines{"escalated response @2026-03-02 12:10 (2026-03-02 12:00) "
                   "supervisor>management"}));
  EXPECT_EQ(LevelOf("A4"), "management");
  EXPECT_FALSE(engine_->NextDue().has_value());
}

// An after-sales request breached at 12:00 (normal: the step to management
// is 0.5 x 2 h later, at 13:00) made urgent at 12:40: urgent's step, 0.5 x
// 1 h after the breach, was due at 12:30. It is taken at the change, dated
// 12:40, not sent after it dated 12:30, when the ticket was not urgent.
TEST_F(EngineScenarioTest, BreachedTicketMadeUrgentTakesItsPassedStepAtTheChange) {
  ASSERT_TRUE(Open("A5", "after_sales", "2026-03-02 10:00").ok());
  EXPECT_EQ(AdvanceTo("2026-03-02 12:00").back(),
            "escalated response @2026-03-02 12:00 (2026-03-02 12:00) "
            "agent>supervisor");
  ASSERT_TRUE(Priority("A5", "urgent", "2026-03-02 12:40").ok());
  EXPECT_EQ(Events(),
            (Lines{"escalated response @2026-03-02 12:40 (2026-03-02 12:00) "
                   "supervisor>management"}));
  EXPECT_EQ(AdvanceTo("2026-03-02 14:00"), Lines{});
}

// A resolved after-sales request reopened two days later: `response`
// starts on `reopened`, so a fresh 2 h clock runs from the reopen; a
// response exactly at its deadline is on time. The window is 168 h after
// each resolve: one ms later, reopen is refused.
TEST_F(EngineScenarioTest, ResolvedTicketReopenedRestartsItsClock) {
  ASSERT_TRUE(Open("A3", "after_sales", "2026-03-02 09:00").ok());
  ASSERT_TRUE(Event("A3", "responded", "2026-03-02 09:30").ok());
  ASSERT_TRUE(Simple(Op::kResolve, "A3", "2026-03-02 10:00").ok());
  EXPECT_EQ(engine_->open_tickets(), 0u);
  ASSERT_TRUE(Simple(Op::kReopen, "A3", "2026-03-04 10:00").ok());
  EXPECT_EQ(TargetOf("A3", 0).state, "running");
  EXPECT_EQ(TargetOf("A3", 0).start_ms, Cn("2026-03-04 10:00"));
  EXPECT_EQ(TargetOf("A3", 0).deadline_ms, Cn("2026-03-04 12:00"));
  ASSERT_TRUE(Event("A3", "responded", "2026-03-04 12:00").ok());
  EXPECT_EQ(Events(), (Lines{"warning response @2026-03-04 11:36 (2026-03-04 12:00)",
                             "met response @2026-03-04 12:00 (2026-03-04 12:00)"}));
  ASSERT_TRUE(Simple(Op::kResolve, "A3", "2026-03-04 12:30").ok());
  Command late{.op = Op::kReopen, .at_ms = Cn("2026-03-11 12:30") + 1, .id = "A3"};
  EXPECT_EQ(Do(late).code(), absl::StatusCode::kNotFound);
}

// A return's review starts on `open` only: reopening an approved and
// completed return restarts no clock.
TEST_F(EngineScenarioTest, ReopenedReturnRestartsNoClock) {
  ASSERT_TRUE(Open("R2", "return", "2026-03-02 09:00").ok());
  ASSERT_TRUE(Event("R2", "approved", "2026-03-02 10:00").ok());
  ASSERT_TRUE(Event("R2", "completed", "2026-03-03 10:00").ok());
  ASSERT_TRUE(Simple(Op::kResolve, "R2", "2026-03-03 11:00").ok());
  ASSERT_TRUE(Simple(Op::kReopen, "R2", "2026-03-04 09:00").ok());
  EXPECT_EQ(TargetOf("R2", 0).state, "met");
  EXPECT_EQ(TargetOf("R2", 1).state, "met");
  EXPECT_FALSE(engine_->NextDue().has_value());
}

}  // namespace
}  // namespace slad::engine
