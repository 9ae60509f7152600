// What `get`, `explain`, stats, a priority change and warnings do for a
// clock whose deadline was placed under another budget than the policy's:
// after a policy reload (a new Engine filled through ExportAll -> Restore,
// as SIGHUP and a restart with --policy do), and after a priority change
// that kept a breached deadline. docs/POLICY.md, "Changing the policy of a
// running desk", says what each does; these tests hold it to that.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "gtest/gtest.h"
#include "tests/testing/policy_specs.h"

namespace slad::engine {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
// Monday 2026-01-05 00:00:00 UTC.
constexpr int64_t kT0 = 1'767'571'200'000;

using slad::testing::Target;

// `sales` answers within `within_ms` around the clock (`urgent_ms` when
// urgent); `complaint` is handled within `handle_ms` of office hours,
// Monday to Friday 09:00-17:00 UTC.
Policy MakePolicy(int64_t within_ms, int64_t urgent_ms, int64_t handle_ms) {
  Policy p;
  CalendarSpec always;
  always.always = true;
  CalendarSpec office;
  for (int day = 0; day < 5; ++day) office.weekly[day] = {{9 * 60, 17 * 60}};
  p.calendars.emplace("always", *Calendar::Create(always));
  p.calendars.emplace("office", *Calendar::Create(office));
  KindSpec sales{"sales", "always",
                 {Target("response", {"open", "reopened"}, {"responded"}, within_ms)}};
  sales.targets[0].within_by_priority["urgent"].ms = urgent_ms;
  KindSpec complaint{"complaint", "office",
                     {Target("handle", {"open"}, {"handled"}, handle_ms)}};
  p.kinds.emplace("sales", sales);
  p.kinds.emplace("complaint", complaint);
  p.escalation.step = 0;
  return p;
}

Policy OldPolicy() { return MakePolicy(2 * kHour, kHour, 8 * kHour); }
Policy NewPolicy() { return MakePolicy(4 * kHour, 90 * kMin, 16 * kHour); }

// `p` warning when the shares `warn_at` of a budget are used and
// `warn_before_ms` before a deadline.
Policy Warning(Policy p, std::vector<double> warn_at,
               std::vector<int64_t> warn_before_ms = {}) {
  p.escalation.warn_at = std::move(warn_at);
  for (int64_t ms : warn_before_ms) p.escalation.warn_before.push_back({0, ms});
  return p;
}

class EngineReloadTest : public ::testing::Test {
 protected:
  void SetUp() override { engine_ = std::move(*Engine::Create(OldPolicy(), kT0)); }

  // What the daemon does on SIGHUP: every ticket and stats cell moves into
  // an engine of the new policy.
  void Reload(Policy policy) {
    auto next = std::move(*Engine::CreateAfter(std::move(policy), *engine_));
    engine_->ExportAll([&](TicketRecord&& r) {
      const absl::Status s = next->Restore(std::move(r));
      ASSERT_TRUE(s.ok()) << s;
    });
    engine_->ExportAllStats([&](StatsCellRecord&& c) {
      ASSERT_TRUE(next->RestoreStats(std::move(c)).ok());
    });
    next->ForgetPredecessor();
    engine_ = std::move(next);
  }

  absl::Status Do(Command c) {
    fx_.Clear();
    return engine_->Apply(c, &fx_);
  }
  void Open(absl::string_view id, absl::string_view kind, int64_t at) {
    ASSERT_TRUE(Do(Command{.op = Op::kOpen, .at_ms = at, .id = id, .kind = kind}).ok());
  }
  void Simple(Op op, absl::string_view id, int64_t at) {
    const absl::Status s = Do(Command{.op = op, .at_ms = at, .id = id});
    ASSERT_TRUE(s.ok()) << s;
  }
  void SetPriority(absl::string_view id, absl::string_view priority, int64_t at) {
    Command c{.op = Op::kPriority, .at_ms = at, .id = id};
    c.priority = priority;
    const absl::Status s = Do(c);
    ASSERT_TRUE(s.ok()) << s;
  }
  void AdvanceTo(int64_t at) {
    fx_.Clear();
    engine_->Advance(at, &fx_);
  }
  TargetView Get(absl::string_view id) {
    absl::StatusOr<TicketView> v = engine_->Get(id);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? v->targets.at(0) : TargetView{};
  }
  // The explanation, checked to add up: counted == budget.
  Explanation Explain(absl::string_view id, absl::string_view target) {
    absl::StatusOr<Explanation> e = engine_->Explain(id, target);
    EXPECT_TRUE(e.ok()) << e.status();
    if (!e.ok()) return {};
    int64_t counted = 0;
    for (const auto& [begin, end] : e->counted) counted += end - begin;
    EXPECT_EQ(counted, e->budget_ms) << "counted intervals do not add up";
    return *e;
  }
  // "type @minutes-from-kT0" of the last call's events.
  std::vector<std::string> Events() const {
    static const char* kNames[] = {"warning", "breached", "escalated", "met", "met_late"};
    std::vector<std::string> out;
    for (const Event& e : fx_.events) {
      out.push_back(std::string(kNames[static_cast<int>(e.type)]) + " @" +
                    std::to_string((e.at_ms - kT0) / kMin));
    }
    return out;
  }

  // "id type @minutes-from-kT0" of what fires up to `at`.
  std::vector<std::string> Fired(int64_t at) {
    AdvanceTo(at);
    std::vector<std::string> out = Events();
    for (size_t i = 0; i < out.size(); ++i) out[i] = fx_.events[i].id + " " + out[i];
    return out;
  }

  std::unique_ptr<Engine> engine_;
  Effects fx_;
};

using Lines = std::vector<std::string>;
using Intervals = std::vector<std::pair<int64_t, int64_t>>;

// Opened under within = 2h, reloaded under 4h: the deadline stays where it
// was placed, and get/explain report the 2 h it gives, not 4 h (which once
// showed 3 h elapsed after 1 h).
// A target a reload added leaves the tickets already open with a clock
// that never starts (its start event has passed). Reloading back to the
// policy without it was refused as a target "some ticket still uses"; a
// clock that never ran holds nothing, so it is dropped. A clock that ran
// still refuses the policy.
TEST_F(EngineReloadTest, ATargetThatNeverStartedMayBeDropped) {
  auto with_followup = [] {
    Policy p = OldPolicy();
    p.kinds.at("sales").targets.push_back(
        Target("followup", {"escalated_by_phone"}, {"called"}, kHour));
    return p;
  };
  Open("A", "sales", kT0);
  Reload(with_followup());
  ASSERT_EQ(engine_->Get("A")->targets.size(), 2u);
  EXPECT_EQ(engine_->Get("A")->targets[1].state, "pending");
  Reload(OldPolicy());
  ASSERT_EQ(engine_->Get("A")->targets.size(), 1u);
  EXPECT_EQ(engine_->Get("A")->targets[0].name, "response");

  // One whose follow-up ran cannot move to a policy without it.
  Reload(with_followup());
  Open("B", "sales", kT0 + kMin);
  ASSERT_TRUE(Do(Command{.op = Op::kEvent, .at_ms = kT0 + 2 * kMin, .id = "B",
                         .name = "escalated_by_phone"}).ok());
  auto next = std::move(*Engine::CreateAfter(OldPolicy(), *engine_));
  absl::Status refused = absl::OkStatus();
  engine_->ExportAll([&](TicketRecord&& r) {
    const absl::Status s = next->Restore(std::move(r));
    if (!s.ok()) refused = s;
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("followup"), std::string::npos) << refused;
}

TEST_F(EngineReloadTest, GetAndExplainReportTheBudgetTheDeadlineGives) {
  Open("S", "sales", kT0);
  AdvanceTo(kT0 + 30 * kMin);
  Reload(NewPolicy());
  AdvanceTo(kT0 + kHour);
  TargetView tv = Get("S");
  EXPECT_EQ(tv.deadline_ms, kT0 + 2 * kHour);
  EXPECT_EQ(tv.elapsed_ms, kHour);
  EXPECT_EQ(tv.remaining_ms, kHour);
  Explanation e = Explain("S", "response");
  EXPECT_EQ(e.budget_ms, 2 * kHour);
  EXPECT_EQ(e.counted, (Intervals{{kT0, kT0 + 2 * kHour}}));

  // A clock started after the reload gets the new policy's 4 h.
  Open("N", "sales", kT0 + kHour);
  EXPECT_EQ(Get("N").deadline_ms, kT0 + 5 * kHour);
  EXPECT_EQ(Explain("N", "response").budget_ms, 4 * kHour);

  // It breaches at the old deadline; past it, elapsed is still the real
  // time and the budget still 2 h.
  AdvanceTo(kT0 + 3 * kHour);
  EXPECT_EQ(Events(), (Lines{"breached @120", "escalated @120"}));
  tv = Get("S");
  EXPECT_EQ(tv.elapsed_ms, 3 * kHour);
  EXPECT_EQ(tv.remaining_ms, -kHour);
  e = Explain("S", "response");
  EXPECT_EQ(e.budget_ms, 2 * kHour);
  EXPECT_EQ(e.counted, (Intervals{{kT0, kT0 + 2 * kHour}}));
}

// The same on office hours: business time, not wall-clock time. Opened
// Friday 16:00 with 8 h: due Monday 16:00 (1 h Friday, 7 h Monday).
TEST_F(EngineReloadTest, BusinessTimeOnTheKindsCalendar) {
  const int64_t friday = kT0 + 4 * kDay, monday = kT0 + 7 * kDay;
  AdvanceTo(friday);
  Open("C", "complaint", friday + 16 * kHour);
  AdvanceTo(friday + 20 * kHour);
  Reload(NewPolicy());  // 16 h
  AdvanceTo(monday + 10 * kHour);
  const TargetView tv = Get("C");
  EXPECT_EQ(tv.deadline_ms, monday + 16 * kHour);
  EXPECT_EQ(tv.elapsed_ms, 2 * kHour);  // Friday 16-17, Monday 09-10
  EXPECT_EQ(tv.remaining_ms, 6 * kHour);
  const Explanation e = Explain("C", "handle");
  EXPECT_EQ(e.budget_ms, 8 * kHour);
  EXPECT_EQ(e.counted, (Intervals{{friday + 16 * kHour, friday + 17 * kHour},
                                  {monday + 9 * kHour, monday + 16 * kHour}}));
}

// A pause that began before the reload and ended after it: the log
// travels with the ticket, so the pause is still taken out.
TEST_F(EngineReloadTest, APauseAcrossTheReloadIsStillTakenOut) {
  Open("S", "sales", kT0);
  Simple(Op::kPause, "S", kT0 + 20 * kMin);
  AdvanceTo(kT0 + 30 * kMin);
  Reload(NewPolicy());
  AdvanceTo(kT0 + 40 * kMin);
  TargetView tv = Get("S");  // paused: counts up to the pause
  EXPECT_EQ(tv.state, "paused");
  EXPECT_EQ(tv.elapsed_ms, 20 * kMin);
  EXPECT_EQ(tv.remaining_ms, 100 * kMin);
  Explanation e = Explain("S", "response");
  EXPECT_EQ(e.budget_ms, 2 * kHour);
  // The pause running has not moved the deadline yet: not taken out.
  EXPECT_EQ(e.counted, (Intervals{{kT0, kT0 + 2 * kHour}}));
  ASSERT_EQ(e.pauses.size(), 1u);
  EXPECT_EQ(e.pauses[0].to_ms, 0);

  Simple(Op::kResume, "S", kT0 + 50 * kMin);
  AdvanceTo(kT0 + 90 * kMin);
  tv = Get("S");
  EXPECT_EQ(tv.deadline_ms, kT0 + 150 * kMin);
  EXPECT_EQ(tv.elapsed_ms, kHour);
  EXPECT_EQ(tv.remaining_ms, kHour);
  e = Explain("S", "response");
  EXPECT_EQ(e.budget_ms, 2 * kHour);
  EXPECT_EQ(e.counted, (Intervals{{kT0, kT0 + 20 * kMin},
                                  {kT0 + 50 * kMin, kT0 + 150 * kMin}}));
  ASSERT_EQ(e.pauses.size(), 1u);
  EXPECT_EQ(e.pauses[0].business_ms, 30 * kMin);
}

// A priority change after the reload keeps the business time used (1 h,
// not the new 4 h less the 1 h left) and places the deadline from the
// start with the new policy's duration for the new priority: urgent is
// 90 min now, so 30 min are left.
TEST_F(EngineReloadTest, APriorityChangeAfterTheReloadKeepsTheTimeUsed) {
  Open("S", "sales", kT0);
  Open("T", "sales", kT0);
  AdvanceTo(kT0 + 10 * kMin);
  Reload(NewPolicy());
  SetPriority("S", "urgent", kT0 + kHour);
  EXPECT_EQ(Events(), Lines{}) << "no breach: 30 min are left";
  TargetView tv = Get("S");
  EXPECT_EQ(tv.deadline_ms, kT0 + 90 * kMin);
  EXPECT_EQ(tv.elapsed_ms, kHour);
  EXPECT_EQ(tv.remaining_ms, 30 * kMin);
  Explanation e = Explain("S", "response");
  EXPECT_EQ(e.budget_ms, 90 * kMin);
  ASSERT_EQ(e.priority_changes.size(), 1u);
  EXPECT_EQ(e.priority_changes[0].to, "urgent");

  // Back to normal: the new policy's 4 h from the start.
  SetPriority("T", "normal", kT0 + kHour);
  EXPECT_EQ(Get("T").deadline_ms, kT0 + 4 * kHour);
  EXPECT_EQ(Explain("T", "response").budget_ms, 4 * kHour);

  AdvanceTo(kT0 + 90 * kMin);
  EXPECT_EQ(Events(), (Lines{"breached @90", "escalated @90"}));
}

// Stats count the business time a clock ran, not the new budget less what
// was left.
TEST_F(EngineReloadTest, StatsCountTheTimeTheClockRan) {
  Open("S", "sales", kT0);
  AdvanceTo(kT0 + 10 * kMin);
  Reload(NewPolicy());
  ASSERT_TRUE(Do(Command{.op = Op::kEvent, .at_ms = kT0 + kHour, .id = "S",
                         .name = "responded"}).ok());
  EXPECT_EQ(Get("S").elapsed_ms, kHour);
  const absl::StatusOr<StatsTable> table = engine_->Stats(
      Command{.op = Op::kStats, .from_ms = kT0, .to_ms = kT0 + kDay});
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0].met, 1u);
  EXPECT_EQ(table->rows[0].mean_stop_ms, kHour);
}

// A policy without a kind shows none of its stats; one that has it again
// shows them whole, as a restart (which reads them from the store) would.
TEST_F(EngineReloadTest, StatsOfAKindDroppedAndBroughtBackComeBack) {
  Open("S", "sales", kT0);
  Simple(Op::kResolve, "S", kT0 + kMin);
  AdvanceTo(kT0 + 8 * kDay);  // past the reopen window: S is forgotten
  const Command by_kind{.op = Op::kStats, .from_ms = kT0, .to_ms = kT0 + kDay};
  Policy without = OldPolicy();
  without.kinds.erase("sales");
  Reload(std::move(without));
  ASSERT_TRUE(engine_->Stats(by_kind).ok());
  EXPECT_TRUE(engine_->Stats(by_kind)->rows.empty());
  Reload(OldPolicy());
  const absl::StatusOr<StatsTable> table = engine_->Stats(by_kind);
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0].group, "sales");
  EXPECT_EQ(table->rows[0].met, 1u);
  EXPECT_EQ(table->rows[0].resolved, 1u);
}

// A target breached under 2 h, reloaded under 4 h, then paused (its first
// log entry) and met: it ran 3 h 10 min, not the new budget plus the
// overrun (the time used is counted from the log, its deadline no longer
// giving the policy's budget).
TEST_F(EngineReloadTest, ABreachedClockReloadedThenPausedCountsItsTime) {
  Open("S", "sales", kT0);
  AdvanceTo(kT0 + 3 * kHour);
  Reload(NewPolicy());
  Simple(Op::kPause, "S", kT0 + 3 * kHour);
  Simple(Op::kResume, "S", kT0 + 3 * kHour + 10 * kMin);
  ASSERT_TRUE(Do(Command{.op = Op::kEvent, .at_ms = kT0 + 3 * kHour + 20 * kMin,
                         .id = "S", .name = "responded"}).ok());
  const absl::StatusOr<StatsTable> table = engine_->Stats(
      Command{.op = Op::kStats, .from_ms = kT0, .to_ms = kT0 + kDay});
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0].met_late, 1u);
  EXPECT_EQ(table->rows[0].mean_stop_ms, 3 * kHour + 10 * kMin);
}

// A restart restores tickets in id order (the store's), numbering slots
// anew, so a cursor's key names no position any more: here B keeps its
// slot, but C and A swap theirs, and the next page would repeat C and
// never show A. The daemon gives each engine its own cursor epoch, and a
// cursor of another is refused, with a message that says to start again.
TEST_F(EngineReloadTest, ACursorFromBeforeARestartIsRefused) {
  engine_->set_cursor_epoch(7);
  Open("C", "sales", kT0);
  Open("B", "sales", kT0);
  Open("A", "sales", kT0);
  AdvanceTo(kT0 + 3 * kHour);
  OverduePage page;
  std::string cursor;
  std::vector<std::string> seen;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(engine_->Overdue(Command{.op = Op::kOverdue, .limit = 1, .cursor = cursor},
                                 &page).ok());
    ASSERT_EQ(page.items.size(), 1u);
    seen.emplace_back(page.items[0].id);
    cursor = page.next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"C", "B"}));
  std::vector<TicketRecord> records;
  engine_->ExportAll([&](TicketRecord&& r) { records.push_back(std::move(r)); });
  std::sort(records.begin(), records.end(),
            [](const TicketRecord& a, const TicketRecord& b) { return a.id < b.id; });
  auto restarted = std::move(*Engine::CreateAfter(OldPolicy(), *engine_));
  for (TicketRecord& r : records) ASSERT_TRUE(restarted->Restore(std::move(r)).ok());
  engine_ = std::move(restarted);
  engine_->set_cursor_epoch(8);
  const absl::Status after =
      engine_->Overdue(Command{.op = Op::kOverdue, .limit = 1, .cursor = cursor}, &page);
  EXPECT_TRUE(absl::IsInvalidArgument(after)) << after;
  EXPECT_NE(after.message().find("restart"), std::string::npos) << after;
  // A cursor of an older slad, ending in a ticket id, is refused the same way.
  const std::string old = cursor.substr(0, cursor.rfind('.')) + ".B";
  EXPECT_NE(engine_->Overdue(Command{.op = Op::kOverdue, .cursor = old}, &page)
                .message()
                .find("restart"),
            std::string::npos)
      << old;
}

// Without a reload: a breached target keeps its deadline through a
// priority change, so its budget is the old priority's 2 h, not urgent's
// 1 h (get once said 2 h elapsed after 3 h).
TEST_F(EngineReloadTest, ABreachedTargetKeepsItsBudgetThroughAPriorityChange) {
  Open("S", "sales", kT0);
  AdvanceTo(kT0 + 3 * kHour);
  SetPriority("S", "urgent", kT0 + 3 * kHour);
  const TargetView tv = Get("S");
  EXPECT_EQ(tv.deadline_ms, kT0 + 2 * kHour);
  EXPECT_EQ(tv.elapsed_ms, 3 * kHour);
  EXPECT_EQ(tv.remaining_ms, -kHour);
  EXPECT_EQ(Explain("S", "response").budget_ms, 2 * kHour);
}

// A priority change in a pause whose clock had already run past the new
// budget: the breach is a fact at once, dated where the clock ran out
// (POLICY.md), not left for the resume to date inside the pause. A later
// change keeps that deadline, as for any breached clock, and the time
// used (74 min) is still all counted.
TEST_F(EngineReloadTest, APausedClockPastItsNewBudgetBreachesAtOnce) {
  Open("S", "sales", kT0);
  Simple(Op::kPause, "S", kT0 + 74 * kMin);
  SetPriority("S", "urgent", kT0 + 2 * kHour);
  EXPECT_EQ(Events(), (Lines{"breached @60", "escalated @60"}));
  TargetView tv = Get("S");
  EXPECT_EQ(tv.deadline_ms, kT0 + kHour);
  EXPECT_TRUE(tv.breached);
  EXPECT_TRUE(tv.paused);
  SetPriority("S", "normal", kT0 + 3 * kHour);
  tv = Get("S");
  EXPECT_EQ(tv.deadline_ms, kT0 + kHour);
  EXPECT_EQ(tv.elapsed_ms, 74 * kMin);
  EXPECT_EQ(tv.remaining_ms, -14 * kMin);
  // Resumed, the clock runs on from its 14 min past: the deadline moves by
  // the pause, as every deadline does.
  Simple(Op::kResume, "S", kT0 + 4 * kHour);
  tv = Get("S");
  EXPECT_EQ(tv.deadline_ms, kT0 + 4 * kHour - 14 * kMin);
  EXPECT_EQ(tv.remaining_ms, -14 * kMin);
}

// A clock that ran out exactly at a closing time: a priority change past
// it places the deadline at that closing time, where Add() would have put
// it (Mon 17:00), not at the next opening (Tue 09:00).
TEST_F(EngineReloadTest, ABudgetUsedUpAtClosingTimeRanOutThere) {
  Policy p = OldPolicy();
  p.kinds.at("complaint").targets[0].within.ms = 16 * kHour;
  p.kinds.at("complaint").targets[0].within_by_priority["urgent"].ms = 8 * kHour;
  engine_ = std::move(*Engine::Create(std::move(p), kT0));
  Open("C", "complaint", kT0 + 9 * kHour);  // Mon 09:00
  SetPriority("C", "urgent", kT0 + kDay + 15 * kHour);  // Tue 15:00: 14 h used
  EXPECT_EQ(Events(), (Lines{"breached @1020", "escalated @1020"}));
  const TargetView tv = Get("C");
  EXPECT_EQ(tv.deadline_ms, kT0 + 17 * kHour);
  EXPECT_EQ(tv.remaining_ms, -6 * kHour);
}

// A clock stopped while paused, the pause then ended at that same instant:
// the pause never moved its deadline, so it counts as run time, as in the
// remaining time; stats leave it out. The budget adds up all the same.
TEST_F(EngineReloadTest, AClockStoppedInAPauseStillAddsUp) {
  Open("S", "sales", kT0);
  Simple(Op::kPause, "S", kT0 + 10 * kMin);
  ASSERT_TRUE(Do(Command{.op = Op::kEvent, .at_ms = kT0 + 30 * kMin, .id = "S",
                         .name = "responded"}).ok());
  Simple(Op::kResume, "S", kT0 + 30 * kMin);
  Simple(Op::kPause, "S", kT0 + 30 * kMin);
  const TargetView tv = Get("S");
  EXPECT_EQ(tv.state, "met");
  EXPECT_FALSE(tv.paused);
  EXPECT_EQ(tv.deadline_ms, kT0 + 2 * kHour);
  EXPECT_EQ(tv.elapsed_ms, 30 * kMin);
  EXPECT_EQ(tv.remaining_ms, 90 * kMin);
  EXPECT_EQ(Explain("S", "response").budget_ms, 2 * kHour);
  const absl::StatusOr<StatsTable> table = engine_->Stats(
      Command{.op = Op::kStats, .from_ms = kT0, .to_ms = kT0 + kDay});
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->rows.at(0).mean_stop_ms, 10 * kMin);
}

// A ticket resolved while paused: its pause never ended (nothing resumed
// it), so it moved no deadline and counts for no clock restarted by a
// reopen; the budget still adds up for both clocks.
TEST_F(EngineReloadTest, APauseAResolveStoppedCountsForNoRestartedClock) {
  Open("S", "sales", kT0);
  Simple(Op::kPause, "S", kT0 + 10 * kMin);
  Simple(Op::kResolve, "S", kT0 + 20 * kMin);
  TargetView tv = Get("S");
  EXPECT_EQ(tv.elapsed_ms + tv.remaining_ms, 2 * kHour);
  EXPECT_EQ(Explain("S", "response").budget_ms, 2 * kHour);
  Simple(Op::kReopen, "S", kT0 + 30 * kMin);
  AdvanceTo(kT0 + kHour);
  tv = Get("S");
  EXPECT_EQ(tv.elapsed_ms, 30 * kMin);
  EXPECT_EQ(tv.remaining_ms, 90 * kMin);
  const Explanation e = Explain("S", "response");
  EXPECT_EQ(e.budget_ms, 2 * kHour);
  EXPECT_EQ(e.counted, (Intervals{{kT0 + 30 * kMin, kT0 + 150 * kMin}}));
}

// --- Warnings after a reload: at the points of the budget the deadline
// gives, never dated before the reload, never twice.

// The reproduction: 2 h reloaded under 4 h with warn_at = 0.5, 30 min in.
// The new 4 h put the half-way warning 2 h before the old deadline, at the
// start, sent on the next tick dated in the past. The 2 h the deadline
// gives put it at 1 h, where it always was.
TEST_F(EngineReloadTest, AWarningComesWhereTheOldDeadlinePutsIt) {
  engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}), kT0));
  Open("S", "sales", kT0);
  AdvanceTo(kT0 + 30 * kMin);
  Reload(Warning(NewPolicy(), {0.5}));
  EXPECT_EQ(Fired(kT0 + 31 * kMin), Lines{}) << "nothing dated before the reload";
  Open("N", "sales", kT0 + 40 * kMin);  // the new 4 h: half-way at 2 h 40
  EXPECT_EQ(Fired(kT0 + 59 * kMin), Lines{});
  EXPECT_EQ(Fired(kT0 + 60 * kMin), Lines{"S warning @60"});
  EXPECT_EQ(Fired(kT0 + 5 * kHour),
            (Lines{"S breached @120", "S escalated @120", "N warning @160",
                   "N breached @280", "N escalated @280"}));
}

// Reloaded just after the warning was sent (and exactly at it): it is not
// sent again; the breach follows at the old deadline.
TEST_F(EngineReloadTest, AWarningSentBeforeTheReloadIsNotRepeated) {
  for (const int64_t reload_min : {60, 61, 90}) {
    SCOPED_TRACE(reload_min);
    engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}), kT0));
    Open("S", "sales", kT0);
    EXPECT_EQ(Fired(kT0 + reload_min * kMin), Lines{"S warning @60"});
    Reload(Warning(NewPolicy(), {0.5}));
    EXPECT_EQ(Fired(kT0 + 3 * kHour), (Lines{"S breached @120", "S escalated @120"}));
  }
}

// A reload that changes only the list of warnings (same within): those of the new list already passed count as sent, so one
// sent under the old list is not sent again, and one the new list adds
// ahead is sent when due (the count used to be the old list's: [0.8] ->
// [0.5, 0.8] sent the 0.8 one twice).
TEST_F(EngineReloadTest, ANewListOfWarningsNeitherRepeatsNorSendsLate) {
  engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.8}), kT0));
  Open("S", "sales", kT0);  // 2 h: 0.8 at 96 min
  EXPECT_EQ(Fired(kT0 + 100 * kMin), Lines{"S warning @96"});
  Reload(Warning(OldPolicy(), {0.5, 0.8}));
  EXPECT_EQ(Fired(kT0 + 119 * kMin), Lines{}) << "neither 0.5 late nor 0.8 again";
  Reload(Warning(OldPolicy(), {0.8, 0.9}));  // at 119 min: 0.9 (108) passed too
  EXPECT_EQ(Fired(kT0 + 3 * kHour), (Lines{"S breached @120", "S escalated @120"}));

  engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}), kT0));
  Open("T", "sales", kT0);
  EXPECT_EQ(Fired(kT0 + 70 * kMin), Lines{"T warning @60"});
  Reload(Warning(OldPolicy(), {0.25, 0.5, 0.9}));
  EXPECT_EQ(Fired(kT0 + 3 * kHour),
            (Lines{"T warning @108", "T breached @120", "T escalated @120"}));
}

// Reloaded at the very instant of a warning under a list with a point
// before it: sent already (an `advance` to the instant fires it), it is
// not sent again; not sent yet (a command at the instant leaves it
// waiting), it comes after the reload. The record's count (1 of [0.25,
// 0.5]) once read as "the first point of the new list" and sent the 0.5
// one again.
TEST_F(EngineReloadTest, AWarningAtTheReloadInstantIsSentOnce) {
  for (const bool fired_first : {true, false}) {
    SCOPED_TRACE(fired_first);
    engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.25, 0.5}), kT0));
    Open("S", "sales", kT0);  // 2 h: 30 and 60 min
    if (fired_first) {
      EXPECT_EQ(Fired(kT0 + 60 * kMin), (Lines{"S warning @30", "S warning @60"}));
    } else {
      EXPECT_EQ(Fired(kT0 + 59 * kMin), Lines{"S warning @30"});
      Open("N", "complaint", kT0 + 60 * kMin);  // the clock at 60, the wheel before it
    }
    Reload(Warning(OldPolicy(), {0.1, 0.25, 0.5}));
    const Lines after = Fired(kT0 + 3 * kHour);
    const Lines expected = fired_first
        ? Lines{"S breached @120", "S escalated @120"}
        : Lines{"S warning @60", "S breached @120", "S escalated @120"};
    EXPECT_EQ(after, expected);
  }
}

// A clock paused at the very instant its warning fired, then reloaded
// under the same policy: the warning is not sent again on resume (the
// recount took only the points before the pause as passed). Paused at
// that instant with the warning not fired first, a reload changes
// nothing to what follows either.
TEST_F(EngineReloadTest, AWarningAtThePauseInstantIsNotRepeatedByAReload) {
  for (const bool fired_first : {true, false}) {
    SCOPED_TRACE(fired_first);
    std::vector<Lines> runs;
    for (const bool reload : {false, true}) {
      engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}), kT0));
      Open("S", "sales", kT0);
      Lines lines = Fired(kT0 + (fired_first ? 60 : 59) * kMin);
      Simple(Op::kPause, "S", kT0 + 60 * kMin);
      for (const std::string& e : Events()) lines.push_back("S " + e);
      if (reload) Reload(Warning(OldPolicy(), {0.5}));
      Simple(Op::kResume, "S", kT0 + 90 * kMin);
      for (const std::string& e : Events()) lines.push_back("S " + e);
      for (const std::string& e : Fired(kT0 + 4 * kHour)) lines.push_back(e);
      runs.push_back(lines);
    }
    EXPECT_EQ(runs[1], runs[0]);
    EXPECT_EQ(std::count(runs[1].begin(), runs[1].end(), "S warning @60") +
                  std::count(runs[1].begin(), runs[1].end(), "S warning @90"),
              1);
  }
}

// Shortened, 4 h to 2 h: the old deadline stays at 4 h and its 4 h budget
// places the warning at 2 h, not 1 h before the deadline (3 h).
TEST_F(EngineReloadTest, AShortenedWithinKeepsTheOldDeadlinesWarnings) {
  const Policy old_policy = MakePolicy(4 * kHour, 2 * kHour, 8 * kHour);
  engine_ = std::move(*Engine::Create(Warning(old_policy, {0.5, 0.75}), kT0));
  Open("S", "sales", kT0);
  EXPECT_EQ(Fired(kT0 + 150 * kMin), Lines{"S warning @120"});
  Reload(Warning(OldPolicy(), {0.5, 0.75}));  // within 2h
  Open("N", "sales", kT0 + 155 * kMin);       // the new 2 h: 60 and 90 min in
  EXPECT_EQ(Fired(kT0 + 5 * kHour),
            (Lines{"S warning @180", "N warning @215", "S breached @240",
                   "S escalated @240", "N warning @245", "N breached @275",
                   "N escalated @275"}));
}

// warn_before across the reload: 3 h before a deadline the 2 h clock
// never had (the new 4 h has), 30 min before it at 90 min. The new list put
// the first at the clock's start, in the past.
TEST_F(EngineReloadTest, WarnBeforeCountsBackFromTheOldDeadline) {
  engine_ = std::move(
      *Engine::Create(Warning(OldPolicy(), {}, {3 * kHour, 30 * kMin}), kT0));
  Open("S", "sales", kT0);
  AdvanceTo(kT0 + 10 * kMin);
  Reload(Warning(NewPolicy(), {}, {3 * kHour, 30 * kMin}));
  EXPECT_EQ(Fired(kT0 + 11 * kMin), Lines{});
  EXPECT_EQ(Fired(kT0 + 2 * kHour),
            (Lines{"S warning @90", "S breached @120", "S escalated @120"}));
  EXPECT_EQ(Get("S").deadline_ms, kT0 + 2 * kHour);
}

// The same on office hours, where both count business time: 8 h opened
// Friday 16:00 are due Monday 16:00 (1 h Friday, 7 h Monday), reloaded
// under 16 h. Half of the 8 h is used Monday 12:00 (minute 10800 from
// kT0) and 2 h before the deadline is 14:00 (10920). Half of 16 h, 8 h
// before the deadline, would have been the start, in the past.
TEST_F(EngineReloadTest, WarningsOnOfficeHoursCountBusinessTime) {
  const int64_t friday = kT0 + 4 * kDay, monday = kT0 + 7 * kDay;
  engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}, {2 * kHour}), kT0));
  AdvanceTo(friday);
  Open("C", "complaint", friday + 16 * kHour);
  AdvanceTo(friday + 20 * kHour);
  Reload(Warning(NewPolicy(), {0.5}, {2 * kHour}));  // 16 h
  EXPECT_EQ(Fired(friday + 21 * kHour), Lines{});
  // Half of 8 h: Friday 16-17 and Monday 09-12. Then 2 h before 16:00.
  EXPECT_EQ(Fired(monday + 12 * kHour - 1), Lines{});
  EXPECT_EQ(Fired(monday + 12 * kHour), Lines{"C warning @10800"});
  EXPECT_EQ(Fired(monday + 14 * kHour), Lines{"C warning @10920"});
}

// A clock paused across the reload: its budget (2 h) is the deadline's
// less the pause, and nothing fired while it was paused, so the warning
// that fell in the pause's time comes when the clock has run its hour.
TEST_F(EngineReloadTest, APausedClockWarnsWhenItHasRunItsShare) {
  engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}), kT0));
  Open("S", "sales", kT0);
  Simple(Op::kPause, "S", kT0 + 20 * kMin);
  AdvanceTo(kT0 + 70 * kMin);
  Reload(Warning(NewPolicy(), {0.5}));
  EXPECT_EQ(Fired(kT0 + 80 * kMin), Lines{});
  Simple(Op::kResume, "S", kT0 + 80 * kMin);  // deadline 3 h: 1 h paused
  EXPECT_EQ(Fired(kT0 + 3 * kHour),
            (Lines{"S warning @120", "S breached @180", "S escalated @180"}));
}

// The reload changed the warning list too: the points the 2 h deadline
// gives under the new list, those passed by the reload counted as sent.
// Here 0.5 was sent under the old list; the new one has only 0.8, which
// has not passed: it is sent at 96 min, not skipped for the count of 1.
TEST_F(EngineReloadTest, AChangedWarningListSendsWhatItsPointsSay) {
  engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}), kT0));
  Open("S", "sales", kT0);
  EXPECT_EQ(Fired(kT0 + 70 * kMin), Lines{"S warning @60"});
  Reload(Warning(NewPolicy(), {0.8}));
  EXPECT_EQ(Fired(kT0 + 2 * kHour),
            (Lines{"S warning @96", "S breached @120", "S escalated @120"}));
  // A list that gained a point already passed (0.25 at 30 min) sends it
  // never: nothing is dated before the reload.
  engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}), kT0));
  Open("T", "sales", kT0);
  AdvanceTo(kT0 + 40 * kMin);
  Reload(Warning(NewPolicy(), {0.25, 0.5}));
  EXPECT_EQ(Fired(kT0 + 2 * kHour),
            (Lines{"T warning @60", "T breached @120", "T escalated @120"}));
}

// A priority change after the reload places the deadline with the new
// policy's budget, and the warnings go back to its points: urgent's 90 min
// with warn_at 0.5 warn at 45 min, passed when made urgent at 50 min.
TEST_F(EngineReloadTest, APriorityChangeGivesBackThePolicysWarningPoints) {
  engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5, 0.9}), kT0));
  Open("S", "sales", kT0);
  AdvanceTo(kT0 + 10 * kMin);
  Reload(Warning(NewPolicy(), {0.5, 0.9}));
  SetPriority("S", "urgent", kT0 + 50 * kMin);
  EXPECT_EQ(Fired(kT0 + 2 * kHour),
            (Lines{"S warning @81", "S breached @90", "S escalated @90"}));
}

// A restart (the same policy restored at the same instant) sends exactly
// what running on would have, for clocks placed under the policy in force
// and under the one before it alike: at every restart, including the very
// instant a warning falls due.
TEST_F(EngineReloadTest, ARestartWithoutAPolicyChangeSendsTheSame) {
  // S, P (paused 20-100 min) and C (office hours, Monday 09:00-17:00)
  // placed under 2 h and 8 h, N under the new 4 h.
  const auto run = [&](const std::vector<int64_t>& restarts_min) {
    const auto old_policy = [] { return Warning(OldPolicy(), {0.5, 0.75}, {10 * kMin}); };
    const auto new_policy = [] { return Warning(NewPolicy(), {0.5, 0.75}, {10 * kMin}); };
    engine_ = std::move(*Engine::Create(old_policy(), kT0));
    Open("S", "sales", kT0);
    Open("P", "sales", kT0);
    Open("C", "complaint", kT0);
    Simple(Op::kPause, "P", kT0 + 20 * kMin);
    AdvanceTo(kT0 + 30 * kMin);
    Reload(new_policy());
    Open("N", "sales", kT0 + 40 * kMin);
    Lines sent;
    for (int64_t m = 41; m <= 20 * 60; ++m) {
      if (m == 100) Simple(Op::kResume, "P", kT0 + m * kMin);
      for (std::string& line : Fired(kT0 + m * kMin)) sent.push_back(std::move(line));
      if (std::find(restarts_min.begin(), restarts_min.end(), m) != restarts_min.end()) {
        Reload(new_policy());
      }
    }
    return sent;
  };
  const Lines straight = run({});
  EXPECT_EQ(straight,
            (Lines{"S warning @60", "S warning @90", "S warning @110",
                   "S breached @120", "S escalated @120", "P warning @140",
                   "N warning @160", "P warning @170", "P warning @190",
                   "P breached @200", "P escalated @200", "N warning @220",
                   "N warning @270", "N breached @280", "N escalated @280",
                   "C warning @780", "C warning @900", "C warning @1010",
                   "C breached @1020", "C escalated @1020"}));
  EXPECT_EQ(run({45, 60, 61, 90, 100, 101, 110, 140, 170, 200, 220, 600, 780, 1010}),
            straight);
}

// A restart under another policy, 40 min after the last commit: the
// warning due while the daemon was down is sent late, dated at its
// threshold, as it is for a clock placed under the policy in force.
TEST_F(EngineReloadTest, ARestartSendsTheWarningsDueWhileItWasDown) {
  engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}), kT0));
  Open("S", "sales", kT0);
  Open("T", "sales", kT0 + 25 * kMin);
  EXPECT_EQ(Fired(kT0 + 30 * kMin), Lines{});
  auto restarted =
      std::move(*Engine::Create(Warning(NewPolicy(), {0.5}), kT0 + 70 * kMin));
  restarted->set_records_clock(kT0 + 30 * kMin);
  engine_->ExportAll([&](TicketRecord&& r) {
    ASSERT_TRUE(restarted->Restore(std::move(r)).ok());
  });
  engine_ = std::move(restarted);
  EXPECT_EQ(Fired(kT0 + 70 * kMin), Lines{"S warning @60"});
  EXPECT_EQ(Fired(kT0 + 3 * kHour),
            (Lines{"T warning @85", "S breached @120", "S escalated @120",
                   "T breached @145", "T escalated @145"}));
}

// A restart under a policy that changes both `within` and the warning
// list, into an engine whose clock starts at zero (the daemon's manual
// clock) or at the restart: the new list's thresholds before the last
// commit count as sent, as a reload's do before the reload; none is sent
// dated before the restart.
TEST_F(EngineReloadTest, ARestartUnderANewListSendsNothingDatedBeforeTheLastCommit) {
  for (const int64_t created_ms : {int64_t{0}, kT0 + 70 * kMin}) {
    SCOPED_TRACE(created_ms);
    engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}), kT0));
    Open("S", "sales", kT0);  // 2 h: warns at 60 min
    EXPECT_EQ(Fired(kT0 + 40 * kMin), Lines{});
    auto restarted =
        std::move(*Engine::Create(Warning(NewPolicy(), {0.25, 0.75}), created_ms));
    restarted->set_records_clock(kT0 + 40 * kMin);
    engine_->ExportAll([&](TicketRecord&& r) {
      ASSERT_TRUE(restarted->Restore(std::move(r)).ok());
    });
    engine_ = std::move(restarted);
    // The placed 2 h under [0.25, 0.75]: 30 min (before the commit) and 90.
    EXPECT_EQ(Fired(kT0 + 70 * kMin), Lines{});
    EXPECT_EQ(Fired(kT0 + 3 * kHour),
              (Lines{"S warning @90", "S breached @120", "S escalated @120"}));
  }
}

// A recovery that restores into an engine whose clock starts at zero and
// then advances to the last commit's instant (the daemon's manual clock
// does) cannot tell what passed at the restore: it keeps the count, and
// sends nothing twice.
TEST_F(EngineReloadTest, ARestoreBehindTheClocksStartKeepsTheCount) {
  engine_ = std::move(*Engine::Create(Warning(OldPolicy(), {0.5}), kT0));
  Open("S", "sales", kT0);
  AdvanceTo(kT0 + 30 * kMin);
  Reload(Warning(NewPolicy(), {0.5}));
  EXPECT_EQ(Fired(kT0 + 70 * kMin), Lines{"S warning @60"});
  auto recovered = std::move(*Engine::Create(Warning(NewPolicy(), {0.5}), 0));
  engine_->ExportAll([&](TicketRecord&& r) {
    ASSERT_TRUE(recovered->Restore(std::move(r)).ok());
  });
  engine_ = std::move(recovered);
  EXPECT_EQ(Fired(kT0 + 70 * kMin), Lines{});
  EXPECT_EQ(Fired(kT0 + 3 * kHour), (Lines{"S breached @120", "S escalated @120"}));
}

}  // namespace
}  // namespace slad::engine
