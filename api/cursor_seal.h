#ifndef SLAD_API_CURSOR_SEAL_H_
#define SLAD_API_CURSOR_SEAL_H_

// The daemon's page cursors, sealed. An engine cursor names a position in
// the due or overdue index: the deadline and slot of the last entry a page
// passed, which may be another team's ticket when a team-limited page
// stops at Engine::kMaxPassedPerPage. Clients get it encrypted and
// authenticated (AES-256-GCM under a key drawn at start-up), so that a
// cursor tells them nothing and one they made up or altered is refused.

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/executor.h"

namespace slad::api {

// Thread-safety: none; the loop thread's, like the Executor that uses it.
// Memory: owns its key, nothing else.
class CursorSeal final : public CursorCodec {
 public:
  // A fresh random key: cursors of an earlier process no longer open.
  // Internal if the system has no randomness to give (RAND_bytes).
  static absl::StatusOr<std::unique_ptr<CursorSeal>> Create();

  // base64url (no padding) of nonce (12 bytes) ‖ ciphertext ‖ tag (16).
  // The nonce is the first 12 bytes of the count of seals enciphered under
  // a second key (AES, a permutation): a repeat within 2^32 seals has odds
  // below 2^-32, and clients see no count of the cursors others get.
  // The cursor is padded to a multiple of 64 bytes, so that all cursors
  // are as long; `query` is authenticated with it (GCM's associated data).
  std::string Seal(absl::string_view cursor, absl::string_view query) override;
  // The engine cursor `sealed` carries. InvalidArgument (bad_field) for
  // anything this key did not seal for `query`: another process's, another
  // query's, altered (even in the unused bits of its last character), or
  // not a cursor at all.
  absl::StatusOr<std::string> Open(absl::string_view sealed,
                                   absl::string_view query) override;

 private:
  CursorSeal() = default;

  std::array<unsigned char, 32> key_;
  std::array<unsigned char, 16> nonce_key_;
  uint64_t seals_ = 0;
};

}  // namespace slad::api

#endif  // SLAD_API_CURSOR_SEAL_H_
