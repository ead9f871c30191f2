#include "keys/envelope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keys/data_key.h"
#include "testing/matchers.h"

namespace clearway::keys {
namespace {

using ::clearway::testing::HasCode;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;

constexpr std::string_view kPayload = R"({"invoiceNumber":"INV-2026-0042","consignee":"Anna Meier"})";

class EnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = GenerateDataKey();
    ASSERT_THAT(key, IsOk());
    key_.emplace(*std::move(key));
    sealed_ = Seal(*key_, AsBytes(kPayload), AssociatedData("01JDECLARATION0000000000001", 2));
  }

  const DataKey& key() const { return *key_; }

  std::optional<DataKey> key_;
  std::vector<uint8_t> sealed_;
};

std::string Text(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

TEST_F(EnvelopeTest, OpensWithTheSameKeyAndRecord) {
  auto opened = Open(key(), sealed_, AssociatedData("01JDECLARATION0000000000001", 2));
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(Text(*opened), kPayload);
}

TEST_F(EnvelopeTest, LayoutIsFormatNonceCiphertextTag) {
  ASSERT_EQ(sealed_.size(), 1 + 24 + kPayload.size() + 16);
  EXPECT_EQ(sealed_[0], 0x01);
  EXPECT_EQ(Text(sealed_).find("INV-2026-0042"), std::string::npos);
  EXPECT_EQ(Text(sealed_).find("Anna"), std::string::npos);
}

TEST_F(EnvelopeTest, SealingTwiceGivesDifferentCiphertexts) {
  auto again = Seal(key(), AsBytes(kPayload), AssociatedData("01JDECLARATION0000000000001", 2));
  EXPECT_NE(again, sealed_);
  EXPECT_NE(std::vector<uint8_t>(again.begin() + 1, again.begin() + 25),
            std::vector<uint8_t>(sealed_.begin() + 1, sealed_.begin() + 25));
}

TEST_F(EnvelopeTest, EmptyPlaintextRoundTrips) {
  auto sealed = Seal(key(), {}, AssociatedData("x", 1));
  ASSERT_EQ(sealed.size(), kEnvelopeOverheadBytes);
  auto opened = Open(key(), sealed, AssociatedData("x", 1));
  ASSERT_THAT(opened, IsOk());
  EXPECT_TRUE(opened->empty());
}

TEST_F(EnvelopeTest, CiphertextSwappedToAnotherRecordFailsClosed) {
  auto other_record = Open(key(), sealed_, AssociatedData("01JDECLARATION0000000000002", 2));
  EXPECT_THAT(other_record, HasCode(ErrorCode::kDataLoss));
  EXPECT_THAT(other_record, HasReason("decrypt-failed"));
  auto other_version = Open(key(), sealed_, AssociatedData("01JDECLARATION0000000000001", 1));
  EXPECT_THAT(other_version, HasReason("decrypt-failed"));
  auto no_ad = Open(key(), sealed_, {});
  EXPECT_THAT(no_ad, HasReason("decrypt-failed"));
}

TEST_F(EnvelopeTest, WrongKeyFailsClosed) {
  auto other = GenerateDataKey();
  ASSERT_THAT(other, IsOk());
  auto opened = Open(*other, sealed_, AssociatedData("01JDECLARATION0000000000001", 2));
  EXPECT_THAT(opened, HasCode(ErrorCode::kDataLoss));
  EXPECT_THAT(opened, HasReason("decrypt-failed"));
}

// Every single-bit change anywhere (nonce, ciphertext, tag) is caught; the format byte is
// reported as an unknown format instead.
TEST_F(EnvelopeTest, EveryFlippedBitFailsClosed) {
  const auto ad = AssociatedData("01JDECLARATION0000000000001", 2);
  for (size_t bit = 0; bit < sealed_.size() * 8; ++bit) {
    std::vector<uint8_t> tampered = sealed_;
    tampered[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto opened = Open(key(), tampered, ad);
    if (bit < 8) {
      EXPECT_THAT(opened, HasReason("unknown-ciphertext-format")) << "bit " << bit;
    } else {
      EXPECT_THAT(opened, HasReason("decrypt-failed")) << "bit " << bit;
    }
  }
}

TEST_F(EnvelopeTest, TamperedTagFailsClosed) {
  std::vector<uint8_t> tampered = sealed_;
  tampered.back() ^= 0x80;
  auto opened = Open(key(), tampered, AssociatedData("01JDECLARATION0000000000001", 2));
  EXPECT_THAT(opened, HasCode(ErrorCode::kDataLoss));
  EXPECT_THAT(opened, HasReason("decrypt-failed"));
  // The error says nothing of the payload.
  EXPECT_EQ(opened.error().message.find("INV"), std::string::npos);
}

TEST_F(EnvelopeTest, TruncatedCiphertextFailsClosed) {
  const auto ad = AssociatedData("01JDECLARATION0000000000001", 2);
  for (size_t length = 0; length < kEnvelopeOverheadBytes; ++length) {
    std::vector<uint8_t> cut(sealed_.begin(), sealed_.begin() + static_cast<long>(length));
    auto opened = Open(key(), cut, ad);
    EXPECT_THAT(opened, HasCode(ErrorCode::kDataLoss)) << "length " << length;
    EXPECT_THAT(opened, HasReason("ciphertext-truncated")) << "length " << length;
  }
  // Cut past the minimum, the missing bytes show up as a tag that does not verify.
  for (size_t length = kEnvelopeOverheadBytes; length < sealed_.size(); ++length) {
    std::vector<uint8_t> cut(sealed_.begin(), sealed_.begin() + static_cast<long>(length));
    EXPECT_THAT(Open(key(), cut, ad), HasReason("decrypt-failed")) << "length " << length;
  }
}

TEST_F(EnvelopeTest, UnknownFormatIsNamed) {
  std::vector<uint8_t> future = sealed_;
  future[0] = 0x02;
  auto opened = Open(key(), future, AssociatedData("01JDECLARATION0000000000001", 2));
  EXPECT_THAT(opened, HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(opened, HasReason("unknown-ciphertext-format"));
  EXPECT_EQ(opened.error().field_path, "ciphertext");
  // Even a short one: the format is judged first.
  EXPECT_THAT(Open(key(), std::vector<uint8_t>{0x07, 0x00}, {}),
              HasReason("unknown-ciphertext-format"));
}

TEST(AssociatedDataTest, CanonicalEncoding) {
  const std::vector<uint8_t> expected = {'c', 'l', 'e', 'a', 'r', 'w', 'a', 'y', '-', 'r', 'e',
                                         'c', 'o', 'r', 'd', 0,   0,   0,   0,   3,   'a', 'b',
                                         'c', 0,   0,   1,   2};
  EXPECT_EQ(AssociatedData("abc", 258), expected);
}

TEST(AssociatedDataTest, IsUnambiguous) {
  // Without the length prefix "a1" + 2 and "a" + 12 could collide in a decimal encoding; with
  // it, neither they nor ids that differ only in their end can.
  EXPECT_NE(AssociatedData("a1", 2), AssociatedData("a", 12));
  EXPECT_NE(AssociatedData("ab", 0x63000001), AssociatedData("abc", 1));
  EXPECT_NE(AssociatedData("", 1), AssociatedData("", 2));
}

}  // namespace
}  // namespace clearway::keys
