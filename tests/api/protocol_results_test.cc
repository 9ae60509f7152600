// The result bodies of api/protocol_results.h: each reply is parsed back
// with simdjson's DOM parser and checked field by field.

#include "api/protocol_results.h"

#include <string>

#include "api/protocol.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace slad::api {
namespace {

// 2026-01-05T01:00:00Z and later instants.
constexpr int64_t kT0 = 1767574800000;
constexpr int64_t kHour = 3600000;

// Wraps the members `append` writes in an ok reply with req 7 and parses
// the line; fails the test unless it is one JSON object.
template <typename Append>
simdjson::dom::element Reply(simdjson::dom::parser& parser, std::string* line,
                             Append append) {
  line->clear();
  AppendOkReplyBegin("7", line);
  append(line);
  AppendReplyEnd(line);
  EXPECT_EQ(line->find('\n'), line->size() - 1) << *line;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(*line).get(root), simdjson::SUCCESS) << *line;
  EXPECT_EQ(int64_t(root["req"]), 7);
  EXPECT_TRUE(bool(root["ok"]));
  return root;
}

std::string Str(simdjson::dom::element e) {
  return std::string(std::string_view(e));
}

bool Has(simdjson::dom::element object, const char* key) {
  return object[key].error() == simdjson::SUCCESS;
}

TEST(ProtocolResultsTest, TicketHasEveryField) {
  engine::TicketView v;
  v.id = "RET-\"1\"";
  v.kind = "return";
  v.priority = "normal";
  v.team = "east";
  v.assignee = "ann";
  v.level = "supervisor";
  v.opened_ms = kT0;
  v.resolved_ms = kT0 + 5 * kHour;
  v.paused = true;
  engine::TargetView t;
  t.name = "review";
  t.state = "met_late";
  t.start_ms = kT0;
  t.deadline_ms = kT0 + kHour;
  t.stopped_ms = kT0 + 2 * kHour;
  t.elapsed_ms = 2 * kHour;
  t.remaining_ms = -kHour;
  t.breached = true;
  t.paused = false;
  v.targets.push_back(t);
  simdjson::dom::parser parser;
  std::string line;
  simdjson::dom::element root = Reply(parser, &line, [&](std::string* out) {
    AppendTicketResult(v, out);
  });
  simdjson::dom::element ticket = root["ticket"];
  EXPECT_EQ(Str(ticket["id"]), "RET-\"1\"");
  EXPECT_EQ(Str(ticket["kind"]), "return");
  EXPECT_EQ(Str(ticket["priority"]), "normal");
  EXPECT_EQ(Str(ticket["team"]), "east");
  EXPECT_EQ(Str(ticket["assignee"]), "ann");
  EXPECT_EQ(Str(ticket["level"]), "supervisor");
  EXPECT_TRUE(bool(ticket["paused"]));
  EXPECT_EQ(int64_t(ticket["opened"]), kT0);
  EXPECT_EQ(int64_t(ticket["resolved"]), kT0 + 5 * kHour);
  simdjson::dom::array targets = ticket["targets"];
  ASSERT_EQ(targets.size(), 1u);
  simdjson::dom::element target = targets.at(0);
  EXPECT_EQ(Str(target["name"]), "review");
  EXPECT_EQ(Str(target["state"]), "met_late");
  EXPECT_EQ(int64_t(target["start"]), kT0);
  EXPECT_EQ(int64_t(target["deadline"]), kT0 + kHour);
  EXPECT_EQ(int64_t(target["stopped"]), kT0 + 2 * kHour);
  EXPECT_EQ(int64_t(target["elapsed_ms"]), 2 * kHour);
  EXPECT_EQ(int64_t(target["remaining_ms"]), -kHour);
  EXPECT_TRUE(bool(target["breached"]));
  EXPECT_FALSE(bool(target["paused"]));
}

TEST(ProtocolResultsTest, TicketOmitsWhatMeansNone) {
  engine::TicketView v;
  v.id = "T";
  v.kind = "inquiry";
  v.priority = "normal";
  v.level = "agent";
  v.opened_ms = kT0;
  engine::TargetView pending;
  pending.name = "response";
  pending.state = "pending";
  pending.remaining_ms = kHour;
  v.targets.push_back(pending);
  simdjson::dom::parser parser;
  std::string line;
  simdjson::dom::element ticket = Reply(parser, &line, [&](std::string* out) {
    AppendTicketResult(v, out);
  })["ticket"];
  EXPECT_FALSE(Has(ticket, "team"));
  EXPECT_FALSE(Has(ticket, "assignee"));
  EXPECT_FALSE(Has(ticket, "resolved"));
  simdjson::dom::element target = simdjson::dom::array(ticket["targets"]).at(0);
  EXPECT_FALSE(Has(target, "start"));
  EXPECT_FALSE(Has(target, "deadline"));
  EXPECT_FALSE(Has(target, "stopped"));
  EXPECT_EQ(int64_t(target["remaining_ms"]), kHour);
  EXPECT_EQ(int64_t(target["elapsed_ms"]), 0);
}

// What a target's state says it has is there even at instant 0
// (1970-01-01T00:00Z, a valid instant): a clock started then was reported
// with a deadline and no start.
TEST(ProtocolResultsTest, AStartAtInstantZeroIsStillThere) {
  engine::TicketView v;
  v.id = "T";
  v.kind = "inquiry";
  v.priority = "normal";
  v.level = "agent";
  engine::TargetView met;
  met.name = "response";
  met.state = "met";
  met.start_ms = 0;
  met.deadline_ms = kHour;
  met.stopped_ms = 0;
  v.targets.push_back(met);
  simdjson::dom::parser parser;
  std::string line;
  simdjson::dom::element ticket = Reply(parser, &line, [&](std::string* out) {
    AppendTicketResult(v, out);
  })["ticket"];
  simdjson::dom::element target = simdjson::dom::array(ticket["targets"]).at(0);
  EXPECT_EQ(int64_t(target["start"]), 0);
  EXPECT_EQ(int64_t(target["deadline"]), kHour);
  EXPECT_EQ(int64_t(target["stopped"]), 0);
}

TEST(ProtocolResultsTest, OverduePageWithCursor) {
  engine::OverduePage page;
  page.items.push_back({"A", "return", "review", "east", "", "supervisor",
                        kT0, 3 * kHour});
  page.items.push_back({"B", "refund", "refund", "", "bob", "agent",
                        kT0 + kHour, 2 * kHour});
  page.next_cursor = "1767578400000.1.0";
  simdjson::dom::parser parser;
  std::string line;
  simdjson::dom::element root = Reply(parser, &line, [&](std::string* out) {
    AppendOverdueResult(page, out);
  });
  simdjson::dom::array items = root["items"];
  ASSERT_EQ(items.size(), 2u);
  simdjson::dom::element a = items.at(0);
  EXPECT_EQ(Str(a["id"]), "A");
  EXPECT_EQ(Str(a["kind"]), "return");
  EXPECT_EQ(Str(a["target"]), "review");
  EXPECT_EQ(Str(a["team"]), "east");
  EXPECT_FALSE(Has(a, "assignee"));
  EXPECT_EQ(Str(a["level"]), "supervisor");
  EXPECT_EQ(int64_t(a["deadline"]), kT0);
  EXPECT_EQ(int64_t(a["overdue_ms"]), 3 * kHour);
  simdjson::dom::element b = items.at(1);
  EXPECT_FALSE(Has(b, "team"));
  EXPECT_EQ(Str(b["assignee"]), "bob");
  EXPECT_EQ(int64_t(b["overdue_ms"]), 2 * kHour);
  EXPECT_EQ(Str(root["next_cursor"]), "1767578400000.1.0");
}

TEST(ProtocolResultsTest, DueSoonLastPageHasNoCursor) {
  engine::DueSoonPage page;
  page.items.push_back({"C", "inquiry", "response", "west", "cy", "agent",
                        kT0 + kHour, kHour});
  simdjson::dom::parser parser;
  std::string line;
  simdjson::dom::element root = Reply(parser, &line, [&](std::string* out) {
    AppendDueSoonResult(page, out);
  });
  simdjson::dom::array items = root["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(Str(items.at(0)["id"]), "C");
  EXPECT_EQ(Str(items.at(0)["assignee"]), "cy");
  EXPECT_EQ(int64_t(items.at(0)["deadline"]), kT0 + kHour);
  EXPECT_EQ(int64_t(items.at(0)["due_in_ms"]), kHour);
  EXPECT_FALSE(Has(items.at(0), "overdue_ms"));
  EXPECT_FALSE(Has(root, "next_cursor"));
}

TEST(ProtocolResultsTest, EmptyPageIsAnEmptyArray) {
  simdjson::dom::parser parser;
  std::string line;
  Reply(parser, &line, [&](std::string* out) {
    AppendOverdueResult(engine::OverduePage{}, out);
  });
  EXPECT_EQ(line, "{\"req\":7,\"ok\":true,\"items\":[]}\n");
}

TEST(ProtocolResultsTest, ExplanationHasEveryList) {
  engine::Explanation e;
  e.id = "RET-1";
  e.target = "review";
  e.calendar = "cn_office";
  e.state = "running";
  e.priority = "high";
  e.start_ms = kT0;
  e.deadline_ms = kT0 + 30 * kHour;
  e.budget_ms = 16 * kHour;
  e.counted = {{kT0, kT0 + 3 * kHour}, {kT0 + 4 * kHour, kT0 + 9 * kHour}};
  e.days.push_back({"2026-01-10", "weekend"});
  e.pauses.push_back({kT0 + kHour, kT0 + 2 * kHour, kHour});
  e.pauses.push_back({kT0 + 20 * kHour, 0, 0});
  e.priority_changes.push_back({kT0 + kHour, "normal", "high"});
  simdjson::dom::parser parser;
  std::string line;
  simdjson::dom::element x = Reply(parser, &line, [&](std::string* out) {
    AppendExplanationResult(e, out);
  })["explanation"];
  EXPECT_EQ(Str(x["id"]), "RET-1");
  EXPECT_EQ(Str(x["target"]), "review");
  EXPECT_EQ(Str(x["calendar"]), "cn_office");
  EXPECT_EQ(Str(x["state"]), "running");
  EXPECT_EQ(Str(x["priority"]), "high");
  EXPECT_EQ(int64_t(x["start"]), kT0);
  EXPECT_EQ(int64_t(x["deadline"]), kT0 + 30 * kHour);
  EXPECT_EQ(int64_t(x["budget_ms"]), 16 * kHour);
  simdjson::dom::array counted = x["counted"];
  ASSERT_EQ(counted.size(), 2u);
  EXPECT_EQ(int64_t(counted.at(1)["from"]), kT0 + 4 * kHour);
  EXPECT_EQ(int64_t(counted.at(1)["to"]), kT0 + 9 * kHour);
  simdjson::dom::array days = x["days"];
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(Str(days.at(0)["date"]), "2026-01-10");
  EXPECT_EQ(Str(days.at(0)["why"]), "weekend");
  simdjson::dom::array pauses = x["pauses"];
  ASSERT_EQ(pauses.size(), 2u);
  EXPECT_EQ(int64_t(pauses.at(0)["from"]), kT0 + kHour);
  EXPECT_EQ(int64_t(pauses.at(0)["to"]), kT0 + 2 * kHour);
  EXPECT_EQ(int64_t(pauses.at(0)["business_ms"]), kHour);
  EXPECT_FALSE(Has(pauses.at(1), "to"));  // still paused
  simdjson::dom::array changes = x["priority_changes"];
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(int64_t(changes.at(0)["at"]), kT0 + kHour);
  EXPECT_EQ(Str(changes.at(0)["from"]), "normal");
  EXPECT_EQ(Str(changes.at(0)["to"]), "high");
  EXPECT_FALSE(Has(x, "truncated"));

  e.truncated = true;  // lists cut at Explanation::kMaxItems
  x = Reply(parser, &line, [&](std::string* out) {
    AppendExplanationResult(e, out);
  })["explanation"];
  EXPECT_TRUE(bool(x["truncated"]));
}

TEST(ProtocolResultsTest, StatsRowHasEveryField) {
  engine::StatsTable table;
  engine::StatsRow r;
  r.group = "return";
  r.started = 10;
  r.met = 6;
  r.met_late = 2;
  r.breached = 3;
  r.attainment = 0.75;
  r.mean_stop_ms = 5 * kHour;
  r.p90_stop_ms = 9 * kHour;
  r.opened = 8;
  r.resolved = 4;
  r.resolution_rate = 0.5;
  r.rated = 3;
  r.mean_score = 4.0 / 3 + 3;
  r.satisfied = 2.0 / 3;
  table.rows.push_back(r);
  table.rows.push_back(engine::StatsRow{.group = "refund"});
  simdjson::dom::parser parser;
  std::string line;
  simdjson::dom::array rows = Reply(parser, &line, [&](std::string* out) {
    AppendStatsResult(table, out);
  })["rows"];
  ASSERT_EQ(rows.size(), 2u);
  simdjson::dom::element row = rows.at(0);
  EXPECT_EQ(Str(row["group"]), "return");
  EXPECT_EQ(uint64_t(row["started"]), 10u);
  EXPECT_EQ(uint64_t(row["met"]), 6u);
  EXPECT_EQ(uint64_t(row["met_late"]), 2u);
  EXPECT_EQ(uint64_t(row["breached"]), 3u);
  EXPECT_DOUBLE_EQ(double(row["attainment"]), 0.75);
  EXPECT_EQ(int64_t(row["mean_stop_ms"]), 5 * kHour);
  EXPECT_EQ(int64_t(row["p90_stop_ms"]), 9 * kHour);
  EXPECT_EQ(uint64_t(row["opened"]), 8u);
  EXPECT_EQ(uint64_t(row["resolved"]), 4u);
  EXPECT_DOUBLE_EQ(double(row["resolution_rate"]), 0.5);
  EXPECT_EQ(uint64_t(row["rated"]), 3u);
  EXPECT_NEAR(double(row["mean_score"]), 4.33333, 1e-5);
  EXPECT_NEAR(double(row["satisfied"]), 0.666667, 1e-6);
  // Zero ratios are the number 0, integral in the text.
  EXPECT_EQ(uint64_t(rows.at(1)["attainment"]), 0u);
  EXPECT_EQ(Str(rows.at(1)["group"]), "refund");
}

TEST(ProtocolResultsTest, NonFiniteRatioIsZero) {
  engine::StatsTable table;
  engine::StatsRow r;
  r.group = "x";
  r.attainment = std::numeric_limits<double>::quiet_NaN();
  r.mean_score = std::numeric_limits<double>::infinity();
  table.rows.push_back(r);
  simdjson::dom::parser parser;
  std::string line;
  simdjson::dom::array rows = Reply(parser, &line, [&](std::string* out) {
    AppendStatsResult(table, out);
  })["rows"];
  EXPECT_EQ(uint64_t(rows.at(0)["attainment"]), 0u);
  EXPECT_EQ(uint64_t(rows.at(0)["mean_score"]), 0u);
}

TEST(ProtocolResultsTest, Count) {
  simdjson::dom::parser parser;
  std::string line;
  simdjson::dom::element root = Reply(parser, &line, [&](std::string* out) {
    AppendCountResult(1234, out);
  });
  EXPECT_EQ(uint64_t(root["count"]), 1234u);
}

}  // namespace
}  // namespace slad::api
