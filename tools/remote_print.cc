#include "tools/remote_print.h"

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/ticket.h"
#include "simdjson.h"
#include "tools/table.h"

namespace slad::tools {
namespace {

using simdjson::dom::element;

// The parser for this thread: parsing allocates once, then reuses.
simdjson::dom::parser& Parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

std::optional<element> Parse(absl::string_view line) {
  element doc;
  if (Parser().parse(line.data(), line.size()).get(doc)) return std::nullopt;
  if (!doc.is_object()) return std::nullopt;
  return doc;
}

std::string Str(element obj, const char* key) {
  std::string_view v;
  if (obj[key].get(v)) return "-";
  return std::string(v);
}

std::optional<int64_t> Int(element obj, const char* key) {
  int64_t v;
  if (obj[key].get(v)) return std::nullopt;
  return v;
}

std::string Instant(element obj, const char* key) {
  const std::optional<int64_t> v = Int(obj, key);
  return v ? HumanInstant(*v) : "-";
}

// Wall-clock time (overdue_ms, due_in_ms).
std::string Duration(element obj, const char* key) {
  const std::optional<int64_t> v = Int(obj, key);
  return v ? HumanDuration(*v) : "-";
}

// Business time (elapsed, remaining, budget, ...): never in days.
std::string BusinessDuration(element obj, const char* key) {
  const std::optional<int64_t> v = Int(obj, key);
  return v ? HumanBusinessDuration(*v) : "-";
}

std::string YesNo(element obj, const char* key) {
  bool v = false;
  if (obj[key].get(v)) return "-";
  return v ? "yes" : "no";
}

std::string Percent(element obj, const char* key) {
  double v = 0;
  if (obj[key].get(v)) return "-";
  return HumanPercent(v);
}

std::string Number(element obj, const char* key) {
  double v = 0;
  if (obj[key].get(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

// The audit trail a get carries: one row per command or event, oldest
// first, the request or event line as stored.
std::string HistoryText(element reply) {
  simdjson::dom::array list;
  if (reply["history"].get(list) || list.size() == 0) return "";
  Table table({"SEQ", "AT", "KIND", "LINE"});
  for (element x : list) {
    element line;
    const std::optional<int64_t> seq = Int(x, "seq");
    table.AddRow({seq ? std::to_string(*seq) : "-", Instant(x, "at"),
                  Str(x, "kind"),
                  x["line"].get(line) ? "-" : simdjson::minify(line)});
  }
  return absl::StrCat("\n", table.Render());
}

std::string TicketText(element reply) {
  element t;
  if (reply["ticket"].get(t)) {
    // The engine forgot the ticket (its reopen window ended); the store
    // still has its history.
    const std::string history = HistoryText(reply);
    if (history.empty()) return "";
    return absl::StrCat("ticket forgotten (resolved, reopen window over); "
                        "its history:\n", history);
  }
  Table head({"id", Str(t, "id")});
  for (const char* key : {"kind", "priority", "team", "assignee", "level"}) {
    head.AddRow({key, Str(t, key)});
  }
  head.AddRow({"paused", YesNo(t, "paused")});
  head.AddRow({"opened", Instant(t, "opened")});
  head.AddRow({"resolved", Instant(t, "resolved")});
  Table targets({"TARGET", "STATE", "START", "DEADLINE", "STOPPED", "ELAPSED",
                 "REMAINING", "BREACHED"});
  simdjson::dom::array list;
  if (!t["targets"].get(list)) {
    for (element x : list) {
      targets.AddRow({Str(x, "name"), Str(x, "state"), Instant(x, "start"),
                      Instant(x, "deadline"), Instant(x, "stopped"),
                      BusinessDuration(x, "elapsed_ms"),
                      BusinessDuration(x, "remaining_ms"),
                      YesNo(x, "breached")});
    }
  }
  return absl::StrCat(head.Render(), "\n", targets.Render(),
                      HistoryText(reply));
}

std::string ItemsText(element reply) {
  simdjson::dom::array items;
  if (reply["items"].get(items)) return "";
  const bool overdue = items.size() == 0 || !items.at(0)["overdue_ms"].error();
  Table table({"ID", "KIND", "TARGET", "TEAM", "ASSIGNEE", "LEVEL",
               "DEADLINE", overdue ? "OVERDUE" : "DUE IN"});
  for (element x : items) {
    table.AddRow({Str(x, "id"), Str(x, "kind"), Str(x, "target"),
                  Str(x, "team"), Str(x, "assignee"), Str(x, "level"),
                  Instant(x, "deadline"),
                  Duration(x, overdue ? "overdue_ms" : "due_in_ms")});
  }
  std::string_view cursor;
  const bool more = !reply["next_cursor"].get(cursor);
  // A page that passed its share of entries may match none and still
  // have more after it.
  std::string out = table.rows() > 0 ? table.Render()
                    : more           ? "(none on this page)\n"
                                     : "(none)\n";
  if (more) {
    // The cursor pages this query only: the same filters go with it.
    absl::StrAppend(&out, "more: the same command with --cursor ", std::string(cursor),
                    "\n");
  }
  return out;
}

std::string StatsText(element reply) {
  simdjson::dom::array rows;
  if (reply["rows"].get(rows)) return "";
  Table table({"GROUP", "STARTED", "MET", "MET_LATE", "BREACHED", "ATTAINMENT",
               "MEAN_STOP", "P90_STOP", "OPENED", "RESOLVED", "RESOLUTION",
               "RATED", "MEAN_SCORE", "SATISFIED"});
  for (element x : rows) {
    auto n = [&](const char* key) {
      const std::optional<int64_t> v = Int(x, key);
      return v ? std::to_string(*v) : "-";
    };
    // A ratio over nothing is 0 on the wire; here it is no value, "-",
    // not a 0 % a supervisor would read as a failure.
    const auto over = [&](std::initializer_list<const char*> counts, std::string text) {
      int64_t total = 0;
      for (const char* c : counts) total += Int(x, c).value_or(0);
      return total > 0 ? text : std::string("-");
    };
    table.AddRow({Str(x, "group"), n("started"), n("met"), n("met_late"),
                  n("breached"), over({"met", "met_late"}, Percent(x, "attainment")),
                  over({"met", "met_late"}, BusinessDuration(x, "mean_stop_ms")),
                  over({"met", "met_late"}, BusinessDuration(x, "p90_stop_ms")),
                  n("opened"), n("resolved"),
                  over({"opened"}, Percent(x, "resolution_rate")),
                  n("rated"), over({"rated"}, Number(x, "mean_score")),
                  over({"rated"}, Percent(x, "satisfied"))});
  }
  return table.rows() == 0 ? "(no rows)\n" : table.Render();
}

std::string GroupsText(element reply) {
  simdjson::dom::array groups;
  if (reply["groups"].get(groups)) return "";
  Table table({"GROUP", "TEAMS", "ACKED", "BEHIND", "CONNECTIONS"});
  for (element x : groups) {
    std::string teams;
    simdjson::dom::array list;
    if (!x["teams"].get(list)) {
      for (element t : list) {
        std::string_view name;
        if (t.get(name)) continue;
        absl::StrAppend(&teams, teams.empty() ? "" : ",", std::string(name));
      }
    }
    auto n = [&](const char* key) {
      const std::optional<int64_t> v = Int(x, key);
      return v ? std::to_string(*v) : "-";
    };
    table.AddRow({Str(x, "group"), teams.empty() ? "-" : teams, n("acked"), n("behind"),
                  n("connections")});
  }
  return table.rows() == 0 ? "(no groups)\n" : table.Render();
}

std::string ExplainText(element reply) {
  element e;
  if (reply["explanation"].get(e)) return "";
  Table head({"id", Str(e, "id")});
  for (const char* key : {"target", "calendar", "state", "priority"}) {
    head.AddRow({key, Str(e, key)});
  }
  head.AddRow({"start", Instant(e, "start")});
  head.AddRow({"deadline", Instant(e, "deadline")});
  head.AddRow({"budget", BusinessDuration(e, "budget_ms")});
  std::string out = head.Render();
  simdjson::dom::array list;
  Table counted({"COUNTED FROM", "TO"});
  if (!e["counted"].get(list)) {
    for (element x : list) {
      counted.AddRow({Instant(x, "from"), Instant(x, "to")});
    }
  }
  absl::StrAppend(&out, "\n", counted.Render());
  Table days({"DAY", "WHY"});
  if (!e["days"].get(list)) {
    for (element x : list) days.AddRow({Str(x, "date"), Str(x, "why")});
  }
  if (days.rows() > 0) absl::StrAppend(&out, "\n", days.Render());
  Table pauses({"PAUSED FROM", "TO", "BUSINESS"});
  if (!e["pauses"].get(list)) {
    for (element x : list) {
      pauses.AddRow({Instant(x, "from"), Instant(x, "to"),
                     BusinessDuration(x, "business_ms")});
    }
  }
  if (pauses.rows() > 0) absl::StrAppend(&out, "\n", pauses.Render());
  Table changes({"PRIORITY CHANGED AT", "FROM", "TO"});
  if (!e["priority_changes"].get(list)) {
    for (element x : list) {
      changes.AddRow({Instant(x, "at"), Str(x, "from"), Str(x, "to")});
    }
  }
  if (changes.rows() > 0) absl::StrAppend(&out, "\n", changes.Render());
  bool truncated = false;
  if (!e["truncated"].get(truncated) && truncated) {
    absl::StrAppend(&out, "\n(cut short: the lists stop at their first ",
                    engine::Explanation::kMaxItems, " entries)\n");
  }
  return out;
}

}  // namespace

std::string HumanReply(ReplyShape shape, absl::string_view line) {
  const std::optional<element> reply = Parse(line);
  if (!reply) return "";
  switch (shape) {
    case ReplyShape::kOk:
      return "ok\n";
    case ReplyShape::kCount: {
      const std::optional<int64_t> n = Int(*reply, "count");
      return absl::StrCat("ok: ", n.value_or(0),
                          n.value_or(0) == 1 ? " ticket\n" : " tickets\n");
    }
    case ReplyShape::kTicket:
      return TicketText(*reply);
    case ReplyShape::kItems:
      return ItemsText(*reply);
    case ReplyShape::kStats:
      return StatsText(*reply);
    case ReplyShape::kExplain:
      return ExplainText(*reply);
    case ReplyShape::kGroups:
      return GroupsText(*reply);
  }
  return "";
}

std::string HumanEvent(absl::string_view line, int64_t* seq) {
  *seq = -1;
  const std::optional<element> ev = Parse(line);
  if (!ev) return "";
  std::string_view event;
  if ((*ev)["event"].get(event)) return "";
  const absl::string_view name(event.data(), event.size());
  *seq = Int(*ev, "seq").value_or(-1);
  std::string out = absl::StrCat(Instant(*ev, "at"), "  ", name);
  out.append(name.size() < 9 ? 9 - name.size() : 0, ' ');
  absl::StrAppend(&out, "  ", Str(*ev, "id"), "  ", Str(*ev, "target"));
  if (Int(*ev, "deadline")) {
    absl::StrAppend(&out, "  deadline ", Instant(*ev, "deadline"));
  }
  if (name == "escalated") {
    absl::StrAppend(&out, "  ", Str(*ev, "from"), " -> ", Str(*ev, "to"));
  }
  if (*seq >= 0) absl::StrAppend(&out, "  seq ", *seq);
  return out + "\n";
}

void ReplyError(absl::string_view line, std::string* code,
                std::string* message) {
  const std::optional<element> reply = Parse(line);
  element error;
  if (!reply) {
    // Not a JSON object: whatever listens there is not slad (a web server,
    // another service on a mistyped port).
    *code = "not_slad";
    *message = absl::StrCat("the peer does not speak slad's protocol; it answered \"",
                            absl::CHexEscape(line.substr(0, 60)),
                            line.size() > 60 ? "...\"" : "\"");
    return;
  }
  if ((*reply)["error"].get(error)) {
    *code = "internal";
    *message = absl::StrCat("unexpected reply: ", line);
    return;
  }
  *code = Str(error, "code");
  *message = Str(error, "message");
}

bool IsOkReply(absl::string_view line) {
  const std::optional<element> reply = Parse(line);
  bool ok = false;
  return reply && !(*reply)["ok"].get(ok) && ok;
}

bool IsEventLine(absl::string_view line) {
  const std::optional<element> reply = Parse(line);
  return reply && !(*reply)["event"].error();
}

}  // namespace slad::tools
