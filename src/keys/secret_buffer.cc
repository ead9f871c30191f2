#include "keys/internal/secret_buffer.h"

#include <sodium.h>

#include <mutex>
#include <utility>
#include <vector>

#include "crypto/crypto.h"

namespace clearway::keys::internal {
namespace {

// Released buffers of the sizes keys come in, kept for the next Allocate() of that size.
//
// sodium_malloc() and sodium_free() are each several system calls (mmap of the region and its
// guard pages, mprotect, mlock; munlock, munmap with the TLB shoot-down it sends to every core):
// ~32 us per data key on the 2-core machine, and every filing makes one (docs/performance.md).
// A recycled buffer keeps everything guarded memory gives (its guard pages, canary, lock and
// exclusion from core dumps); on release it is made writable again and wiped with
// sodium_memzero() before it is kept, so no key material outlives its owner, pooled or not.
// Taking and returning one is two mprotect calls (~4 us).
//
// The recycler is bounded (kMaxKept buffers, each one locked page) and only keeps small sizes;
// anything else is freed as before. It is created on first use and never destroyed: owners of
// key material in static storage may release theirs after any other static is gone.
class Recycler {
 public:
  static constexpr size_t kMaxSize = 64;   // DataKey is 32 bytes, a KEK 32
  static constexpr size_t kMaxKept = 256;  // 256 locked pages at most (1 MiB)

  static Recycler& Instance() {
    static Recycler* recycler = new Recycler();  // never destroyed, see above
    return *recycler;
  }

  // Take() gives a kept buffer of exactly `size` bytes (zeroed and writable), or nullptr.
  void* Take(size_t size) {
    if (size > kMaxSize) return nullptr;
    std::scoped_lock lock(mu_);
    std::vector<void*>& kept = kept_[size - 1];
    if (kept.empty()) return nullptr;
    void* memory = kept.back();
    kept.pop_back();
    --count_;
    return memory;
  }

  // Keep() wipes `memory` and keeps it, or returns false (the caller frees it): too large, the
  // recycler is full, or the pages cannot be made writable again.
  bool Keep(void* memory, size_t size) {
    if (size > kMaxSize) return false;
    {
      std::scoped_lock lock(mu_);
      if (count_ >= kMaxKept) return false;
      ++count_;  // reserve the place before the system calls below
    }
    if (sodium_mprotect_readwrite(memory) != 0) {
      std::scoped_lock lock(mu_);
      --count_;
      return false;
    }
    sodium_memzero(memory, size);
    std::scoped_lock lock(mu_);
    kept_[size - 1].push_back(memory);
    return true;
  }

 private:
  Recycler() = default;

  std::mutex mu_;
  size_t count_ = 0;  // kept plus reserved, <= kMaxKept
  std::vector<void*> kept_[kMaxSize];  // by size - 1
};

}  // namespace

Result<SecretBuffer> SecretBuffer::Allocate(size_t size) {
  CW_CHECK(size > 0);
  crypto::Initialise();  // sodium_malloc needs sodium_init() first
  void* memory = Recycler::Instance().Take(size);
  if (memory == nullptr) {
    memory = sodium_malloc(size);
    if (memory == nullptr) {
      return Error::ResourceExhausted("secure-memory-exhausted",
                                      "could not allocate guarded memory for key material");
    }
    // sodium_malloc fills with 0xdb to catch reads of uninitialised memory; start from zero.
    sodium_memzero(memory, size);
  }
  SecretBuffer buffer;
  buffer.bytes_ = static_cast<uint8_t*>(memory);
  buffer.size_ = size;
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
  // Kept: wiped and writable again (Recycler::Keep). Otherwise sodium_free() makes the region
  // writable, zeroes it, checks the canary and unmaps.
  if (bytes_ != nullptr && !Recycler::Instance().Keep(bytes_, size_)) sodium_free(bytes_);
  bytes_ = nullptr;
  size_ = 0;
}

void SecretBuffer::MakeReadOnly() {
  CW_CHECK(bytes_ != nullptr);
  CW_CHECK(sodium_mprotect_readonly(bytes_) == 0);
}

}  // namespace clearway::keys::internal
