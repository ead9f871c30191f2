// File: identity/password_policy.h
//
// The password policy (NIST SP 800-63B §5.1.1.2 style: length and a blocklist, no composition
// rules), and the Argon2id parameters Clearway stores passwords with.
//
//   PasswordPolicy policy;                                    // 12..128 code points
//   CW_RETURN_IF_ERROR(policy.Check(new_password, username));
//   CW_ASSIGN_OR_RETURN(auto hash, crypto::HashPassword(new_password));
//   CW_ASSIGN_OR_RETURN(Argon2idParams p, ParseArgon2idPhc(hash));   // p.memory_kib == 65536
//
// Lengths are counted in Unicode code points of the UTF-8 text (what a person thinks of as
// characters; NIST counts the same way), so "ü" counts 1. The maximum, 128 code points, keeps
// Argon2id input under 512 bytes; no normalisation is applied, so the same bytes must be typed.
//
// Thread safety: PasswordPolicy is immutable after construction and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace clearway::identity {

struct PasswordPolicyOptions {
  size_t min_code_points = 12;
  size_t max_code_points = 128;
  // Usernames shorter than this are not searched for inside passwords (a two-letter user id
  // would forbid too much for no gain).
  size_t min_username_match = 3;
};

// PasswordPolicy
//
// Check() returns ok or kInvalidArgument with field "password" and the first failing rule,
// in this order:
//   "password-not-utf8"           the text is not valid UTF-8 (or contains NUL);
//   "password-too-short"          fewer than min_code_points;
//   "password-too-long"           more than max_code_points;
//   "password-repeated-character" one character repeated ("aaaaaaaaaaaa");
//   "password-contains-username"  the username appears in it, ignoring ASCII case;
//   "password-common"             it is on the common-password list, ignoring ASCII case,
//                                 or is a listed word followed only by digits and symbols
//                                 ("Password123!" is "password" + "123!").
// The message never repeats the password.
class PasswordPolicy {
 public:
  PasswordPolicy() = default;
  explicit PasswordPolicy(PasswordPolicyOptions options) : options_(options) {}

  Status Check(std::string_view password, std::string_view username) const;

  const PasswordPolicyOptions& options() const { return options_; }

 private:
  PasswordPolicyOptions options_;
};

// IsCommonPassword() is true if the lower-cased text is on the list, or is a listed word of at
// least four characters followed only by ASCII digits and punctuation.
bool IsCommonPassword(std::string_view password);

// CommonPasswords() is the project's own list (common_passwords.cc): well-known weak
// passwords, names, words and keyboard patterns, lower case, sorted, unique.
std::span<const std::string_view> CommonPasswords();

// The Argon2id parameters of a PHC string
// "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>".
struct Argon2idParams {
  int version = 0;  // 19 = Argon2 1.3
  uint32_t memory_kib = 0;
  uint32_t iterations = 0;
  uint32_t parallelism = 0;
  size_t salt_bytes = 0;
  size_t hash_bytes = 0;
};

// The parameters crypto::HashPassword() uses by default (crypto/crypto.h: opslimit 3, memlimit
// 64 MiB; libsodium always uses one lane, a 16-byte salt and a 32-byte hash).
inline constexpr Argon2idParams kClearwayArgon2idParams{19, 64u * 1024u, 3, 1, 16, 32};

// ParseArgon2idPhc() reads the parameters of an Argon2id PHC string. Error kInvalidArgument
// "phc-malformed" for anything else (including argon2i/argon2d, which Clearway never writes).
Result<Argon2idParams> ParseArgon2idPhc(std::string_view phc);

// NeedsRehash() is true when `phc` is not Argon2id with at least `wanted`'s memory and
// iterations (or cannot be parsed): rehash the password at the next successful sign-in.
bool NeedsRehash(std::string_view phc, const Argon2idParams& wanted = kClearwayArgon2idParams);

}  // namespace clearway::identity
