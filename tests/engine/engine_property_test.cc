// Property tests of Engine against ReferenceEngine (tests/testing/
// reference_engine.h) on random command streams over a small policy: after
// every command the status code and the events must agree exactly, and
// every few commands so must Get() of every ticket, every page of Overdue
// and DueSoon. The seeds are fixed and printed with every failure;
// SLAD_TEST_SEED=<seed> replays one (tests/testing/seed.h).

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "tests/testing/policy_specs.h"
#include "tests/testing/naive_calendar.h"
#include "tests/testing/reference_engine.h"
#include "tests/testing/seed.h"

namespace slad::engine {
namespace {

using testing::ReferenceEngine;
using testing::RefItem;

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
// Monday 2026-01-05 00:00:00 UTC.
constexpr int64_t kMonday = 1'767'571'200'000;

// Shanghai office hours with a lunch break, two holidays on weekdays
// (Wed 2026-01-07, Mon 2026-01-19..Tue 01-20) and a Saturday make-up day
// (2026-01-17). One working day is Monday's 7 h.
CalendarSpec Office() {
  CalendarSpec spec;
  spec.time_zone = "Asia/Shanghai";
  for (int day = 0; day < 5; ++day) spec.weekly[day] = {{9 * 60, 12 * 60}, {13 * 60, 17 * 60}};
  spec.holidays = {absl::CivilDay(2026, 1, 7), absl::CivilDay(2026, 1, 19),
                   absl::CivilDay(2026, 1, 20), absl::CivilDay(2026, 2, 2)};
  spec.workdays = {absl::CivilDay(2026, 1, 17)};
  return spec;
}

using slad::testing::Target;

// Three kinds: `sales` around the clock with an urgent override, a
// clock that only `resolved` stops and a third clock (more targets than a
// ticket holds in place: engine/ticket.h) chained on the response; `return` on the office calendar with a
// chained second clock; `claim` on the office calendar, short enough for
// warn_before to matter, restarted by a reopen.
Policy PropertyPolicy() {
  Policy p;
  CalendarSpec always;
  always.always = true;
  p.calendars.emplace("always", *Calendar::Create(always));
  p.calendars.emplace("office", *Calendar::Create(Office()));
  KindSpec sales{"sales", "always",
                 {Target("response", {"open", "reopened"}, {"responded"}, 2 * kHour),
                  Target("resolution", {"open", "reopened"}, {"resolved"}, 8 * kHour),
                  Target("follow_up", {"responded"}, {"completed"}, 4 * kHour)}};
  sales.targets[0].within_by_priority["urgent"].ms = kHour;
  KindSpec ret{"return", "office",
               {Target("review", {"open"}, {"approved", "rejected"}, 0, 2),
                Target("complete", {"approved"}, {"completed"}, 4 * kHour, 1)}};
  ret.targets[0].within_by_priority["urgent"].ms = 4 * kHour;
  KindSpec claim{"claim", "office",
                 {Target("answer", {"open", "reopened"}, {"responded"}, 90 * kMin)}};
  p.kinds.emplace("sales", sales);
  p.kinds.emplace("return", ret);
  p.kinds.emplace("claim", claim);
  p.priorities = {"low", "normal", "urgent", "major"};
  p.escalation.warn_at = {0.5, 0.8};
  p.escalation.warn_before = {DurationSpec{0, 30 * kMin}};
  p.escalation.step = 0.5;
  p.escalation.major = {"major"};
  p.reopen_window_ms = 3 * kDay;
  return p;
}

constexpr const char* kIds[] = {"a", "b", "c", "d", "e", "f", "g"};
constexpr const char* kKinds[] = {"sales", "return", "claim", "nope"};
constexpr const char* kPriorities[] = {"low", "normal", "urgent", "major", "meh"};
constexpr const char* kEvents[] = {"responded", "approved", "rejected",
                                   "completed", "bogus",     "open"};
constexpr const char* kLevels[] = {"agent", "supervisor", "management", "boss"};
// "": no team (open, assign clears it, a filter for tickets without one).
constexpr const char* kTeams[] = {"east", "west", ""};
constexpr const char* kAssignees[] = {"ann", "bob", ""};
constexpr const char* kTargets[] = {"response", "resolution", "review",
                                    "complete", "answer"};

const char* EventName(EventType t) {
  static const char* kNames[] = {"warning", "breached", "escalated", "met",
                                 "met_late"};
  return kNames[static_cast<int>(t)];
}

std::string Describe(const Event& e) {
  return absl::StrCat(EventName(e.type), " ", e.id, "/", e.target, " at=", e.at_ms,
                      " deadline=", e.deadline_ms, " ", e.from, ">", e.to);
}

// Events grouped by ticket, each ticket's in emission order: the order
// between tickets is the wheel's business (same instant) and not compared.
std::map<std::string, std::vector<std::string>> ByTicket(const std::vector<Event>& es) {
  std::map<std::string, std::vector<std::string>> out;
  for (const Event& e : es) out[e.id].push_back(Describe(e));
  return out;
}

std::string Describe(const Command& c) {
  static const char* kOps[] = {"open", "event", "pause", "resume", "priority",
                               "assign", "escalate", "resolve", "reopen", "rate",
                               "pause_all", "resume_all", "get"};
  return absl::StrCat(kOps[static_cast<int>(c.op)], " id=", c.id, " at=+",
                      c.at_ms - kMonday, " kind=", c.kind,
                      " priority=", c.priority.value_or("-"), " name=", c.name,
                      " level=", c.level, " score=", c.score,
                      " filter.kind=", c.filter.kind,
                      " filter.team=", c.filter.team.value_or("-"),
                      " filter.assignee=", c.filter.assignee.value_or("-"));
}

// What a run exercised, printed so that a generator change that stops
// reaching some behaviour shows.
struct Tally {
  uint64_t codes[17] = {};  // by absl::StatusCode
  uint64_t events[5] = {};  // by EventType
  uint64_t overdue = 0, due_soon = 0, restarts = 0;

  std::string ToString() const {
    return absl::StrCat("ok ", codes[0], ", invalid ", codes[3], ", not_found ",
                        codes[5], ", exists ", codes[6], ", precondition ", codes[9],
                        "; warning ", events[0], ", breached ", events[1],
                        ", escalated ", events[2], ", met ", events[3], ", met_late ",
                        events[4], "; overdue rows ", overdue, ", due_soon rows ",
                        due_soon, "; restarts ", restarts);
  }
};

class Harness {
 public:
  explicit Harness(uint64_t seed) : rng_(seed) {
    engine_ = std::move(*Engine::Create(PropertyPolicy(), kMonday));
    ref_ = std::make_unique<ReferenceEngine>(PropertyPolicy(), kMonday);
  }

  template <typename T, size_t N>
  const char* Pick(T (&items)[N]) { return items[rng_.Below(N)]; }

  // Mostly minutes (so that clocks stop on time too), often exactly at,
  // just before or just after the next thing due, sometimes hours or days,
  // rarely back in time (InvalidArgument).
  int64_t NextAt() {
    const int64_t now = engine_->now_ms();
    const uint64_t roll = rng_.Below(40);
    const auto upto = [&](int64_t ms) { return now + static_cast<int64_t>(rng_.Below(ms)); };
    if (roll < 2) return now;
    if (roll < 3) return now - 1 - static_cast<int64_t>(rng_.Below(kHour));
    if (roll < 9) {
      const std::optional<int64_t> due = engine_->NextDue();
      if (!due) return upto(kHour);
      return std::max(now, *due + static_cast<int64_t>(rng_.Below(3)) - 1);
    }
    if (roll < 20) return now + static_cast<int64_t>(rng_.Below(30)) * kMin;
    if (roll < 27) return upto(30 * kMin);
    if (roll < 34) return upto(3 * kHour);
    if (roll < 38) return upto(15 * kHour);
    return upto(3 * kDay);
  }

  Filter RandomFilter() {
    Filter f;
    if (rng_.OneIn(4)) f.kind = Pick(kKinds);
    if (rng_.OneIn(4)) f.team = Pick(kTeams);
    if (rng_.OneIn(6)) f.assignee = Pick(kAssignees);
    if (rng_.OneIn(6)) f.priority = Pick(kPriorities);
    if (rng_.OneIn(6)) f.level = Pick(kLevels);
    return f;
  }

  Command RandomCommand() {
    Command c;
    c.at_ms = NextAt();
    // Mostly a ticket that exists (open or resolved), else any id.
    c.id = Pick(kIds);
    for (int tries = 0; tries < 3 && !engine_->Get(c.id).ok(); ++tries) c.id = Pick(kIds);
    const uint64_t roll = rng_.Below(100);
    if (roll < 18) {
      c.op = Op::kOpen;
      c.kind = Pick(kKinds);
      if (c.kind == "nope" && !rng_.OneIn(3)) c.kind = "sales";
      if (rng_.OneIn(2)) c.priority = Pick(kPriorities);
      if (rng_.OneIn(2)) c.team = Pick(kTeams);
    } else if (roll < 45) {
      c.op = Op::kEvent;
      c.name = rng_.OneIn(15) ? Pick(kEvents) : kEvents[rng_.Below(4)];
    } else if (roll < 53) {
      c.op = Op::kPause;
    } else if (roll < 61) {
      c.op = Op::kResume;
    } else if (roll < 69) {
      c.op = Op::kPriority;
      c.priority = Pick(kPriorities);
    } else if (roll < 72) {
      c.op = Op::kAssign;
      if (rng_.OneIn(2)) c.team = Pick(kTeams);
      if (rng_.OneIn(2)) c.assignee = Pick(kAssignees);
    } else if (roll < 76) {
      c.op = Op::kEscalate;
      c.level = Pick(kLevels);
    } else if (roll < 84) {
      c.op = Op::kResolve;
    } else if (roll < 91) {
      c.op = Op::kReopen;
    } else if (roll < 94) {
      c.op = Op::kRate;
      c.score = static_cast<int>(rng_.Below(7));
    } else if (roll < 96) {
      c.op = Op::kPauseAll;
      c.filter = RandomFilter();
    } else if (roll < 98) {
      c.op = Op::kResumeAll;
      c.filter = RandomFilter();
    } else {
      c.op = Op::kGet;  // a query through Apply: InvalidArgument
    }
    return c;
  }

  // One command on both engines; false (after a gtest failure) on the
  // first disagreement.
  bool Step(int n) {
    const Command c = RandomCommand();
    SCOPED_TRACE(absl::StrCat("command #", n, ": ", Describe(c)));
    effects_.Clear();
    ref_events_.clear();
    const absl::Status got = engine_->Apply(c, &effects_);
    const absl::Status want = ref_->Apply(c, &ref_events_);
    if (got.ok() && c.op == Op::kPriority) reprioritized_.insert(std::string(c.id));
    EXPECT_EQ(got.code(), want.code()) << got << " vs " << want;
    EXPECT_EQ(ByTicket(effects_.events), ByTicket(ref_events_));
    ++tally_.codes[static_cast<int>(got.code())];
    for (const Event& e : effects_.events) ++tally_.events[static_cast<int>(e.type)];
    EXPECT_EQ(engine_->now_ms(), ref_->now_ms());
    Persist();
    return !::testing::Test::HasFailure();
  }

  // What storage does after every call: re-export each changed ticket
  // (delete it if gone) and keep the changed stats cells.
  void Persist() {
    for (const std::string& id : effects_.changed) {
      TicketRecord record;
      if (engine_->Export(id, &record)) {
        stored_[id] = std::move(record);
      } else {
        stored_.erase(id);
      }
    }
    engine_->DrainStats([&](StatsCellRecord&& increment) {
      auto [it, inserted] = stored_stats_.try_emplace(
          {increment.by, increment.hour, increment.group}, increment);
      if (!inserted) AddStatsCell(increment, &it->second);
    });
  }

  // A restart: the stored records must equal a full export (so Effects::
  // changed and DrainStats missed nothing), and an engine restored from
  // them replaces the running one; the comparison with the reference then
  // goes on, so restored tickets must behave exactly as the originals.
  bool Restart() {
    SCOPED_TRACE(absl::StrCat("restart at +", engine_->now_ms() - kMonday));
    std::map<std::string, TicketRecord> all;
    engine_->ExportAll([&](TicketRecord&& r) { all[r.id] = std::move(r); });
    EXPECT_EQ(stored_.size(), all.size());
    for (const auto& [id, record] : all) {
      auto it = stored_.find(id);
      if (it == stored_.end()) {
        ADD_FAILURE() << "ticket " << id << " changed but was not reported";
      } else {
        EXPECT_TRUE(it->second == record) << "stale stored record of " << id;
      }
    }
    std::map<std::tuple<uint8_t, int64_t, std::string>, StatsCellRecord> cells;
    engine_->ExportAllStats([&](StatsCellRecord&& c) {
      cells[{c.by, c.hour, c.group}] = std::move(c);
    });
    EXPECT_TRUE(cells == stored_stats_) << "stats cells not all drained";
    if (::testing::Test::HasFailure()) return false;

    auto restored = std::move(*Engine::CreateAfter(PropertyPolicy(), *engine_));
    // As recovery restores them: in id order, in chunks.
    std::vector<TicketRecord> records;
    for (const auto& [id, record] : stored_) records.push_back(record);
    for (size_t i = 0; i < records.size(); i += 50) {
      const absl::Status s = restored->RestoreBatch(
          absl::MakeSpan(records).subspan(i, std::min<size_t>(50, records.size() - i)));
      EXPECT_TRUE(s.ok()) << s;
    }
    for (auto [key, cell] : stored_stats_) {
      EXPECT_TRUE(restored->RestoreStats(std::move(cell)).ok());
    }
    for (int by = 0; by <= static_cast<int>(GroupBy::kPriority); ++by) {
      Command q{.op = Op::kStats, .from_ms = kMonday, .to_ms = kMonday + 400 * kDay,
                .group_by = static_cast<GroupBy>(by)};
      const std::string want = StatsText(*engine_->Stats(q));
      EXPECT_EQ(StatsText(*restored->Stats(q)), want) << "stats by " << by;
    }
    bool drained_any = false;
    restored->DrainStats([&](StatsCellRecord&&) { drained_any = true; });
    EXPECT_FALSE(drained_any) << "restoring marked stats cells as changed";
    engine_ = std::move(restored);
    ++tally_.restarts;
    return !::testing::Test::HasFailure();
  }

  static std::string StatsText(const StatsTable& t) {
    std::string text;
    for (const StatsRow& r : t.rows) {
      absl::StrAppend(&text, r.group, " ", r.started, " ", r.met, " ", r.met_late,
                      " ", r.breached, " ", r.mean_stop_ms, " ", r.p90_stop_ms, " ",
                      r.opened, " ", r.resolved, " ", r.rated, " ", r.mean_score, "\n");
    }
    return text;
  }

  bool AdvanceBoth() {
    const int64_t to = engine_->now_ms() + static_cast<int64_t>(rng_.Below(2 * kDay));
    SCOPED_TRACE(absl::StrCat("advance to +", to - kMonday));
    effects_.Clear();
    ref_events_.clear();
    engine_->Advance(to, &effects_);
    ref_->Advance(to, &ref_events_);
    EXPECT_EQ(ByTicket(effects_.events), ByTicket(ref_events_));
    Persist();
    return !::testing::Test::HasFailure();
  }

  const Tally& tally() const { return tally_; }

  bool CompareQueries() {
    SCOPED_TRACE(absl::StrCat("queries at +", engine_->now_ms() - kMonday));
    for (const char* id : kIds) CompareTicket(id);
    Filter f = RandomFilter();
    if (rng_.OneIn(4)) f.target = Pick(kTargets);
    if (!ref_->CheckFilter(f).ok()) {
      OverduePage page;
      EXPECT_EQ(engine_->Overdue(Command{.op = Op::kOverdue, .filter = f}, &page).code(),
                absl::StatusCode::kInvalidArgument);
      return !::testing::Test::HasFailure();
    }
    CompareOverdue(f);
    CompareDueSoon(f, static_cast<int64_t>(rng_.Below(2 * kDay)));
    return !::testing::Test::HasFailure();
  }

 private:
  void CompareTicket(const std::string& id) {
    SCOPED_TRACE("ticket " + id);
    absl::StatusOr<TicketView> got = engine_->Get(id);
    std::optional<testing::RefTicketView> want = ref_->Get(id);
    ASSERT_EQ(got.ok(), want.has_value()) << got.status();
    if (!want) return;
    EXPECT_EQ(got->kind, want->kind);
    EXPECT_EQ(got->priority, want->priority);
    EXPECT_EQ(got->team, want->team);
    EXPECT_EQ(got->assignee, want->assignee);
    EXPECT_EQ(got->level, want->level);
    EXPECT_EQ(got->opened_ms, want->opened_ms);
    EXPECT_EQ(got->resolved_ms, want->resolved_ms);
    EXPECT_EQ(got->paused, want->paused);
    ASSERT_EQ(got->targets.size(), want->targets.size());
    for (size_t i = 0; i < want->targets.size(); ++i) {
      SCOPED_TRACE(absl::StrCat("target ", got->targets[i].name));
      EXPECT_EQ(got->targets[i].state, want->targets[i].state);
      EXPECT_EQ(got->targets[i].start_ms, want->targets[i].start_ms);
      EXPECT_EQ(got->targets[i].deadline_ms, want->targets[i].deadline_ms);
      EXPECT_EQ(got->targets[i].remaining_ms, want->targets[i].remaining_ms);
      if (want->targets[i].state != "pending") CompareBudget(*got, i);
    }
  }

  // The budget `explain` reports is what `get` says was used and is left,
  // its counted intervals add up to it, and it is the policy's own for a
  // clock whose ticket never changed priority (there is no reload here).
  void CompareBudget(const TicketView& got, size_t i) {
    const TargetView& tv = got.targets[i];
    absl::StatusOr<Explanation> e = engine_->Explain(got.id, tv.name);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(e->budget_ms, tv.elapsed_ms + tv.remaining_ms);
    int64_t counted = 0;
    for (const auto& [begin, end] : e->counted) counted += end - begin;
    EXPECT_EQ(counted, e->budget_ms) << "counted intervals";
    if (!reprioritized_.contains(std::string(got.id))) {
      EXPECT_TRUE(e->priority_changes.empty());
      const CompiledPolicy& p = engine_->policy();
      const CompiledTarget& target = p.kind(p.KindId(got.kind)).targets[i];
      EXPECT_EQ(e->budget_ms, target.budget_ms[p.PriorityId(got.priority)]);
    }
  }

  static std::vector<std::tuple<int64_t, std::string, std::string, std::string, int64_t>>
  Rows(std::vector<RefItem> items) {
    std::vector<std::tuple<int64_t, std::string, std::string, std::string, int64_t>> rows;
    for (const RefItem& i : items) rows.emplace_back(i.deadline_ms, i.id, i.target, i.level, i.delta_ms);
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // Pages of three: every page in deadline order, the union equal to the
  // reference's rows.
  template <typename Page, typename Query>
  std::vector<RefItem> AllPages(Query query) {
    std::vector<RefItem> items;
    Command q{.limit = 3};
    std::string cursor;
    int64_t last = INT64_MIN;
    for (int pages = 0; pages < 100; ++pages) {
      q.cursor = cursor;
      Page page;
      const absl::Status s = query(q, &page);
      EXPECT_TRUE(s.ok()) << s;
      EXPECT_LE(page.items.size(), 3u);
      for (const auto& item : page.items) {
        EXPECT_LE(last, item.deadline_ms);
        last = item.deadline_ms;
        items.push_back({item.deadline_ms, std::string(item.id),
                         std::string(item.target), std::string(item.level), Delta(item)});
      }
      cursor = page.next_cursor;
      if (cursor.empty()) break;
    }
    return items;
  }
  static int64_t Delta(const OverdueItem& i) { return i.overdue_ms; }
  static int64_t Delta(const DueItem& i) { return i.due_in_ms; }

  void CompareOverdue(const Filter& f) {
    std::vector<RefItem> got = AllPages<OverduePage>([&](Command q, OverduePage* p) {
      q.op = Op::kOverdue;
      q.filter = f;
      return engine_->Overdue(q, p);
    });
    EXPECT_EQ(Rows(got), Rows(ref_->Overdue(f))) << "overdue";
    tally_.overdue += got.size();
  }

  void CompareDueSoon(const Filter& f, int64_t within_ms) {
    std::vector<RefItem> got = AllPages<DueSoonPage>([&](Command q, DueSoonPage* p) {
      q.op = Op::kDueSoon;
      q.filter = f;
      q.within_ms = within_ms;
      return engine_->DueSoon(q, p);
    });
    EXPECT_EQ(Rows(got), Rows(ref_->DueSoon(f, within_ms))) << "due_soon within " << within_ms;
    tally_.due_soon += got.size();
  }

  testing::SplitMix64 rng_;
  Tally tally_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<ReferenceEngine> ref_;
  Effects effects_;
  std::vector<Event> ref_events_;
  std::map<std::string, TicketRecord> stored_;
  std::set<std::string> reprioritized_;  // tickets a priority command changed
  std::map<std::tuple<uint8_t, int64_t, std::string>, StatsCellRecord> stored_stats_;
};

constexpr int kSeeds = 120;
constexpr int kCommandsPerSeed = 500;

// In two halves that CTest runs side by side (about 30 s under the
// sanitizers in one).
class EnginePropertyShardTest : public ::testing::TestWithParam<int> {};

TEST_P(EnginePropertyShardTest, RandomStreamsAgreeWithTheReference) {
  Tally total;
  for (uint64_t seed : testing::PropertySeedShard(1, kSeeds, GetParam(), 2)) {
    SCOPED_TRACE(absl::StrCat("SLAD_TEST_SEED=", seed));
    Harness h(seed);
    for (int n = 0; n < kCommandsPerSeed; ++n) {
      if (!h.Step(n)) return;
      if (n % 50 == 49 && !h.AdvanceBoth()) return;
      if (n % 7 == 6 && !h.CompareQueries()) return;
      if (n % 97 == 96 && !h.Restart()) return;
    }
    if (!h.CompareQueries()) return;
    for (int i = 0; i < 17; ++i) total.codes[i] += h.tally().codes[i];
    for (int i = 0; i < 5; ++i) total.events[i] += h.tally().events[i];
    total.overdue += h.tally().overdue;
    total.due_soon += h.tally().due_soon;
    total.restarts += h.tally().restarts;
  }
  std::printf("%s\n", total.ToString().c_str());
}

INSTANTIATE_TEST_SUITE_P(Halves, EnginePropertyShardTest, ::testing::Range(0, 2));

// ENGINE BUG (Engine::SetPriority, engine.cc): a warning whose threshold
// is reached exactly at a priority change is skipped instead of sent.
// A sales ticket (2 h; urgent 1 h; warnings at 30 and 12 min left) opened
// at 00:00 and made urgent at 00:48 has used 48 min: 12 min are left,
// exactly the urgent 80 % point, so that warning is due at 00:48 — now,
// not passed — and fires once time moves on from the command's instant
// (as a breach does when exactly nothing is left).
// SetPriority once counted points with `left >= left_ms` as already warned.
// Found by seed 10 (there via a pause, where the warning then went missing
// after resume_all).
TEST(EnginePropertyTest, PriorityChangeExactlyAtAWarningPointStillWarns) {
  std::unique_ptr<Engine> engine = std::move(*Engine::Create(PropertyPolicy(), kMonday));
  Effects fx;
  ASSERT_TRUE(engine->Apply(Command{.op = Op::kOpen, .at_ms = kMonday, .id = "a",
                                    .kind = "sales"}, &fx).ok());
  Command c{.op = Op::kPriority, .at_ms = kMonday + 48 * kMin, .id = "a"};
  c.priority = "urgent";
  fx.Clear();
  ASSERT_TRUE(engine->Apply(c, &fx).ok());
  EXPECT_TRUE(fx.events.empty());
  engine->Advance(kMonday + 48 * kMin, &fx);
  ASSERT_EQ(fx.events.size(), 1u);
  EXPECT_EQ(fx.events[0].type, EventType::kWarning);
  EXPECT_EQ(fx.events[0].at_ms, kMonday + 48 * kMin);
  EXPECT_EQ(fx.events[0].deadline_ms, kMonday + 60 * kMin);
}

// The reference's day-walking calendar against the minute-stepping naive
// one, on the office calendar above, so that a disagreement with the engine
// is not the reference's arithmetic.
TEST(EnginePropertyTest, ReferenceCalendarAgreesWithNaiveCalendar) {
  testing::RefCalendar ref(Office());
  testing::NaiveCalendar naive(Office());
  testing::SplitMix64 rng(7);
  for (int i = 0; i < 60; ++i) {
    const int64_t a = kMonday + static_cast<int64_t>(rng.Below(30 * kDay));
    const int64_t b = a + static_cast<int64_t>(rng.Below(4 * kDay));
    const int64_t d = 1 + static_cast<int64_t>(rng.Below(20 * kHour));
    SCOPED_TRACE(absl::StrCat("a=", a, " b=", b, " d=", d));
    ASSERT_EQ(ref.Between(a, b), naive.Between(a, b));
    const int64_t added = ref.Add(a, d);
    ASSERT_EQ(added, naive.Add(a, d));
    const int64_t back = ref.Subtract(added, d);
    ASSERT_EQ(naive.Between(back, added), d);
    // Latest: one ms later has less than d before `added`.
    ASSERT_LT(naive.Between(back + 1, added), d);
  }
  EXPECT_EQ(ref.day_length_ms(), 7 * kHour);
}

}  // namespace
}  // namespace slad::engine
