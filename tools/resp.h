#ifndef SLAD_TOOLS_RESP_H_
#define SLAD_TOOLS_RESP_H_

// The few pieces of Redis's RESP protocol slaload --redis needs: encoding
// a command as an array of bulk strings, and reading one reply of any
// type off a LineClient. Not a general Redis client.
//
// Thread-safety: none (functions on caller-owned buffers and clients).

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "tools/client.h"

namespace slad::tools {

// Appends `*N\r\n$len\r\narg\r\n...` for the command `args` to *out.
void AppendRespCommand(std::initializer_list<absl::string_view> args,
                       std::string* out);
void AppendRespCommand(const std::vector<std::string>& args, std::string* out);

// One reply: `error` for "-ERR ...", else `items` holds the bulk strings
// of an array reply (nested arrays flattened, nil as ""), or the single
// value of a simple, integer or bulk reply.
struct RespReply {
  bool error = false;
  std::string error_text;
  std::vector<std::string> items;
};

// Reads one complete reply. Unavailable when the connection is lost;
// Internal for bytes that are not RESP.
absl::Status ReadRespReply(LineClient* client, RespReply* reply);

}  // namespace slad::tools

#endif  // SLAD_TOOLS_RESP_H_
