#include "keys/data_key.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include "crypto/crypto.h"

namespace clearway::keys {

Result<DataKey> DataKey::FromBytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != kBytes) {
    return Error::InvalidArgument("key", "bad-key-length", "a data key is 32 bytes");
  }
  CW_ASSIGN_OR_RETURN(internal::SecretBuffer secret, internal::SecretBuffer::Allocate(kBytes));
  std::copy(bytes.begin(), bytes.end(), secret.mutable_bytes().begin());
  secret.MakeReadOnly();
  return DataKey(std::move(secret));
}

DataKey DataKey::Adopt(internal::SecretBuffer secret) {
  CW_CHECK(secret.size() == kBytes);
  secret.MakeReadOnly();
  return DataKey(std::move(secret));
}

std::span<const uint8_t> DataKey::InsecureKeyBytes() const {
  CW_CHECK(valid());  // a moved-from DataKey was used
  return secret_.bytes();
}

bool operator==(const DataKey& a, const DataKey& b) {
  return sodium_memcmp(a.InsecureKeyBytes().data(), b.InsecureKeyBytes().data(),
                       DataKey::kBytes) == 0;
}

Result<DataKey> GenerateDataKey() {
  CW_ASSIGN_OR_RETURN(internal::SecretBuffer secret,
                      internal::SecretBuffer::Allocate(DataKey::kBytes));
  crypto::RandomBytes(secret.mutable_bytes());
  return DataKey::Adopt(std::move(secret));
}

}  // namespace clearway::keys
