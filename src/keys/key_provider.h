// File: keys/key_provider.h
//
// KeyProvider is where Clearway's key-encryption keys (KEKs) live: it wraps each declaration's
// DataKey under the current KEK version, unwraps with any version not yet retired, rotates to
// a new version and retires old ones, and computes blind indexes (keyed HMACs) so exact
// look-ups on sensitive values never need the plaintext in the database.
//
//   CW_ASSIGN_OR_RETURN(DataKey key, GenerateDataKey());
//   CW_ASSIGN_OR_RETURN(WrappedKey wrapped, provider.Wrap(key));   // stored per declaration
//   ...
//   CW_ASSIGN_OR_RETURN(DataKey again, provider.Unwrap(wrapped));
//   CW_ASSIGN_OR_RETURN(KekRef next, provider.Rotate());            // new wraps use `next`
//   // re-wrap every stored key from the old version, then:
//   CW_RETURN_IF_ERROR(provider.Retire(old));
//
// Implementations: FileKeyProvider (a 0600 key file; keys/file_key_provider.h) and
// Pkcs11KeyProvider (non-extractable keys in an HSM; keys/pkcs11_key_provider.h). Both pass
// the same contract tests (tests/keys/key_provider_contract_test.cc).
//
// Guarantee: a wrapped key is an AEAD ciphertext of the data key with the KekRef as associated
// data, so a wrapped key altered in any bit, or relabelled with another KekRef, fails to
// unwrap (kDataLoss "unwrap-failed"); a retired version unwraps nothing, ever.
//
// Thread safety: every method of every implementation may be called from many threads at
// once; Wrap and Unwrap running during Rotate use the version current before or after it, and
// both unwrap afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "keys/data_key.h"

namespace clearway::keys {

// KekRef names one version of a key-encryption key: "clearway/v3".
struct KekRef {
  std::string key_id;
  uint32_t version = 0;

  std::string ToString() const { return key_id + "/v" + std::to_string(version); }
  friend bool operator==(const KekRef&, const KekRef&) = default;
};

// WrappedKey is a DataKey encrypted under a KEK version: what the store keeps.
struct WrappedKey {
  KekRef kek;
  std::vector<uint8_t> bytes;  // provider-specific format (docs/keys.md), starts with a format byte
};

// KekVersion describes one version for listings; it holds no key material.
struct KekVersion {
  KekRef ref;
  Timestamp created;
  std::optional<Timestamp> retired;  // set once retired: the key material is destroyed
  bool current = false;
};

class KeyProvider {
 public:
  virtual ~KeyProvider() = default;

  // Current() is the version new wraps use: always the newest version.
  virtual Result<KekRef> Current() = 0;

  // Wrap() encrypts `key` under the current version.
  virtual Result<WrappedKey> Wrap(const DataKey& key) = 0;

  // Unwrap() recovers the DataKey. Errors:
  //   kNotFound "unknown-kek"                 another key id, or a version never made
  //   kFailedPrecondition "kek-retired"       the version was retired (its material is gone)
  //   kDataLoss "unwrap-failed"               the bytes were altered, cut or relabelled
  virtual Result<DataKey> Unwrap(const WrappedKey& wrapped) = 0;

  // Rotate() makes a new version and makes it current; older versions still unwrap.
  virtual Result<KekRef> Rotate() = 0;

  // Retire() destroys a version's key material: afterwards Unwrap() with it fails with
  // kFailedPrecondition "kek-retired". Errors: kFailedPrecondition "kek-current" (rotate
  // first), kFailedPrecondition "kek-retired" (already), kNotFound "unknown-kek".
  // Retire a version only after every key wrapped under it was re-wrapped.
  virtual Status Retire(const KekRef& kek) = 0;

  // Versions() lists every version, oldest first, retired ones included.
  virtual Result<std::vector<KekVersion>> Versions() = 0;

  // BlindIndex()
  //
  // A keyed, deterministic index of a sensitive value for exact look-ups: the lower-case hex
  // of the first 16 bytes of HMAC-SHA256(blind-index key, len(purpose) | purpose | value)
  // (32 characters). Purposes ("invoice-number", "container-id") separate the indexes: the
  // same value under two purposes gives unrelated indexes. The caller normalises `value`
  // (case, spaces) first. The blind-index key does not rotate with the KEK: indexes stay
  // stable for the life of the provider. kInvalidArgument "bad-blind-index-purpose" (field
  // "purpose": 1..64 of a-z 0-9 . _ -) or "empty-blind-index-value" (field "value").
  virtual Result<std::string> BlindIndex(std::string_view purpose, std::string_view value) = 0;
};

// ValidateKeyId() accepts 1..64 characters of a-z 0-9 . _ - starting with a letter or digit.
// kInvalidArgument "bad-key-id" (field "key_id") otherwise.
Status ValidateKeyId(std::string_view key_id);

namespace internal {

// KekAssociatedData() is the associated data a wrapped key is bound to: the label
// "clearway-kek\0", the key id length-prefixed (4 bytes big-endian) and the version (4 bytes
// big-endian).
std::vector<uint8_t> KekAssociatedData(const KekRef& kek);

// BlindIndexMessage() checks purpose and value and gives the HMAC input
// len(purpose) (4 bytes big-endian) | purpose | value.
Result<std::vector<uint8_t>> BlindIndexMessage(std::string_view purpose, std::string_view value);

// BlindIndexText() is the lower-case hex of the first 16 bytes of an HMAC-SHA256 tag.
std::string BlindIndexText(std::span<const uint8_t> tag);

}  // namespace internal

}  // namespace clearway::keys
