// File: keys/data_key.h
//
// A DataKey is the 256-bit symmetric key that encrypts one declaration (all its versions) at
// rest with keys/envelope.h. It lives in guarded, locked memory (libsodium sodium_malloc),
// read-only once made, and is wiped when the DataKey is destroyed. It is never stored or sent
// in the clear: a KeyProvider (keys/key_provider.h) wraps it under a key-encryption key, and
// only the wrapped form is kept beside the ciphertext.
//
//   CW_ASSIGN_OR_RETURN(DataKey key, GenerateDataKey());
//   std::vector<uint8_t> sealed = Seal(key, AsBytes(payload), AssociatedData(id, 1));
//   CW_ASSIGN_OR_RETURN(WrappedKey wrapped, provider.Wrap(key));
//
// DataKey is move-only and has no operator<<: it cannot be copied by accident or printed into
// a log. The raw bytes are reachable only through InsecureKeyBytes(), a name to grep for.
//
// Thread safety: a DataKey may be read (Seal, Open, Wrap) from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/result.h"
#include "keys/internal/secret_buffer.h"

namespace clearway::keys {

class DataKey {
 public:
  static constexpr size_t kBytes = 32;

  // FromBytes() copies a 32-byte key into guarded memory. kInvalidArgument "bad-key-length"
  // for any other size; kResourceExhausted "secure-memory-exhausted".
  static Result<DataKey> FromBytes(std::span<const uint8_t> bytes);

  // Adopt() takes a 32-byte secret a provider has decrypted straight into guarded memory
  // (so the key never sits in ordinary heap). CW_CHECKs the size.
  static DataKey Adopt(internal::SecretBuffer secret);

  DataKey(DataKey&&) noexcept = default;
  DataKey& operator=(DataKey&&) noexcept = default;
  DataKey(const DataKey&) = delete;
  DataKey& operator=(const DataKey&) = delete;
  ~DataKey() = default;

  // valid() is false only for a moved-from DataKey; using one is a programmer error.
  bool valid() const { return !secret_.empty(); }

  // InsecureKeyBytes() exposes the raw key to the code that encrypts with it or wraps it.
  // Anything else reaching for it is a bug: grep for the name.
  std::span<const uint8_t> InsecureKeyBytes() const;

  // Equal keys compare equal; the comparison takes the same time wherever the keys differ.
  friend bool operator==(const DataKey& a, const DataKey& b);

 private:
  explicit DataKey(internal::SecretBuffer secret) : secret_(std::move(secret)) {}

  internal::SecretBuffer secret_;
};

// GenerateDataKey() draws a fresh key from the operating system's CSPRNG.
// kResourceExhausted "secure-memory-exhausted" when guarded memory runs out.
Result<DataKey> GenerateDataKey();

}  // namespace clearway::keys
