#ifndef SLAD_API_PROTOCOL_RESULTS_H_
#define SLAD_API_PROTOCOL_RESULTS_H_

// The result bodies of query replies (docs/API.md, "Query results"). Each
// Append*Result appends `,"key":value` members to an ok reply that
// AppendOkReplyBegin() opened and AppendReplyEnd() closes:
//
//   AppendOkReplyBegin(request.req, &out);
//   AppendTicketResult(view, &out);
//   AppendReplyEnd(&out);
//
// Conventions: instants are Unix ms integers under a plain key
// ("deadline", "opened"); durations are ms integers with "_ms" in the key
// (business time for elapsed/remaining/budget/stop times, wall-clock time
// for overdue_ms/due_in_ms). An instant or name that means "none" (a zero
// instant, an empty team) is omitted, never null. Pure functions that only
// append to *out; thread-safe.

#include <cstdint>
#include <string>

#include <vector>

#include "engine/ticket.h"
#include "storage/store.h"

namespace slad::api {

// ,"ticket":{"id":..,"kind":..,"priority":..[,"team":..][,"assignee":..],
//   "level":..,"paused":b,"opened":ms[,"resolved":ms],"targets":[<target>...]}
// <target> := {"name":..,"state":..[,"start":ms][,"deadline":ms]
//   [,"stopped":ms],"elapsed_ms":n,"remaining_ms":n,"breached":b,"paused":b}
void AppendTicketResult(const engine::TicketView& ticket, std::string* out);

// ,"items":[{"id","kind","target"[,"team"][,"assignee"],"level",
//   "deadline":ms,"overdue_ms":n}...][,"next_cursor":".."]
void AppendOverdueResult(const engine::OverduePage& page, std::string* out);

// As AppendOverdueResult, with "due_in_ms" in place of "overdue_ms".
void AppendDueSoonResult(const engine::DueSoonPage& page, std::string* out);

// ,"explanation":{"id","target","calendar","state","priority",
//   "start":ms,"deadline":ms,"budget_ms":n,
//   "counted":[{"from":ms,"to":ms}...],
//   "days":[{"date":"YYYY-MM-DD","why":..}...],
//   "pauses":[{"from":ms[,"to":ms],"business_ms":n}...],
//   "priority_changes":[{"at":ms,"from":..,"to":..}...]}
void AppendExplanationResult(const engine::Explanation& explanation,
                             std::string* out);

// ,"rows":[{"group":..,"started":n,"met":n,"met_late":n,"breached":n,
//   "attainment":x,"mean_stop_ms":n,"p90_stop_ms":n,"opened":n,
//   "resolved":n,"resolution_rate":x,"rated":n,"mean_score":x,
//   "satisfied":x}...]
// x: a JSON number (at most 6 significant digits; 0 for NaN or infinity).
void AppendStatsResult(const engine::StatsTable& table, std::string* out);

// ,"count":n (pause_all, resume_all: the tickets touched).
void AppendCountResult(uint64_t count, std::string* out);

// ,"history":[{"seq":n,"at":ms,"kind":"command"|"event","line":<json>}...]
// (get, from the store's audit trail, oldest first). `line` is the stored
// request or event line, embedded as the JSON object it is.
void AppendHistoryResult(const std::vector<storage::HistoryRecord>& records,
                         std::string* out);

}  // namespace slad::api

#endif  // SLAD_API_PROTOCOL_RESULTS_H_
