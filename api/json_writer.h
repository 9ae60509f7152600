#ifndef SLAD_API_JSON_WRITER_H_
#define SLAD_API_JSON_WRITER_H_

// A small writer of compact JSON (one value on one line, no spaces), for
// replies, events and slactl output. No allocation beyond the output
// string. Thread-safety: none; one writer per output being built.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace slad::api {

// Appends `text` to `out` as a JSON string literal, quotes included.
// Escapes '"', '\\' and every byte below 0x20 (\n, \t, ... or \u00XX);
// copies valid UTF-8 as is; replaces each byte that does not begin a valid
// UTF-8 sequence (overlong, surrogate, above U+10FFFF, truncated) with
// U+FFFD, so the output is always valid JSON and valid UTF-8.
void AppendJsonString(absl::string_view text, std::string* out);

// JsonWriter writes nested objects and arrays, inserting commas itself:
//   JsonWriter w;
//   w.BeginObject().Key("deadline_ms").Int(1767578400000).EndObject();
//   w.str() == R"({"deadline_ms":1767578400000})"
// REQUIRES: calls form valid JSON (a Key() before each value inside an
// object, balanced Begin/End); checked by assert only.
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(absl::string_view key);
  JsonWriter& String(absl::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  const std::string& str() const { return out_; }

 private:
  void BeforeValue();

  std::string out_;
  // Per open container: whether it has an element yet (for commas).
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace slad::api

#endif  // SLAD_API_JSON_WRITER_H_
