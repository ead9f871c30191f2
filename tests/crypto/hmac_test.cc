#include "crypto/hmac.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/crypto.h"

namespace clearway::crypto {
namespace {

std::string Repeat(char byte, size_t count) { return std::string(count, byte); }

std::string Ascending(int first, int last) {
  std::string out;
  for (int v = first; v <= last; ++v) out += static_cast<char>(v);
  return out;
}

struct Vector {
  std::string key;
  std::string message;
  std::string expected_hex;
};

// RFC 2202 §3: the seven HMAC-SHA1 test cases.
TEST(HmacTest, Sha1Rfc2202KnownAnswers) {
  const std::vector<Vector> vectors = {
      {Repeat('\x0b', 20), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"},
      {"Jefe", "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
      {Repeat('\xaa', 20), Repeat('\xdd', 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
      {Ascending(0x01, 0x19), Repeat('\xcd', 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
      {Repeat('\x0c', 20), "Test With Truncation", "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
      {Repeat('\xaa', 80), "Test Using Larger Than Block-Size Key - Hash Key First",
       "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
      {Repeat('\xaa', 80),
       "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
       "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
  };
  for (size_t case_idx = 0; case_idx < vectors.size(); ++case_idx) {
    const Vector& v = vectors[case_idx];
    EXPECT_EQ(ToHex(HmacSha1(v.key, v.message)), v.expected_hex)
        << "RFC 2202 case " << case_idx + 1;
  }
}

// RFC 4231 §4.2–4.8: the HMAC-SHA256 results of all seven test cases (case 5 is truncated to
// 128 bits by the RFC, so only the first 16 bytes are compared there).
TEST(HmacTest, Sha256Rfc4231KnownAnswers) {
  const std::string big_key = Repeat('\xaa', 131);
  const std::vector<Vector> vectors = {
      {Repeat('\x0b', 20), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {Repeat('\xaa', 20), Repeat('\xdd', 50),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {Ascending(0x01, 0x19), Repeat('\xcd', 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {big_key, "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {big_key,
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (size_t case_idx = 0; case_idx < vectors.size(); ++case_idx) {
    const Vector& v = vectors[case_idx];
    EXPECT_EQ(ToHex(HmacSha256(v.key, v.message)), v.expected_hex) << "vector " << case_idx;
  }
  // Test case 5: truncation to 128 bits.
  HmacSha256Tag truncated = HmacSha256(Repeat('\x0c', 20), "Test With Truncation");
  EXPECT_EQ(ToHex(std::span<const uint8_t>(truncated.data(), 16)),
            "a3b6167473100ee06e0c796c2955552b");
}

TEST(HmacTest, SpanAndStringOverloadsAgree) {
  const std::vector<uint8_t> key = {'J', 'e', 'f', 'e'};
  const std::string message = "what do ya want for nothing?";
  std::span<const uint8_t> message_bytes(reinterpret_cast<const uint8_t*>(message.data()),
                                         message.size());
  EXPECT_EQ(HmacSha256(key, message_bytes), HmacSha256("Jefe", message));
  EXPECT_EQ(HmacSha1(key, message_bytes), HmacSha1("Jefe", message));
}

TEST(HmacTest, EmptyKeyAndMessageAreValidInputs) {
  // Expected values from the openssl command line (`printf '' | openssl dgst -sha256 -hmac ''`),
  // a different code path from EVP_Q_mac; an empty key must not be treated as a missing one.
  EXPECT_EQ(ToHex(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(ToHex(HmacSha1("", "")), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

TEST(HmacTest, ChangingAnyKeyOrMessageBitChangesTheTag) {
  const std::string key = Repeat('\x0b', 20);
  const std::string message = "Hi There";
  const HmacSha256Tag reference = HmacSha256(key, message);
  for (size_t bit = 0; bit < key.size() * 8; ++bit) {
    std::string flipped = key;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_NE(HmacSha256(flipped, message), reference) << "key bit " << bit;
  }
  for (size_t bit = 0; bit < message.size() * 8; ++bit) {
    std::string flipped = message;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_NE(HmacSha256(key, flipped), reference) << "message bit " << bit;
  }
}

}  // namespace
}  // namespace clearway::crypto
