#include "ledger/witness.h"

#include <gtest/gtest.h>

#include "crypto/signature.h"
#include "ledger/merkle_log.h"
#include "ledger/naive_merkle.h"
#include "testing/matchers.h"

namespace clearway::ledger {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

constexpr std::string_view kOrigin = "clearway.example/ledger";

// A log: a Merkle tree plus the signer of its checkpoints.
struct TestLog {
  TestLog(const crypto::Signer* key, std::vector<Hash> leaves)
      : signer(NoteSigner::New(std::string(kOrigin), key).value()) {
    CW_CHECK(log.AppendBatch(leaves).ok());
  }
  std::string SignedCheckpoint(uint64_t size) const {
    return SignCheckpoint({std::string(kOrigin), size, log.Root(size).value(), {}}, signer).value();
  }
  CosignRequest Request(uint64_t old_size, uint64_t size) const {
    return {old_size, SignedCheckpoint(size), log.ConsistencyProof(old_size, size).value()};
  }

  InMemoryTreeStore store;
  MerkleLog log{&store};
  NoteSigner signer;
};

std::vector<Hash> Concat(std::vector<Hash> a, const std::vector<Hash>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_key_ = crypto::Ed25519Signer::Generate();
    witness_key_ = crypto::Ed25519Signer::Generate();
    auto cosigner = Cosigner::New("witness.partner.example", witness_key_.get());
    ASSERT_THAT(cosigner, IsOk());
    witness_ = std::make_unique<Witness>(std::move(*cosigner), &clock_);
    // Two histories that share their first five leaves, then diverge.
    const std::vector<Hash> shared = testing::TestLeaves(5, 1);
    honest_ = std::make_unique<TestLog>(log_key_.get(), Concat(shared, testing::TestLeaves(15, 2)));
    forked_ = std::make_unique<TestLog>(log_key_.get(), Concat(shared, testing::TestLeaves(15, 3)));
    ASSERT_THAT(witness_->AddLog(std::string(kOrigin), honest_->signer.verifier_key()), IsOk());
  }

  FakeClock clock_{Timestamp{std::chrono::seconds(1'760'000'000)}};
  std::unique_ptr<crypto::Ed25519Signer> log_key_, witness_key_;
  std::unique_ptr<Witness> witness_;
  std::unique_ptr<TestLog> honest_, forked_;
};

TEST_F(WitnessTest, CosignsTheFirstCheckpointAndConsistentSuccessors) {
  auto first = witness_->Cosign(honest_->Request(0, 10));
  ASSERT_THAT(first, IsOk());
  SignedNote note = ParseNote(honest_->SignedCheckpoint(10)).value();
  note.signatures.push_back(*first);
  const std::vector<VerifierKey> witnesses = {witness_->verifier_key()};
  auto verified = VerifyCosignatures(note, witnesses);
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ((*verified)[0].timestamp, 1'760'000'000u);
  EXPECT_EQ(witness_->LastCosigned(kOrigin)->size, 10u);

  clock_.Advance(std::chrono::seconds(60));
  ASSERT_THAT(witness_->Cosign(honest_->Request(10, 17)), IsOk());
  ASSERT_THAT(witness_->Cosign(honest_->Request(17, 17)), IsOk());  // same checkpoint again
  ASSERT_THAT(witness_->Cosign(honest_->Request(17, 20)), IsOk());
  EXPECT_EQ(witness_->LastCosigned(kOrigin)->root, honest_->log.Root(20).value());
  EXPECT_TRUE(witness_->fork_evidence().empty());
}

TEST_F(WitnessTest, RefusesAForkAndKeepsTheEvidence) {
  ASSERT_THAT(witness_->Cosign(honest_->Request(0, 10)), IsOk());
  // The forked history is validly signed by the same log key, with a proof that is correct
  // within the forked tree: it cannot join the checkpoint the witness cosigned.
  auto fork = witness_->Cosign(forked_->Request(10, 12));
  EXPECT_THAT(fork, HasCode(ErrorCode::kDataLoss));
  EXPECT_THAT(fork, HasReason("fork-detected"));
  EXPECT_NE(fork.error().message.find("FORK DETECTED"), std::string::npos);
  // Same size, different root: a fork too.
  EXPECT_THAT(witness_->Cosign(forked_->Request(10, 10)), HasReason("fork-detected"));
  EXPECT_THAT(witness_->Cosign({3, forked_->SignedCheckpoint(10), {}}), HasReason("fork-detected"));
  // Within the shared prefix there is no fork, but it is a rollback.
  EXPECT_THAT(witness_->Cosign({10, forked_->SignedCheckpoint(5), {}}), HasReason("rollback"));

  ASSERT_EQ(witness_->fork_evidence().size(), 3u);
  EXPECT_EQ(witness_->fork_evidence()[0].cosigned.size, 10u);
  EXPECT_EQ(witness_->fork_evidence()[0].refused_note, forked_->SignedCheckpoint(12));
  // The witness still stands by the honest history.
  EXPECT_EQ(witness_->LastCosigned(kOrigin)->root, honest_->log.Root(10).value());
  EXPECT_THAT(witness_->Cosign(honest_->Request(10, 12)), IsOk());
}

TEST_F(WitnessTest, RefusesRollbackAndStaleOldSize) {
  ASSERT_THAT(witness_->Cosign(honest_->Request(0, 10)), IsOk());
  auto rollback = witness_->Cosign(honest_->Request(0, 8));
  EXPECT_THAT(rollback, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(rollback, HasReason("rollback"));
  EXPECT_THAT(witness_->Cosign(honest_->Request(5, 12)), HasReason("old-size-mismatch"));
  EXPECT_THAT(witness_->Cosign(honest_->Request(0, 12)), HasReason("old-size-mismatch"));
  EXPECT_EQ(witness_->LastCosigned(kOrigin)->size, 10u);
}

TEST_F(WitnessTest, RefusesBadProofs) {
  ASSERT_THAT(witness_->Cosign(honest_->Request(0, 10)), IsOk());
  CosignRequest truncated = honest_->Request(10, 13);
  truncated.proof.pop_back();
  EXPECT_THAT(witness_->Cosign(truncated), HasReason("bad-consistency-proof"));
  CosignRequest flipped = honest_->Request(10, 13);
  flipped.proof[0][0] ^= 1;
  EXPECT_THAT(witness_->Cosign(flipped), HasReason("fork-detected"));
  CosignRequest first_with_proof = honest_->Request(0, 10);
  first_with_proof.proof.push_back(HashLeaf("x"));
  // (old size 0 is not this witness's size any more)
  EXPECT_THAT(witness_->Cosign(first_with_proof), HasReason("old-size-mismatch"));
}

TEST_F(WitnessTest, FirstCheckpointMustComeWithAnEmptyProof) {
  CosignRequest request = honest_->Request(0, 10);
  request.proof.push_back(HashLeaf("x"));
  EXPECT_THAT(witness_->Cosign(request), HasReason("bad-consistency-proof"));
  EXPECT_FALSE(witness_->LastCosigned(kOrigin).has_value());
}

TEST_F(WitnessTest, RefusesUnknownLogsAndBadSignatures) {
  auto stranger_key = crypto::Ed25519Signer::Generate();
  TestLog impostor(stranger_key.get(), testing::TestLeaves(10, 2));
  EXPECT_THAT(witness_->Cosign(impostor.Request(0, 10)), HasReason("no-known-signature"));

  std::string tampered = honest_->SignedCheckpoint(10);
  tampered.replace(tampered.find("\n10\n"), 4, "\n11\n");
  EXPECT_THAT(witness_->Cosign({0, tampered, {}}), HasReason("bad-signature"));

  auto other_origin = NoteSigner::New("other.example/log", log_key_.get()).value();
  const std::string other_note =
      SignCheckpoint({"other.example/log", 1, HashLeaf("a"), {}}, other_origin).value();
  EXPECT_THAT(witness_->Cosign({0, other_note, {}}), HasReason("unknown-log"));
  EXPECT_THAT(witness_->Cosign({0, "not a note", {}}), HasReason("malformed-note"));
  EXPECT_FALSE(witness_->LastCosigned(kOrigin).has_value());
}

TEST_F(WitnessTest, LogRegistrationAndRestore) {
  EXPECT_THAT(witness_->AddLog(std::string(kOrigin), honest_->signer.verifier_key()),
              HasReason("log-already-known"));
  const VerifierKey cosig_key = witness_->verifier_key();
  EXPECT_THAT(witness_->AddLog("x.example", cosig_key), HasReason("wrong-key-type"));
  EXPECT_THAT(witness_->RestoreCosigned({"unknown.example", 1, HashLeaf("a"), {}}),
              HasReason("unknown-log"));
  ASSERT_THAT(
      witness_->RestoreCosigned({std::string(kOrigin), 10, honest_->log.Root(10).value(), {}}),
      IsOk());
  EXPECT_THAT(witness_->Cosign(honest_->Request(10, 15)), IsOk());
  EXPECT_THAT(witness_->Cosign(forked_->Request(15, 16)), HasReason("fork-detected"));
}

}  // namespace
}  // namespace clearway::ledger
