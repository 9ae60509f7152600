// Query result bodies (api/protocol_results.h): written straight into the
// caller's reply buffer, without a JsonWriter (which owns its own string),
// so a reply costs one append per member and no allocation of its own.

#include "api/protocol_results.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "api/json_writer.h"

namespace slad::api {
namespace {

// Appends the members of one JSON object, a comma before each but the
// first. The caller writes the braces.
class Members {
 public:
  // `first`: no member precedes (just after "{"); false to continue an
  // object that has members already (an ok reply after "ok":true).
  Members(std::string* out, bool first) : out_(out), first_(first) {}

  // Writes `,"key":` and returns the buffer for a raw value.
  std::string* Key(absl::string_view key) {
    if (!first_) out_->push_back(',');
    first_ = false;
    out_->push_back('"');
    out_->append(key.data(), key.size());
    out_->append("\":");
    return out_;
  }
  Members& Str(absl::string_view key, absl::string_view value) {
    AppendJsonString(value, Key(key));
    return *this;
  }
  // Omitted when empty (a name that means "none").
  Members& OptStr(absl::string_view key, absl::string_view value) {
    return value.empty() ? *this : Str(key, value);
  }
  Members& Int(absl::string_view key, int64_t value) {
    AppendInt(value, Key(key));
    return *this;
  }
  // Omitted when 0 (an instant that means "none").
  Members& Instant(absl::string_view key, int64_t ms) {
    return ms == 0 ? *this : Int(key, ms);
  }
  Members& Count(absl::string_view key, uint64_t value) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, value);
    Key(key)->append(buf, res.ptr);
    return *this;
  }
  Members& Bool(absl::string_view key, bool value) {
    Key(key)->append(value ? "true" : "false");
    return *this;
  }
  Members& Double(absl::string_view key, double value) {
    if (!std::isfinite(value)) value = 0;
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, value,
                                   std::chars_format::general, 6);
    Key(key)->append(buf, res.ptr);
    return *this;
  }

  static void AppendInt(int64_t value, std::string* out) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, value);
    out->append(buf, res.ptr);
  }

 private:
  std::string* out_;
  bool first_;
};

// A target's instants are there by its state, not by being non-zero:
// 0 is 1970-01-01T00:00Z, inside the range an instant may take.
void AppendTarget(const engine::TargetView& t, std::string* out) {
  out->push_back('{');
  Members m(out, true);
  m.Str("name", t.name).Str("state", t.state);
  if (t.state != "pending") m.Int("start", t.start_ms).Int("deadline", t.deadline_ms);
  if (t.state == "met" || t.state == "met_late") m.Int("stopped", t.stopped_ms);
  m.Int("elapsed_ms", t.elapsed_ms)
      .Int("remaining_ms", t.remaining_ms)
      .Bool("breached", t.breached)
      .Bool("paused", t.paused);
  out->push_back('}');
}

// The members OverdueItem and DueItem share, up to "deadline".
template <typename Item>
Members ItemMembers(const Item& item, std::string* out) {
  out->push_back('{');
  Members m(out, true);
  m.Str("id", item.id)
      .Str("kind", item.kind)
      .Str("target", item.target)
      .OptStr("team", item.team)
      .OptStr("assignee", item.assignee)
      .Str("level", item.level)
      .Int("deadline", item.deadline_ms);
  return m;
}

void AppendCursor(const std::string& cursor, std::string* out) {
  if (!cursor.empty()) Members(out, false).Str("next_cursor", cursor);
}

void AppendExplanationLists(const engine::Explanation& e, Members& m,
                            std::string* out) {
  m.Key("counted")->push_back('[');
  for (size_t i = 0; i < e.counted.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('{');
    Members(out, true)
        .Int("from", e.counted[i].first)
        .Int("to", e.counted[i].second);
    out->push_back('}');
  }
  out->append("]");
  m.Key("days")->push_back('[');
  for (size_t i = 0; i < e.days.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('{');
    Members(out, true).Str("date", e.days[i].date).Str("why", e.days[i].why);
    out->push_back('}');
  }
  out->append("]");
  m.Key("pauses")->push_back('[');
  for (size_t i = 0; i < e.pauses.size(); ++i) {
    if (i > 0) out->push_back(',');
    const engine::Explanation::Pause& p = e.pauses[i];
    out->push_back('{');
    Members(out, true)
        .Int("from", p.from_ms)
        .Instant("to", p.to_ms)
        .Int("business_ms", p.business_ms);
    out->push_back('}');
  }
  out->append("]");
  m.Key("priority_changes")->push_back('[');
  for (size_t i = 0; i < e.priority_changes.size(); ++i) {
    if (i > 0) out->push_back(',');
    const engine::Explanation::PriorityChange& c = e.priority_changes[i];
    out->push_back('{');
    Members(out, true).Int("at", c.at_ms).Str("from", c.from).Str("to", c.to);
    out->push_back('}');
  }
  out->append("]");
  if (e.truncated) m.Bool("truncated", true);
}

}  // namespace

void AppendTicketResult(const engine::TicketView& ticket, std::string* out) {
  Members(out, false).Key("ticket")->push_back('{');
  Members m(out, true);
  m.Str("id", ticket.id)
      .Str("kind", ticket.kind)
      .Str("priority", ticket.priority)
      .OptStr("team", ticket.team)
      .OptStr("assignee", ticket.assignee)
      .Str("level", ticket.level)
      .Bool("paused", ticket.paused)
      .Int("opened", ticket.opened_ms)
      .Instant("resolved", ticket.resolved_ms);
  m.Key("targets")->push_back('[');
  for (size_t i = 0; i < ticket.targets.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendTarget(ticket.targets[i], out);
  }
  out->append("]}");
}

namespace {

// An overdue or due-soon page: the items, each with its one measure of
// time (`overdue_ms` or `due_in_ms`), and the cursor.
template <typename Page, typename Item>
void AppendTargetItems(const Page& page, absl::string_view measure,
                       int64_t Item::*value, std::string* out) {
  Members(out, false).Key("items")->push_back('[');
  for (size_t i = 0; i < page.items.size(); ++i) {
    if (i > 0) out->push_back(',');
    ItemMembers(page.items[i], out).Int(measure, page.items[i].*value);
    out->push_back('}');
  }
  out->push_back(']');
  AppendCursor(page.next_cursor, out);
}

}  // namespace

void AppendOverdueResult(const engine::OverduePage& page, std::string* out) {
  AppendTargetItems(page, "overdue_ms", &engine::OverdueItem::overdue_ms, out);
}

void AppendDueSoonResult(const engine::DueSoonPage& page, std::string* out) {
  AppendTargetItems(page, "due_in_ms", &engine::DueItem::due_in_ms, out);
}

void AppendExplanationResult(const engine::Explanation& e, std::string* out) {
  Members(out, false).Key("explanation")->push_back('{');
  Members m(out, true);
  m.Str("id", e.id)
      .Str("target", e.target)
      .Str("calendar", e.calendar)
      .Str("state", e.state)
      .Str("priority", e.priority)
      .Int("start", e.start_ms)
      .Int("deadline", e.deadline_ms)
      .Int("budget_ms", e.budget_ms);
  AppendExplanationLists(e, m, out);
  out->push_back('}');
}

void AppendStatsResult(const engine::StatsTable& table, std::string* out) {
  Members(out, false).Key("rows")->push_back('[');
  for (size_t i = 0; i < table.rows.size(); ++i) {
    if (i > 0) out->push_back(',');
    const engine::StatsRow& r = table.rows[i];
    out->push_back('{');
    Members(out, true)
        .Str("group", r.group)
        .Count("started", r.started)
        .Count("met", r.met)
        .Count("met_late", r.met_late)
        .Count("breached", r.breached)
        .Double("attainment", r.attainment)
        .Int("mean_stop_ms", r.mean_stop_ms)
        .Int("p90_stop_ms", r.p90_stop_ms)
        .Count("opened", r.opened)
        .Count("resolved", r.resolved)
        .Double("resolution_rate", r.resolution_rate)
        .Count("rated", r.rated)
        .Double("mean_score", r.mean_score)
        .Double("satisfied", r.satisfied);
    out->push_back('}');
  }
  out->push_back(']');
}

void AppendCountResult(uint64_t count, std::string* out) {
  Members(out, false).Count("count", count);
}

void AppendHistoryResult(const std::vector<storage::HistoryRecord>& records,
                         std::string* out) {
  out->append(",\"history\":[");
  for (size_t i = 0; i < records.size(); ++i) {
    const storage::HistoryRecord& r = records[i];
    if (i > 0) out->push_back(',');
    absl::StrAppend(out, "{\"seq\":", r.seq, ",\"at\":", r.at_ms,
                    ",\"kind\":\"",
                    r.kind == storage::HistoryRecord::kEvent ? "event"
                                                             : "command",
                    "\",\"line\":", r.json.empty() ? "null" : r.json, "}");
  }
  out->push_back(']');
}

}  // namespace slad::api
