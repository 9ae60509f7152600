#include "tools/resp.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace slad::tools {
namespace {

template <typename Args>
void Append(const Args& args, size_t n, std::string* out) {
  absl::StrAppend(out, "*", n, "\r\n");
  for (const auto& a : args) {
    absl::StrAppend(out, "$", a.size(), "\r\n", a, "\r\n");
  }
}

absl::Status ReadValue(LineClient* client, RespReply* reply) {
  absl::string_view line;
  if (absl::Status s = client->ReadLine(&line); !s.ok()) return s;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return absl::InternalError("empty RESP line");
  const char type = line[0];
  const absl::string_view rest = line.substr(1);
  int64_t n = 0;
  switch (type) {
    case '+':
    case ':':
      reply->items.emplace_back(rest);
      return absl::OkStatus();
    case '-':
      reply->error = true;
      reply->error_text = std::string(rest);
      return absl::OkStatus();
    case '$': {
      if (!absl::SimpleAtoi(rest, &n)) break;
      if (n < 0) {
        reply->items.emplace_back();
        return absl::OkStatus();
      }
      absl::string_view body;
      if (absl::Status s = client->ReadExact(n, &body); !s.ok()) return s;
      reply->items.emplace_back(body);
      return absl::OkStatus();
    }
    case '*':
      if (!absl::SimpleAtoi(rest, &n)) break;
      for (int64_t i = 0; i < n; ++i) {
        if (absl::Status s = ReadValue(client, reply); !s.ok()) return s;
      }
      return absl::OkStatus();
    default:
      break;
  }
  return absl::InternalError(absl::StrCat("not RESP: ", line));
}

}  // namespace

void AppendRespCommand(std::initializer_list<absl::string_view> args,
                       std::string* out) {
  Append(args, args.size(), out);
}

void AppendRespCommand(const std::vector<std::string>& args,
                       std::string* out) {
  Append(args, args.size(), out);
}

absl::Status ReadRespReply(LineClient* client, RespReply* reply) {
  reply->error = false;
  reply->error_text.clear();
  reply->items.clear();
  return ReadValue(client, reply);
}

}  // namespace slad::tools
