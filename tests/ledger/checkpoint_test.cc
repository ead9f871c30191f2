#include "ledger/checkpoint.h"

#include <gtest/gtest.h>

#include "crypto/signature.h"
#include "testing/matchers.h"

namespace clearway::ledger {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

// The root of the 8-leaf Certificate Transparency test tree (tests/ledger/testdata).
Hash Root8() {
  auto bytes = crypto::FromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  Hash out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

constexpr std::string_view kBody =
    "example.com/clearway\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n";

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // RFC 8032 §7.1 test 1 key, so that signatures are deterministic known answers.
    auto seed = crypto::Ed25519Seed::FromBytes(
        crypto::FromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
            .value());
    ASSERT_THAT(seed, IsOk());
    key_ = crypto::Ed25519Signer::FromSeed(*seed);
    auto signer = NoteSigner::New("example.com/clearway", key_.get());
    ASSERT_THAT(signer, IsOk());
    signer_.emplace(std::move(*signer));
  }

  std::unique_ptr<crypto::Ed25519Signer> key_;
  std::optional<NoteSigner> signer_;
};

TEST_F(CheckpointTest, FormatsAndParsesTheBody) {
  const Checkpoint checkpoint{"example.com/clearway", 8, Root8(), {}};
  EXPECT_EQ(FormatCheckpoint(checkpoint).value(), kBody);
  EXPECT_EQ(ParseCheckpoint(kBody).value(), checkpoint);
  const Checkpoint extended{"example.com/clearway", 0, EmptyRoot(), {"ext one", "ext-two"}};
  auto body = FormatCheckpoint(extended);
  ASSERT_THAT(body, IsOk());
  EXPECT_EQ(
      *body,
      "example.com/clearway\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next-two\n");
  EXPECT_EQ(ParseCheckpoint(*body).value(), extended);
}

TEST_F(CheckpointTest, MalformedBodiesAreRefused) {
  const std::string root = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";
  for (const std::string& bad : std::vector<std::string>{
           "example.com/clearway\n8\n" + root,          // no final newline
           "example.com/clearway\n8\n",                 // no root
           "\n8\n" + root + "\n",                       // empty origin
           "example.com/clearway\n08\n" + root + "\n",  // leading zero
           "example.com/clearway\n+8\n" + root + "\n",  // sign
           "example.com/clearway\n-1\n" + root + "\n",
           "example.com/clearway\n\n" + root + "\n",                                   // empty size
           "example.com/clearway\n18446744073709551616\n" + root + "\n",               // 2^64
           "example.com/clearway\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw==\n",  // 31 bytes
           "example.com/clearway\n8\n" + root.substr(1) + "\n",                        // not base64
           "example.com/clearway\n8\n" + root + "\n\n",  // empty extension line
           "example.com/clearway\n8 \n" + root + "\n",
       }) {
    EXPECT_THAT(ParseCheckpoint(bad), HasReason("malformed-checkpoint")) << bad;
  }
  EXPECT_EQ(ParseCheckpoint("o\n18446744073709551615\n" + root + "\n")->size,
            18446744073709551615u);
  EXPECT_THAT(FormatCheckpoint({"", 1, Root8(), {}}), HasReason("bad-checkpoint"));
  EXPECT_THAT(FormatCheckpoint({"a\nb", 1, Root8(), {}}), HasReason("bad-checkpoint"));
  EXPECT_THAT(FormatCheckpoint({"a", 1, Root8(), {""}}), HasReason("bad-checkpoint"));
  EXPECT_THAT(FormatCheckpoint({"a", 1, Root8(), {"x\ny"}}), HasReason("bad-checkpoint"));
}

// Known answer computed independently with Python's `cryptography` and hashlib.
TEST_F(CheckpointTest, SignedCheckpointKnownAnswer) {
  EXPECT_EQ(FormatVerifierKey(signer_->verifier_key()),
            "example.com/clearway+4c05ed71+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea");
  auto note = SignCheckpoint({"example.com/clearway", 8, Root8(), {}}, *signer_);
  ASSERT_THAT(note, IsOk());
  EXPECT_EQ(*note,
            std::string(kBody) +
                "\n\xE2\x80\x94 example.com/clearway TAXtcXwNNB+OdfJCvqO6iV4uxRp6lyLPJ14b+QdC"
                "VSwhePOdFNMU/XRs04wwRNi+b2zzSwsYzzqBryn0VJ67LiVmAQM=\n");
}

TEST_F(CheckpointTest, OpenVerifiesTheLogSignature) {
  const Checkpoint checkpoint{"example.com/clearway", 8, Root8(), {"note"}};
  const std::string note = SignCheckpoint(checkpoint, *signer_).value();
  auto opened = OpenCheckpoint(note, signer_->verifier_key());
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->checkpoint, checkpoint);

  std::string bigger = note;
  bigger.replace(bigger.find("\n8\n"), 3, "\n9\n");
  EXPECT_THAT(OpenCheckpoint(bigger, signer_->verifier_key()), HasReason("bad-signature"));

  auto other_key = crypto::Ed25519Signer::Generate();
  auto other = NoteSigner::New("example.com/clearway", other_key.get()).value();
  EXPECT_THAT(OpenCheckpoint(note, other.verifier_key()), HasReason("no-known-signature"));
  // Signed by another key that happens to share the name: refused as well.
  EXPECT_THAT(OpenCheckpoint(SignCheckpoint(checkpoint, other).value(), signer_->verifier_key()),
              HasReason("no-known-signature"));
  EXPECT_THAT(OpenCheckpoint("garbage", signer_->verifier_key()), HasReason("malformed-note"));
  // A signed note whose text is not a checkpoint.
  NoteSignature signature = signer_->Sign("not\na checkpoint\n").value();
  EXPECT_THAT(
      OpenCheckpoint(FormatNote({"not\na checkpoint\n", {signature}}), signer_->verifier_key()),
      HasReason("malformed-checkpoint"));
}

TEST_F(CheckpointTest, CosignaturesTravelWithTheCheckpoint) {
  const std::string note =
      SignCheckpoint({"example.com/clearway", 8, Root8(), {}}, *signer_).value();
  auto witness_key = crypto::Ed25519Signer::Generate();
  auto cosigner = Cosigner::New("witness.example", witness_key.get()).value();
  OpenedCheckpoint opened = OpenCheckpoint(note, signer_->verifier_key()).value();
  const Timestamp now{std::chrono::seconds(1'750'000'000)};
  const std::string cosigned =
      AddSignature(opened.note, cosigner.Cosign(opened.note.text, now).value());

  auto reopened = OpenCheckpoint(cosigned, signer_->verifier_key());
  ASSERT_THAT(reopened, IsOk());
  const std::vector<VerifierKey> witnesses = {cosigner.verifier_key()};
  auto cosignatures = VerifyCosignatures(reopened->note, witnesses);
  ASSERT_THAT(cosignatures, IsOk());
  ASSERT_EQ(cosignatures->size(), 1u);
  EXPECT_EQ((*cosignatures)[0].timestamp, 1'750'000'000u);
  // The log's own key is not a witness key.
  const std::vector<VerifierKey> log_only = {signer_->verifier_key()};
  EXPECT_THAT(VerifyCosignatures(reopened->note, log_only), HasReason("no-known-signature"));
  EXPECT_THAT(OpenCheckpoint(note, cosigner.verifier_key()), HasReason("wrong-key-type"));
}

}  // namespace
}  // namespace clearway::ledger
