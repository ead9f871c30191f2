// File: crypto/hmac.h
//
// HMAC (RFC 2104) with SHA-1 and SHA-256, computed by OpenSSL 3 (EVP_Q_mac). HMAC-SHA1 exists
// only because RFC 6238 TOTP authenticator apps default to it; use HMAC-SHA256 for anything new.
//
//   std::array<uint8_t, 32> tag = HmacSha256(key, message);
//   bool ok = ConstantTimeEqual(tag, presented_tag);   // from crypto/crypto.h
//
// Guarantee: HMAC-SHA256 and HMAC-SHA1 are PRFs (and so MACs unforgeable under chosen-message
// attack) as long as the key is secret and has at least as much entropy as the tag is long.
// Keys of any length are accepted (RFC 2104 §3: keys longer than the block are hashed first).
// Compare tags with ConstantTimeEqual(), never with ==.
//
// Thread safety: both functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace clearway::crypto {

inline constexpr size_t kHmacSha1Bytes = 20;
inline constexpr size_t kHmacSha256Bytes = 32;

using HmacSha1Tag = std::array<uint8_t, kHmacSha1Bytes>;
using HmacSha256Tag = std::array<uint8_t, kHmacSha256Bytes>;

// HmacSha1()
//
// Returns the 20-byte HMAC-SHA1 tag of `message` under `key` (RFC 2104, FIPS 198-1). It cannot
// fail on any input; a failure inside OpenSSL (out of memory) aborts, as nothing safe follows.
HmacSha1Tag HmacSha1(std::span<const uint8_t> key, std::span<const uint8_t> message);
HmacSha1Tag HmacSha1(std::string_view key, std::string_view message);

// HmacSha256()
//
// Returns the 32-byte HMAC-SHA256 tag of `message` under `key` (RFC 2104, RFC 4231). Same
// failure behaviour as HmacSha1().
HmacSha256Tag HmacSha256(std::span<const uint8_t> key, std::span<const uint8_t> message);
HmacSha256Tag HmacSha256(std::string_view key, std::string_view message);

}  // namespace clearway::crypto
