#include "tools/load_report.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/json_writer.h"
#include "tools/table.h"

namespace slad::tools {
namespace {

std::string Us(int64_t us) {
  if (us < 1000) return absl::StrCat(us, "us");
  return absl::StrFormat("%.2fms", us / 1000.0);
}

double Throughput(const LoadResult& r) {
  return r.seconds > 0 ? r.all_us.count() / r.seconds : 0;
}

// A rate as a JSON number with its fraction (what the text rounds): a
// truncated 0.1 would read as 0, "as fast as possible".
std::string JsonReal(double v) { return absl::StrFormat("%.3f", v); }

// --rate as given (0.1, 1.5, 20000), for the text and the JSON alike.
std::string RateText(double rate) { return absl::StrFormat("%.10g", rate); }

// The soak checks' line: what was checked, and what could not be.
std::string Checks(const LoadResult& r) {
  std::string out = absl::StrFormat("disconnects: %d; ", r.disconnects);
  if (r.subscribe_refused) {
    absl::StrAppend(&out, "breach tickets: not checked (subscribe refused)");
  } else {
    absl::StrAppendFormat(&out, "breach tickets due: %d, never delivered: %d",
                          r.breach_tickets, r.undelivered);
  }
  absl::StrAppendFormat(&out, "; verified: %d, lost: %d", r.verified, r.lost);
  if (r.verify_errors > 0) {
    absl::StrAppendFormat(&out,
                          "; verify could not run for %d tickets (their get "
                          "was refused: see errors)",
                          r.verify_errors);
  }
  return out + "\n";
}

std::vector<std::string> Row(absl::string_view name, const Histogram& h,
                             double seconds) {
  return {std::string(name), absl::StrCat(h.count()),
          absl::StrFormat("%.0f", seconds > 0 ? h.count() / seconds : 0),
          Us(h.Quantile(0.5)), Us(h.Quantile(0.99)), Us(h.Quantile(0.999)),
          Us(h.max())};
}

void AppendQuantiles(const Histogram& h, bool with_mean, std::string* out) {
  absl::StrAppend(out, "{\"count\":", h.count(), ",\"p50\":", h.Quantile(0.5),
                  ",\"p99\":", h.Quantile(0.99), ",\"p999\":",
                  h.Quantile(0.999), ",\"max\":", h.max());
  if (with_mean) absl::StrAppend(out, ",\"mean\":", static_cast<int64_t>(h.mean()));
  out->push_back('}');
}

void AppendCounts(const std::map<std::string, int64_t>& counts,
                  std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [name, n] : counts) {
    if (!first) out->push_back(',');
    first = false;
    api::AppendJsonString(name, out);
    absl::StrAppend(out, ":", n);
  }
  out->push_back('}');
}

}  // namespace

std::string ReportTable(const LoadConfig& c, const LoadResult& r) {
  std::string out = absl::StrFormat(
      "slaload: %s at %s, %d connections x depth %d, %s, %.1f s\n",
      c.redis ? "redis" : "slad", c.addr, c.connections, c.depth,
      c.rate > 0 ? absl::StrCat("target ", RateText(c.rate), " req/s")
                 : std::string("as fast as possible"),
      r.seconds);
  if (c.preload > 0) {
    absl::StrAppendFormat(&out,
                          "preload: %d tickets in %.1f s (%.0f/s), %d errors\n",
                          r.preloaded, r.preload_seconds,
                          r.preload_seconds > 0 ? r.preloaded / r.preload_seconds
                                                : 0,
                          r.preload_errors);
  }
  Table ops({"OP", "COUNT", "PER S", "P50", "P99", "P99.9", "MAX"});
  for (int op = 0; op < kOpCount; ++op) {
    if (r.latency_us[op].count() == 0) continue;
    ops.AddRow(Row(OpName(static_cast<Op>(op)), r.latency_us[op], r.seconds));
  }
  ops.AddRow(Row("all", r.all_us, r.seconds));
  if (c.rate > 0) ops.AddRow(Row("all, from schedule", r.scheduled_us, r.seconds));
  absl::StrAppend(&out, "\n", ops.Render());
  const Histogram& l = r.lateness_us;
  absl::StrAppendFormat(
      &out,
      "\nevents: %d received (%d again or from before the run, %d "
      "duplicates under a new seq); "
      "escalation lateness (n=%d): p50 %s  p99 %s  "
      "p99.9 %s  max %s\n",
      r.events, r.redelivered, r.duplicates, l.count(), Us(l.Quantile(0.5)), Us(l.Quantile(0.99)),
      Us(l.Quantile(0.999)), Us(l.max()));
  if (const Histogram& rd = r.lateness_read_us; rd.count() > 0) {
    absl::StrAppendFormat(&out,
                          "  as read by slaload's subscriber thread: p50 %s  "
                          "p99 %s  p99.9 %s  max %s\n",
                          Us(rd.Quantile(0.5)), Us(rd.Quantile(0.99)),
                          Us(rd.Quantile(0.999)), Us(rd.max()));
  }
  std::string errors;
  for (const auto& [code, n] : r.errors) {
    absl::StrAppend(&errors, " ", code, "=", n);
  }
  absl::StrAppend(&out, "errors:", errors.empty() ? " none" : errors, "\n");
  absl::StrAppend(&out, Checks(r));
  return out;
}

std::string ReportJson(const LoadConfig& c, const LoadResult& r) {
  std::string out = absl::StrCat(
      "{\"target\":\"", c.redis ? "redis" : "slad", "\",\"connections\":",
      c.connections, ",\"depth\":", c.depth, ",\"rate\":",
      RateText(c.rate), ",\"seconds\":",
      absl::StrFormat("%.3f", r.seconds), ",\"requests\":", r.all_us.count(),
      ",\"throughput\":", JsonReal(Throughput(r)),
      ",\"preload\":{\"tickets\":", r.preloaded, ",\"errors\":",
      r.preload_errors, ",\"seconds\":",
      absl::StrFormat("%.3f", r.preload_seconds), ",\"rate\":",
      JsonReal(r.preload_seconds > 0 ? r.preloaded / r.preload_seconds : 0),
      "},\"ops\":{");
  bool first = true;
  for (int op = 0; op < kOpCount; ++op) {
    if (r.latency_us[op].count() == 0) continue;
    if (!first) out.push_back(',');
    first = false;
    absl::StrAppend(&out, "\"", OpName(static_cast<Op>(op)), "\":");
    AppendQuantiles(r.latency_us[op], true, &out);
  }
  absl::StrAppend(&out, "},\"all_us\":");
  AppendQuantiles(r.all_us, true, &out);
  absl::StrAppend(&out, ",\"scheduled_us\":");
  AppendQuantiles(r.scheduled_us, true, &out);
  absl::StrAppend(&out, ",\"errors\":");
  AppendCounts(r.errors, &out);
  absl::StrAppend(&out, ",\"events\":", r.events, ",\"redelivered\":",
                  r.redelivered, ",\"duplicates\":", r.duplicates,
                  ",\"events_by_name\":");
  AppendCounts(r.events_by_name, &out);
  absl::StrAppend(&out, ",\"lateness_us\":");
  AppendQuantiles(r.lateness_us, false, &out);
  absl::StrAppend(&out, ",\"lateness_read_us\":");
  AppendQuantiles(r.lateness_read_us, false, &out);
  absl::StrAppend(&out, ",\"disconnects\":", r.disconnects,
                  ",\"breach_tickets\":", r.breach_tickets,
                  ",\"undelivered\":", r.undelivered, ",\"verified\":",
                  r.verified, ",\"lost\":", r.lost, ",\"verify_errors\":",
                  r.verify_errors, ",\"subscribe_refused\":",
                  r.subscribe_refused ? "true" : "false", "}\n");
  return out;
}

}  // namespace slad::tools
