#ifndef SLAD_API_AUTH_H_
#define SLAD_API_AUTH_H_

// Access control of the TCP API (docs/API.md, "Access control"): tokens
// with roles and, optionally, a list of teams.
//
//   ingest      open event pause resume priority assign resolve reopen
//               rate pause_all resume_all
//   operator    get overdue due_soon explain stats, and escalate
//   subscriber  subscribe ack
//   admin       everything, advance included
//
// `auth` itself needs no role. Tokens are kept only as SHA-256 digests and
// compared in constant time (CRYPTO_memcmp over every entry, no early
// exit), so neither the token table nor a timing side channel gives them
// away; they are never logged.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "api/protocol.h"

namespace slad::api {

enum Role : uint8_t {
  kRoleIngest = 1,
  kRoleOperator = 2,
  kRoleSubscriber = 4,
  kRoleAdmin = 8,
};
using Roles = uint8_t;  // a set of Role bits
constexpr Roles kAllRoles = kRoleIngest | kRoleOperator | kRoleSubscriber |
                            kRoleAdmin;

// "ingest" → kRoleIngest, ...; 0 for an unknown name.
Roles RoleOfName(absl::string_view name);

// The role an op belongs to (kRoleAdmin for advance). auth: 0 (always
// allowed).
Roles RoleOf(const Request& request);

// What a connection may do once authenticated.
struct Principal {
  Roles roles = 0;
  std::vector<std::string> teams;  // empty: every team

  bool Allows(const Request& request) const;
  bool team_limited() const { return !teams.empty(); }
  bool AllowsTeam(absl::string_view team) const;
};

// The configured tokens. Built once at start (or reload); then read-only.
// Thread-safety: const methods are thread-safe.
class TokenTable {
 public:
  // Adds a token. InvalidArgument for an empty token, no roles, or a token
  // given twice.
  absl::Status Add(absl::string_view token, Principal principal);

  // The principal of `token`, or nullptr. Takes the same time whichever
  // entry matches, or none (every entry is compared).
  const Principal* Authenticate(absl::string_view token) const;

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

 private:
  using Digest = std::array<unsigned char, 32>;
  static Digest Hash(absl::string_view token);

  struct Entry {
    Digest digest;
    Principal principal;
  };
  std::vector<Entry> entries_;
};

// Exposed for tests: equality of two digests-sized buffers in constant time.
bool ConstantTimeEqual(absl::string_view a, absl::string_view b);

}  // namespace slad::api

#endif  // SLAD_API_AUTH_H_
