#include "config/toml_reader.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace slad::config {

absl::Status TomlReader::Error(const toml::source_region& where,
                               absl::string_view reason) const {
  return absl::InvalidArgumentError(absl::StrCat(
      source_, ":", where.begin.line, ":", where.begin.column, ": ", reason));
}

absl::Status TomlReader::UnknownKey(const toml::key& key,
                                    absl::string_view where,
                                    absl::string_view expected) const {
  return Error(key, absl::StrCat("unknown key \"", Av(key.str()), "\" ", where,
                                 " (expected ", expected, ")"));
}

absl::StatusOr<const toml::table*> TomlReader::Table(
    const toml::node& node, absl::string_view what) const {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    return Error(node, absl::StrCat(what, " must be a table"));
  }
  return table;
}

std::optional<absl::string_view> TomlReader::String(const toml::node& node) {
  const std::optional<std::string_view> s = node.value<std::string_view>();
  if (!s.has_value()) return std::nullopt;
  return Av(*s);
}

bool TomlReader::IsName(absl::string_view s) {
  if (s.empty() || s.size() > kMaxNameBytes) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

namespace {

// The first 32 bytes of a long name, cut at a character boundary.
std::string Abbreviated(absl::string_view name) {
  size_t n = 32;
  while (n > 0 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
  return absl::StrCat(name.substr(0, n), "...");
}

std::string TooLong(absl::string_view what, absl::string_view name) {
  return absl::StrCat(what, ": name \"", Abbreviated(name), "\" is ",
                      name.size(), " bytes (at most ",
                      TomlReader::kMaxNameBytes,
                      ", the longest name requests carry)");
}

// Empty when `name` is one; else why not.
std::string BadName(absl::string_view what, absl::string_view name) {
  if (TomlReader::IsName(name)) return "";
  if (name.size() > TomlReader::kMaxNameBytes) return TooLong(what, name);
  return absl::StrCat(what, ": bad name \"", name,
                      "\" (want lower-case letters, digits and _)");
}

}  // namespace

absl::StatusOr<std::string> TomlReader::Name(const toml::node& node,
                                             absl::string_view what) const {
  const std::optional<absl::string_view> s = String(node);
  if (!s.has_value()) {
    return Error(node, absl::StrCat(what, ": want a string"));
  }
  if (std::string bad = BadName(what, *s); !bad.empty()) {
    return Error(node, bad);
  }
  return std::string(*s);
}

absl::Status TomlReader::CheckName(const toml::key& key,
                                   absl::string_view what) const {
  std::string bad = BadName(what, Av(key.str()));
  return bad.empty() ? absl::OkStatus() : Error(key, bad);
}

absl::Status TomlReader::CheckCalendarName(const toml::key& key) const {
  const absl::string_view name = Av(key.str());
  if (name.empty()) return Error(key, "calendar: empty name");
  if (name.size() > kMaxNameBytes) {
    return Error(key, TooLong("calendar", name));
  }
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      constexpr char kHex[] = "0123456789ABCDEF";
      const unsigned char u = static_cast<unsigned char>(c);
      return Error(key, absl::StrCat("calendar: control character U+00",
                                     std::string{kHex[u >> 4], kHex[u & 15]},
                                     " in the name (names carry none on the "
                                     "wire)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> TomlReader::Names(
    const toml::node& node, absl::string_view what, bool allow_empty) const {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    return Error(node, absl::StrCat(what, ": want an array of names"));
  }
  if (array->empty() && !allow_empty) {
    return Error(node, absl::StrCat(what, ": must not be empty"));
  }
  std::vector<std::string> names;
  for (const toml::node& el : *array) {
    std::string name;
    ASSIGN_OR_RETURN(name, Name(el, what));
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return Error(el, absl::StrCat(what, ": \"", name, "\" listed twice"));
    }
    names.push_back(std::move(name));
  }
  return names;
}

absl::StatusOr<engine::DurationSpec> TomlReader::Duration(
    const toml::node& node, absl::string_view what, bool allow_wd) const {
  const std::optional<absl::string_view> text = String(node);
  if (!text.has_value()) {
    return Error(node, absl::StrCat(what,
                                    ": want a duration string like "
                                    "\"2h\" or \"3wd\""));
  }
  absl::StatusOr<engine::DurationSpec> d = engine::ParseDuration(*text);
  if (!d.ok()) {
    return Error(node, absl::StrCat(what, ": ", d.status().message()));
  }
  if (d->working_days != 0 && !allow_wd) {
    return Error(node, absl::StrCat(what,
                                    ": working days (wd) need a calendar; "
                                    "write hours, e.g. \"168h\""));
  }
  if (d->working_days == 0 && d->ms == 0) {
    return Error(node, absl::StrCat(what, ": must be positive"));
  }
  return *d;
}

}  // namespace slad::config
