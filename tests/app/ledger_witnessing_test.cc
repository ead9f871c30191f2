// The log's side of witnessing: partners' cosignatures are verified against the configured
// witness keys over the exact checkpoint kept, kept once, and served on the checkpoint note.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ledger/checkpoint.h"
#include "ledger/witness.h"
#include "ledger_test_util.h"
#include "testing/matchers.h"

namespace clearway::app::testing {
namespace {

using clearway::testing::HasReason;
using clearway::testing::IsOk;

// A partner's witness: its own key and state, cosigning through the library as the CLI does.
struct Partner {
  explicit Partner(const std::string& name)
      : signer(crypto::Ed25519Signer::FromSeed(crypto::Ed25519Seed::Generate())),
        clock(*ParseTimestamp("2026-11-24T10:00:00Z")),
        witness(ledger::Cosigner::New(name, signer.get()).value(), &clock) {}

  const ledger::VerifierKey& key() const { return witness.verifier_key(); }

  // Cosigned() runs one witnessing round against `log` and returns the cosigned note.
  std::string Cosigned(LedgerService& log) {
    auto last = witness.LastCosigned(log.origin());
    uint64_t old_size = last ? last->size : 0;
    auto answer = log.ProveToLatest(old_size, "");
    EXPECT_THAT(answer, IsOk());
    auto line = witness.Cosign({old_size, answer->checkpoint.note, answer->proof});
    EXPECT_THAT(line, IsOk());
    return ledger::AddSignature(ledger::ParseNote(answer->checkpoint.note).value(), *line);
  }

  std::unique_ptr<crypto::Ed25519Signer> signer;
  FakeClock clock;
  ledger::Witness witness;
};

class LedgerWitnessingTest : public LedgerFixture {
 protected:
  LedgerServiceOptions LedgerOptions() override {
    LedgerServiceOptions options = LedgerFixture::LedgerOptions();
    options.witnesses = {douane_.key(), zoll_.key()};
    return options;
  }
  void SetUp() override {
    LedgerFixture::SetUp();
    for (Partner* partner : {&douane_, &zoll_, &stranger_}) {
      ASSERT_THAT(partner->witness.AddLog(ledger().origin(), ledger().verifier_key()), IsOk());
    }
  }

  Partner douane_{"witness.douane.example"};
  Partner zoll_{"witness.zoll.example"};
  Partner stranger_{"witness.stranger.example"};
};

TEST_F(LedgerWitnessingTest, CosignaturesAreKeptAndServedOnTheCheckpoint) {
  File(1);
  store::CheckpointRow checkpoint = Checkpoint();
  EXPECT_THAT(ledger().LatestWitnessedCheckpoint(), HasReason("no-witnessed-checkpoint"));

  auto accepted = ledger().AddCosignatures(douane_.Cosigned(ledger()));
  ASSERT_THAT(accepted, IsOk());
  EXPECT_EQ(accepted->size, checkpoint.size);
  EXPECT_EQ(accepted->witnesses, std::vector<std::string>{"witness.douane.example"});
  ASSERT_THAT(ledger().AddCosignatures(zoll_.Cosigned(ledger())), IsOk());
  // A witness handing its cosignature in twice changes nothing.
  ASSERT_THAT(ledger().AddCosignatures(douane_.Cosigned(ledger())), IsOk());

  auto witnessed = ledger().LatestWitnessedCheckpoint();
  ASSERT_THAT(witnessed, IsOk());
  auto served = ledger().ServedNote(*witnessed);
  ASSERT_THAT(served, IsOk());
  auto note = ledger::ParseNote(*served);
  ASSERT_THAT(note, IsOk());
  EXPECT_EQ(note->signatures.size(), 3u);  // the log's and two witnesses'
  EXPECT_THAT(ledger::OpenCheckpoint(*served, ledger().verifier_key()), IsOk());
  auto cosigned = ledger::VerifyCosignatures(*note, {douane_.key(), zoll_.key()});
  ASSERT_THAT(cosigned, IsOk());
  EXPECT_EQ(cosigned->size(), 2u);

  // A newer checkpoint is served at once, without cosignatures until they come.
  File(2);
  store::CheckpointRow newer = Checkpoint();
  EXPECT_EQ(ledger().ServedNote(newer).value(), newer.note);
  EXPECT_EQ(ledger().LatestWitnessedCheckpoint().value().size, checkpoint.size);
}

TEST_F(LedgerWitnessingTest, ReceiptsCarryTheCosignaturesOfTheirCheckpoint) {
  std::string id = File(1);
  Checkpoint();
  ASSERT_THAT(ledger().AddCosignatures(douane_.Cosigned(ledger())), IsOk());
  auto receipt = ledger().ReceiptFor(Record(id));
  ASSERT_THAT(receipt, IsOk());
  auto note = ledger::ParseNote(receipt->checkpoint);
  ASSERT_THAT(note, IsOk());
  EXPECT_THAT(ledger::VerifyCosignatures(*note, {douane_.key()}), IsOk());
}

TEST_F(LedgerWitnessingTest, CosignaturesOfUnknownWitnessesOrBadLinesAreRefused) {
  File(1);
  Checkpoint();
  EXPECT_THAT(ledger().AddCosignatures(stranger_.Cosigned(ledger())), HasReason("unknown-witness"));

  // A configured witness's line over other text: the signature does not verify.
  std::string cosigned = douane_.Cosigned(ledger());
  auto note = ledger::ParseNote(cosigned).value();
  note.signatures.back().payload.back() ^= 0x01;
  EXPECT_THAT(ledger().AddCosignatures(ledger::FormatNote(note)), HasReason("bad-cosignature"));
  EXPECT_THAT(ledger().AddCosignatures("not a note"), HasReason("malformed-note"));
  EXPECT_THAT(runtime_->store().LatestCosignedCheckpoint().value().has_value(), false);
}

TEST_F(LedgerWitnessingTest, CosignaturesMustBeOfACheckpointThisLogKept) {
  File(1);
  store::CheckpointRow kept = Checkpoint();
  auto cosign_text = [&](const ledger::Checkpoint& checkpoint, const ledger::NoteSigner& log) {
    std::string signed_note = ledger::SignCheckpoint(checkpoint, log).value();
    ledger::SignedNote note = ledger::ParseNote(signed_note).value();
    ledger::Cosigner cosigner = ledger::Cosigner::New("witness.douane.example",
                                                      douane_.signer.get())
                                    .value();
    note.signatures.push_back(cosigner.Cosign(note.text, douane_.clock.Now()).value());
    return ledger::FormatNote(note);
  };
  LedgerKey same_key = TestLedgerKey();
  auto log_signer = ledger::NoteSigner::New(same_key.origin, same_key.signer.get()).value();

  // This log's key signed another root at the kept size: a fork, refused loudly.
  std::string forked = cosign_text(
      ledger::Checkpoint{same_key.origin, kept.size, ledger::HashLeaf("another"), {}}, log_signer);
  EXPECT_THAT(ledger().AddCosignatures(forked), HasReason("fork-detected"));
  EXPECT_EQ(ledger().forks_detected(), 1u);

  // A size this log never kept a checkpoint of.
  std::string unkept = cosign_text(
      ledger::Checkpoint{same_key.origin, kept.size - 1, kept.root, {}}, log_signer);
  EXPECT_THAT(ledger().AddCosignatures(unkept), HasReason("checkpoint-not-found"));

  // Another key under this log's origin, over another root: not this log's checkpoint.
  LedgerKey impostor = TestLedgerKey(5);
  auto impostor_signer = ledger::NoteSigner::New(impostor.origin, impostor.signer.get()).value();
  std::string mismatch = cosign_text(
      ledger::Checkpoint{impostor.origin, kept.size, ledger::HashLeaf("x"), {}}, impostor_signer);
  EXPECT_THAT(ledger().AddCosignatures(mismatch), HasReason("checkpoint-mismatch"));

  // Another log's checkpoint.
  auto other_signer = ledger::NoteSigner::New("other.example/log", impostor.signer.get()).value();
  std::string foreign =
      cosign_text(ledger::Checkpoint{"other.example/log", kept.size, kept.root, {}}, other_signer);
  EXPECT_THAT(ledger().AddCosignatures(foreign), HasReason("foreign-checkpoint"));
  EXPECT_FALSE(runtime_->store().LatestCosignedCheckpoint().value().has_value());
}

class LedgerWithoutWitnessesTest : public LedgerFixture {};

TEST_F(LedgerWithoutWitnessesTest, CosignaturesAreRefusedWhenNoWitnessIsConfigured) {
  File(1);
  store::CheckpointRow kept = Checkpoint();
  EXPECT_TRUE(ledger().witnesses().empty());
  EXPECT_THAT(ledger().AddCosignatures(kept.note), HasReason("no-witnesses"));
}

}  // namespace
}  // namespace clearway::app::testing
