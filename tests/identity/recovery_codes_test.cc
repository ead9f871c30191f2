#include "identity/recovery_codes.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "testing/matchers.h"

namespace clearway::identity {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

class RecoveryCodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = GenerateRecoveryCodes("alice");
    ASSERT_THAT(set, IsOk());
    set_ = *set;
  }
  RecoveryCodeSet set_;
};

TEST_F(RecoveryCodesTest, GeneratesTenDistinctFormattedCodes) {
  ASSERT_EQ(set_.codes.size(), 10u);
  ASSERT_EQ(set_.stored.size(), 10u);
  const std::regex format("[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}");
  std::set<std::string> distinct;
  for (size_t code_idx = 0; code_idx < set_.codes.size(); ++code_idx) {
    const std::string& code = set_.codes[code_idx];
    EXPECT_TRUE(std::regex_match(code, format)) << code;
    distinct.insert(code);
    auto normalised = NormaliseRecoveryCode(code);
    ASSERT_THAT(normalised, IsOk());
    EXPECT_EQ(set_.stored[code_idx].hash, HashRecoveryCode("alice", *normalised));
    EXPECT_FALSE(set_.stored[code_idx].used);
  }
  EXPECT_EQ(distinct.size(), 10u);
  EXPECT_EQ(RemainingRecoveryCodes(set_.stored), 10u);
}

TEST_F(RecoveryCodesTest, EachCodeWorksExactlyOnceAndReturnsItsIndex) {
  for (size_t code_idx = 0; code_idx < set_.codes.size(); ++code_idx) {
    auto index = ConsumeRecoveryCode("alice", set_.codes[code_idx], set_.stored);
    ASSERT_THAT(index, IsOk());
    EXPECT_EQ(*index, code_idx);
    EXPECT_TRUE(set_.stored[code_idx].used);
    auto again = ConsumeRecoveryCode("alice", set_.codes[code_idx], set_.stored);
    EXPECT_THAT(again, HasCode(ErrorCode::kUnauthenticated));
    EXPECT_THAT(again, HasReason("recovery-code-used"));
  }
  EXPECT_EQ(RemainingRecoveryCodes(set_.stored), 0u);
}

TEST_F(RecoveryCodesTest, MatchDoesNotConsume) {
  auto index = MatchRecoveryCode("alice", set_.codes[3], set_.stored);
  ASSERT_THAT(index, IsOk());
  EXPECT_EQ(*index, 3u);
  EXPECT_EQ(RemainingRecoveryCodes(set_.stored), 10u);
  EXPECT_THAT(MatchRecoveryCode("alice", set_.codes[3], set_.stored), IsOk());
}

TEST_F(RecoveryCodesTest, TypingVariantsAreAccepted) {
  // Lower case, no hyphens, spaces, and the look-alikes O/I/L for 0/1.
  std::string code = set_.codes[0];
  std::string lower;
  for (char c : code) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_THAT(MatchRecoveryCode("alice", lower, set_.stored), IsOk());
  std::string spaced = code;
  std::replace(spaced.begin(), spaced.end(), '-', ' ');
  EXPECT_THAT(MatchRecoveryCode("alice", spaced, set_.stored), IsOk());
  EXPECT_EQ(*NormaliseRecoveryCode("oil0-1111-AAAA"), "01101111AAAA");
  EXPECT_EQ(*NormaliseRecoveryCode("0 1 1 0 1 1 1 1 a a a a"), "01101111AAAA");
}

TEST_F(RecoveryCodesTest, WrongCodeIsInvalid) {
  auto result = MatchRecoveryCode("alice", "0000-0000-0000", set_.stored);
  EXPECT_THAT(result, HasCode(ErrorCode::kUnauthenticated));
  EXPECT_THAT(result, HasReason("recovery-code-invalid"));
  // Changing any one symbol of a real code makes it invalid.
  std::string code = set_.codes[2];
  for (size_t pos = 0; pos < code.size(); ++pos) {
    if (code[pos] == '-') continue;
    std::string changed = code;
    changed[pos] = code[pos] == 'Z' ? 'Y' : 'Z';
    EXPECT_THAT(MatchRecoveryCode("alice", changed, set_.stored),
                HasReason("recovery-code-invalid"))
        << changed;
  }
}

TEST_F(RecoveryCodesTest, CodesAreBoundToTheirUser) {
  auto result = MatchRecoveryCode("bob", set_.codes[0], set_.stored);
  EXPECT_THAT(result, HasReason("recovery-code-invalid"));
  EXPECT_NE(HashRecoveryCode("alice", "0123456789AB"), HashRecoveryCode("bob", "0123456789AB"));
}

TEST_F(RecoveryCodesTest, MalformedInputIsRefused) {
  for (std::string_view bad : {"", "0000-0000-000", "0000-0000-00000", "0000-0000-000U",
                               "0000_0000_0000", "0000-0000-000!", "０000-0000-0000"}) {
    auto result = MatchRecoveryCode("alice", bad, set_.stored);
    EXPECT_THAT(result, HasCode(ErrorCode::kInvalidArgument)) << bad;
    EXPECT_THAT(result, HasReason("recovery-code-malformed")) << bad;
  }
}

TEST(RecoveryCodesHashTest, IsSha256OfTheDomainSeparatedInput) {
  std::string input("clearway recovery code v1");
  input += '\0';
  input += "alice";
  input += '\0';
  input += "0123456789AB";
  EXPECT_EQ(HashRecoveryCode("alice", "0123456789AB"), crypto::Sha256(input));
}

TEST(RecoveryCodesCountTest, CountIsBounded) {
  EXPECT_THAT(GenerateRecoveryCodes("alice", 0), HasReason("recovery-code-count"));
  EXPECT_THAT(GenerateRecoveryCodes("alice", 33), HasReason("recovery-code-count"));
  auto one = GenerateRecoveryCodes("alice", 1);
  ASSERT_THAT(one, IsOk());
  EXPECT_EQ(one->codes.size(), 1u);
}

TEST(RecoveryCodesRandomnessTest, SymbolsCoverTheWholeAlphabet) {
  // 32 codes x 12 symbols: every one of 32 symbols missing has probability < 32 * (31/32)^384,
  // about 2e-4 — a bias check, not a timing one. Done five times to make a flake negligible.
  bool all_seen = false;
  for (int attempt = 0; attempt < 5 && !all_seen; ++attempt) {
    auto set = GenerateRecoveryCodes("alice", kMaxRecoveryCodeCount);
    ASSERT_THAT(set, IsOk());
    std::set<char> symbols;
    for (const std::string& code : set->codes) {
      for (char c : code) {
        if (c != '-') symbols.insert(c);
      }
    }
    all_seen = symbols.size() == 32;
  }
  EXPECT_TRUE(all_seen);
}

}  // namespace
}  // namespace clearway::identity
