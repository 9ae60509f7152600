#include "engine/engine.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/policy_specs.h"
#include "tests/testing/seed.h"

namespace slad::engine {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
// Monday 2026-01-05 00:00:00 UTC.
constexpr int64_t kMonday = 1'767'571'200'000;

CalendarSpec Always() {
  CalendarSpec spec;
  spec.always = true;
  return spec;
}

// Monday to Friday, 09:00-17:00 UTC.
CalendarSpec Office() {
  CalendarSpec spec;
  for (int day = 0; day < 5; ++day) spec.weekly[day] = {{9 * 60, 17 * 60}};
  return spec;
}

using slad::testing::Target;

Policy TestPolicy() {
  Policy p;
  p.calendars.emplace("always", *Calendar::Create(Always()));
  p.calendars.emplace("office", *Calendar::Create(Office()));
  KindSpec after_sales{"after_sales", "always",
                       {Target("response", {"open", "reopened"}, {"responded"},
                               2 * kHour)}};
  after_sales.targets[0].within_by_priority["urgent"].ms = kHour;
  KindSpec ret{"return", "office",
               {Target("review", {"open"}, {"approved", "rejected"}, 16 * kHour),
                Target("complete", {"approved"}, {"completed"}, 24 * kHour)}};
  KindSpec complaint{"complaint", "office",
                     {Target("handle", {"open"}, {"handled"}, 8 * kHour)}};
  p.kinds.emplace("after_sales", after_sales);
  p.kinds.emplace("return", ret);
  p.kinds.emplace("complaint", complaint);
  p.escalation.warn_at = {0.8};
  p.escalation.step = 0.5;
  p.escalation.major = {"major"};
  return p;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = Engine::Create(TestPolicy(), kMonday);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
  }

  absl::Status Do(Command cmd) {
    effects_.Clear();
    return engine_->Apply(cmd, &effects_);
  }
  absl::Status Open(absl::string_view id, absl::string_view kind, int64_t at,
                    std::optional<absl::string_view> priority = std::nullopt,
                    std::optional<absl::string_view> team = std::nullopt) {
    Command c{.op = Op::kOpen, .at_ms = at, .id = id, .kind = kind};
    c.priority = priority;
    c.team = team;
    return Do(c);
  }
  absl::Status Event(absl::string_view id, absl::string_view name, int64_t at) {
    return Do(Command{.op = Op::kEvent, .at_ms = at, .id = id, .name = name});
  }
  absl::Status Simple(Op op, absl::string_view id, int64_t at) {
    return Do(Command{.op = op, .at_ms = at, .id = id});
  }
  std::vector<std::string> AdvanceTo(int64_t at) {
    effects_.Clear();
    engine_->Advance(at, &effects_);
    return Events();
  }
  // "type target @offset-from-Monday-in-minutes", and from>to for escalations.
  std::vector<std::string> Events() const {
    static const char* kNames[] = {"warning", "breached", "escalated", "met",
                                   "met_late"};
    std::vector<std::string> out;
    for (const engine::Event& e : effects_.events) {
      std::string s = std::string(kNames[static_cast<int>(e.type)]) + " " +
                      e.id + "/" + std::string(e.target) + " @" +
                      std::to_string((e.at_ms - kMonday) / kMin) + "m";
      if (e.type == EventType::kEscalated) {
        s += " " + std::string(e.from) + ">" + std::string(e.to);
      }
      out.push_back(s);
    }
    return out;
  }
  TargetView TargetOf(absl::string_view id, size_t i) {
    absl::StatusOr<TicketView> v = engine_->Get(id);
    EXPECT_TRUE(v.ok()) << v.status();
    return v->targets.at(i);
  }

  std::unique_ptr<Engine> engine_;
  Effects effects_;
};

using Lines = std::vector<std::string>;

// --- ApplyBatch: the same as Apply on each command in turn.

// What one command did, in full, for comparing the two ways of applying.
std::string Outcome(const absl::Status& status, const Effects& e) {
  std::string s = status.ToString() + " count=" + std::to_string(e.count) +
                  " cmd=[" + std::to_string(e.command_begin) + "," +
                  std::to_string(e.command_end) + ") events_begin=" +
                  std::to_string(e.events_begin) + " changed:";
  for (const std::string& id : e.changed) s += " " + id;
  for (const engine::Event& ev : e.events) {
    s += " | " + std::to_string(static_cast<int>(ev.type)) + " " + ev.id + "/" +
         std::string(ev.target) + "@" + std::to_string(ev.at_ms) + " d" +
         std::to_string(ev.deadline_ms) + " " + std::string(ev.from) + ">" +
         std::string(ev.to);
  }
  return s;
}

// Random commands over a few dozen ids, most valid, some refused (unknown
// ids, wrong states, a step back in time, a query), with the clock moving
// by minutes to hours so that warnings, breaches and escalations fire
// inside batches. `ids` keeps the id texts the commands view.
std::vector<Command> RandomCommands(uint64_t seed, size_t count,
                                    std::vector<std::string>* ids) {
  testing::SplitMix64 rng(seed);
  static const char* const kKinds[] = {"after_sales", "return", "complaint"};
  static const char* const kEvents[] = {"responded", "approved", "completed",
                                        "handled", "rejected"};
  static const char* const kPriorities[] = {"low", "normal", "urgent", "major"};
  static const char* const kTeams[] = {"east", "west"};
  for (int i = 0; i < 40; ++i) ids->push_back("T-" + std::to_string(i));
  std::vector<Command> cmds;
  int64_t at = kMonday;
  for (size_t i = 0; i < count; ++i) {
    if (rng.OneIn(3)) at += static_cast<int64_t>(rng.Below(90)) * kMin;
    Command c{.at_ms = rng.OneIn(200) ? at - kMin : at};
    c.id = (*ids)[rng.Below(ids->size())];
    switch (rng.Below(14)) {
      case 0: case 1: case 2:
        c.op = Op::kOpen;
        c.kind = kKinds[rng.Below(3)];
        if (rng.OneIn(2)) c.priority = kPriorities[rng.Below(4)];
        c.team = kTeams[rng.Below(2)];
        break;
      case 3: case 4: c.op = Op::kEvent; c.name = kEvents[rng.Below(5)]; break;
      case 5: c.op = Op::kPause; break;
      case 6: c.op = Op::kResume; break;
      case 7: c.op = Op::kPriority; c.priority = kPriorities[rng.Below(4)]; break;
      case 8: c.op = Op::kAssign; c.team = kTeams[rng.Below(2)]; break;
      case 9: c.op = Op::kEscalate; c.level = rng.OneIn(2) ? "supervisor" : "management"; break;
      case 10: c.op = Op::kResolve; break;
      case 11: c.op = Op::kReopen; break;
      case 12: c.op = Op::kRate; c.score = static_cast<int>(rng.Below(6)); break;
      default:
        c.op = rng.OneIn(8) ? Op::kGet : (rng.OneIn(2) ? Op::kPauseAll : Op::kResumeAll);
        c.filter.team = kTeams[rng.Below(2)];
        break;
    }
    cmds.push_back(c);
  }
  return cmds;
}

// Every open ticket's record and both index queries, in a canonical text.
std::string Snapshot(Engine& engine) {
  std::vector<std::string> records;
  engine.ExportAll([&](TicketRecord&& r) {
    std::string s = r.id + " " + r.priority + " " + r.team + " " + r.level +
                    (r.paused ? " paused" : "") + " log" + std::to_string(r.log.size());
    for (const TargetRecord& t : r.targets) {
      s += " [" + t.name + " " + std::to_string(t.state) + " " +
           std::to_string(t.deadline_ms) + " " + std::to_string(t.mark_ms) + " w" +
           std::to_string(t.warned) + " s" + std::to_string(t.steps) +
           (t.breached ? " b" : "") + "]";
    }
    records.push_back(std::move(s));
  });
  std::sort(records.begin(), records.end());
  std::string s;
  for (const std::string& r : records) s += r + "\n";
  OverduePage overdue;
  EXPECT_TRUE(engine.Overdue(Command{.op = Op::kOverdue, .limit = 1000}, &overdue).ok());
  for (const OverdueItem& i : overdue.items) {
    s += "overdue " + std::string(i.id) + "/" + std::string(i.target) + "\n";
  }
  DueSoonPage due;
  EXPECT_TRUE(engine.DueSoon(Command{.op = Op::kDueSoon, .within_ms = 1000 * kHour,
                                     .limit = 1000}, &due).ok());
  for (const DueItem& i : due.items) {
    s += "due " + std::string(i.id) + "/" + std::string(i.target) + "\n";
  }
  return s;
}

TEST(EngineBatchTest, BatchAppliesExactlyAsOneCommandAtATime) {
  for (uint64_t seed : testing::PropertySeeds(1, 20)) {
    SCOPED_TRACE("SLAD_TEST_SEED=" + std::to_string(seed));
    std::vector<std::string> ids;
    const std::vector<Command> cmds = RandomCommands(seed, 3000, &ids);
    auto one = Engine::Create(TestPolicy(), kMonday);
    auto batched = Engine::Create(TestPolicy(), kMonday);
    ASSERT_TRUE(one.ok() && batched.ok());
    Effects effects;
    std::vector<std::string> want;
    for (const Command& c : cmds) {
      effects.Clear();
      const absl::Status status = (*one)->Apply(c, &effects);
      want.push_back(Outcome(status, effects));
    }
    testing::SplitMix64 sizes(seed + 1000);
    std::vector<std::string> got;
    effects.Clear();
    for (size_t i = 0; i < cmds.size();) {
      const size_t n = std::min<size_t>(cmds.size() - i, 1 + sizes.Below(40));
      (*batched)->ApplyBatch(absl::Span<const Command>(cmds).subspan(i, n), &effects,
                             [&](size_t, const absl::Status& status) {
                               got.push_back(Outcome(status, effects));
                               effects.Clear();
                             });
      i += n;
    }
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(got[i], want[i]) << "command " << i;
    }
    EXPECT_EQ(Snapshot(**batched), Snapshot(**one));
  }
}

// Prefetch hints only read: interleaved with the commands, on the ids
// they name, ids nobody has and garbage, they change no outcome. (What
// they are for, speed, is measured, not tested; under the sanitizer build
// this also checks that no hint reads out of bounds.)
TEST(EngineBatchTest, PrefetchHintsChangeNothing) {
  for (uint64_t seed : testing::PropertySeeds(1, 5)) {
    SCOPED_TRACE("SLAD_TEST_SEED=" + std::to_string(seed));
    std::vector<std::string> ids;
    const std::vector<Command> cmds = RandomCommands(seed, 2000, &ids);
    auto plain = Engine::Create(TestPolicy(), kMonday);
    auto hinted = Engine::Create(TestPolicy(), kMonday);
    ASSERT_TRUE(plain.ok() && hinted.ok());
    testing::SplitMix64 rng(seed + 7);
    const std::string junk[] = {"", "nobody", std::string(300, 'x'),
                                std::string("\0a", 2)};
    Effects a, b;
    for (size_t i = 0; i < cmds.size(); ++i) {
      for (size_t ahead = 1; ahead <= 8 && i + ahead < cmds.size(); ++ahead) {
        const Engine::Hint hint =
            rng.OneIn(2) ? Engine::Hint::kProbe : Engine::Hint::kRecord;
        (*hinted)->Prefetch(rng.OneIn(4) ? absl::string_view(junk[rng.Below(4)])
                                         : cmds[i + ahead].id,
                            hint);
      }
      a.Clear();
      b.Clear();
      const absl::Status sa = (*plain)->Apply(cmds[i], &a);
      const absl::Status sb = (*hinted)->Apply(cmds[i], &b);
      ASSERT_EQ(Outcome(sb, b), Outcome(sa, a)) << "command " << i;
    }
    EXPECT_EQ(Snapshot(**hinted), Snapshot(**plain));
  }
}

// Recovery hands records over in chunks; one that cannot be restored
// stops the chunk there, with its error, and what came before is in.
TEST(EngineBatchTest, RestoreBatchStopsAtTheFirstRefusedRecord) {
  for (uint64_t seed : testing::PropertySeeds(1, 5)) {
    SCOPED_TRACE("SLAD_TEST_SEED=" + std::to_string(seed));
    std::vector<std::string> ids;
    auto source = Engine::Create(TestPolicy(), kMonday);
    ASSERT_TRUE(source.ok());
    Effects effects;
    for (const Command& c : RandomCommands(seed, 2000, &ids)) {
      (void)(*source)->Apply(c, &effects);
    }
    std::vector<TicketRecord> records;
    (*source)->ExportAll([&](TicketRecord&& r) { records.push_back(std::move(r)); });
    ASSERT_GT(records.size(), 20u);  // well past the prefetch distance
    const size_t bad = records.size() / 2;
    std::vector<TicketRecord> batch = records;
    batch.insert(batch.begin() + bad, records[3]);  // already restored: refused

    auto one = Engine::Create(TestPolicy(), (*source)->now_ms());
    auto batched = Engine::Create(TestPolicy(), (*source)->now_ms());
    ASSERT_TRUE(one.ok() && batched.ok());
    for (size_t i = 0; i < bad; ++i) {
      ASSERT_TRUE((*one)->Restore(TicketRecord(records[i])).ok());
    }
    const absl::Status s = (*batched)->RestoreBatch(absl::MakeSpan(batch));
    EXPECT_TRUE(absl::IsAlreadyExists(s)) << s;
    EXPECT_EQ(Snapshot(**batched), Snapshot(**one));
  }
}

// What a batch's caller needs to write a command's events around its
// reply, as the daemon does one request at a time.
// A deadline the calendars cannot place (past 2200-01-01, the end of the
// supported instants) is "never": it reads as that end and nothing falls
// due for it. Its warning points, counted back from the stand-in, fired
// at the opening and again after every resume (a probe's report).
TEST_F(EngineTest, ADeadlinePastTheCalendarsNeverFallsDue) {
  const int64_t start = Calendar::kMaxMs - kHour;  // a 2h target: past it
  // B's target the calendars can still place: it warns and breaches.
  ASSERT_TRUE(Open("B", "after_sales", start - 2 * kHour).ok());
  ASSERT_TRUE(Open("A", "after_sales", start).ok());
  EXPECT_EQ(TargetOf("A", 0).deadline_ms, Calendar::kMaxMs);
  ASSERT_TRUE(Do(Command{.op = Op::kPause, .at_ms = start + kMin, .id = "A",
                         .reason = "customer"}).ok());
  ASSERT_TRUE(Simple(Op::kResume, "A", start + 2 * kMin).ok());
  for (const engine::Event& e : effects_.events) EXPECT_NE(e.id, "A");
  effects_.Clear();
  engine_->Advance(Calendar::kMaxMs - 1, &effects_);
  for (const engine::Event& e : effects_.events) EXPECT_NE(e.id, "A");
  OverduePage page;
  Command overdue{.op = Op::kOverdue, .at_ms = Calendar::kMaxMs - 1};
  overdue.limit = 10;
  ASSERT_TRUE(engine_->Overdue(overdue, &page).ok());
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, "B");
  EXPECT_EQ(TargetOf("A", 0).deadline_ms, Calendar::kMaxMs);
  EXPECT_FALSE(TargetOf("A", 0).breached);
}

// A priority change that breaches a paused clock dates the breach where
// the clock ran out; a step the clock had also run past before its pause
// is as much a fact, so it goes out at the change too, dated where the
// clock passed it. It waited for the resume, dated inside the pause, and
// never came while the ticket stayed paused (a probe's report).
TEST_F(EngineTest, AStepPassedBeforeAPauseGoesOutWithTheBreach) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());  // response 2h
  ASSERT_TRUE(Do(Command{.op = Op::kPause, .at_ms = kMonday + 100 * kMin,
                         .id = "A", .reason = "customer"}).ok());
  // Urgent: 1h, so the clock (100 min used) ran out at 60 and its first
  // step (0.5 x 1h) came at 90, both before the pause at 100.
  ASSERT_TRUE(Do(Command{.op = Op::kPriority, .at_ms = kMonday + 200 * kMin,
                         .id = "A", .priority = "urgent"}).ok());
  std::vector<std::string> escalations;
  for (const std::string& e : Events()) {
    if (e.rfind("escalated", 0) == 0) escalations.push_back(e);
  }
  EXPECT_EQ(escalations, (Lines{"escalated A/response @60m agent>supervisor",
                                "escalated A/response @90m supervisor>management"}));
  ASSERT_TRUE(Simple(Op::kResume, "A", kMonday + 300 * kMin).ok());
  EXPECT_EQ(Events(), Lines{});
  EXPECT_EQ(engine_->Get("A")->level, "management");
}

// Deadlines at a command's instant fire once time moves past it, after
// every command at that instant: a stop exactly at the deadline is on
// time whatever other commands share the millisecond. The first command
// at T used to fire every deadline at T, so the second ticket answered at
// T was breached (a probe's report, with pauses and pause_all too).
TEST_F(EngineTest, StopsAtTheirDeadlinesInstantAreOnTimeInAnyOrder) {
  const int64_t t = kMonday + 2 * kHour;  // after_sales responds within 2h
  for (const char* id : {"V1", "V2", "V3", "V4"}) {
    ASSERT_TRUE(Open(id, "after_sales", kMonday).ok());
  }
  AdvanceTo(t - 1);  // the warnings
  ASSERT_TRUE(Event("V1", "responded", t).ok());
  EXPECT_EQ(Events(), (Lines{"met V1/response @120m"}));
  ASSERT_TRUE(Event("V2", "responded", t).ok());
  EXPECT_EQ(Events(), (Lines{"met V2/response @120m"}));
  ASSERT_TRUE(Do(Command{.op = Op::kPause, .at_ms = t, .id = "V3", .reason = "x"}).ok());
  EXPECT_EQ(Events(), Lines{});
  EXPECT_FALSE(TargetOf("V3", 0).breached);
  // V4, which nothing stopped, breaches at T once time moves on.
  EXPECT_EQ(AdvanceTo(t + 1), (Lines{"breached V4/response @120m",
                                     "escalated V4/response @120m agent>supervisor"}));
  EXPECT_FALSE(TargetOf("V3", 0).breached);
}

TEST_F(EngineTest, EventsBeginSplitsWhatFellDueBeforeTheCommand) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  ASSERT_TRUE(Open("B", "after_sales", kMonday + kMin).ok());
  // A's response breaches at +2h, before B is answered at +2h 1m.
  ASSERT_TRUE(Event("B", "responded", kMonday + 2 * kHour + kMin).ok());
  const Lines all = Events();
  const Lines before(all.begin(), all.begin() + effects_.events_begin);
  const Lines after(all.begin() + effects_.events_begin, all.end());
  EXPECT_EQ(before, (Lines{"warning A/response @96m", "warning B/response @97m",
                           "breached A/response @120m",
                           "escalated A/response @120m agent>supervisor"}));
  EXPECT_EQ(after, (Lines{"met B/response @121m"}));
}

TEST_F(EngineTest, EmptyBatchDoesNothing) {
  bool called = false;
  engine_->ApplyBatch({}, &effects_, [&](size_t, const absl::Status&) { called = true; });
  EXPECT_FALSE(called);
  EXPECT_TRUE(effects_.events.empty());
}

TEST_F(EngineTest, BreachFiresAtDeadlineAndEscalatesOneLevel) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  EXPECT_EQ(AdvanceTo(kMonday + 2 * kHour - 1),
            (Lines{"warning A/response @96m"}));
  EXPECT_EQ(AdvanceTo(kMonday + 2 * kHour),
            (Lines{"breached A/response @120m",
                    "escalated A/response @120m agent>supervisor"}));
  EXPECT_EQ(engine_->Get("A")->level, "supervisor");
}

TEST_F(EngineTest, StopExactlyAtDeadlineIsMetOnTime) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  ASSERT_TRUE(Event("A", "responded", kMonday + 2 * kHour).ok());
  EXPECT_EQ(Events(), (Lines{"warning A/response @96m", "met A/response @120m"}));
  EXPECT_EQ(TargetOf("A", 0).state, "met");
}

TEST_F(EngineTest, StopAfterBreachIsMetLateAndLeavesOverdue) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  AdvanceTo(kMonday + 3 * kHour);
  OverduePage page;
  ASSERT_TRUE(engine_->Overdue(Command{.op = Op::kOverdue}, &page).ok());
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].overdue_ms, kHour);
  ASSERT_TRUE(Event("A", "responded", kMonday + 3 * kHour).ok());
  EXPECT_EQ(Events(), (Lines{"met_late A/response @180m"}));
  ASSERT_TRUE(engine_->Overdue(Command{.op = Op::kOverdue}, &page).ok());
  EXPECT_TRUE(page.items.empty());
}

TEST_F(EngineTest, EscalatesAgainAfterEachStepUpToTheTop) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  AdvanceTo(kMonday + 2 * kHour);
  // step 0.5 x 2 h = 1 h after the breach: management, then nothing more.
  EXPECT_TRUE(AdvanceTo(kMonday + 3 * kHour - 1).empty());
  EXPECT_EQ(AdvanceTo(kMonday + 3 * kHour),
            (Lines{"escalated A/response @180m supervisor>management"}));
  EXPECT_TRUE(AdvanceTo(kMonday + 100 * kHour).empty());
  EXPECT_FALSE(engine_->NextDue().has_value());
}

TEST_F(EngineTest, MajorBreachGoesStraightToTheTop) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday, "major").ok());
  EXPECT_EQ(AdvanceTo(kMonday + 1 * kHour + 36 * kMin),
            (Lines{"warning A/response @96m"}));
  EXPECT_EQ(engine_->NextDue(), kMonday + 2 * kHour);
  EXPECT_EQ(AdvanceTo(kMonday + 2 * kHour),
            (Lines{"breached A/response @120m",
                    "escalated A/response @120m agent>management"}));
}

TEST_F(EngineTest, PauseMovesTheDeadlineByExactlyThePausedBusinessTime) {
  // Complaint on office hours, 8 business hours: opened Monday 09:00,
  // due Monday 17:00. Paused 12:00-Tuesday 10:00: 5 h + 1 h of business.
  ASSERT_TRUE(Open("C", "complaint", kMonday + 9 * kHour).ok());
  EXPECT_EQ(TargetOf("C", 0).deadline_ms, kMonday + 17 * kHour);
  ASSERT_TRUE(Simple(Op::kPause, "C", kMonday + 12 * kHour).ok());
  EXPECT_EQ(TargetOf("C", 0).state, "paused");
  EXPECT_TRUE(AdvanceTo(kMonday + 34 * kHour).empty());  // Tuesday 10:00
  ASSERT_TRUE(Simple(Op::kResume, "C", kMonday + 34 * kHour).ok());
  // 5 h left from Tuesday 10:00: Tuesday 15:00.
  EXPECT_EQ(TargetOf("C", 0).deadline_ms, kMonday + 24 * kHour + 15 * kHour);
  EXPECT_EQ(TargetOf("C", 0).remaining_ms, 5 * kHour);
}

TEST_F(EngineTest, ApprovalStopsReviewAndStartsCompletion) {
  ASSERT_TRUE(Open("R", "return", kMonday + 9 * kHour).ok());
  ASSERT_TRUE(Event("R", "approved", kMonday + 10 * kHour).ok());
  EXPECT_EQ(Events(), (Lines{"met R/review @600m"}));
  const TargetView complete = TargetOf("R", 1);
  EXPECT_EQ(complete.state, "running");
  EXPECT_EQ(complete.start_ms, kMonday + 10 * kHour);
  // 24 business hours (3 office days) from Monday 10:00: Thursday 10:00.
  EXPECT_EQ(complete.deadline_ms, kMonday + 3 * 24 * kHour + 10 * kHour);
}

TEST_F(EngineTest, PriorityChangeKeepsElapsedTime) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  Command c{.op = Op::kPriority, .at_ms = kMonday + 30 * kMin, .id = "A"};
  c.priority = "urgent";
  ASSERT_TRUE(Do(c).ok());
  // 30 min used of the urgent hour: 30 min left.
  EXPECT_EQ(TargetOf("A", 0).deadline_ms, kMonday + kHour);
}

TEST_F(EngineTest, PriorityChangeIntoThePastBreachesAtOnce) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  Command c{.op = Op::kPriority, .at_ms = kMonday + 90 * kMin, .id = "A"};
  c.priority = "urgent";
  ASSERT_TRUE(Do(c).ok());
  // 90 min used of the urgent hour: the deadline was minute 60, so the
  // breach fires at once. The 30-min step after it falls at the change's
  // own instant: like anything due at a command's instant, it fires once
  // time moves on, after every command at that instant.
  EXPECT_EQ(Events(), (Lines{"breached A/response @60m",
                              "escalated A/response @60m agent>supervisor"}));
  EXPECT_EQ(AdvanceTo(kMonday + 90 * kMin),
            (Lines{"escalated A/response @90m supervisor>management"}));
  EXPECT_EQ(TargetOf("A", 0).state, "breached");
  EXPECT_EQ(TargetOf("A", 0).deadline_ms, kMonday + kHour);
}

// A priority change after a pause was resumed uses the budget up where
// the clock ran before the pause: the breach and the steps it had passed
// are dated there (the statistics' hour too), not in the moved time the
// pause left, which lies inside the pause. The deadline stays moved by
// the pause, as a resume moves a breached one.
TEST_F(EngineTest, APriorityChangeAfterAResumeDatesTheBreachWhereTheClockRanOut) {
  for (const char* id : {"A", "B"}) ASSERT_TRUE(Open(id, "after_sales", kMonday).ok());
  for (const char* id : {"A", "B"}) {
    ASSERT_TRUE(Simple(Op::kPause, id, kMonday + 100 * kMin).ok());
  }
  for (const char* id : {"A", "B"}) {
    ASSERT_TRUE(Simple(Op::kResume, id, kMonday + 180 * kMin).ok());
  }
  Command c{.op = Op::kPriority, .at_ms = kMonday + 190 * kMin, .id = "A"};
  c.priority = "urgent";  // 110 min used of one hour
  ASSERT_TRUE(Do(c).ok());
  EXPECT_EQ(Events(), (Lines{"breached A/response @60m",
                              "escalated A/response @60m agent>supervisor",
                              "escalated A/response @90m supervisor>management"}));
  ASSERT_EQ(effects_.events.size(), 3u);
  EXPECT_EQ(effects_.events[0].deadline_ms, kMonday + kHour);
  EXPECT_EQ(TargetOf("A", 0).deadline_ms, kMonday + 140 * kMin);  // 50 min overdue
  Command q{.op = Op::kStats, .from_ms = kMonday + kHour, .to_ms = kMonday + 90 * kMin};
  absl::StatusOr<StatsTable> hour = engine_->Stats(q);
  ASSERT_TRUE(hour.ok());
  ASSERT_EQ(hour->rows.size(), 1u);
  EXPECT_EQ(hour->rows[0].breached, 1u);

  // The same while paused again, a pause resumed before: both dated where
  // the clock passed them, before the first pause.
  ASSERT_TRUE(Simple(Op::kPause, "B", kMonday + 190 * kMin).ok());
  Command b{.op = Op::kPriority, .at_ms = kMonday + 200 * kMin, .id = "B"};
  b.priority = "urgent";
  ASSERT_TRUE(Do(b).ok());
  EXPECT_EQ(Events(), (Lines{"breached B/response @60m",
                              "escalated B/response @60m agent>supervisor",
                              "escalated B/response @90m supervisor>management"}));
}

// A pause at a deadline's very instant comes before it (as any command at
// that instant does): the breach comes when the clock runs again, at the
// resume, and so does a step whose instant a pause began at.
TEST_F(EngineTest, APauseAtADeadlinesInstantMovesTheBreachToTheResume) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());  // due 2 h
  ASSERT_TRUE(Simple(Op::kPause, "A", kMonday + 2 * kHour).ok());
  ASSERT_TRUE(Simple(Op::kResume, "A", kMonday + 3 * kHour).ok());
  EXPECT_EQ(AdvanceTo(kMonday + 3 * kHour + 30 * kMin),
            (Lines{"breached A/response @180m", "escalated A/response @180m agent>supervisor"}));
  ASSERT_TRUE(Simple(Op::kPause, "A", kMonday + 4 * kHour).ok());  // the step's instant
  ASSERT_TRUE(Simple(Op::kResume, "A", kMonday + 5 * kHour).ok());
  EXPECT_EQ(AdvanceTo(kMonday + 5 * kHour + kMin),
            (Lines{"escalated A/response @300m supervisor>management"}));
}

// A budget used up after the fact is dated as if the new priority had held
// from the start: ticket A opens `normal` (8 h) and turns `urgent` (1 h)
// after a random schedule of pauses on office hours, ticket B is `urgent`
// from its opening and goes through the same pauses live. Every breach and
// step B saw before the change, A's catch-up sends with the same instant,
// deadline and levels; on a half-hour grid, so that pauses often begin or
// end exactly where a deadline or a step falls. Half the runs change the
// priority while paused again.
TEST(EngineCatchUpTest, APriorityChangeDatesWhatItUsesUpAsALiveClockWould) {
  Policy p;
  p.calendars.emplace("office", *Calendar::Create(Office()));
  KindSpec kind{"c", "office", {Target("t", {"open"}, {"done"}, 8 * kHour)}};
  kind.targets[0].within_by_priority["urgent"].ms = kHour;
  p.kinds.emplace("c", kind);
  p.escalation.levels = {"agent", "l1", "l2", "l3", "top"};
  p.escalation.step = 0.5;
  constexpr int64_t kGrid = 30 * kMin;
  int with_events = 0;
  for (uint64_t seed : testing::PropertySeeds(1, 300)) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    testing::SplitMix64 rng(seed);
    std::unique_ptr<Engine> engine = *Engine::Create(p, kMonday);
    Effects effects;
    std::vector<Event> events;
    std::string schedule;  // printed on failure
    auto run = [&](Command c) {
      absl::StrAppend(&schedule, " ", c.id, ":", static_cast<int>(c.op), "@",
                      (c.at_ms - kMonday) / kMin, "m");
      effects.Clear();
      ASSERT_TRUE(engine->Apply(c, &effects).ok()) << static_cast<int>(c.op);
      events.insert(events.end(), effects.events.begin(), effects.events.end());
    };
    int64_t at = kMonday + 9 * kHour + static_cast<int64_t>(rng.Below(16)) * kGrid;
    const int64_t opened = at;
    Command a{.op = Op::kOpen, .at_ms = at, .id = "A", .kind = "c"};
    Command b{.op = Op::kOpen, .at_ms = at, .id = "B", .kind = "c"};
    b.priority = "urgent";
    run(a);
    run(b);
    // Pauses, running no more than 7 h in all: A's own 8 h never runs out.
    const int pauses = 1 + static_cast<int>(rng.Below(4));
    for (int i = 0; i < pauses; ++i) {
      at += (1 + static_cast<int64_t>(rng.Below(4))) * kGrid;
      for (const char* id : {"A", "B"}) {
        run(Command{.op = Op::kPause, .at_ms = at, .id = id, .reason = "customer"});
      }
      at += (1 + static_cast<int64_t>(rng.Below(40))) * kGrid;
      for (const char* id : {"A", "B"}) run(Command{.op = Op::kResume, .at_ms = at, .id = id});
    }
    at += (1 + static_cast<int64_t>(rng.Below(3))) * kGrid;
    int64_t ref = at;  // up to where A's clock has run at the change
    if (rng.OneIn(2)) {
      for (const char* id : {"A", "B"}) {
        run(Command{.op = Op::kPause, .at_ms = at, .id = id, .reason = "customer"});
      }
      at += (1 + static_cast<int64_t>(rng.Below(3))) * kGrid;
    }
    ASSERT_LT(engine->Get("A")->targets[0].elapsed_ms, 7 * kHour + 1) << "a longer schedule";
    Command urgent{.op = Op::kPriority, .at_ms = at, .id = "A"};
    urgent.priority = "urgent";
    run(urgent);
    auto describe = [&](absl::string_view id) {
      std::vector<std::string> out;
      for (const Event& e : events) {
        if (e.id != id || e.type == EventType::kWarning || e.at_ms >= ref) continue;
        out.push_back(absl::StrCat(static_cast<int>(e.type), " @", (e.at_ms - opened) / kMin,
                                   "m d", (e.deadline_ms - opened) / kMin, "m ", e.from,
                                   ">", e.to));
      }
      return out;
    };
    const std::vector<std::string> live = describe("B");
    with_events += !live.empty();
    EXPECT_EQ(describe("A"), live) << "opened @" << (opened - kMonday) / kMin
                                   << "m, commands (op@minutes from Monday 00:00):"
                                   << schedule;
  }
  EXPECT_GT(with_events, 100);  // most runs breach and step before the change
}

TEST_F(EngineTest, ResolvedTicketStaysReadableAndCanBeReopened) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  ASSERT_TRUE(Simple(Op::kResolve, "A", kMonday + kMin).ok());
  EXPECT_EQ(Events(), (Lines{"met A/response @1m"}));
  EXPECT_EQ(engine_->open_tickets(), 0u);
  EXPECT_EQ(engine_->Get("A")->resolved_ms, kMonday + kMin);
  EXPECT_EQ(Event("A", "responded", kMonday + 2 * kMin).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Simple(Op::kReopen, "A", kMonday + kHour).ok());
  EXPECT_EQ(TargetOf("A", 0).state, "running");
  EXPECT_EQ(TargetOf("A", 0).deadline_ms, kMonday + 3 * kHour);
}

TEST_F(EngineTest, ReopenAfterTheWindowIsRefused) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  ASSERT_TRUE(Simple(Op::kResolve, "A", kMonday).ok());
  const int64_t late = kMonday + 7 * 24 * kHour + 1;
  EXPECT_EQ(Simple(Op::kReopen, "A", late).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->Get("A").status().code(), absl::StatusCode::kNotFound);
}

constexpr int64_t kWindow = 7 * 24 * kHour;  // the policy's reopen window

// A query at the first instant past the window finds the ticket gone, as
// a reopen, a rating or an open of its id at that instant do (a query
// once moved the engine only to the instant before, and `get` still
// showed it for that millisecond).
TEST_F(EngineTest, AQueryPastTheWindowFindsTheTicketGone) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  ASSERT_TRUE(Simple(Op::kResolve, "A", kMonday).ok());
  Effects fx;
  engine_->AdvanceBefore(kMonday + kWindow, &fx);
  EXPECT_TRUE(engine_->Get("A").ok()) << "the window's last instant";
  engine_->AdvanceBefore(kMonday + kWindow + 1, &fx);
  EXPECT_EQ(engine_->Get("A").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->resolved_tickets(), 0u);
}

TEST_F(EngineTest, AResolveAfterAReopenStartsANewWindow) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  ASSERT_TRUE(Open("B", "after_sales", kMonday).ok());
  ASSERT_TRUE(Simple(Op::kResolve, "A", kMonday).ok());
  ASSERT_TRUE(Simple(Op::kReopen, "A", kMonday + kHour).ok());
  ASSERT_TRUE(Simple(Op::kResolve, "B", kMonday + kHour).ok());  // A's old place
  ASSERT_TRUE(Simple(Op::kResolve, "A", kMonday + 2 * kHour).ok());
  AdvanceTo(kMonday + kHour + kWindow + 1);  // past B's window, not A's second
  EXPECT_EQ(effects_.changed, (std::vector<std::string>{"B"}));
  EXPECT_EQ(engine_->Get("B").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(engine_->Get("A").ok());
  EXPECT_EQ(engine_->Get("A")->resolved_ms, kMonday + 2 * kHour);
  AdvanceTo(kMonday + 2 * kHour + kWindow + 1);
  EXPECT_EQ(effects_.changed, (std::vector<std::string>{"A"}));
  EXPECT_EQ(engine_->Get("A").status().code(), absl::StatusCode::kNotFound);
  TicketRecord record;
  EXPECT_FALSE(engine_->Export("A", &record));
}

TEST_F(EngineTest, ARatingWithinTheWindowOnlyOnce) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  ASSERT_TRUE(Simple(Op::kResolve, "A", kMonday).ok());
  Command rate{.op = Op::kRate, .at_ms = kMonday + kWindow, .id = "A", .score = 4};
  ASSERT_TRUE(Do(rate).ok());
  EXPECT_EQ(effects_.changed, (std::vector<std::string>{"A"}));
  TicketRecord record;
  ASSERT_TRUE(engine_->Export("A", &record));
  EXPECT_TRUE(record.rated);
  EXPECT_EQ(record.resolved_ms, kMonday);
  EXPECT_EQ(Do(rate).code(), absl::StatusCode::kAlreadyExists);
  rate.at_ms = kMonday + kWindow + 1;
  EXPECT_EQ(Do(rate).code(), absl::StatusCode::kNotFound);
}

// Recovery restores in key order, not in resolve order: the windows still
// end oldest first, and a restored ticket can be reopened and rated.
TEST_F(EngineTest, RestoredResolvedTicketsKeepTheirWindows) {
  for (const char* id : {"A", "B", "C"}) {
    ASSERT_TRUE(Open(id, "after_sales", kMonday).ok());
  }
  ASSERT_TRUE(Simple(Op::kResolve, "C", kMonday + 1 * kHour).ok());
  ASSERT_TRUE(Simple(Op::kResolve, "A", kMonday + 2 * kHour).ok());
  ASSERT_TRUE(Simple(Op::kResolve, "B", kMonday + 3 * kHour).ok());
  std::vector<TicketRecord> records;
  engine_->ExportAll([&](TicketRecord&& r) { records.push_back(std::move(r)); });
  ASSERT_EQ(records.size(), 3u);
  std::sort(records.begin(), records.end(),
            [](const TicketRecord& a, const TicketRecord& b) { return a.id < b.id; });
  auto restored = Engine::Create(TestPolicy(), kMonday + 3 * kHour);
  ASSERT_TRUE(restored.ok());
  engine_ = std::move(*restored);
  for (TicketRecord& r : records) ASSERT_TRUE(engine_->Restore(std::move(r)).ok());
  EXPECT_EQ(engine_->open_tickets(), 0u);
  AdvanceTo(kMonday + 2 * kHour + kWindow + 1);
  EXPECT_EQ(effects_.changed, (std::vector<std::string>{"C", "A"}));
  ASSERT_TRUE(Do(Command{.op = Op::kRate, .at_ms = engine_->now_ms(), .id = "B", .score = 5}).ok());
  ASSERT_TRUE(Simple(Op::kReopen, "B", engine_->now_ms()).ok());
  EXPECT_EQ(engine_->open_tickets(), 1u);
  EXPECT_EQ(TargetOf("B", 0).state, "running");
}

TEST_F(EngineTest, BadCommandsGetTheirCodesAndChangeNothing) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  EXPECT_EQ(Open("A", "after_sales", kMonday).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Open("B", "nope", kMonday).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Open("B", "after_sales", kMonday, "meh").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Event("Z", "responded", kMonday).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Event("A", "bogus", kMonday).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Simple(Op::kResume, "A", kMonday).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Simple(Op::kPause, "A", kMonday).ok());
  EXPECT_EQ(Simple(Op::kPause, "A", kMonday).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Simple(Op::kPause, "A", kMonday - 1).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Do(Command{.op = Op::kEscalate, .at_ms = kMonday, .id = "A",
                       .level = "agent"})
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Do(Command{.op = Op::kRate, .at_ms = kMonday, .id = "A", .score = 0})
                .code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(Do(Command{.op = Op::kRate, .at_ms = kMonday, .id = "A", .score = 5})
                  .ok());
  EXPECT_EQ(Do(Command{.op = Op::kRate, .at_ms = kMonday, .id = "A", .score = 4})
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(engine_->open_tickets(), 1u);
}

TEST_F(EngineTest, LongIdsLiveThroughResolveAndReopen) {
  const std::string id(100, 'L');
  ASSERT_TRUE(Open(id, "after_sales", kMonday).ok());
  ASSERT_TRUE(Simple(Op::kResolve, id, kMonday + kMin).ok());
  ASSERT_TRUE(Simple(Op::kReopen, id, kMonday + 2 * kMin).ok());
  EXPECT_EQ(engine_->Get(id)->id, id);
  EXPECT_EQ(Open(std::string(257, 'x'), "after_sales", kMonday + 2 * kMin).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, ManualEscalationEmitsFromAndTo) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());
  ASSERT_TRUE(Do(Command{.op = Op::kEscalate, .at_ms = kMonday + kMin, .id = "A",
                         .level = "management"})
                  .ok());
  EXPECT_EQ(Events(), (Lines{"escalated A/ @1m agent>management"}));
}

TEST_F(EngineTest, OverdueIsMostOverdueFirstPaginatedAndFiltered) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Open("T" + std::to_string(i), "after_sales", kMonday + i * kMin,
                     std::nullopt, i % 2 ? "east" : "west")
                    .ok());
  }
  AdvanceTo(kMonday + 10 * kHour);
  Command q{.op = Op::kOverdue, .limit = 2};
  OverduePage page;
  std::string cursor;
  std::vector<std::string> seen;
  do {
    ASSERT_TRUE(engine_->Overdue(q, &page).ok());
    for (const OverdueItem& item : page.items) seen.emplace_back(item.id);
    cursor = page.next_cursor;  // the page is rewritten by the next call
    q.cursor = cursor;
  } while (!cursor.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"T0", "T1", "T2", "T3", "T4"}));

  Command east{.op = Op::kOverdue};
  east.filter.team = "east";
  ASSERT_TRUE(engine_->Overdue(east, &page).ok());
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].id, "T1");
  EXPECT_EQ(engine_->Overdue(Command{.op = Op::kOverdue, .cursor = "x.y"}, &page)
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// overdue and due_soon cost what they return: an overdue page naming a
// team passes none of other teams' entries, however many there are (a
// reassigned ticket's move with it), and no page passes more than
// kMaxPassedPerPage entries: a filter that matches little answers in
// pages, each with a cursor to go on from.
TEST_F(EngineTest, QueriesPassOnlyWhatTheyReturnOrABoundedPage) {
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(Open("W" + std::to_string(i), "after_sales", kMonday, std::nullopt,
                     "west").ok());
  }
  ASSERT_TRUE(Open("E1", "after_sales", kMonday + kMin, std::nullopt, "east").ok());
  ASSERT_TRUE(Open("E2", "after_sales", kMonday + 2 * kMin, std::nullopt, "east").ok());
  AdvanceTo(kMonday + 3 * kHour);  // every response breached

  Command q{.op = Op::kOverdue, .limit = 10};
  q.filter.team = "east";
  OverduePage overdue;
  ASSERT_TRUE(engine_->Overdue(q, &overdue).ok());
  ASSERT_EQ(overdue.items.size(), 2u);
  EXPECT_EQ(overdue.items[0].id, "E1");
  EXPECT_EQ(engine_->last_query_passed(), 2u);
  EXPECT_TRUE(overdue.next_cursor.empty());

  Command assign{.op = Op::kAssign, .at_ms = kMonday + 3 * kHour, .id = "W0"};
  assign.team = "east";
  ASSERT_TRUE(Do(assign).ok());
  ASSERT_TRUE(engine_->Overdue(q, &overdue).ok());
  std::vector<std::string> ids;
  for (const OverdueItem& item : overdue.items) ids.emplace_back(item.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"W0", "E1", "E2"}));
  EXPECT_EQ(engine_->last_query_passed(), 3u);
  q.limit = 1;  // pages of one within the team, by cursor
  ids.clear();
  std::string cursor;  // the page is rewritten by the next call
  do {
    ASSERT_TRUE(engine_->Overdue(q, &overdue).ok());
    for (const OverdueItem& item : overdue.items) ids.emplace_back(item.id);
    cursor = overdue.next_cursor;
    q.cursor = cursor;
    EXPECT_LE(engine_->last_query_passed(), 2u);
  } while (!cursor.empty());
  EXPECT_EQ(ids, (std::vector<std::string>{"W0", "E1", "E2"}));
  q.filter.team = "west";
  q.limit = 1000;
  ASSERT_TRUE(engine_->Overdue(q, &overdue).ok());
  EXPECT_EQ(overdue.items.size(), 199u);

  // One assignee's ticket due behind 5,000 others: the first page passes
  // kMaxPassedPerPage of them and says where to go on.
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(Open("D" + std::to_string(i), "after_sales", kMonday + 3 * kHour).ok());
  }
  Command mine{.op = Op::kOpen, .at_ms = kMonday + 3 * kHour + kMin, .id = "ANN",
               .kind = "after_sales"};
  mine.assignee = "ann";
  ASSERT_TRUE(Do(mine).ok());
  Command due{.op = Op::kDueSoon, .within_ms = 24 * kHour, .limit = 10};
  due.filter.assignee = "ann";
  DueSoonPage soon;
  ids.clear();
  int pages = 0;
  do {
    ASSERT_TRUE(engine_->DueSoon(due, &soon).ok());
    EXPECT_LE(engine_->last_query_passed(), Engine::kMaxPassedPerPage);
    for (const DueItem& item : soon.items) ids.emplace_back(item.id);
    cursor = soon.next_cursor;
    due.cursor = cursor;
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(ids, (std::vector<std::string>{"ANN"}));
  EXPECT_EQ(pages, 2);
}

TEST_F(EngineTest, PauseAllTouchesOnlyMatchingTickets) {
  ASSERT_TRUE(Open("E", "after_sales", kMonday, std::nullopt, "east").ok());
  ASSERT_TRUE(Open("W", "after_sales", kMonday, std::nullopt, "west").ok());
  Command all{.op = Op::kPauseAll, .at_ms = kMonday + kMin, .reason = "outage"};
  all.filter.team = "east";
  ASSERT_TRUE(Do(all).ok());
  EXPECT_EQ(effects_.count, 1u);
  EXPECT_TRUE(engine_->Get("E")->paused);
  EXPECT_FALSE(engine_->Get("W")->paused);
}

// A ticket without a team or assignee is found by the filter "" (null on
// the wire), which an absent filter is not: the queue of unassigned work.
// `assign` with "" clears either.
TEST_F(EngineTest, EmptyTeamOrAssigneeFindsTicketsWithoutOne) {
  ASSERT_TRUE(Open("E", "after_sales", kMonday, std::nullopt, "east").ok());
  ASSERT_TRUE(Open("N", "after_sales", kMonday + kMin).ok());
  Command ann{.op = Op::kAssign, .at_ms = kMonday + kMin, .id = "E"};
  ann.assignee = "ann";
  ASSERT_TRUE(Do(ann).ok());
  AdvanceTo(kMonday + 3 * kHour);  // both responses breached
  auto overdue_ids = [&](Filter f) {
    Command q{.op = Op::kOverdue, .filter = f};
    OverduePage page;
    EXPECT_TRUE(engine_->Overdue(q, &page).ok());
    std::vector<std::string> ids;
    for (const OverdueItem& item : page.items) ids.emplace_back(item.id);
    return ids;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(overdue_ids(Filter{}), (Ids{"E", "N"}));
  EXPECT_EQ(overdue_ids(Filter{.team = ""}), (Ids{"N"}));
  EXPECT_EQ(overdue_ids(Filter{.assignee = ""}), (Ids{"N"}));
  EXPECT_EQ(overdue_ids(Filter{.assignee = "ann"}), (Ids{"E"}));

  Command clear{.op = Op::kAssign, .at_ms = kMonday + 3 * kHour, .id = "E"};
  clear.team = "";
  clear.assignee = "";
  ASSERT_TRUE(Do(clear).ok());
  EXPECT_EQ(engine_->Get("E")->team, "");
  EXPECT_EQ(engine_->Get("E")->assignee, "");
  EXPECT_EQ(overdue_ids(Filter{.team = ""}), (Ids{"E", "N"}));
  EXPECT_EQ(overdue_ids(Filter{.team = "east"}), Ids{});

  ASSERT_TRUE(Open("W", "after_sales", kMonday + 3 * kHour, std::nullopt, "west").ok());
  ASSERT_TRUE(Open("M", "after_sales", kMonday + 3 * kHour + kMin).ok());
  Command soon{.op = Op::kDueSoon, .filter = Filter{.team = ""}, .within_ms = 24 * kHour};
  DueSoonPage due;
  ASSERT_TRUE(engine_->DueSoon(soon, &due).ok());
  ASSERT_EQ(due.items.size(), 1u);
  EXPECT_EQ(due.items[0].id, "M");
  Command pause{.op = Op::kPauseAll, .at_ms = kMonday + 3 * kHour + kMin,
                .reason = "outage", .filter = Filter{.team = ""}};
  ASSERT_TRUE(Do(pause).ok());
  EXPECT_EQ(effects_.count, 3u);  // E, N, M
  EXPECT_TRUE(engine_->Get("M")->paused);
  EXPECT_FALSE(engine_->Get("W")->paused);
}

// A filter naming a kind, priority, level or target the policy lacks is a
// mistake reported as such (bad_field on the wire), never an empty answer:
// a typo in pause_all would otherwise pause nothing and say count 0. A team
// nobody has is just a team with no tickets yet.
TEST_F(EngineTest, FiltersWithNamesThePolicyLacksAreRefused) {
  ASSERT_TRUE(Open("E", "after_sales", kMonday, std::nullopt, "east").ok());
  OverduePage overdue;
  DueSoonPage due;
  for (Filter f : {Filter{.kind = "complaints"}, Filter{.priority = "urgentt"},
                   Filter{.level = "boss"}, Filter{.target = "reply"}}) {
    Command q{.op = Op::kOverdue, .filter = f};
    EXPECT_EQ(engine_->Overdue(q, &overdue).code(), absl::StatusCode::kInvalidArgument);
    q.op = Op::kDueSoon;
    q.within_ms = kHour;
    EXPECT_EQ(engine_->DueSoon(q, &due).code(), absl::StatusCode::kInvalidArgument);
    Command all{.op = Op::kPauseAll, .at_ms = kMonday + kMin, .reason = "outage",
                .filter = f};
    EXPECT_EQ(Do(all).code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(engine_->Get("E")->paused);
  Command nobody{.op = Op::kPauseAll, .at_ms = kMonday + kMin, .reason = "outage"};
  nobody.filter.team = "nobody";
  ASSERT_TRUE(Do(nobody).ok());
  EXPECT_EQ(effects_.count, 0u);
  // Names that exist but match nothing together: an empty page.
  Command q{.op = Op::kOverdue};
  q.filter.kind = "complaint";
  q.filter.target = "response";
  EXPECT_TRUE(engine_->Overdue(q, &overdue).ok());
}

TEST_F(EngineTest, DueSoonListsRunningTargetsSoonestFirstWithinTheWindow) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday).ok());  // due 02:00
  ASSERT_TRUE(Open("B", "after_sales", kMonday, "urgent").ok());  // due 01:00
  ASSERT_TRUE(Open("C", "complaint", kMonday).ok());  // due 17:00 (office)
  DueSoonPage page;
  ASSERT_TRUE(engine_->DueSoon(Command{.op = Op::kDueSoon, .within_ms = 2 * kHour},
                               &page).ok());
  std::vector<std::string> ids;
  for (const DueItem& item : page.items) ids.emplace_back(item.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"B", "A"}));
  EXPECT_EQ(page.items[0].due_in_ms, kHour);
  // Breached (A, B) and paused (D) targets are not "due soon".
  ASSERT_TRUE(Open("D", "after_sales", kMonday + 9 * kHour).ok());
  ASSERT_TRUE(Simple(Op::kPause, "D", kMonday + 9 * kHour).ok());
  ASSERT_TRUE(engine_->DueSoon(Command{.op = Op::kDueSoon, .within_ms = 9 * kHour},
                               &page).ok());
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, "C");
  EXPECT_EQ(engine_->DueSoon(Command{.op = Op::kDueSoon, .within_ms = -1}, &page)
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, ExplainShowsCountedTimeDaysAndPauses) {
  // Opened Friday 2026-01-09 16:00 on office hours; 8 h run to Monday
  // 16:00 across the weekend; a pause Monday 10:00-11:00 moves it to 17:00.
  const int64_t friday = kMonday + 4 * 24 * kHour;
  ASSERT_TRUE(Open("C", "complaint", friday + 16 * kHour).ok());
  const int64_t next_monday = kMonday + 7 * 24 * kHour;
  ASSERT_TRUE(Simple(Op::kPause, "C", next_monday + 10 * kHour).ok());
  ASSERT_TRUE(Simple(Op::kResume, "C", next_monday + 11 * kHour).ok());
  absl::StatusOr<Explanation> e = engine_->Explain("C", "handle");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->deadline_ms, next_monday + 17 * kHour);
  int64_t counted = 0;
  for (const auto& [begin, end] : e->counted) counted += end - begin;
  EXPECT_EQ(counted, e->budget_ms);
  ASSERT_EQ(e->pauses.size(), 1u);
  EXPECT_EQ(e->pauses[0].business_ms, kHour);
  ASSERT_EQ(e->days.size(), 2u);
  EXPECT_EQ(e->days[0].date, "2026-01-10");
  EXPECT_EQ(e->days[0].why, "weekend");
  EXPECT_FALSE(e->truncated);
  // An unknown target name is a bad field (API.md), the unknown id not_found.
  EXPECT_EQ(engine_->Explain("C", "nope").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->Explain("nobody", "response").status().code(),
            absl::StatusCode::kNotFound);
}

// A deadline years of working time away (3,000 office days: about 1,200
// weekend days and 3,000 intervals) lists the first Explanation::kMaxItems of
// each and says it stopped: one reply cannot hold every interval up to
// 2200 (a deadline there means never), nor should the loop build it.
TEST(EngineExplainTest, ListsStopAtTheirLimitAndSaySo) {
  Policy p = TestPolicy();
  p.kinds.emplace("archive", KindSpec{"archive", "office",
                                      {Target("keep", {"open"}, {"done"},
                                              3000 * 8 * kHour)}});
  std::unique_ptr<Engine> engine = *Engine::Create(std::move(p), kMonday);
  Effects effects;
  ASSERT_TRUE(engine->Apply(Command{.op = Op::kOpen, .at_ms = kMonday + 9 * kHour,
                                    .id = "A", .kind = "archive"},
                            &effects)
                  .ok());
  absl::StatusOr<Explanation> e = engine->Explain("A", "keep");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(e->truncated);
  ASSERT_EQ(e->counted.size(), Explanation::kMaxItems);
  ASSERT_EQ(e->days.size(), Explanation::kMaxItems);
  // The first ones, in order: Monday 09:00-17:00, then Tuesday.
  EXPECT_EQ(e->counted[0], std::make_pair(kMonday + 9 * kHour, kMonday + 17 * kHour));
  EXPECT_EQ(e->counted[1].first, kMonday + 33 * kHour);
  EXPECT_EQ(e->days[0].date, "2026-01-10");
  EXPECT_EQ(e->budget_ms, 3000 * 8 * kHour);

  // Breached five years ago: what it ran is longer than the limit, but
  // its first budget_ms, all `counted` lists, fits; nothing is cut.
  ASSERT_TRUE(engine->Apply(Command{.op = Op::kOpen, .at_ms = kMonday + 9 * kHour,
                                    .id = "C", .kind = "complaint"},
                            &effects)
                  .ok());
  engine->Advance(kMonday + 5 * 365 * 24 * kHour, &effects);
  e = engine->Explain("C", "handle");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->state, "breached");
  EXPECT_FALSE(e->truncated);
  ASSERT_EQ(e->counted.size(), 1u);
  EXPECT_EQ(e->counted[0].second - e->counted[0].first, e->budget_ms);
}

// explain lists what moved this target's deadline: not a pause or a
// priority change after its clock stopped, nor the pause it stopped in.
TEST_F(EngineTest, ExplainListsOnlyWhatTheTargetsClockWentThrough) {
  const int64_t day = kMonday;  // office hours 09:00-17:00
  ASSERT_TRUE(Open("R", "return", day + 9 * kHour).ok());
  ASSERT_TRUE(Simple(Op::kPause, "R", day + 10 * kHour).ok());
  ASSERT_TRUE(Simple(Op::kResume, "R", day + 11 * kHour).ok());
  ASSERT_TRUE(Event("R", "approved", day + 12 * kHour).ok());  // review met
  Command urgent{.op = Op::kPriority, .at_ms = day + 12 * kHour + 30 * kMin,
                 .id = "R"};
  urgent.priority = "urgent";
  ASSERT_TRUE(Do(urgent).ok());
  ASSERT_TRUE(Simple(Op::kPause, "R", day + 13 * kHour).ok());
  ASSERT_TRUE(Simple(Op::kResume, "R", day + 14 * kHour).ok());
  ASSERT_TRUE(Simple(Op::kPause, "R", day + 15 * kHour).ok());
  AdvanceTo(day + 15 * kHour + 10 * kMin);

  absl::StatusOr<Explanation> review = engine_->Explain("R", "review");
  ASSERT_TRUE(review.ok()) << review.status();
  ASSERT_EQ(review->pauses.size(), 1u);
  EXPECT_EQ(review->pauses[0].from_ms, day + 10 * kHour);
  EXPECT_EQ(review->pauses[0].to_ms, day + 11 * kHour);
  EXPECT_TRUE(review->priority_changes.empty());
  EXPECT_EQ(review->priority, "normal") << "the priority it was met under";

  // Running and paused: the pause it is in is listed, open.
  absl::StatusOr<Explanation> complete = engine_->Explain("R", "complete");
  ASSERT_TRUE(complete.ok()) << complete.status();
  ASSERT_EQ(complete->pauses.size(), 2u);
  EXPECT_EQ(complete->pauses[0].from_ms, day + 13 * kHour);
  EXPECT_EQ(complete->pauses[1].from_ms, day + 15 * kHour);
  EXPECT_EQ(complete->pauses[1].to_ms, 0);
  EXPECT_EQ(complete->pauses[1].business_ms, 10 * kMin);
  EXPECT_EQ(complete->priority_changes.size(), 1u);
  EXPECT_EQ(complete->priority, "urgent");

  // Stopped in that pause: it moved nothing, and counted says the same.
  ASSERT_TRUE(Event("R", "completed", day + 15 * kHour + 30 * kMin).ok());
  ASSERT_TRUE(Simple(Op::kResume, "R", day + 16 * kHour).ok());
  complete = engine_->Explain("R", "complete");
  ASSERT_TRUE(complete.ok()) << complete.status();
  ASSERT_EQ(complete->pauses.size(), 1u);
  EXPECT_EQ(complete->pauses[0].from_ms, day + 13 * kHour);
  int64_t counted = 0;
  for (const auto& [begin, end] : complete->counted) counted += end - begin;
  EXPECT_EQ(counted, complete->budget_ms);
}

// A ticket paused and resumed without end stops growing at the limit:
// pause and priority then fail, resume and the rest still work, and
// pause_all pauses the others.
TEST_F(EngineTest, PausesAndPriorityChangesStopAtTheTicketsLimit) {
  ASSERT_TRUE(Open("L", "after_sales", kMonday).ok());
  ASSERT_TRUE(Open("M", "after_sales", kMonday).ok());
  int64_t at = kMonday;
  for (size_t i = 0; i < Engine::kMaxAdjustments; ++i) {
    ASSERT_TRUE(Simple(Op::kPause, "L", at).ok()) << i;
    ASSERT_TRUE(Simple(Op::kResume, "L", ++at).ok()) << i;
  }
  const int64_t deadline = TargetOf("L", 0).deadline_ms;
  absl::Status s = Simple(Op::kPause, "L", at);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_FALSE(engine_->Get("L")->paused);
  Command urgent{.op = Op::kPriority, .at_ms = at, .id = "L"};
  urgent.priority = "urgent";
  EXPECT_EQ(Do(urgent).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(TargetOf("L", 0).deadline_ms, deadline);
  EXPECT_EQ(engine_->Get("L")->priority, "normal");

  ASSERT_TRUE(Do(Command{.op = Op::kPauseAll, .at_ms = at, .reason = "outage"}).ok());
  EXPECT_EQ(effects_.count, 1u);
  EXPECT_TRUE(engine_->Get("M")->paused);
  EXPECT_TRUE(Event("L", "responded", at).ok());
}

TEST_F(EngineTest, StatsGroupAttainmentTimesAndSatisfaction) {
  ASSERT_TRUE(Open("A", "after_sales", kMonday, std::nullopt, "east").ok());
  ASSERT_TRUE(Open("B", "after_sales", kMonday, std::nullopt, "east").ok());
  ASSERT_TRUE(Open("C", "after_sales", kMonday, std::nullopt, "west").ok());
  ASSERT_TRUE(Event("A", "responded", kMonday + 30 * kMin).ok());
  ASSERT_TRUE(Event("B", "responded", kMonday + 3 * kHour).ok());  // late
  ASSERT_TRUE(Simple(Op::kResolve, "A", kMonday + 4 * kHour).ok());
  ASSERT_TRUE(Do(Command{.op = Op::kRate, .at_ms = kMonday + 5 * kHour, .id = "A",
                         .score = 5})
                  .ok());
  Command q{.op = Op::kStats, .from_ms = kMonday, .to_ms = kMonday + 24 * kHour,
            .group_by = GroupBy::kTeam};
  absl::StatusOr<StatsTable> table = engine_->Stats(q);
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->rows.size(), 2u);
  const StatsRow& east = table->rows[0];
  EXPECT_EQ(east.group, "east");
  EXPECT_EQ(east.started, 2u);
  EXPECT_EQ(east.met, 1u);
  EXPECT_EQ(east.met_late, 1u);
  EXPECT_EQ(east.breached, 1u);
  EXPECT_DOUBLE_EQ(east.attainment, 0.5);
  EXPECT_EQ(east.mean_stop_ms, (30 * kMin + 3 * kHour) / 2);
  EXPECT_NEAR(static_cast<double>(east.p90_stop_ms), 3.0 * kHour, 0.03 * 3 * kHour);
  EXPECT_EQ(east.opened, 2u);
  EXPECT_EQ(east.resolved, 1u);
  EXPECT_DOUBLE_EQ(east.resolution_rate, 0.5);
  EXPECT_EQ(east.rated, 1u);
  EXPECT_DOUBLE_EQ(east.mean_score, 5.0);
  EXPECT_DOUBLE_EQ(east.satisfied, 1.0);
  EXPECT_EQ(table->rows[1].group, "west");
  EXPECT_EQ(table->rows[1].breached, 1u);

  // Resolved, reopened, moved to west and resolved again: one ticket
  // opened and one resolved, counted for the team that holds it, so no
  // rate passes 1 (it once read 2 by kind, and 1 of 0 for west).
  ASSERT_TRUE(Simple(Op::kReopen, "A", kMonday + 6 * kHour).ok());
  Command to_west{.op = Op::kAssign, .at_ms = kMonday + 6 * kHour, .id = "A"};
  to_west.team = "west";
  ASSERT_TRUE(Do(to_west).ok());
  ASSERT_TRUE(Simple(Op::kResolve, "A", kMonday + 7 * kHour).ok());
  table = engine_->Stats(q);
  ASSERT_EQ(table->rows.size(), 2u);
  EXPECT_EQ(table->rows[0].opened, 1u);  // east: B
  EXPECT_EQ(table->rows[0].resolved, 0u);
  EXPECT_EQ(table->rows[1].opened, 2u);  // west: C, and A moved in
  EXPECT_EQ(table->rows[1].resolved, 1u);
  EXPECT_DOUBLE_EQ(table->rows[1].resolution_rate, 0.5);
  Command by_kind = q;
  by_kind.group_by = GroupBy::kKind;
  table = engine_->Stats(by_kind);
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0].opened, 3u);
  EXPECT_EQ(table->rows[0].resolved, 1u);
  // A priority change moves the ticket between priority groups the same way.
  Command urgent{.op = Op::kPriority, .at_ms = kMonday + 8 * kHour, .id = "B"};
  urgent.priority = "urgent";
  ASSERT_TRUE(Do(urgent).ok());
  Command by_priority = q;
  by_priority.group_by = GroupBy::kPriority;
  table = engine_->Stats(by_priority);
  ASSERT_TRUE(table.ok());
  std::map<std::string, uint64_t> opened;
  for (const StatsRow& row : table->rows) opened[row.group] = row.opened;
  EXPECT_EQ(opened["normal"], 2u);
  EXPECT_EQ(opened["urgent"], 1u);

  q.group_by = GroupBy::kTarget;
  table = engine_->Stats(q);
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0].group, "response");
  EXPECT_EQ(table->rows[0].started, 4u);  // A's clock restarted on reopen
  // Outside the range: nothing.
  q.from_ms = kMonday + 48 * kHour;
  q.to_ms = kMonday + 49 * kHour;
  EXPECT_TRUE(engine_->Stats(q)->rows.empty());
  q.to_ms = q.from_ms - 1;
  EXPECT_EQ(engine_->Stats(q).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
// What storage relies on: each drain gives a changed cell's increments
// since the previous drain, and their sum is the cell (ExportAllStats).
// A ticket from an older slad, assigned to east there without its opened
// count moving (it stayed with no team), then moved to west here: no cell
// goes below zero (it once read 18446744073709551615 for east); the
// ticket stays counted where it was.
TEST_F(EngineTest, AMoveNeverTakesACellBelowZero) {
  ASSERT_TRUE(Open("T", "after_sales", kMonday).ok());
  auto next = std::move(*Engine::CreateAfter(TestPolicy(), *engine_));
  engine_->ExportAll([&](TicketRecord&& r) {
    r.team = "east";  // assigned under the older slad
    ASSERT_TRUE(next->Restore(std::move(r)).ok());
  });
  engine_->ExportAllStats([&](StatsCellRecord&& c) {
    ASSERT_TRUE(next->RestoreStats(std::move(c)).ok());
  });
  engine_ = std::move(next);
  Command to_west{.op = Op::kAssign, .at_ms = kMonday + kHour, .id = "T"};
  to_west.team = "west";
  ASSERT_TRUE(Do(to_west).ok());
  absl::StatusOr<StatsTable> table = engine_->Stats(
      Command{.op = Op::kStats, .from_ms = kMonday, .to_ms = kMonday + 24 * kHour,
              .group_by = GroupBy::kTeam});
  ASSERT_TRUE(table.ok()) << table.status();
  uint64_t opened = 0;
  for (const StatsRow& row : table->rows) {
    EXPECT_LE(row.opened, 1u) << row.group;
    opened += row.opened;
  }
  EXPECT_EQ(opened, 1u);
}

TEST_F(EngineTest, DrainStatsGivesIncrementsThatAddUpToTheCells) {
  using CellKey = std::tuple<uint8_t, int64_t, std::string>;
  std::map<CellKey, StatsCellRecord> summed;
  auto drain = [&] {
    std::map<CellKey, StatsCellRecord> drained;
    engine_->DrainStats([&](StatsCellRecord&& c) {
      const CellKey key{c.by, c.hour, c.group};
      EXPECT_FALSE(drained.contains(key)) << "a cell drained twice";
      auto [it, inserted] = summed.try_emplace(key, c);
      if (!inserted) AddStatsCell(c, &it->second);
      drained[key] = std::move(c);
    });
    return drained;
  };
  ASSERT_TRUE(Open("A", "after_sales", kMonday, std::nullopt, "east").ok());
  ASSERT_TRUE(Open("B", "after_sales", kMonday, std::nullopt, "east").ok());
  drain();
  ASSERT_TRUE(Event("A", "responded", kMonday + 30 * kMin).ok());
  std::map<CellKey, StatsCellRecord> second = drain();
  const auto team = second.find(
      {static_cast<uint8_t>(GroupBy::kTeam), kMonday / kHour, "east"});
  ASSERT_NE(team, second.end());
  EXPECT_EQ(team->second.opened, 0u) << "an increment, not the whole cell";
  EXPECT_EQ(team->second.started, 0u);
  EXPECT_EQ(team->second.met, 1u);
  EXPECT_EQ(team->second.stop_sum_ms, 30 * kMin);
  EXPECT_EQ(team->second.stop_hist.size(), 1u);
  ASSERT_TRUE(Event("B", "responded", kMonday + 40 * kMin).ok());
  ASSERT_TRUE(Simple(Op::kResolve, "A", kMonday + 50 * kMin).ok());
  drain();
  EXPECT_TRUE(drain().empty()) << "nothing changed since the last drain";

  std::map<CellKey, StatsCellRecord> whole;
  engine_->ExportAllStats([&](StatsCellRecord&& c) {
    whole[{c.by, c.hour, c.group}] = std::move(c);
  });
  EXPECT_TRUE(whole == summed);
}

TEST(AddStatsCellTest, AddsFiguresAndMergesHistogramBuckets) {
  StatsCellRecord into{.started = 3, .met = 2, .stop_sum_ms = 5000,
                       .stop_hist = {{10, 1}, {40, 1}}};
  const StatsCellRecord increment{.met_late = 1, .rated = 1, .score_sum = 4,
                                  .satisfied = 1, .stop_sum_ms = 7000,
                                  .stop_hist = {{5, 2}, {40, 2}, {70, 1}}};
  AddStatsCell(increment, &into);
  EXPECT_EQ(into.started, 3u);
  EXPECT_EQ(into.met, 2u);
  EXPECT_EQ(into.met_late, 1u);
  EXPECT_EQ(into.rated, 1u);
  EXPECT_EQ(into.score_sum, 4u);
  EXPECT_EQ(into.satisfied, 1u);
  EXPECT_EQ(into.stop_sum_ms, 12000);
  const std::vector<std::pair<uint16_t, uint32_t>> want = {
      {5, 2}, {10, 1}, {40, 3}, {70, 1}};
  EXPECT_EQ(into.stop_hist, want);
}

}  // namespace slad::engine
