// File: keys/envelope.h
//
// Envelope encryption of a declaration's payload under its DataKey, with XChaCha20-Poly1305
// (libsodium, IETF construction, 192-bit random nonce). The associated data binds each
// ciphertext to its row: AssociatedData(record_id, version) is authenticated but not stored,
// so a ciphertext copied to another declaration or another version fails to open.
//
//   std::vector<uint8_t> sealed = Seal(key, AsBytes(json), AssociatedData("01J…", 2));
//   CW_ASSIGN_OR_RETURN(std::vector<uint8_t> json_bytes,
//                       Open(key, sealed, AssociatedData("01J…", 2)));
//
// Ciphertext format 1 (docs/keys.md): format byte 0x01 | 24-byte nonce | ciphertext |
// 16-byte Poly1305 tag. The format byte is authenticated with the associated data.
//
// Guarantee: IND-CCA2 confidentiality and integrity of the plaintext and integrity of the
// associated data (an AEAD), as long as one key seals fewer than about 2^64 messages. Every
// failure is closed: nothing is released unless the tag verifies, and no error carries any
// byte of plaintext or key.
//
// Thread safety: all functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "keys/data_key.h"

namespace clearway::keys {

inline constexpr uint8_t kEnvelopeFormatXChaCha20Poly1305 = 0x01;
// Bytes a sealed envelope adds to its plaintext: format, nonce and tag.
inline constexpr size_t kEnvelopeOverheadBytes = 1 + 24 + 16;

// AsBytes() views text (a JSON payload) as bytes, without copying.
inline std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Seal()
//
// Encrypts `plaintext` under `key`, authenticating `associated_data` with it; a fresh random
// nonce each call, so sealing the same plaintext twice gives different ciphertexts. Returns
// kEnvelopeOverheadBytes + plaintext.size() bytes. Cannot fail.
std::vector<uint8_t> Seal(const DataKey& key, std::span<const uint8_t> plaintext,
                          std::span<const uint8_t> associated_data);

// Open()
//
// Authenticates and decrypts what Seal() made with the same key and associated data.
// Errors (none reveals anything about the plaintext):
//   kDataLoss "ciphertext-truncated"              shorter than a sealed empty plaintext
//   kInvalidArgument "unknown-ciphertext-format"  (field "ciphertext") first byte not 0x01
//   kDataLoss "decrypt-failed"                    wrong key, wrong associated data (moved to
//                                                 another row), or any byte altered or cut
Result<std::vector<uint8_t>> Open(const DataKey& key, std::span<const uint8_t> ciphertext,
                                  std::span<const uint8_t> associated_data);

// AssociatedData()
//
// The canonical associated data of a record version: the label "clearway-record\0", the
// record id's length as 4 bytes big-endian, the id's bytes, and the version as 4 bytes
// big-endian. Length-prefixing makes it unambiguous: no two (id, version) pairs share an
// encoding. CW_CHECKs that the id is shorter than 4 GiB.
std::vector<uint8_t> AssociatedData(std::string_view record_id, uint32_t version);

}  // namespace clearway::keys
