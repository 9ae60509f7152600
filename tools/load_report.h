#ifndef SLAD_TOOLS_LOAD_REPORT_H_
#define SLAD_TOOLS_LOAD_REPORT_H_

// slaload's final report: a human table, or one JSON object (one line)
// that scripts such as bench/e2e/run.sh compare across runs. Pure.

#include <string>

#include "tools/load_runner.h"

namespace slad::tools {

std::string ReportTable(const LoadConfig& config, const LoadResult& result);

// Keys: target, connections, depth, seconds, requests, throughput,
// preload {tickets, errors, seconds, rate}, ops {<op>: {count, p50,
// p99, p999, max, mean} in µs}, all_us {...}, errors {<code>: n},
// events {count, <name>: n}, lateness_us {count, p50, p99, p999, max},
// disconnects, breach_tickets, undelivered, verified, lost.
std::string ReportJson(const LoadConfig& config, const LoadResult& result);

}  // namespace slad::tools

#endif  // SLAD_TOOLS_LOAD_REPORT_H_
