#include "ledger/leaf.h"

#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace clearway::ledger {
namespace {

using clearway::testing::HasReason;
using clearway::testing::IsOk;

CommitmentSalt CountingSalt() {
  CommitmentSalt salt;
  for (size_t pos = 0; pos < salt.size(); ++pos) salt[pos] = static_cast<uint8_t>(pos);
  return salt;
}

constexpr std::string_view kRecord = R"({"declaration":"01JABCDEF","version":1})";

// Known answers computed independently with Python's hashlib (the example of
// docs/formats/ledger.md).
TEST(LeafTest, CommitmentEncodingAndLeafHashKnownAnswers) {
  const Commitment commitment = ComputeCommitment(CountingSalt(), kRecord);
  EXPECT_EQ(crypto::ToHex(commitment),
            "3df5ffc65e7a3c0dfad38695af91e1573ef6fb1b955da045145a8ede03a8e052");
  const LeafEntry entry{std::string(kKindDeclarationVersion), "01J9ZQ4K7D8M3N2P5R6S7T8V9W:1",
                        commitment};
  auto encoded = EncodeLeafEntry(entry);
  ASSERT_THAT(encoded, IsOk());
  EXPECT_EQ(crypto::ToHex(*encoded),
            "01136465636c61726174696f6e2e76657273696f6e001c30314a395a51344b3744384d334e325035"
            "5236533754385639573a313df5ffc65e7a3c0dfad38695af91e1573ef6fb1b955da045145a8ede03a8"
            "e052");
  EXPECT_EQ(crypto::ToHex(LeafHashOf(entry).value()),
            "d4890786befeb8f3a9ecfdeeff64c227e69b9366905a7850764f4dc209dca9b3");
  EXPECT_EQ(DecodeLeafEntry(*encoded).value(), entry);
}

TEST(LeafTest, CommitmentDependsOnSaltAndRecord) {
  const Commitment base = ComputeCommitment(CountingSalt(), kRecord);
  CommitmentSalt other_salt = CountingSalt();
  other_salt[31] ^= 1;
  EXPECT_NE(ComputeCommitment(other_salt, kRecord), base);
  EXPECT_NE(ComputeCommitment(CountingSalt(), std::string(kRecord) + " "), base);
  EXPECT_NE(NewCommitmentSalt(), NewCommitmentSalt());
}

TEST(LeafTest, InvalidFieldsAreRefused) {
  const Commitment commitment{};
  for (const std::string& kind :
       std::vector<std::string>{"", "Declaration", "9version", "declaration version", "déclaration",
                                std::string(65, 'a')}) {
    EXPECT_THAT(EncodeLeafEntry({kind, "id-1", commitment}), HasReason("bad-leaf-kind")) << kind;
  }
  EXPECT_THAT(EncodeLeafEntry({std::string(64, 'a'), "id", commitment}), IsOk());
  for (const std::string& id :
       std::vector<std::string>{"", "has space", "tab\t", "caf\xC3\xA9", std::string(257, 'x')}) {
    EXPECT_THAT(EncodeLeafEntry({"declaration.transition", id, commitment}),
                HasReason("bad-record-id"))
        << id;
  }
  EXPECT_THAT(EncodeLeafEntry({"declaration.transition", std::string(256, 'x'), commitment}),
              IsOk());
}

TEST(LeafTest, DecodeAcceptsOnlyCanonicalBytes) {
  const LeafEntry entry{"declaration.transition", "01J9ZQ4K7D:2", ComputeCommitment({}, "x")};
  const std::vector<uint8_t> encoded = EncodeLeafEntry(entry).value();
  for (size_t length = 0; length < encoded.size(); ++length) {
    EXPECT_THAT(DecodeLeafEntry(std::span(encoded).first(length)), HasReason("malformed-leaf"))
        << length;
  }
  std::vector<uint8_t> trailing = encoded;
  trailing.push_back(0);
  EXPECT_THAT(DecodeLeafEntry(trailing), HasReason("malformed-leaf"));
  std::vector<uint8_t> version = encoded;
  version[0] = 2;
  EXPECT_THAT(DecodeLeafEntry(version), HasReason("malformed-leaf"));
  std::vector<uint8_t> bad_kind = encoded;
  bad_kind[2] = 'D';
  EXPECT_THAT(DecodeLeafEntry(bad_kind), HasReason("malformed-leaf"));
  std::vector<uint8_t> no_kind = {1, 0, 0, 1, 'x'};
  no_kind.resize(no_kind.size() + 32);
  EXPECT_THAT(DecodeLeafEntry(no_kind), HasReason("malformed-leaf"));
}

}  // namespace
}  // namespace clearway::ledger
