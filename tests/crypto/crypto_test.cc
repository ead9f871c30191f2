#include "crypto/crypto.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "testing/matchers.h"

namespace clearway::crypto {
namespace {

using clearway::testing::HasReason;

TEST(CryptoTest, Sha256KnownAnswers) {
  // FIPS 180-4 examples.
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(ToHex(Sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Each thread hashes with its own reused context: many threads at once get the same answers,
// and a context reused after a long message starts afresh.
TEST(CryptoTest, Sha256FromManyThreadsAgrees) {
  std::vector<std::string> expected;
  for (size_t i = 0; i < 200; ++i) expected.push_back(ToHex(Sha256(std::string(i * 37, 'a'))));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&wrong, &expected] {
      for (size_t i = 0; i < expected.size(); ++i) {
        if (ToHex(Sha256(std::string(i * 37, 'a'))) != expected[i]) ++wrong;
        if (ToHex(Sha256("abc")) !=
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(CryptoTest, HexRoundTripAndRefusals) {
  auto bytes = FromHex("00ff10Ab");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(ToHex(*bytes), "00ff10ab");
  EXPECT_THAT(FromHex("abc"), HasReason("bad-hex"));
  EXPECT_THAT(FromHex("zz"), HasReason("bad-hex"));
}

TEST(CryptoTest, Base64KnownAnswersAndRefusals) {
  // RFC 4648 §10 test vectors.
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*Base64Decode("Zm9vYg=="), "foob");
  EXPECT_THAT(Base64Decode("Zm9vYg"), HasReason("bad-base64"));
  EXPECT_THAT(Base64Decode("Zm9v!mFy"), HasReason("bad-base64"));
  EXPECT_THAT(Base64Decode("Zm9vYmFy=="), HasReason("bad-base64"));
}

TEST(CryptoTest, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secret1"));
}

TEST(CryptoTest, RandomTokensDiffer) {
  auto a = RandomToken(32), b = RandomToken(32);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
}

TEST(CryptoTest, PasswordHashVerifies) {
  PasswordHashParams fast{1, 8u * 1024u * 1024u};
  auto hash = HashPassword("correct horse battery staple", fast);
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery stapl"));
  EXPECT_FALSE(VerifyPassword("garbage", "x"));
}

TEST(CryptoTest, SelfSignedCertificateIsPem) {
  auto cert = MakeSelfSignedCertificate("clearway-test", 1);
  ASSERT_TRUE(cert.ok()) << cert.error();
  EXPECT_NE(cert->certificate_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(cert->private_key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace clearway::crypto
