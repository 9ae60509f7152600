#include "tools/simulate_command.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "api/executor.h"
#include "api/protocol.h"
#include "engine/calendar.h"
#include "engine/engine.h"
#include "engine/time_format.h"
#include "tools/line_reader.h"

namespace slad::tools {
namespace {

constexpr char kUsage[] = R"(usage:
  slactl simulate [--policy FILE] [--until T] < requests.ndjson

Replays request lines (docs/API.md, each engine op with `at`) through the
policy in simulated time. Writes to stdout, in time order, one JSON object
per line: the events as they fall due ({"event":"breached",...}) and one
reply per request ({"ok":true,...} or {"ok":false,"error":...}). A line
going back in time, a malformed line or a refused command gets an error
reply and the run goes on. `advance {to}` moves the clock. At the end of
the input, advances to --until if given.

T  RFC 3339 with an offset or Z, or Unix ms.
Without --policy, the embedded default policy. Exit status 0 once the
input is read to the end; 2 on usage or policy errors (JSON on stderr).
)";

// Output is written when this much has gathered: few, large writes.
constexpr size_t kFlushBytes = 1 << 20;

bool Flush(std::string* out) {
  const size_t n = std::fwrite(out->data(), 1, out->size(), stdout);
  const bool ok = n == out->size();
  out->clear();
  return ok;
}

bool IsBlank(absl::string_view line) {
  return absl::StripAsciiWhitespace(line).empty();
}

// Decodes and executes one line, appending its event and reply lines.
void RunLine(absl::string_view line, api::RequestDecoder* decoder,
             api::Request* request, api::Executor* executor,
             const engine::Engine& engine, std::string* out) {
  const absl::Status status = decoder->Decode(line, request);
  if (!status.ok()) {
    api::AppendErrorReply(request->req, status, out);
    return;
  }
  if (request->session_op == api::SessionOp::kNone &&
      !request->at_ms.has_value()) {
    api::AppendErrorReply(
        request->req,
        api::WireError(api::WireCode::kMissingField,
                       "missing field \"at\": slactl simulate needs it on "
                       "every engine op"),
        out);
    return;
  }
  executor->Execute(*request, engine.now_ms(), out).IgnoreError();
}

std::optional<CliError> Run(const std::vector<std::string>& args,
                            std::string* /*out*/) {
  Flags flags;
  if (auto e = Flags::Parse(args, {"policy", "until"}, &flags)) return e;
  std::optional<int64_t> until_ms;
  if (std::optional<std::string> text = flags.Get("until")) {
    absl::StatusOr<int64_t> parsed = engine::ParseInstantMs(*text);
    if (!parsed.ok()) {
      return CliError{"invalid_argument",
                      absl::StrCat("--until: ", parsed.status().message())};
    }
    if (*parsed < engine::Calendar::kMinMs ||
        *parsed >= engine::Calendar::kMaxMs) {
      return CliError{"out_of_range",
                      absl::StrCat("--until: ", *text,
                                   " is outside 1970-01-01 .. 2200-01-01")};
    }
    until_ms = *parsed;
  }
  engine::Policy policy;
  if (auto e = LoadPolicy(flags, &policy)) return e;
  // The clock starts at 0; the first request's `at` moves it at once (an
  // empty wheel advances in O(1)).
  absl::StatusOr<std::unique_ptr<engine::Engine>> engine =
      engine::Engine::Create(std::move(policy), 0);
  if (!engine.ok()) {
    return CliError{"bad_policy", std::string(engine.status().message())};
  }
  api::RequestDecoder decoder;
  api::Request request;
  api::Executor executor(engine->get());
  // As the daemon reads them: the decoder checks the exact limit.
  LineReader reader(stdin, decoder.max_line_bytes() + api::RequestDecoder::kFrameBytes);
  std::string out;
  out.reserve(2 * kFlushBytes);
  absl::string_view line;
  bool too_long = false;
  while (reader.Next(&line, &too_long)) {
    if (too_long) {
      api::AppendErrorReply(
          "",
          api::WireError(api::WireCode::kLineTooLong,
                         absl::StrCat("line longer than ",
                                      decoder.max_line_bytes(), " bytes")),
          &out);
    } else if (!IsBlank(line)) {
      RunLine(line, &decoder, &request, &executor, **engine, &out);
    }
    if (out.size() >= kFlushBytes && !Flush(&out)) {
      return CliError{"internal", "cannot write to stdout"};
    }
  }
  if (reader.error()) return CliError{"internal", "cannot read stdin"};
  // What falls due at the last request's instant fires once time moves
  // past it (Engine::Apply): to --until, or to that instant at least.
  executor.AdvanceTo(std::max(until_ms.value_or(0), (*engine)->now_ms()), &out);
  if (!Flush(&out) || std::fflush(stdout) != 0) {
    return CliError{"internal", "cannot write to stdout"};
  }
  return std::nullopt;
}

}  // namespace

const Command kSimulateCommand = {
    "simulate",
    "replay request lines from stdin through a policy in simulated time",
    kUsage, &Run};

}  // namespace slad::tools
