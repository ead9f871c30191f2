#include "identity/password_policy.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "testing/matchers.h"

namespace clearway::identity {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasDetail;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

TEST(PasswordPolicyTest, AcceptsALongUncommonPassphrase) {
  PasswordPolicy policy;
  EXPECT_THAT(policy.Check("violet tractor under 9 lamps", "alice"), IsOk());
  EXPECT_THAT(policy.Check("Kq7#vLp2!xR9", "alice"), IsOk());
}

TEST(PasswordPolicyTest, LengthIsCountedInCodePointsWithEdgesAtTwelveAndOneTwentyEight) {
  PasswordPolicy policy;
  const std::string eleven = "Kq7vLp2xR9w";
  ASSERT_EQ(eleven.size(), 11u);
  auto short_result = policy.Check(eleven, "alice");
  EXPECT_THAT(short_result, HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(short_result, HasDetail("password", "password-too-short"));
  EXPECT_THAT(policy.Check(eleven + "m", "alice"), IsOk());
  // Eleven two-byte characters are 22 bytes but 11 code points: still too short.
  std::string umlauts;
  for (int count = 0; count < 11; ++count) umlauts += (count % 2 == 0) ? "ü" : "ö";
  EXPECT_THAT(policy.Check(umlauts, "alice"), HasReason("password-too-short"));
  EXPECT_THAT(policy.Check(umlauts + "ä", "alice"), IsOk());

  std::string long_text;
  while (long_text.size() < 128) long_text += "Kq7vLp2xR9w" + std::to_string(long_text.size());
  long_text.resize(128);
  EXPECT_THAT(policy.Check(long_text, "alice"), IsOk());
  EXPECT_THAT(policy.Check(long_text + "z", "alice"), HasDetail("password", "password-too-long"));
  // 128 three-byte characters (384 bytes) are within the limit; 129 are not.
  std::string cjk;
  for (int count = 0; count < 128; ++count) cjk += (count % 2 == 0) ? "語" : "鍵";
  EXPECT_THAT(policy.Check(cjk, "alice"), IsOk());
  EXPECT_THAT(policy.Check(cjk + "語", "alice"), HasReason("password-too-long"));
}

TEST(PasswordPolicyTest, LimitsAreConfigurable) {
  PasswordPolicy policy(PasswordPolicyOptions{16, 20, 3});
  EXPECT_THAT(policy.Check("Kq7vLp2xR9wmTz4", "alice"), HasReason("password-too-short"));
  EXPECT_THAT(policy.Check("Kq7vLp2xR9wmTz4b", "alice"), IsOk());
  EXPECT_THAT(policy.Check("Kq7vLp2xR9wmTz4bNc8Yj", "alice"), HasReason("password-too-long"));
}

TEST(PasswordPolicyTest, RefusesInvalidUtf8AndNul) {
  PasswordPolicy policy;
  for (const std::string& bad :
       {std::string("abcdefghijk\xff", 12), std::string("abcdefghij\xc3", 11) + "xyz",
        std::string("abcdefghijk\xc0\xaf", 13), std::string("abcdefghijk\xed\xa0\x80", 14),
        std::string("abcdefghijk\xf4\x90\x80\x80", 15), std::string("Kq7vLp2x\0R9wm", 13)}) {
    EXPECT_THAT(policy.Check(bad, "alice"), HasDetail("password", "password-not-utf8"));
  }
}

TEST(PasswordPolicyTest, RefusesOneRepeatedCharacter) {
  PasswordPolicy policy;
  EXPECT_THAT(policy.Check("zzzzzzzzzzzzzzzz", "alice"),
              HasDetail("password", "password-repeated-character"));
  EXPECT_THAT(policy.Check("ééééééééééééé", "alice"), HasReason("password-repeated-character"));
}

TEST(PasswordPolicyTest, RefusesPasswordsContainingTheUsername) {
  PasswordPolicy policy;
  EXPECT_THAT(policy.Check("my name is Alice and 42", "alice"),
              HasDetail("password", "password-contains-username"));
  EXPECT_THAT(policy.Check("xxALICE.SMITHxx7", "alice.smith"),
              HasReason("password-contains-username"));
  // Very short user names are not searched for.
  EXPECT_THAT(policy.Check("violet tractor al 9", "al"), IsOk());
}

TEST(PasswordPolicyTest, RefusesCommonPasswordsAndTheirDecoratedForms) {
  PasswordPolicy policy;
  for (std::string_view common :
       {"qwertyuiopasdfghjkl", "1q2w3e4r5t6y", "123456789012", "correcthorsebatterystaple",
        "Password123456!", "!!Password2026", "SUMMER2026!!!!", "iloveyou1234", "qwerty123456",
        "Passwordpassword", "Letmeinletmein", "1qaz2wsx3edc", "Dragon1234567", "P@ssw0rd2026!"}) {
    auto result = policy.Check(common, "alice");
    EXPECT_THAT(result, HasCode(ErrorCode::kInvalidArgument)) << common;
    EXPECT_THAT(result, HasDetail("password", "password-common")) << common;
  }
  // A listed word inside a longer passphrase is fine: only whole-password matches count.
  EXPECT_THAT(policy.Check("dragon violet tractor", "alice"), IsOk());
  // Short list entries (3 letters) are not used for the decorated-form rule.
  EXPECT_FALSE(IsCommonPassword("key123456789"));
  EXPECT_TRUE(IsCommonPassword("KEY"));
}

TEST(PasswordPolicyTest, MessagesNeverRepeatThePassword) {
  PasswordPolicy policy;
  const std::string secret_word = "Password123456!";
  auto result = policy.Check(secret_word, "alice");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().ToString().find(secret_word), std::string::npos);
  EXPECT_EQ(result.error().ToString().find("Password"), std::string::npos);
}

TEST(CommonPasswordsTest, ListIsSortedUniqueLowerCaseAndSizeable) {
  const auto list = CommonPasswords();
  EXPECT_GE(list.size(), 500u);
  EXPECT_LE(list.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
  EXPECT_EQ(std::adjacent_find(list.begin(), list.end()), list.end());
  for (std::string_view entry : list) {
    EXPECT_FALSE(entry.empty());
    EXPECT_TRUE(std::none_of(entry.begin(), entry.end(), [](char c) {
      return c >= 'A' && c <= 'Z';
    })) << entry;
  }
  for (std::string_view must : {"123456", "password", "qwerty", "iloveyou", "1qaz2wsx", "zaq12wsx",
                                "azertyuiop", "qwertzuiop", "letmein"}) {
    EXPECT_TRUE(std::binary_search(list.begin(), list.end(), must)) << must;
  }
}

// The stated Argon2id parameters (crypto/crypto.h) are what HashPassword() really writes.
TEST(Argon2idParamsTest, HashPasswordWritesTheStatedParameters) {
  auto hash = crypto::HashPassword("violet tractor under 9 lamps");
  ASSERT_THAT(hash, IsOk());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=65536,t=3,p=1$")) << "algorithm/params";
  auto params = ParseArgon2idPhc(*hash);
  ASSERT_THAT(params, IsOk());
  EXPECT_EQ(params->version, 19);         // Argon2 1.3 (RFC 9106)
  EXPECT_EQ(params->memory_kib, 65536u);  // 64 MiB
  EXPECT_EQ(params->iterations, 3u);
  EXPECT_EQ(params->parallelism, 1u);
  EXPECT_EQ(params->salt_bytes, 16u);
  EXPECT_EQ(params->hash_bytes, 32u);
  EXPECT_EQ(params->memory_kib, kClearwayArgon2idParams.memory_kib);
  EXPECT_EQ(params->iterations, kClearwayArgon2idParams.iterations);
  EXPECT_FALSE(NeedsRehash(*hash));
  EXPECT_TRUE(crypto::VerifyPassword(*hash, "violet tractor under 9 lamps"));
  EXPECT_FALSE(crypto::VerifyPassword(*hash, "violet tractor under 9 lamp"));
}

// Known answer from the Argon2 reference implementation's test suite (phc-winner-argon2,
// src/test.c, Argon2id v1.3: t=2, m=2^16 KiB, p=1, password "password", salt "somesalt",
// tag 09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7). libsodium's
// crypto_pwhash_str_verify recomputes the tag from the PHC string, so accepting it proves that
// the libsodium we link computes standard Argon2id. RFC 9106 §5.3's vector needs a secret key
// and associated data, which libsodium's API cannot take (needs libargon2's argon2_ctx).
TEST(Argon2idParamsTest, LibsodiumMatchesTheReferenceImplementationVector) {
  const std::string reference =
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
  EXPECT_TRUE(crypto::VerifyPassword(reference, "password"));
  EXPECT_FALSE(crypto::VerifyPassword(reference, "Password"));
  // The same tag with one character changed (one bit of the tag) must not verify.
  std::string tampered = reference;
  tampered[tampered.size() - 2] = 'Q';
  EXPECT_FALSE(crypto::VerifyPassword(tampered, "password"));
  auto params = ParseArgon2idPhc(reference);
  ASSERT_THAT(params, IsOk());
  EXPECT_EQ(params->salt_bytes, 8u);  // "somesalt"
  EXPECT_EQ(params->hash_bytes, 32u);
  // Weaker than Clearway's parameters (t=2 < 3): rehash at next sign-in.
  EXPECT_TRUE(NeedsRehash(reference));
}

TEST(Argon2idParamsTest, ParseRefusesOtherPhcStrings) {
  for (std::string_view bad :
       {"", "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        "$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$t=2,m=65536,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=-1,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$",
        "$argon2id$v=19$m=65536,t=2,p=1$c29t!XNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$2b$12$abcdefghijklmnopqrstuv"}) {
    EXPECT_THAT(ParseArgon2idPhc(bad), HasReason("phc-malformed")) << bad;
    EXPECT_TRUE(NeedsRehash(bad)) << bad;
  }
}

}  // namespace
}  // namespace clearway::identity
