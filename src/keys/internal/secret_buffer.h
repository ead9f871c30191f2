// File: keys/internal/secret_buffer.h
//
// SecretBuffer owns a few bytes of key material in libsodium's guarded memory (sodium_malloc:
// guard pages on both sides, a canary, mlock'd where the system allows, excluded from core
// dumps) and wipes them on destruction (sodium_free zeroes before unmapping). It is move-only
// and has no operator<<. Only the keys module uses it; other modules see DataKey.
//
//   CW_ASSIGN_OR_RETURN(SecretBuffer kek, SecretBuffer::Allocate(32));
//   crypto::RandomBytes(kek.mutable_bytes());
//   kek.MakeReadOnly();   // writes now fault
//
// Thread safety: const methods may be called from many threads at once; moving or destroying
// a buffer while another thread reads it is a programmer error, as for any object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/result.h"

namespace clearway::keys::internal {

class SecretBuffer {
 public:
  // Allocate() gives `size` (> 0) zeroed bytes of guarded memory, writable until
  // MakeReadOnly(). kResourceExhausted "secure-memory-exhausted" when the allocation fails.
  static Result<SecretBuffer> Allocate(size_t size);

  SecretBuffer() = default;  // empty: holds nothing
  SecretBuffer(SecretBuffer&& other) noexcept;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept;
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  ~SecretBuffer();

  // empty() is true for a default-constructed or moved-from buffer.
  bool empty() const { return bytes_ == nullptr; }
  size_t size() const { return size_; }

  // bytes() reads the secret; mutable_bytes() writes it (only before MakeReadOnly()).
  std::span<const uint8_t> bytes() const { return {bytes_, size_}; }
  std::span<uint8_t> mutable_bytes() { return {bytes_, size_}; }

  // MakeReadOnly() turns the pages read-only, so a stray write faults instead of changing a key.
  void MakeReadOnly();

 private:
  void Release();

  uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
};

}  // namespace clearway::keys::internal
