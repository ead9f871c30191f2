// LedgerService over a real SQLite store: one leaf per record written atomically with it,
// signed checkpoints, receipts that verify with the library's verifier (and refuse tampering),
// consistency proofs and the witness answer, including a forked checkpoint.
#include "app/ledger_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "ledger/checkpoint.h"
#include "ledger/witness.h"
#include "ledger_test_util.h"

namespace clearway::app {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using namespace clearway::app::testing;
namespace decl = clearway::declaration;

class LedgerServiceTest : public LedgerFixture {};

TEST_F(LedgerServiceTest, EveryVersionAndTransitionAppendsOneLeaf) {
  EXPECT_EQ(Leaves(), 0u);
  std::string id = File();
  EXPECT_EQ(Leaves(), 3u);  // version 1, submitted, accepted
  Decide(id, decl::Action::kRouteYellow, "check");
  EXPECT_EQ(Leaves(), 4u);
  Decide(id, decl::Action::kRelease);
  std::string other = File(2);
  Amend(other, 3);
  EXPECT_EQ(Leaves(), 5u + 3u + 2u);  // the amendment: version 2 and its transition

  // A refused change writes no record and appends no leaf.
  EXPECT_THAT(
      service().Act(HamburgOfficer(), id, decl::Action::kSeize, "x", nullptr, LedgerRender()),
      HasReason("illegal-transition"));
  EXPECT_EQ(Leaves(), 10u);
  AuditReport report = Audit();
  EXPECT_TRUE(report.clean()) << Describe(report);
  EXPECT_EQ(report.leaves, report.versions + report.transitions);
  EXPECT_EQ(report.versions, 3u);
}

TEST_F(LedgerServiceTest, CheckpointsAreSignedOnlyWhenTheLogHasGrown) {
  auto first = ledger().LatestCheckpoint();  // Open() signed the empty log
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->size, 0u);
  EXPECT_EQ(Checkpoint().size, 0u);
  File();
  store::CheckpointRow grown = Checkpoint();
  EXPECT_EQ(grown.size, 3u);
  EXPECT_EQ(Checkpoint().note, grown.note);  // nothing new: the same checkpoint

  auto opened = ledger::OpenCheckpoint(grown.note, ledger().verifier_key());
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->checkpoint.origin, "clearway.example/test");
  EXPECT_EQ(opened->checkpoint.size, 3u);
  ledger::MerkleLog log(&runtime_->store().LedgerTree());
  EXPECT_EQ(opened->checkpoint.root, log.Root(3).value());
  EXPECT_EQ(ledger().VerifierKeyText(), ledger::FormatVerifierKey(ledger().verifier_key()));
  // Another key's signature is not this log's.
  EXPECT_THAT(ledger::OpenCheckpoint(grown.note, TestLedgerKey(8).verifier_key),
              HasReason("no-known-signature"));
}

TEST_F(LedgerServiceTest, ReceiptIsPendingUntilACheckpointCoversIt) {
  std::string id = File();
  auto receipt = ledger().ReceiptFor(Record(id));
  ASSERT_THAT(receipt, IsOk());
  ASSERT_EQ(receipt->entries.size(), 3u);
  EXPECT_TRUE(receipt->checkpoint.empty());
  EXPECT_EQ(receipt->entries[0].leaf.record_id, id + "@v1");
  EXPECT_EQ(receipt->entries[1].leaf.record_id, id + "#1");
  EXPECT_EQ(receipt->entries[2].index, 2u);
  auto checks = VerifyReceipt(*receipt, ledger().verifier_key());
  ASSERT_THAT(checks, IsOk());
  for (const auto& check : *checks) EXPECT_FALSE(check.included) << check.record_id;
}

TEST_F(LedgerServiceTest, ReceiptVerifiesWithTheLibraryVerifier) {
  File(5);
  std::string id = File();
  Decide(id, decl::Action::kRouteRed, "inspect");
  store::CheckpointRow checkpoint = Checkpoint();
  auto receipt = ledger().ReceiptFor(Record(id));
  ASSERT_THAT(receipt, IsOk());
  ASSERT_EQ(receipt->entries.size(), 4u);
  EXPECT_EQ(receipt->checkpoint, checkpoint.note);
  auto checks = VerifyReceipt(*receipt, ledger().verifier_key());
  ASSERT_THAT(checks, IsOk());
  for (const auto& check : *checks) EXPECT_TRUE(check.included) << check.record_id;
  // The same, by hand, with nothing but ledger/merkle.h.
  const ReceiptEntry& decision = receipt->entries.back();
  EXPECT_EQ(decision.leaf.record_id, id + "#3");
  EXPECT_EQ(decision.index, 6u);
  EXPECT_THAT(ledger::VerifyInclusion(decision.index, checkpoint.size,
                                      ledger::LeafHashOf(decision.leaf).value(),
                                      *decision.inclusion_proof, checkpoint.root),
              IsOk());
  // Through JSON and back, it still verifies.
  auto parsed = ReceiptFromJson(boost::json::serialize(ReceiptToJson(*receipt)));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_THAT(VerifyReceipt(*parsed, ledger().verifier_key()), IsOk());
}

TEST_F(LedgerServiceTest, TamperedReceiptsAreRefused) {
  std::string id = File();
  Checkpoint();
  const Receipt good = ledger().ReceiptFor(Record(id)).value();
  const ledger::VerifierKey key = ledger().verifier_key();

  Receipt edited = good;
  edited.entries[0].record[20] ^= 1;
  EXPECT_THAT(VerifyReceipt(edited, key), HasCode(ErrorCode::kDataLoss));

  Receipt other_record = good;
  other_record.entries[0].record = good.entries[1].record;  // a transition's bytes on the version
  EXPECT_THAT(VerifyReceipt(other_record, key), HasReason("record-mismatch"));

  Receipt salted = good;
  salted.entries[1].salt[0] ^= 1;
  EXPECT_THAT(VerifyReceipt(salted, key), HasReason("commitment-mismatch"));

  Receipt moved = good;
  moved.entries[1].index = 0;  // same proof length, another position
  EXPECT_THAT(VerifyReceipt(moved, key), HasReason("root-mismatch"));

  Receipt short_proof = good;
  short_proof.entries[0].inclusion_proof->pop_back();
  EXPECT_THAT(VerifyReceipt(short_proof, key), HasReason("proof-length-mismatch"));

  Receipt hashed = good;
  hashed.entries[0].leaf_hash[5] ^= 1;
  EXPECT_THAT(VerifyReceipt(hashed, key), HasReason("leaf-hash-mismatch"));

  Receipt forged = good;
  forged.checkpoint[forged.checkpoint.find('\n') + 1] = '9';  // another tree size
  EXPECT_THAT(VerifyReceipt(forged, key), HasReason("bad-signature"));

  Receipt orphan = good;
  orphan.checkpoint.clear();
  EXPECT_THAT(VerifyReceipt(orphan, key), HasReason("malformed-receipt"));

  EXPECT_THAT(VerifyReceipt(good, TestLedgerKey(9).verifier_key), HasReason("no-known-signature"));
  EXPECT_THAT(VerifyReceipt(good, key), IsOk());
}

// The auditor's view of a receipt (docs/data-minimisation.md) leaves out every record and salt:
// it still proves the leaves are in the signed log, and a tampered proof or leaf still fails.
TEST_F(LedgerServiceTest, CommitmentOnlyReceiptsProveInclusionWithoutTheRecords) {
  std::string id = File();
  Decide(id, decl::Action::kRouteRed, "inspect");
  Checkpoint();
  boost::json::object json = ReceiptToJson(ledger().ReceiptFor(Record(id)).value());
  for (boost::json::value& entry : json["entries"].as_array()) {
    entry.as_object().erase("salt");
    entry.as_object().erase("record");
  }
  const std::string text = boost::json::serialize(json);
  EXPECT_EQ(text.find("\"record\""), std::string::npos);
  auto parsed = ReceiptFromJson(text);
  ASSERT_THAT(parsed, IsOk());
  const ledger::VerifierKey key = ledger().verifier_key();
  auto checks = VerifyReceipt(*parsed, key);
  ASSERT_THAT(checks, IsOk());
  ASSERT_FALSE(checks->empty());
  for (const auto& check : *checks) {
    EXPECT_TRUE(check.included) << check.record_id;
    EXPECT_FALSE(check.disclosed) << check.record_id;
  }
  // Written back, it stays commitment-only.
  EXPECT_EQ(boost::json::serialize(ReceiptToJson(*parsed)).find("\"salt\""), std::string::npos);

  Receipt moved = *parsed;
  moved.entries[1].index = 0;
  EXPECT_THAT(VerifyReceipt(moved, key), HasReason("root-mismatch"));
  Receipt recommitted = *parsed;
  recommitted.entries[0].leaf.commitment[0] ^= 1;  // another commitment, same leaf hash
  EXPECT_THAT(VerifyReceipt(recommitted, key), HasReason("leaf-hash-mismatch"));

  // A record without its salt (or the reverse) is malformed, naming the missing member.
  boost::json::object half = ReceiptToJson(ledger().ReceiptFor(Record(id)).value());
  half["entries"].as_array()[0].as_object().erase("salt");
  auto refused = ReceiptFromJson(boost::json::serialize(half));
  EXPECT_THAT(refused, HasReason("malformed-receipt"));
  EXPECT_EQ(refused.error().field_path, "entries[0].salt");
}

TEST_F(LedgerServiceTest, MalformedReceiptJsonNamesTheField) {
  EXPECT_THAT(ReceiptFromJson("[]"), HasReason("malformed-receipt"));
  EXPECT_THAT(ReceiptFromJson("{not json"), HasReason("malformed-receipt"));
  std::string id = File();
  boost::json::object json = ReceiptToJson(ledger().ReceiptFor(Record(id)).value());
  json["entries"].as_array()[1].as_object()["salt"] = "abc";
  auto parsed = ReceiptFromJson(boost::json::serialize(json));
  EXPECT_THAT(parsed, HasReason("malformed-receipt"));
  EXPECT_EQ(parsed.error().field_path, "entries[1].salt");
}

TEST_F(LedgerServiceTest, ConsistencyProofBetweenTwoCheckpointsVerifies) {
  File(1);
  store::CheckpointRow older = Checkpoint();
  std::string id = File(2);
  Decide(id, decl::Action::kRouteGreen);
  store::CheckpointRow newer = Checkpoint();
  ASSERT_GT(newer.size, older.size);
  auto proof = ledger().ConsistencyProof(older.size, newer.size);
  ASSERT_THAT(proof, IsOk());
  EXPECT_THAT(ledger::VerifyConsistency(older.size, newer.size, older.root, newer.root, *proof),
              IsOk());
  EXPECT_THAT(ledger().ConsistencyProof(newer.size, older.size),
              HasReason("bad-consistency-range"));
  EXPECT_THAT(ledger().ConsistencyProof(0, newer.size + 1), HasReason("tree-size-out-of-range"));
  EXPECT_THAT(ledger().InclusionProof(newer.size, newer.size),
              HasReason("leaf-index-out-of-range"));
  EXPECT_THAT(ledger().Leaf(newer.size), HasReason("leaf-not-found"));
}

TEST_F(LedgerServiceTest, WitnessCosignsConsistentCheckpointsAndDetectsAFork) {
  FakeClock witness_clock(*ParseTimestamp("2026-11-24T10:00:00Z"));
  auto witness_signer = crypto::Ed25519Signer::FromSeed(crypto::Ed25519Seed::Generate());
  ledger::Witness witness(ledger::Cosigner::New("witness.example", witness_signer.get()).value(),
                          &witness_clock);
  ASSERT_THAT(witness.AddLog(ledger().origin(), ledger().verifier_key()), IsOk());

  File(1);
  Checkpoint();
  auto first = ledger().ProveToLatest(0, "");
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(witness.Cosign({0, first->checkpoint.note, first->proof}), IsOk());

  File(2);
  Checkpoint();
  auto second = ledger().ProveToLatest(first->checkpoint.size, first->checkpoint.note);
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->old_size, 3u);
  EXPECT_EQ(second->checkpoint.size, 6u);
  ASSERT_THAT(witness.Cosign({3, second->checkpoint.note, second->proof}), IsOk());

  // The same key signs a checkpoint of another tree at size 6: a split view.
  LedgerKey same_key = TestLedgerKey();
  auto signer = ledger::NoteSigner::New(same_key.origin, same_key.signer.get()).value();
  std::string forked =
      ledger::SignCheckpoint(
          ledger::Checkpoint{same_key.origin, 6, ledger::HashLeaf("another history"), {}}, signer)
          .value();
  EXPECT_THAT(witness.Cosign({6, forked, {}}), HasReason("fork-detected"));
  // Shown to the log itself, the forked checkpoint is recognised as one its tree denies.
  EXPECT_THAT(ledger().ProveToLatest(6, forked), HasReason("fork-detected"));
}

TEST_F(LedgerServiceTest, WitnessRequestsAreChecked) {
  File();
  store::CheckpointRow latest = Checkpoint();
  EXPECT_THAT(ledger().ProveToLatest(latest.size + 1, ""), HasReason("tree-size-out-of-range"));
  EXPECT_THAT(ledger().ProveToLatest(1, latest.note), HasReason("bad-parameter"));
  LedgerKey stranger = TestLedgerKey(3);
  auto signer = ledger::NoteSigner::New(stranger.origin, stranger.signer.get()).value();
  std::string foreign =
      ledger::SignCheckpoint(ledger::Checkpoint{stranger.origin, latest.size, latest.root, {}},
                             signer)
          .value();
  EXPECT_THAT(ledger().ProveToLatest(latest.size, foreign), HasReason("foreign-checkpoint"));
  EXPECT_THAT(ledger().ProveToLatest(0, "not a note"), HasReason("foreign-checkpoint"));
  auto answer = ledger().ProveToLatest(latest.size, latest.note);
  ASSERT_THAT(answer, IsOk());
  EXPECT_TRUE(answer->proof.empty());
}

TEST_F(LedgerServiceTest, ReceiptOfARecordThatNoLongerMatchesItsLeafIsRefused) {
  std::string id = File();
  Tamper("UPDATE transitions SET reason = 'rewritten' WHERE sequence = 2");
  EXPECT_THAT(ledger().ReceiptFor(Record(id)), HasReason("ledger-mismatch"));
}

TEST(LedgerCheckpointerTest, SignsOnceABatchOfLeavesAwaitsACheckpoint) {
  std::string dir = MakeTempDir("clearway-checkpointer");
  {
    store::sqlite::SqliteOptions options;
    options.path = dir + "/clearway.db";
    auto store = store::sqlite::SqliteStore::Open(options);
    ASSERT_THAT(store, IsOk());
    Config config;
    config.demo = true;
    // An interval far longer than the test: only the batch threshold can wake the signer.
    auto runtime =
        Runtime::OpenWith(config, std::move(store).value(),
                          std::make_unique<FakeClock>(*ParseTimestamp("2026-11-24T10:00:00Z")),
                          TestLedgerKey(), LedgerServiceOptions{std::chrono::hours(1), 3});
    ASSERT_THAT(runtime, IsOk());
    auto filed =
        (*runtime)->declarations().File(Clerk(), NordfleischBody(), false, nullptr, LedgerRender());
    ASSERT_THAT(filed, IsOk());
    uint64_t signed_size = 0;
    for (int attempt = 0; attempt < 600 && signed_size < 3; ++attempt) {
      signed_size = (*runtime)->ledger().LatestCheckpoint().value().size;
      if (signed_size < 3) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(signed_size, 3u);
    EXPECT_EQ((*runtime)->ledger().checkpoint_failures(), 0u);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace clearway::app
