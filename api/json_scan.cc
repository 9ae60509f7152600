#include "api/json_scan.h"

namespace slad::api {

LeadingObject FindLeadingObject(absl::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' ||
                             line[i] == '\r' || line[i] == '\n')) {
    ++i;
  }
  if (i == line.size() || line[i] != '{') return {};
  std::string open;  // the brackets open, outermost first
  bool in_string = false;
  for (; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      open.push_back(c);
    } else if (c == '}' || c == ']') {
      if (open.back() != (c == '}' ? '{' : '[')) break;  // closes nothing
      open.pop_back();
      if (open.empty()) return {i + 1, ""};
    }
  }
  if (in_string) return {};
  LeadingObject lead{i, ""};
  for (auto it = open.rbegin(); it != open.rend(); ++it) {
    lead.closing.push_back(*it == '{' ? '}' : ']');
  }
  return lead;
}

absl::string_view SniffStringMember(absl::string_view line,
                                    absl::string_view key) {
  auto skip_spaces = [&](size_t i) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    return i;
  };
  for (size_t at = line.find(key); at != absl::string_view::npos;
       at = line.find(key, at + 1)) {
    const size_t after = at + key.size();
    if (at == 0 || line[at - 1] != '"' || after >= line.size() ||
        line[after] != '"') {
      continue;
    }
    size_t i = skip_spaces(after + 1);
    if (i >= line.size() || line[i] != ':') continue;
    i = skip_spaces(i + 1);
    if (i >= line.size() || line[i] != '"') return {};
    const size_t begin = i + 1;
    const size_t end = line.find_first_of("\"\\", begin);
    if (end == absl::string_view::npos || line[end] != '"') return {};
    return line.substr(begin, end - begin);
  }
  return {};
}

}  // namespace slad::api
