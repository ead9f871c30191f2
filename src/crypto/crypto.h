// File: crypto/crypto.h
//
// The crypto module is the only place that includes libsodium or OpenSSL. This header offers
// randomness, SHA-256, constant-time comparison, Argon2id password hashing and self-signed TLS
// certificates; signatures live in crypto/signature.h.
//
//   std::array<uint8_t, 32> digest = Sha256("abc");
//   std::string hex = ToHex(digest);
//   auto hash = HashPassword("correct horse battery staple");   // "$argon2id$v=19$m=…"
//   bool ok = VerifyPassword(*hash, attempt);
//
// Thread safety: every function here is thread-safe. Initialise() must run once before use
// (it is idempotent and called by every entry point of the module that needs it).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace clearway::crypto {

// Initialise() prepares libsodium; safe to call many times from any thread.
void Initialise();

// RandomBytes() fills `out` from the operating system's CSPRNG.
void RandomBytes(std::span<uint8_t> out);

// RandomToken() gives `bytes` random bytes as unpadded base64url text.
std::string RandomToken(size_t bytes);

using Sha256Digest = std::array<uint8_t, 32>;

// Sha256() of a byte string (FIPS 180-4).
Sha256Digest Sha256(std::string_view data);
Sha256Digest Sha256(std::span<const uint8_t> data);

// ToHex() is lower-case hex; FromHex() refuses odd length or non-hex ("bad-hex").
std::string ToHex(std::span<const uint8_t> bytes);
Result<std::vector<uint8_t>> FromHex(std::string_view hex);

// Base64Encode()/Base64Decode() use the standard alphabet with padding (RFC 4648 §4);
// decoding refuses anything else, including missing padding ("bad-base64").
std::string Base64Encode(std::string_view data);
Result<std::string> Base64Decode(std::string_view text);

// ConstantTimeEqual() compares without data-dependent timing (sizes may leak).
bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b);
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// Password hashing with Argon2id (libsodium crypto_pwhash_str): opslimit 3, memlimit 64 MiB
// (libsodium's "moderate" is 256 MiB; 64 MiB keeps sign-in fast on a 2-core server while
// staying well above OWASP's 19 MiB minimum). The result is the PHC string.
struct PasswordHashParams {
  unsigned long long ops_limit = 3;
  size_t mem_limit_bytes = 64u * 1024u * 1024u;
};
Result<std::string> HashPassword(std::string_view password, PasswordHashParams params = {});

// VerifyPassword() is true if `password` matches the PHC string `hash`.
bool VerifyPassword(std::string_view hash, std::string_view password);

// A self-signed certificate for development and demo TLS.
struct SelfSignedCertificate {
  std::string certificate_pem;
  std::string private_key_pem;   // ECDSA P-256, PKCS#8
};

// MakeSelfSignedCertificate() makes a certificate for CN=common_name with subjectAltName
// DNS:localhost, IP:127.0.0.1 and IP:::1, valid for `days` days from now.
Result<SelfSignedCertificate> MakeSelfSignedCertificate(std::string_view common_name, int days);

}  // namespace clearway::crypto
