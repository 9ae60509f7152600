#include "api/cursor_seal.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace slad::api {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Cursors are padded to a multiple of this many bytes before sealing:
// the length of a sealed cursor would otherwise tell how many digits the
// position it names has.
constexpr size_t kPadBytes = 64;

absl::Status Refused() {
  return absl::InvalidArgumentError(
      "cursor not from this daemon since its last restart, made by another "
      "query (op or filters), or altered: ask again without a cursor");
}

}  // namespace

absl::StatusOr<std::unique_ptr<CursorSeal>> CursorSeal::Create() {
  std::unique_ptr<CursorSeal> seal(new CursorSeal());
  if (RAND_bytes(seal->key_.data(), static_cast<int>(seal->key_.size())) != 1 ||
      RAND_bytes(seal->nonce_key_.data(), static_cast<int>(seal->nonce_key_.size())) != 1) {
    return absl::InternalError("no randomness for the cursor key (RAND_bytes)");
  }
  return seal;
}

std::string CursorSeal::Seal(absl::string_view plain, absl::string_view query) {
  // NUL never occurs in an engine cursor: it pads.
  std::string cursor(plain);
  cursor.resize((cursor.size() / kPadBytes + 1) * kPadBytes, '\0');
  std::string raw(kNonceBytes + cursor.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(raw.data());
  unsigned char* body = nonce + kNonceBytes;
  unsigned char* tag = body + cursor.size();
  int len = 0;
  Ctx ctx(EVP_CIPHER_CTX_new());
  // Each step fails only without memory or a cipher, which no later
  // request would have either: that is a broken process, not a refusal.
  const uint64_t count = ++seals_;
  unsigned char block[16] = {};
  unsigned char enciphered[16 + 16];
  std::memcpy(block, &count, sizeof count);
  Ctx nonce_ctx(EVP_CIPHER_CTX_new());
  if (nonce_ctx == nullptr ||
      EVP_EncryptInit_ex(nonce_ctx.get(), EVP_aes_128_ecb(), nullptr, nonce_key_.data(),
                         nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(nonce_ctx.get(), 0) != 1 ||
      EVP_EncryptUpdate(nonce_ctx.get(), enciphered, &len, block, sizeof block) != 1 ||
      len != 16) {
    std::fputs("slad: cannot seal a cursor (OpenSSL)\n", stderr);
    std::abort();
  }
  std::memcpy(nonce, enciphered, kNonceBytes);
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(query),
                        static_cast<int>(query.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), body, &len, Bytes(cursor),
                        static_cast<int>(cursor.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) != 1) {
    std::fputs("slad: cannot seal a cursor (OpenSSL)\n", stderr);
    std::abort();
  }
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::string> CursorSeal::Open(absl::string_view sealed,
                                             absl::string_view query) {
  std::string raw;
  // Decoding ignores the unused low bits of the last character (and
  // takes padding): only the one spelling Seal() writes is accepted.
  if (!absl::WebSafeBase64Unescape(sealed, &raw) ||
      raw.size() <= kNonceBytes + kTagBytes || absl::WebSafeBase64Escape(raw) != sealed) {
    return Refused();
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw.data());
  const unsigned char* body = nonce + kNonceBytes;
  const size_t body_size = raw.size() - kNonceBytes - kTagBytes;
  // EVP_CIPHER_CTX_ctrl takes the expected tag through a non-const pointer.
  unsigned char tag[kTagBytes];
  std::copy_n(body + body_size, kTagBytes, tag);
  std::string cursor(body_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(cursor.data());
  int len = 0;
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(query),
                        static_cast<int>(query.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &len, body, static_cast<int>(body_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + len, &len) != 1) {
    return Refused();
  }
  cursor.erase(cursor.find('\0'));
  return cursor;
}

}  // namespace slad::api
