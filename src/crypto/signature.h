// File: crypto/signature.h
//
// Ed25519 signatures (RFC 8032, "pure" Ed25519) through libsodium. A Signer holds a private key
// and signs; VerifyEd25519() checks a signature with only the public key. Private keys are
// derived from a 32-byte Ed25519Seed, which zeroes itself when destroyed; the only way to read
// the raw seed is the greppable Ed25519Seed::InsecureExportSeed().
//
//   Ed25519Seed seed = Ed25519Seed::Generate();          // persist InsecureExportSeed(), wrapped
//   std::unique_ptr<Ed25519Signer> signer = Ed25519Signer::FromSeed(seed);
//   Result<Ed25519Signature> sig = signer->Sign(message);
//   bool ok = VerifyEd25519(signer->public_key(), message, *sig);
//
// Guarantee: signatures are existentially unforgeable under chosen-message attack (EUF-CMA);
// libsodium's verifier also refuses non-canonical encodings and small-order public keys.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "common/result.h"

namespace clearway::crypto {

inline constexpr size_t kEd25519SeedBytes = 32;
inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

using Ed25519PublicKey = std::array<uint8_t, kEd25519PublicKeyBytes>;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureBytes>;

// Ed25519Seed
//
// The 32-byte secret from which an Ed25519 key pair is derived (RFC 8032 §5.1.5). Move-only;
// the bytes are wiped with sodium_memzero when the object is destroyed or moved from. It has no
// operator<< and compares in constant time.
class Ed25519Seed {
 public:
  // Generate() draws a fresh seed from the operating system's CSPRNG.
  static Ed25519Seed Generate();

  // FromBytes() copies a seed; kInvalidArgument "bad-seed-length" unless exactly 32 bytes.
  static Result<Ed25519Seed> FromBytes(std::span<const uint8_t> bytes);

  Ed25519Seed(Ed25519Seed&& other) noexcept;
  Ed25519Seed& operator=(Ed25519Seed&& other) noexcept;
  Ed25519Seed(const Ed25519Seed&) = delete;
  Ed25519Seed& operator=(const Ed25519Seed&) = delete;
  ~Ed25519Seed();

  // InsecureExportSeed() exposes the raw secret, e.g. to wrap it with a key-encryption key.
  // The view is valid while this object lives. Every call site deserves a security review.
  std::span<const uint8_t, kEd25519SeedBytes> InsecureExportSeed() const { return bytes_; }

  // Equals() compares two seeds in constant time.
  bool Equals(const Ed25519Seed& other) const;

 private:
  Ed25519Seed() = default;
  std::array<uint8_t, kEd25519SeedBytes> bytes_{};
};

// Signer
//
// Signs messages with a private key it never reveals. Implementations may live in memory (as
// Ed25519Signer) or in a key-management service. Implementations are thread-safe.
class Signer {
 public:
  virtual ~Signer() = default;

  // Sign() returns the 64-byte Ed25519 signature of `message`; an implementation backed by a
  // remote service may return kUnavailable.
  virtual Result<Ed25519Signature> Sign(std::span<const uint8_t> message) const = 0;

  // public_key() is the 32-byte Ed25519 public key matching the private key.
  virtual const Ed25519PublicKey& public_key() const = 0;

  // Sign() over text, for convenience.
  Result<Ed25519Signature> Sign(std::string_view message) const;
};

// Ed25519Signer
//
// An in-memory Ed25519 private key (libsodium's 64-byte secret key: seed || public key), wiped
// on destruction. Thread-safe: Sign() does not mutate state. Not copyable or movable; owned by a
// unique_ptr.
class Ed25519Signer final : public Signer {
 public:
  // Generate() makes a signer with a fresh random key, for tests and ephemeral keys. To persist a
  // key, generate an Ed25519Seed, store it, and use FromSeed().
  static std::unique_ptr<Ed25519Signer> Generate();

  // FromSeed() derives the key pair from `seed` (deterministic, RFC 8032 §5.1.5).
  static std::unique_ptr<Ed25519Signer> FromSeed(const Ed25519Seed& seed);

  Ed25519Signer(const Ed25519Signer&) = delete;
  Ed25519Signer& operator=(const Ed25519Signer&) = delete;
  ~Ed25519Signer() override;

  using Signer::Sign;
  // Sign() always succeeds for an in-memory key.
  Result<Ed25519Signature> Sign(std::span<const uint8_t> message) const override;
  const Ed25519PublicKey& public_key() const override { return public_key_; }

 private:
  Ed25519Signer() = default;
  std::array<uint8_t, 64> secret_key_{};
  Ed25519PublicKey public_key_{};
};

// VerifyEd25519() is true iff `signature` is a valid Ed25519 signature of `message` under
// `public_key`. False (never an error) for wrong sizes, non-canonical or small-order inputs.
bool VerifyEd25519(std::span<const uint8_t> public_key, std::span<const uint8_t> message,
                   std::span<const uint8_t> signature);
bool VerifyEd25519(std::span<const uint8_t> public_key, std::string_view message,
                   std::span<const uint8_t> signature);

}  // namespace clearway::crypto
