// File: identity/totp.h
//
// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) for multi-factor sign-in, and the
// RFC 4648 Base32 text that authenticator apps use for the shared secret. The period is fixed
// at 30 s (the only value apps honour reliably); HMAC-SHA1 or HMAC-SHA256; 6 or 8 digits.
//
//   std::vector<uint8_t> secret = GenerateTotpSecret(TotpAlgorithm::kSha1);  // store encrypted
//   auto totp = Totp::New(secret, {});                          // SHA-1, 6 digits
//   Result<TotpStep> step = totp->Verify(code, clock.Now(), user.last_totp_step);
//   if (step.ok()) user.last_totp_step = *step;                // refuse this code from now on
//
// Verification accepts the current step and one step either side (clock drift), compares the
// code in constant time, and refuses any step at or before the last one accepted, so a code
// that was seen once (shoulder-surfed, phished, replayed from a log) never works again.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace clearway::identity {

enum class TotpAlgorithm { kSha1, kSha256 };

// TotpAlgorithmName() is the otpauth spelling: "SHA1" or "SHA256".
std::string_view TotpAlgorithmName(TotpAlgorithm algorithm);

// ParseTotpAlgorithm() accepts "SHA1" or "SHA256" (any case). Error kInvalidArgument
// "totp-bad-algorithm" otherwise (SHA512 is not offered).
Result<TotpAlgorithm> ParseTotpAlgorithm(std::string_view name);

inline constexpr std::chrono::seconds kTotpPeriod{30};

// A TOTP time step: floor(unix seconds / 30) (RFC 6238 §4.2, T0 = 0).
using TotpStep = int64_t;

// TotpStepAt() is the step containing `t`; times before 1970 give negative steps, which no
// code ever matches.
TotpStep TotpStepAt(Timestamp t);

struct TotpParams {
  TotpAlgorithm algorithm = TotpAlgorithm::kSha1;
  int digits = 6;  // 6 or 8

  friend bool operator==(const TotpParams&, const TotpParams&) = default;
};

// Secret sizes: the HMAC output length, as RFC 6238 §5.1 and RFC 4226 §4 recommend.
inline constexpr size_t kTotpSha1SecretBytes = 20;
inline constexpr size_t kTotpSha256SecretBytes = 32;
// Shorter secrets are refused (RFC 4226 §4 requires at least 128 bits).
inline constexpr size_t kTotpMinSecretBytes = 16;

// GenerateTotpSecret() returns a fresh random secret from the OS CSPRNG (libsodium): 20 bytes
// for SHA-1, 32 for SHA-256.
std::vector<uint8_t> GenerateTotpSecret(TotpAlgorithm algorithm);

// Totp
//
// A TOTP generator/verifier for one shared secret. Immutable, so thread-safe; copyable (it is a
// value holding the secret: do not log it, and keep its lifetime short). Built only by New().
class Totp {
 public:
  // New() validates the parameters. Errors kInvalidArgument: "totp-bad-secret" (shorter than
  // 16 bytes), "totp-bad-digits" (not 6 or 8).
  static Result<Totp> New(std::vector<uint8_t> secret, TotpParams params);

  // Generate() returns the code for a step, zero-padded to `digits` (RFC 4226 §5.3). Negative
  // steps have no code and give an empty string.
  std::string Generate(TotpStep step) const;
  // GenerateAt() is Generate(TotpStepAt(t)).
  std::string GenerateAt(Timestamp t) const;

  // Verify()
  //
  // Checks `code` against the steps now-1, now and now+1. On success returns the matched step,
  // which the caller stores as the new `last_used_step`. Errors:
  //   kInvalidArgument "totp-malformed" (field "totp") — not exactly `digits` ASCII digits;
  //   kUnauthenticated "totp-replayed" — the code matches, but only at a step <= last_used_step;
  //   kUnauthenticated "totp-invalid"  — the code matches no step in the window.
  // All three candidate steps are computed and compared in constant time, whatever matches.
  Result<TotpStep> Verify(std::string_view code, Timestamp now,
                          std::optional<TotpStep> last_used_step) const;

  const TotpParams& params() const { return params_; }
  std::span<const uint8_t> secret() const { return secret_; }

 private:
  Totp(std::vector<uint8_t> secret, TotpParams params)
      : secret_(std::move(secret)), params_(params) {}

  std::vector<uint8_t> secret_;
  TotpParams params_;
};

// Base32Encode() is RFC 4648 §6 Base32 (upper case), without "=" padding, as otpauth URIs and
// authenticator apps expect.
std::string Base32Encode(std::span<const uint8_t> bytes);

// Base32Decode() accepts upper or lower case, with or without correct "=" padding. Error
// kInvalidArgument "bad-base32" for any other character, an impossible length, wrong padding or
// non-zero trailing bits.
Result<std::vector<uint8_t>> Base32Decode(std::string_view text);

}  // namespace clearway::identity
