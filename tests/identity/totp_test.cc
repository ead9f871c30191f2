#include "identity/totp.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace clearway::identity {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

std::vector<uint8_t> Seed(std::string_view ascii) { return {ascii.begin(), ascii.end()}; }

Timestamp AtUnixSeconds(long long seconds) { return Timestamp(std::chrono::seconds(seconds)); }

Totp Make(std::string_view seed, TotpAlgorithm algorithm, int digits) {
  auto totp = Totp::New(Seed(seed), {algorithm, digits});
  CW_CHECK(totp.ok());
  return *totp;
}

constexpr std::string_view kSha1Seed = "12345678901234567890";
constexpr std::string_view kSha256Seed = "12345678901234567890123456789012";

struct Rfc6238Row {
  long long unix_seconds;
  TotpStep step;
  std::string sha1;
  std::string sha256;
};

// RFC 6238 Appendix B, every row (8 digits, T0 = 0, X = 30). The SHA-1 seed is the 20-byte
// ASCII "1234567890" twice; the SHA-256 seed is the 32-byte one (see the RFC errata).
const std::vector<Rfc6238Row>& Rfc6238Rows() {
  static const std::vector<Rfc6238Row> rows = {
      {59, 0x1, "94287082", "46119246"},
      {1111111109, 0x23523EC, "07081804", "68084774"},
      {1111111111, 0x23523ED, "14050471", "67062674"},
      {1234567890, 0x273EF07, "89005924", "91819424"},
      {2000000000, 0x3F940AA, "69279037", "90698825"},
      {20000000000, 0x27BC86AA, "65353130", "77737706"},
  };
  return rows;
}

TEST(TotpTest, Rfc6238AppendixBSha1) {
  Totp totp = Make(kSha1Seed, TotpAlgorithm::kSha1, 8);
  for (const Rfc6238Row& row : Rfc6238Rows()) {
    EXPECT_EQ(TotpStepAt(AtUnixSeconds(row.unix_seconds)), row.step) << row.unix_seconds;
    EXPECT_EQ(totp.GenerateAt(AtUnixSeconds(row.unix_seconds)), row.sha1) << row.unix_seconds;
    EXPECT_THAT(totp.Verify(row.sha1, AtUnixSeconds(row.unix_seconds), std::nullopt), IsOk());
  }
}

TEST(TotpTest, Rfc6238AppendixBSha256) {
  Totp totp = Make(kSha256Seed, TotpAlgorithm::kSha256, 8);
  for (const Rfc6238Row& row : Rfc6238Rows()) {
    EXPECT_EQ(totp.GenerateAt(AtUnixSeconds(row.unix_seconds)), row.sha256) << row.unix_seconds;
    auto step = totp.Verify(row.sha256, AtUnixSeconds(row.unix_seconds), std::nullopt);
    ASSERT_THAT(step, IsOk());
    EXPECT_EQ(*step, row.step);
  }
}

TEST(TotpTest, Rfc4226AppendixDHotpValues) {
  // TOTP is HOTP with the time step as counter; RFC 4226 Appendix D lists counters 0..9.
  Totp totp = Make(kSha1Seed, TotpAlgorithm::kSha1, 6);
  const std::vector<std::string> expected = {"755224", "287082", "359152", "969429", "338314",
                                             "254676", "287922", "162583", "399871", "520489"};
  for (size_t counter = 0; counter < expected.size(); ++counter) {
    EXPECT_EQ(totp.Generate(static_cast<TotpStep>(counter)), expected[counter]) << counter;
  }
}

TEST(TotpTest, SixDigitCodesAreTheLastSixOfTheEightDigitOnes) {
  Totp six = Make(kSha256Seed, TotpAlgorithm::kSha256, 6);
  for (const Rfc6238Row& row : Rfc6238Rows()) {
    EXPECT_EQ(six.GenerateAt(AtUnixSeconds(row.unix_seconds)), row.sha256.substr(2));
  }
}

TEST(TotpTest, StepBoundariesAreHalfOpen) {
  EXPECT_EQ(TotpStepAt(AtUnixSeconds(0)), 0);
  EXPECT_EQ(TotpStepAt(AtUnixSeconds(29) + std::chrono::microseconds(999999)), 0);
  EXPECT_EQ(TotpStepAt(AtUnixSeconds(30)), 1);
  EXPECT_EQ(TotpStepAt(AtUnixSeconds(-1)), -1);
  EXPECT_EQ(TotpStepAt(AtUnixSeconds(-30)), -1);
  EXPECT_EQ(TotpStepAt(AtUnixSeconds(-31)), -2);
}

TEST(TotpTest, WindowAcceptsOneStepEitherSideAndNoMore) {
  Totp totp = Make(kSha1Seed, TotpAlgorithm::kSha1, 6);
  const TotpStep step = 40000000;
  const std::string code = totp.Generate(step);
  const Timestamp step_start = AtUnixSeconds(step * 30);
  const std::chrono::microseconds tick(1);
  // Accepted from the start of step-1 up to the last microsecond of step+1.
  EXPECT_THAT(totp.Verify(code, step_start - std::chrono::seconds(30), std::nullopt), IsOk());
  EXPECT_THAT(totp.Verify(code, step_start, std::nullopt), IsOk());
  EXPECT_THAT(totp.Verify(code, step_start + std::chrono::seconds(60) - tick, std::nullopt),
              IsOk());
  // Refused one microsecond outside either edge.
  EXPECT_THAT(totp.Verify(code, step_start - std::chrono::seconds(30) - tick, std::nullopt),
              HasReason("totp-invalid"));
  EXPECT_THAT(totp.Verify(code, step_start + std::chrono::seconds(60), std::nullopt),
              HasReason("totp-invalid"));
  // Whatever the time within the window, the step returned is the code's own step.
  auto matched = totp.Verify(code, step_start + std::chrono::seconds(45), std::nullopt);
  ASSERT_THAT(matched, IsOk());
  EXPECT_EQ(*matched, step);
}

TEST(TotpTest, ReplayOfTheSameOrAnOlderStepIsRefused) {
  Totp totp = Make(kSha1Seed, TotpAlgorithm::kSha1, 6);
  const TotpStep step = 40000000;
  const Timestamp now = AtUnixSeconds(step * 30 + 10);
  auto first = totp.Verify(totp.Generate(step), now, std::nullopt);
  ASSERT_THAT(first, IsOk());
  auto replay = totp.Verify(totp.Generate(step), now, *first);
  EXPECT_THAT(replay, HasCode(ErrorCode::kUnauthenticated));
  EXPECT_THAT(replay, HasReason("totp-replayed"));
  // The previous step's code is still inside the window but older than the one used.
  EXPECT_THAT(totp.Verify(totp.Generate(step - 1), now, *first), HasReason("totp-replayed"));
  // The next step's code is newer, so it is accepted and becomes the new last step.
  auto next = totp.Verify(totp.Generate(step + 1), now, *first);
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(*next, step + 1);
  EXPECT_THAT(totp.Verify(totp.Generate(step), now, *next), HasReason("totp-replayed"));
}

TEST(TotpTest, WrongCodeIsInvalidNotReplayed) {
  Totp totp = Make(kSha1Seed, TotpAlgorithm::kSha1, 6);
  const Timestamp now = AtUnixSeconds(1234567890);
  std::string code = totp.GenerateAt(now);
  code[0] = code[0] == '9' ? '0' : static_cast<char>(code[0] + 1);
  auto result = totp.Verify(code, now, TotpStepAt(now));
  EXPECT_THAT(result, HasCode(ErrorCode::kUnauthenticated));
  EXPECT_THAT(result, HasReason("totp-invalid"));
}

TEST(TotpTest, CodeFromAnotherSecretOrAlgorithmIsInvalid) {
  const Timestamp now = AtUnixSeconds(1111111109);
  Totp sha1 = Make(kSha1Seed, TotpAlgorithm::kSha1, 8);
  Totp other = Make("abcdefghijklmnopqrst", TotpAlgorithm::kSha1, 8);
  Totp sha256_same_seed = Make(kSha1Seed, TotpAlgorithm::kSha256, 8);
  EXPECT_THAT(other.Verify(sha1.GenerateAt(now), now, std::nullopt), HasReason("totp-invalid"));
  EXPECT_THAT(sha256_same_seed.Verify(sha1.GenerateAt(now), now, std::nullopt),
              HasReason("totp-invalid"));
}

TEST(TotpTest, MalformedCodesAreRefusedBeforeComparison) {
  Totp totp = Make(kSha1Seed, TotpAlgorithm::kSha1, 6);
  const Timestamp now = AtUnixSeconds(59);
  const std::string good = totp.GenerateAt(now);
  for (const std::string& bad :
       {std::string(""), good.substr(0, 5), good + "0", std::string("12345a"),
        std::string(" 12345"), std::string("12 345"), std::string("１２３４５６"),
        std::string("+12345"),
        std::string("123\0"
                    "56",
                    6)}) {
    auto result = totp.Verify(bad, now, std::nullopt);
    EXPECT_THAT(result, HasCode(ErrorCode::kInvalidArgument)) << bad;
    EXPECT_THAT(result, HasReason("totp-malformed")) << bad;
  }
  // An eight-digit verifier refuses a six-digit code as malformed.
  Totp eight = Make(kSha1Seed, TotpAlgorithm::kSha1, 8);
  EXPECT_THAT(eight.Verify(good, now, std::nullopt), HasReason("totp-malformed"));
}

TEST(TotpTest, NewRefusesShortSecretsAndOddDigitCounts) {
  EXPECT_THAT(Totp::New(std::vector<uint8_t>(15, 1), {}), HasReason("totp-bad-secret"));
  EXPECT_THAT(Totp::New(std::vector<uint8_t>(16, 1), {}), IsOk());
  for (int digits : {0, 5, 7, 9, -6}) {
    EXPECT_THAT(Totp::New(Seed(kSha1Seed), {TotpAlgorithm::kSha1, digits}),
                HasReason("totp-bad-digits"))
        << digits;
  }
}

TEST(TotpTest, NegativeStepsHaveNoCode) {
  Totp totp = Make(kSha1Seed, TotpAlgorithm::kSha1, 6);
  EXPECT_EQ(totp.Generate(-1), "");
  // At step 0 the window would include step -1; only step 0 and 1 can match.
  EXPECT_THAT(totp.Verify(totp.Generate(0), AtUnixSeconds(1), std::nullopt), IsOk());
}

TEST(TotpTest, GeneratedSecretsHaveTheHmacLengthAndDiffer) {
  auto sha1 = GenerateTotpSecret(TotpAlgorithm::kSha1);
  auto sha256 = GenerateTotpSecret(TotpAlgorithm::kSha256);
  EXPECT_EQ(sha1.size(), 20u);
  EXPECT_EQ(sha256.size(), 32u);
  EXPECT_NE(sha1, GenerateTotpSecret(TotpAlgorithm::kSha1));
  EXPECT_THAT(Totp::New(sha256, {TotpAlgorithm::kSha256, 8}), IsOk());
}

TEST(TotpTest, AlgorithmNamesRoundTrip) {
  EXPECT_EQ(TotpAlgorithmName(TotpAlgorithm::kSha1), "SHA1");
  EXPECT_EQ(TotpAlgorithmName(TotpAlgorithm::kSha256), "SHA256");
  EXPECT_EQ(*ParseTotpAlgorithm("sha256"), TotpAlgorithm::kSha256);
  EXPECT_EQ(*ParseTotpAlgorithm("SHA1"), TotpAlgorithm::kSha1);
  EXPECT_THAT(ParseTotpAlgorithm("SHA512"), HasReason("totp-bad-algorithm"));
  EXPECT_THAT(ParseTotpAlgorithm(""), HasReason("totp-bad-algorithm"));
}

TEST(Base32Test, Rfc4648Section10Vectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"},
  };
  const std::vector<std::string> padded = {
      "", "MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB", "MZXW6YTBOI======"};
  for (size_t vector_idx = 0; vector_idx < vectors.size(); ++vector_idx) {
    const auto& [plain, encoded] = vectors[vector_idx];
    std::vector<uint8_t> bytes(plain.begin(), plain.end());
    EXPECT_EQ(Base32Encode(bytes), encoded);
    auto decoded = Base32Decode(encoded);
    ASSERT_THAT(decoded, IsOk());
    EXPECT_EQ(*decoded, bytes);
    auto from_padded = Base32Decode(padded[vector_idx]);
    ASSERT_THAT(from_padded, IsOk()) << padded[vector_idx];
    EXPECT_EQ(*from_padded, bytes);
  }
}

TEST(Base32Test, DecodeAcceptsLowerCaseAndRoundTripsEveryLength) {
  auto lower = Base32Decode("mzxw6ytboi");
  ASSERT_THAT(lower, IsOk());
  EXPECT_EQ(std::string(lower->begin(), lower->end()), "foobar");
  for (size_t length = 0; length < 40; ++length) {
    std::vector<uint8_t> bytes(length);
    for (size_t byte_idx = 0; byte_idx < length; ++byte_idx) {
      bytes[byte_idx] = static_cast<uint8_t>(byte_idx * 37 + 11);
    }
    auto decoded = Base32Decode(Base32Encode(bytes));
    ASSERT_THAT(decoded, IsOk());
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base32Test, DecodeRefusesBadInput) {
  for (std::string_view bad : {"M", "MZX", "MZXW6Y", "MZ1Q", "MZ8Q", "MZ Q", "MZ-Q",
                               "MY=", "MY=======", "MZXW6YTB========", "M=Y=====", "MZ", "MZXR"}) {
    EXPECT_THAT(Base32Decode(bad), HasReason("bad-base32")) << bad;
  }
}

}  // namespace
}  // namespace clearway::identity
