#include "keys/internal/xchacha.h"

#include <sodium.h>

#include "common/result.h"
#include "crypto/crypto.h"

namespace clearway::keys::internal {

namespace {

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kXChaChaKeyBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kXChaChaNonceBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kXChaChaTagBytes);

std::vector<uint8_t> FormatAndAd(uint8_t format, std::span<const uint8_t> associated_data) {
  std::vector<uint8_t> full;
  full.reserve(1 + associated_data.size());
  full.push_back(format);
  full.insert(full.end(), associated_data.begin(), associated_data.end());
  return full;
}

}  // namespace

std::vector<uint8_t> SealXChaCha(std::span<const uint8_t> key, uint8_t format,
                                 std::span<const uint8_t> plaintext,
                                 std::span<const uint8_t> associated_data) {
  CW_CHECK(key.size() == kXChaChaKeyBytes);
  crypto::Initialise();
  std::vector<uint8_t> sealed(kXChaChaOverheadBytes + plaintext.size());
  sealed[0] = format;
  uint8_t* nonce = sealed.data() + 1;
  randombytes_buf(nonce, kXChaChaNonceBytes);
  const std::vector<uint8_t> ad = FormatAndAd(format, associated_data);
  unsigned long long written = 0;
  // Fails only for messages longer than crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX
  // (about 2^64 bytes), which no vector can hold.
  CW_CHECK(crypto_aead_xchacha20poly1305_ietf_encrypt(
               nonce + kXChaChaNonceBytes, &written, plaintext.data(), plaintext.size(),
               ad.data(), ad.size(), nullptr, nonce, key.data()) == 0);
  CW_CHECK(written == plaintext.size() + kXChaChaTagBytes);
  return sealed;
}

bool OpenXChaCha(std::span<const uint8_t> key, std::span<const uint8_t> sealed,
                 std::span<const uint8_t> associated_data, std::span<uint8_t> plaintext) {
  CW_CHECK(key.size() == kXChaChaKeyBytes);
  CW_CHECK(sealed.size() >= kXChaChaOverheadBytes);
  CW_CHECK(plaintext.size() == sealed.size() - kXChaChaOverheadBytes);
  crypto::Initialise();
  const std::vector<uint8_t> ad = FormatAndAd(sealed[0], associated_data);
  const uint8_t* nonce = sealed.data() + 1;
  const uint8_t* body = nonce + kXChaChaNonceBytes;
  const size_t body_size = sealed.size() - 1 - kXChaChaNonceBytes;
  unsigned long long written = 0;
  // libsodium checks the tag before writing any plaintext and never releases unauthenticated
  // bytes; zeroing on failure is belt and braces.
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plaintext.data(), &written, nullptr, body,
                                                 body_size, ad.data(), ad.size(), nonce,
                                                 key.data()) != 0) {
    sodium_memzero(plaintext.data(), plaintext.size());
    return false;
  }
  CW_CHECK(written == plaintext.size());
  return true;
}

}  // namespace clearway::keys::internal
