#include "crypto/signature.h"

#include <sodium.h>

#include "crypto/crypto.h"

namespace clearway::crypto {
namespace {

static_assert(crypto_sign_SEEDBYTES == kEd25519SeedBytes);
static_assert(crypto_sign_PUBLICKEYBYTES == kEd25519PublicKeyBytes);
static_assert(crypto_sign_BYTES == kEd25519SignatureBytes);
static_assert(crypto_sign_SECRETKEYBYTES == 64);

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

Ed25519Seed Ed25519Seed::Generate() {
  Ed25519Seed seed;
  RandomBytes(seed.bytes_);
  return seed;
}

Result<Ed25519Seed> Ed25519Seed::FromBytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != kEd25519SeedBytes) {
    return Error::InvalidArgument("", "bad-seed-length", "an Ed25519 seed is 32 bytes");
  }
  Ed25519Seed seed;
  std::copy(bytes.begin(), bytes.end(), seed.bytes_.begin());
  return seed;
}

Ed25519Seed::Ed25519Seed(Ed25519Seed&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

Ed25519Seed& Ed25519Seed::operator=(Ed25519Seed&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

Ed25519Seed::~Ed25519Seed() { sodium_memzero(bytes_.data(), bytes_.size()); }

bool Ed25519Seed::Equals(const Ed25519Seed& other) const {
  return ConstantTimeEqual(bytes_, other.bytes_);
}

Result<Ed25519Signature> Signer::Sign(std::string_view message) const {
  return Sign(AsBytes(message));
}

std::unique_ptr<Ed25519Signer> Ed25519Signer::Generate() {
  return FromSeed(Ed25519Seed::Generate());
}

std::unique_ptr<Ed25519Signer> Ed25519Signer::FromSeed(const Ed25519Seed& seed) {
  Initialise();
  std::unique_ptr<Ed25519Signer> signer(new Ed25519Signer());
  // crypto_sign_seed_keypair cannot fail for a 32-byte seed.
  CW_CHECK(crypto_sign_seed_keypair(signer->public_key_.data(), signer->secret_key_.data(),
                                    seed.InsecureExportSeed().data()) == 0);
  return signer;
}

Ed25519Signer::~Ed25519Signer() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

Result<Ed25519Signature> Ed25519Signer::Sign(std::span<const uint8_t> message) const {
  Ed25519Signature signature;
  // Detached signing with a valid secret key cannot fail.
  CW_CHECK(crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                                secret_key_.data()) == 0);
  return signature;
}

bool VerifyEd25519(std::span<const uint8_t> public_key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature) {
  if (public_key.size() != kEd25519PublicKeyBytes || signature.size() != kEd25519SignatureBytes) {
    return false;
  }
  Initialise();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

bool VerifyEd25519(std::span<const uint8_t> public_key, std::string_view message,
                   std::span<const uint8_t> signature) {
  return VerifyEd25519(public_key, AsBytes(message), signature);
}

}  // namespace clearway::crypto
