#include "api/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <utility>

namespace slad::api {

Roles RoleOfName(absl::string_view name) {
  if (name == "ingest") return kRoleIngest;
  if (name == "operator") return kRoleOperator;
  if (name == "subscriber") return kRoleSubscriber;
  if (name == "admin") return kRoleAdmin;
  return 0;
}

Roles RoleOf(const Request& request) {
  switch (request.session_op) {
    case SessionOp::kAuth:
      return 0;
    case SessionOp::kSubscribe:
    case SessionOp::kAck:
      return kRoleSubscriber;
    case SessionOp::kAdvance:
    case SessionOp::kGroups:
    case SessionOp::kDropGroup:
      return kRoleAdmin;
    case SessionOp::kNone:
      break;
  }
  const engine::Op op = request.command.op;
  if (engine::IsQuery(op) || op == engine::Op::kEscalate) return kRoleOperator;
  return kRoleIngest;
}

bool Principal::Allows(const Request& request) const {
  if ((roles & kRoleAdmin) != 0) return true;
  const Roles need = RoleOf(request);
  return need == 0 || (roles & need) != 0;
}

bool Principal::AllowsTeam(absl::string_view team) const {
  if (teams.empty()) return true;
  return std::find(teams.begin(), teams.end(), team) != teams.end();
}

TokenTable::Digest TokenTable::Hash(absl::string_view token) {
  Digest digest;
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(),
         digest.data());
  return digest;
}

absl::Status TokenTable::Add(absl::string_view token, Principal principal) {
  if (token.empty()) return absl::InvalidArgumentError("empty token");
  if (principal.roles == 0) {
    return absl::InvalidArgumentError("a token needs at least one role");
  }
  if (Authenticate(token) != nullptr) {
    return absl::InvalidArgumentError("token given twice");
  }
  entries_.push_back(Entry{Hash(token), std::move(principal)});
  return absl::OkStatus();
}

// Hashing first makes every comparison the same length whatever the
// token's; the loop visits every entry so the time does not say which one
// matched.
const Principal* TokenTable::Authenticate(absl::string_view token) const {
  const Digest digest = Hash(token);
  const Principal* found = nullptr;
  for (const Entry& entry : entries_) {
    const bool equal =
        CRYPTO_memcmp(entry.digest.data(), digest.data(), digest.size()) == 0;
    if (equal && found == nullptr) found = &entry.principal;
  }
  return found;
}

bool ConstantTimeEqual(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace slad::api
