#include "crypto/hmac.h"

#include <openssl/evp.h>

#include "common/result.h"

namespace clearway::crypto {
namespace {

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Mac() runs one HMAC through OpenSSL's one-shot EVP_Q_mac (OpenSSL 3.0), which takes size_t
// lengths, so no key or message size can overflow an int as the legacy HMAC() could.
template <size_t kTagBytes>
std::array<uint8_t, kTagBytes> Mac(const char* digest, std::span<const uint8_t> key,
                                   std::span<const uint8_t> message) {
  // An empty span may carry a null pointer, which OpenSSL treats as "no key" rather than an
  // empty one; hand it a valid address with length 0 instead.
  static constexpr uint8_t kNothing = 0;
  const uint8_t* key_data = key.empty() ? &kNothing : key.data();
  const uint8_t* message_data = message.empty() ? &kNothing : message.data();
  std::array<uint8_t, kTagBytes> tag{};
  size_t tag_length = 0;
  const unsigned char* done =
      EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, key_data, key.size(), message_data,
                message.size(), tag.data(), tag.size(), &tag_length);
  // Only an allocation failure or a missing default provider can make OpenSSL fail here; the
  // process cannot authenticate anything safely after that.
  CW_CHECK(done != nullptr && tag_length == kTagBytes);
  return tag;
}

}  // namespace

HmacSha1Tag HmacSha1(std::span<const uint8_t> key, std::span<const uint8_t> message) {
  return Mac<kHmacSha1Bytes>("SHA1", key, message);
}

HmacSha1Tag HmacSha1(std::string_view key, std::string_view message) {
  return HmacSha1(AsBytes(key), AsBytes(message));
}

HmacSha256Tag HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> message) {
  return Mac<kHmacSha256Bytes>("SHA256", key, message);
}

HmacSha256Tag HmacSha256(std::string_view key, std::string_view message) {
  return HmacSha256(AsBytes(key), AsBytes(message));
}

}  // namespace clearway::crypto
