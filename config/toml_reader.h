#ifndef SLAD_CONFIG_TOML_READER_H_
#define SLAD_CONFIG_TOML_READER_H_

// Internal to slad_config: the helpers every section of the policy parser
// shares, so that each reports errors the same way ("source:line:col:
// reason", InvalidArgument) and checks names and durations by one rule.
// toml++ appears here and in config/*.cc only, never in policy_file.h.

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/policy.h"
#include "engine/time_format.h"

namespace slad::config {

// toml++ speaks std::string_view; Debian's Abseil has its own string_view.
inline absl::string_view Av(std::string_view s) { return {s.data(), s.size()}; }

// Reads values of one policy source. Thread-safety: none needed (const).
class TomlReader {
 public:
  explicit TomlReader(absl::string_view source) : source_(source) {}

  // InvalidArgument "source:line:col: reason" at `where`.
  absl::Status Error(const toml::source_region& where,
                     absl::string_view reason) const;
  absl::Status Error(const toml::node& node, absl::string_view reason) const {
    return Error(node.source(), reason);
  }
  absl::Status Error(const toml::key& key, absl::string_view reason) const {
    return Error(key.source(), reason);
  }

  // The "unknown key" error for `key` in `where` (e.g. "in calendar"),
  // listing the `expected` keys.
  absl::Status UnknownKey(const toml::key& key, absl::string_view where,
                          absl::string_view expected) const;

  // The node as a table; else the error "`what` must be a table".
  absl::StatusOr<const toml::table*> Table(const toml::node& node,
                                           absl::string_view what) const;

  // A string value, or nullopt if the node holds something else.
  static std::optional<absl::string_view> String(const toml::node& node);

  // The longest name requests and replies carry (docs/API.md, "names:
  // 1..128 bytes"): a longer one could never be sent or answered.
  static constexpr size_t kMaxNameBytes = 128;

  // A name: 1 to kMaxNameBytes of [a-z0-9_], so that names are safe on the
  // wire, in file names and in messages. `what` says what it names in the
  // error.
  static bool IsName(absl::string_view s);
  absl::StatusOr<std::string> Name(const toml::node& node,
                                   absl::string_view what) const;
  absl::Status CheckName(const toml::key& key, absl::string_view what) const;

  // A calendar's name, a freer one: any UTF-8 the wire carries in a name,
  // 1 to kMaxNameBytes bytes without control characters (U+0000..U+001F,
  // U+007F).
  absl::Status CheckCalendarName(const toml::key& key) const;

  // An array of unique names; the error points at the offending element.
  // `allow_empty` false: an empty array is an error at the array.
  absl::StatusOr<std::vector<std::string>> Names(const toml::node& node,
                                                 absl::string_view what,
                                                 bool allow_empty) const;

  // A positive duration string (engine/time_format.h). `wd` only when
  // `allow_wd`, i.e. where a calendar gives working days a meaning.
  absl::StatusOr<engine::DurationSpec> Duration(const toml::node& node,
                                                absl::string_view what,
                                                bool allow_wd) const;

 private:
  std::string source_;
};

// The sections of a policy file, each filling its part of `policy`. They
// are called in this order, so each may rely on the parts before it.
absl::Status ParseCalendars(const TomlReader& r, const toml::node& node,
                            engine::Policy* policy);
// Needs priorities (for `major`).
absl::Status ParseEscalation(const TomlReader& r, const toml::node& node,
                             engine::Policy* policy);
// Needs calendars and priorities.
absl::Status ParseKinds(const TomlReader& r, const toml::node& node,
                        engine::Policy* policy);

}  // namespace slad::config

#endif  // SLAD_CONFIG_TOML_READER_H_
