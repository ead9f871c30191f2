// File: identity/recovery_codes.h
//
// Single-use recovery codes: the way back in when a user has lost their authenticator. Each
// code is 12 symbols of Crockford's Base32 alphabet shown as "XXXX-XXXX-XXXX" (60 bits from the
// OS CSPRNG). Only hashes are stored; the plain codes are shown to the user once.
//
//   RecoveryCodeSet set = GenerateRecoveryCodes("alice");       // show set.codes once
//   std::vector<StoredRecoveryCode> stored = set.stored;         // persist these
//   Result<size_t> index = ConsumeRecoveryCode("alice", typed, stored);
//   // ok: stored[*index].used is now true; persist it in the same transaction as the sign-in.
//
// Why SHA-256 and not Argon2id: a code is 60 uniformly random bits, not a human-chosen secret,
// so there is no dictionary to exploit and a slow hash buys little. A thief of the table must
// still try ~2^60 / 10 ≈ 10^17 SHA-256 evaluations per account (months of a current GPU for
// one account), and even then holds only a second factor: the password is still needed, and
// whoever has the table likely has the TOTP secrets too. The hash is domain-separated and
// bound to the user id, so no work is shared across users and a code cannot be moved to
// another account. Argon2id over ten codes would cost ten slow hashes per attempt.
//
// Input is forgiving the Crockford way: case-insensitive, hyphens and spaces ignored, and the
// look-alikes O->0, I->1, L->1 folded, so a user reading a printout cannot mistype into a
// refusal. U is not in the alphabet.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace clearway::identity {

inline constexpr size_t kRecoveryCodeSymbols = 12;  // 5 bits each: 60 bits
inline constexpr size_t kDefaultRecoveryCodeCount = 10;
inline constexpr size_t kMaxRecoveryCodeCount = 32;

using RecoveryCodeHash = std::array<uint8_t, 32>;

// One stored code: its hash and whether it has been spent.
struct StoredRecoveryCode {
  RecoveryCodeHash hash{};
  bool used = false;

  friend bool operator==(const StoredRecoveryCode&, const StoredRecoveryCode&) = default;
};

// A freshly generated set: `codes[i]` is the plain text of `stored[i]`.
struct RecoveryCodeSet {
  std::vector<std::string> codes;          // "XXXX-XXXX-XXXX", show once, never store
  std::vector<StoredRecoveryCode> stored;  // persist
};

// GenerateRecoveryCodes() makes `count` distinct codes for `user_id`. Errors kInvalidArgument
// "recovery-code-count" when count is 0 or above kMaxRecoveryCodeCount.
Result<RecoveryCodeSet> GenerateRecoveryCodes(std::string_view user_id,
                                              size_t count = kDefaultRecoveryCodeCount);

// NormaliseRecoveryCode() returns the 12 canonical upper-case symbols of a typed code. Error
// kInvalidArgument "recovery-code-malformed" (field "recovery_code") for anything that is not
// 12 symbols of the alphabet once separators are removed.
Result<std::string> NormaliseRecoveryCode(std::string_view typed);

// HashRecoveryCode() is SHA-256("clearway recovery code v1" NUL user_id NUL normalised code).
RecoveryCodeHash HashRecoveryCode(std::string_view user_id, std::string_view normalised_code);

// MatchRecoveryCode()
//
// Returns the index in `stored` of the entry whose hash matches `typed` and is unused, without
// changing anything (for a store that marks it used with a compare-and-set). Every entry is
// compared, in constant time, whatever matches. Errors: "recovery-code-malformed" as above;
// kUnauthenticated "recovery-code-used" (matches a spent entry), "recovery-code-invalid"
// (matches nothing).
Result<size_t> MatchRecoveryCode(std::string_view user_id, std::string_view typed,
                                 std::span<const StoredRecoveryCode> stored);

// ConsumeRecoveryCode() is MatchRecoveryCode() that also sets `used` on the matched entry.
Result<size_t> ConsumeRecoveryCode(std::string_view user_id, std::string_view typed,
                                   std::span<StoredRecoveryCode> stored);

// RemainingRecoveryCodes() counts the unused entries (prompt the user to regenerate when low).
size_t RemainingRecoveryCodes(std::span<const StoredRecoveryCode> stored);

}  // namespace clearway::identity
