#include "crypto/signature.h"

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "testing/matchers.h"

namespace clearway::crypto {
namespace {

using clearway::testing::HasReason;
using clearway::testing::IsOk;

std::vector<uint8_t> Hex(std::string_view hex) { return FromHex(hex).value(); }

// RFC 8032 §7.1, TEST 1 and TEST 2.
struct Rfc8032Vector {
  std::string_view secret_key;  // the seed
  std::string_view public_key;
  std::string_view message;
  std::string_view signature;
};
constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "4"
     "6bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d"
     "8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST(SignatureTest, Rfc8032KnownAnswers) {
  for (const Rfc8032Vector& vector : kVectors) {
    auto seed = Ed25519Seed::FromBytes(Hex(vector.secret_key));
    ASSERT_THAT(seed, IsOk());
    auto signer = Ed25519Signer::FromSeed(*seed);
    EXPECT_EQ(ToHex(signer->public_key()), vector.public_key);
    const std::vector<uint8_t> message = Hex(vector.message);
    auto signature = signer->Sign(std::span<const uint8_t>(message));
    ASSERT_THAT(signature, IsOk());
    EXPECT_EQ(ToHex(*signature), vector.signature);
    EXPECT_TRUE(VerifyEd25519(Hex(vector.public_key), message, Hex(vector.signature)));
  }
}

TEST(SignatureTest, AnyFlippedBitIsRefused) {
  const Rfc8032Vector& vector = kVectors[1];
  const std::vector<uint8_t> public_key = Hex(vector.public_key);
  const std::vector<uint8_t> message = Hex(vector.message);
  const std::vector<uint8_t> signature = Hex(vector.signature);
  for (size_t bit = 0; bit < signature.size() * 8; ++bit) {
    std::vector<uint8_t> flipped = signature;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(VerifyEd25519(public_key, message, flipped)) << "signature bit " << bit;
  }
  for (size_t bit = 0; bit < public_key.size() * 8; ++bit) {
    std::vector<uint8_t> flipped = public_key;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(VerifyEd25519(flipped, message, signature)) << "key bit " << bit;
  }
  for (size_t bit = 0; bit < message.size() * 8; ++bit) {
    std::vector<uint8_t> flipped = message;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(VerifyEd25519(public_key, flipped, signature)) << "message bit " << bit;
  }
  std::vector<uint8_t> longer = message;
  longer.push_back(0);
  EXPECT_FALSE(VerifyEd25519(public_key, longer, signature));
  EXPECT_FALSE(VerifyEd25519(public_key, std::span<const uint8_t>(), signature));
}

TEST(SignatureTest, WrongSizesAreRefused) {
  const Rfc8032Vector& vector = kVectors[0];
  std::vector<uint8_t> public_key = Hex(vector.public_key);
  std::vector<uint8_t> signature = Hex(vector.signature);
  const std::span<const uint8_t> empty;
  EXPECT_TRUE(VerifyEd25519(public_key, empty, signature));
  EXPECT_FALSE(VerifyEd25519(std::span(public_key).first(31), empty, signature));
  EXPECT_FALSE(VerifyEd25519(public_key, empty, std::span(signature).first(63)));
  signature.push_back(0);
  EXPECT_FALSE(VerifyEd25519(public_key, empty, signature));
  EXPECT_FALSE(VerifyEd25519(empty, empty, empty));
}

TEST(SignatureTest, GeneratedKeysSignAndVerify) {
  auto first = Ed25519Signer::Generate();
  auto second = Ed25519Signer::Generate();
  EXPECT_NE(first->public_key(), second->public_key());
  auto signature = first->Sign("checkpoint body\n");
  ASSERT_THAT(signature, IsOk());
  EXPECT_TRUE(VerifyEd25519(first->public_key(), "checkpoint body\n", *signature));
  EXPECT_FALSE(VerifyEd25519(second->public_key(), "checkpoint body\n", *signature));
  EXPECT_FALSE(VerifyEd25519(first->public_key(), "checkpoint body\r\n", *signature));
}

TEST(SignatureTest, SeedIsCheckedComparedAndWipedWhenMoved) {
  EXPECT_THAT(Ed25519Seed::FromBytes(std::vector<uint8_t>(31)), HasReason("bad-seed-length"));
  EXPECT_THAT(Ed25519Seed::FromBytes(std::vector<uint8_t>(33)), HasReason("bad-seed-length"));
  Ed25519Seed seed = Ed25519Seed::Generate();
  Ed25519Seed copy = Ed25519Seed::FromBytes(seed.InsecureExportSeed()).value();
  EXPECT_TRUE(seed.Equals(copy));
  EXPECT_FALSE(seed.Equals(Ed25519Seed::Generate()));
  // The same seed gives the same key.
  EXPECT_EQ(Ed25519Signer::FromSeed(seed)->public_key(),
            Ed25519Signer::FromSeed(copy)->public_key());

  Ed25519Seed moved = std::move(copy);
  EXPECT_TRUE(moved.Equals(seed));
  const std::array<uint8_t, kEd25519SeedBytes> zeros{};
  // The moved-from seed holds no secret any more.
  EXPECT_TRUE(std::equal(copy.InsecureExportSeed().begin(),  // NOLINT(bugprone-use-after-move)
                         copy.InsecureExportSeed().end(), zeros.begin()));
  Ed25519Seed assigned = Ed25519Seed::Generate();
  assigned = std::move(moved);
  EXPECT_TRUE(assigned.Equals(seed));
  EXPECT_TRUE(std::equal(moved.InsecureExportSeed().begin(),  // NOLINT(bugprone-use-after-move)
                         moved.InsecureExportSeed().end(), zeros.begin()));
}

}  // namespace
}  // namespace clearway::crypto
