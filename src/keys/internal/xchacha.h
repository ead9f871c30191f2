// File: keys/internal/xchacha.h
//
// XChaCha20-Poly1305 (libsodium's IETF construction) in the one layout the keys module uses
// for both data envelopes and file-wrapped data keys:
//
//   format (1 byte) | nonce (24 bytes, random) | ciphertext | tag (16 bytes)
//
// The format byte is authenticated too: the AEAD's associated data is `format || ad`, so a
// ciphertext relabelled with another format fails. 192-bit random nonces make collisions
// negligible however many messages one key seals (no counter to keep).
//
// Thread safety: both functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace clearway::keys::internal {

inline constexpr size_t kXChaChaKeyBytes = 32;
inline constexpr size_t kXChaChaNonceBytes = 24;
inline constexpr size_t kXChaChaTagBytes = 16;
inline constexpr size_t kXChaChaOverheadBytes = 1 + kXChaChaNonceBytes + kXChaChaTagBytes;

// SealXChaCha() encrypts `plaintext` under a 32-byte `key` with a fresh random nonce.
std::vector<uint8_t> SealXChaCha(std::span<const uint8_t> key, uint8_t format,
                                 std::span<const uint8_t> plaintext,
                                 std::span<const uint8_t> associated_data);

// OpenXChaCha() authenticates and decrypts `sealed` (format byte included, at least
// kXChaChaOverheadBytes long: the caller checks) into `plaintext`, which must be exactly
// sealed.size() - kXChaChaOverheadBytes bytes. Returns false, with `plaintext` zeroed, when
// the key, the associated data or any byte of `sealed` is wrong.
bool OpenXChaCha(std::span<const uint8_t> key, std::span<const uint8_t> sealed,
                 std::span<const uint8_t> associated_data, std::span<uint8_t> plaintext);

}  // namespace clearway::keys::internal
