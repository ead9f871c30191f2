#include "keys/internal/secret_buffer.h"

#include <sodium.h>

#include <utility>

#include "crypto/crypto.h"

namespace clearway::keys::internal {

Result<SecretBuffer> SecretBuffer::Allocate(size_t size) {
  CW_CHECK(size > 0);
  crypto::Initialise();  // sodium_malloc needs sodium_init() first
  void* memory = sodium_malloc(size);
  if (memory == nullptr) {
    return Error::ResourceExhausted("secure-memory-exhausted",
                                    "could not allocate guarded memory for key material");
  }
  SecretBuffer buffer;
  buffer.bytes_ = static_cast<uint8_t*>(memory);
  buffer.size_ = size;
  // sodium_malloc fills with 0xdb to catch reads of uninitialised memory; start from zero.
  sodium_memzero(buffer.bytes_, size);
  return buffer;
}

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : bytes_(std::exchange(other.bytes_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    bytes_ = std::exchange(other.bytes_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBuffer::~SecretBuffer() { Release(); }

void SecretBuffer::Release() {
  // sodium_free() makes the region writable again, zeroes it, checks the canary and unmaps.
  if (bytes_ != nullptr) sodium_free(bytes_);
  bytes_ = nullptr;
  size_ = 0;
}

void SecretBuffer::MakeReadOnly() {
  CW_CHECK(bytes_ != nullptr);
  CW_CHECK(sodium_mprotect_readonly(bytes_) == 0);
}

}  // namespace clearway::keys::internal
