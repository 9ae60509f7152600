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

}  // namespace slad::api
