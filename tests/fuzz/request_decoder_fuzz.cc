// libFuzzer harness for RequestDecoder (issue 7). Built only with
// -DSLAD_FUZZ=ON and clang; see docs/API.md, "Fuzzing".
//
// Checks, beyond "no crash, no sanitizer report": a failed decode has one
// of the decoder's wire codes, and the reply line built from whatever
// `req` the decoder recovered ends in exactly one newline.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "api/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One decoder for the whole run, as one per connection in the daemon:
  // state left over from an earlier input must not matter.
  static slad::api::RequestDecoder* decoder =
      new slad::api::RequestDecoder(4096);
  static std::string* out = new std::string;
  slad::api::Request request;
  const absl::Status status = decoder->Decode(
      absl::string_view(reinterpret_cast<const char*>(data), size), &request);
  out->clear();
  if (status.ok()) {
    if (slad::api::OpName(request) == "?") std::abort();
    slad::api::AppendOkReply(request.req, out);
  } else {
    switch (slad::api::WireCodeOf(status)) {
      case slad::api::WireCode::kBadJson:
      case slad::api::WireCode::kUnknownOp:
      case slad::api::WireCode::kMissingField:
      case slad::api::WireCode::kBadField:
      case slad::api::WireCode::kUnknownField:
      case slad::api::WireCode::kLineTooLong:
        break;
      default:
        std::abort();
    }
    slad::api::AppendErrorReply(request.req, status, out);
  }
  if (out->find('\n') != out->size() - 1) std::abort();
  return 0;
}
