// The full audit: tampering with the SQLite file directly (edit, delete, swap, insert) must be
// found and named, leaf by leaf and record by record.
#include "app/ledger_audit.h"

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "ledger/merkle_log.h"
#include "ledger/tree_store.h"
#include "ledger_test_util.h"

namespace clearway::app {
namespace {

using namespace clearway::app::testing;
namespace decl = clearway::declaration;
using Kind = AuditFindingKind;

// Twelve leaves:  0 A@v1  1 A#1  2 A#2  3 B@v1  4 B#1  5 B#2  6 A#3  7 B@v2  8 B#3
//                 9 C@v1 10 C#1 11 C#2, under a checkpoint of size 12.
class LedgerAuditTest : public LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    a_ = File(1);
    b_ = File(2);
    Decide(a_, decl::Action::kRouteYellow, "check documents");
    Amend(b_, 3);
    c_ = File(4);
    ASSERT_EQ(Checkpoint().size, 12u);
    AuditReport report = Audit();
    ASSERT_TRUE(report.clean()) << Describe(report);
  }

  std::string a_, b_, c_;
};

TEST_F(LedgerAuditTest, UntouchedStoreIsClean) {
  AuditReport report = Audit();
  EXPECT_TRUE(report.clean()) << Describe(report);
  EXPECT_EQ(report.leaves, 12u);
  EXPECT_EQ(report.versions, 4u);
  EXPECT_EQ(report.transitions, 8u);
  EXPECT_EQ(report.checkpoint_size, 12u);
  File(5);  // newer than the checkpoint: fine, and said so
  report = Audit();
  EXPECT_TRUE(report.clean()) << Describe(report);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_EQ(report.notes[0], "3 leaves are newer than the latest signed checkpoint");
}

TEST_F(LedgerAuditTest, EditedDeclarationPayloadIsNamed) {
  Tamper("UPDATE declarations SET payload = payload || ' ' WHERE id = '" + b_ +
         "' AND version = 2");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "record " + b_ + "@v2")) << Describe(report);
  EXPECT_EQ(report.findings.size(), 1u) << Describe(report);
}

TEST_F(LedgerAuditTest, EditedTransitionIsNamed) {
  Tamper(
      "UPDATE transitions SET reason = 'nothing to see', actor = 'system'"
      " WHERE declaration_id = '" +
      a_ + "' AND sequence = 3");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "record " + a_ + "#3")) << Describe(report);
  EXPECT_EQ(report.findings.size(), 1u) << Describe(report);
}

TEST_F(LedgerAuditTest, RemovedSaltIsNamed) {
  Tamper("UPDATE declarations SET salt = NULL WHERE id = '" + a_ + "'");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "record " + a_ + "@v1")) << Describe(report);
}

TEST_F(LedgerAuditTest, DeletedRecordsAreNamed) {
  Tamper("DELETE FROM transitions WHERE declaration_id = '" + b_ +
         "' AND sequence = 3;"
         "DELETE FROM declarations WHERE id = '" +
         c_ + "'");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kDeleted, "record " + b_ + "#3")) << Describe(report);
  EXPECT_TRUE(Names(report, Kind::kDeleted, "record " + c_ + "@v1")) << Describe(report);
  EXPECT_EQ(report.findings.size(), 2u) << Describe(report);
}

TEST_F(LedgerAuditTest, DeletedLeafIsNamed) {
  Tamper("DELETE FROM ledger_leaves WHERE idx = 4");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kDeleted, "leaf 4")) << Describe(report);
  EXPECT_TRUE(Names(report, Kind::kInserted, "record " + b_ + "#1")) << Describe(report);
}

TEST_F(LedgerAuditTest, TruncatedLogIsNamed) {
  Tamper("DELETE FROM ledger_leaves WHERE idx >= 10");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kDeleted, "leaves 10..11")) << Describe(report);
}

TEST_F(LedgerAuditTest, SwappedLeavesAreNamed) {
  // B@v1 and C@v1 trade places: each still matches its record, only the tree knows.
  Tamper(
      "UPDATE ledger_leaves SET idx = 1000 WHERE idx = 3;"
      "UPDATE ledger_leaves SET idx = 3 WHERE idx = 9;"
      "UPDATE ledger_leaves SET idx = 9 WHERE idx = 1000");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kReordered, "leaves 3 and 9")) << Describe(report);
  EXPECT_TRUE(Names(report, Kind::kAltered, "log")) << Describe(report);  // root differs
}

TEST_F(LedgerAuditTest, SwappedRecordsOfOneDeclarationAreNamed) {
  Tamper(
      "UPDATE ledger_leaves SET idx = 1000 WHERE idx = 0;"
      "UPDATE ledger_leaves SET idx = 0 WHERE idx = 1;"
      "UPDATE ledger_leaves SET idx = 1 WHERE idx = 1000");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kReordered, "leaves 0 and 1")) << Describe(report);
  EXPECT_TRUE(Names(report, Kind::kReordered, "leaf 0")) << Describe(report);  // A#1 before A@v1
}

TEST_F(LedgerAuditTest, InsertedRecordsAreNamed) {
  Tamper(
      "INSERT INTO declarations SELECT id, version + 1, organisation_id, declarant_id, office,"
      " type, status, channel, hs_chapters, created_at, updated_at, payload, salt"
      " FROM declarations WHERE id = '" +
      c_ +
      "';"
      "INSERT INTO transitions SELECT declaration_id, 4, version, from_status, to_status,"
      " channel, actor, 'backdated', at, salt FROM transitions"
      " WHERE declaration_id = '" +
      a_ + "' AND sequence = 3");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kInserted, "record " + c_ + "@v2")) << Describe(report);
  EXPECT_TRUE(Names(report, Kind::kInserted, "record " + a_ + "#4")) << Describe(report);
  EXPECT_EQ(report.findings.size(), 2u) << Describe(report);
}

TEST_F(LedgerAuditTest, InsertedLeafIsNamed) {
  ledger::LeafEntry entry{"declaration.version", "01JFAKE@v1", {}};
  std::vector<uint8_t> bytes = ledger::EncodeLeafEntry(entry).value();
  Tamper("INSERT INTO ledger_leaves (idx, leaf_hash, kind, record_id, entry) VALUES (12, X'" +
         crypto::ToHex(ledger::HashLeaf(bytes)) + "', 'declaration.version', '01JFAKE@v1', X'" +
         crypto::ToHex(bytes) + "')");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kInserted, "leaf 12")) << Describe(report);
}

TEST_F(LedgerAuditTest, EditedLeafIsNamed) {
  Tamper("UPDATE ledger_leaves SET record_id = 'someone-else@v1' WHERE idx = 5");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "leaf 5")) << Describe(report);
  Tamper("UPDATE ledger_leaves SET record_id = '" + b_ +
         "#2', entry = substr(entry, 1, 10)"
         " WHERE idx = 5");
  report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "leaf 5")) << Describe(report);
  EXPECT_TRUE(Names(report, Kind::kInserted, "record " + b_ + "#2")) << Describe(report);
}

TEST_F(LedgerAuditTest, AlteredTreeNodesAreNamed) {
  Tamper("UPDATE ledger_nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 0");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "tree node (2, 0)")) << Describe(report);
  EXPECT_EQ(report.findings.size(), 1u) << Describe(report);
  Tamper("UPDATE ledger_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 4");
  report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "tree node (1, 4)")) << Describe(report);
  Tamper("DELETE FROM ledger_nodes WHERE level = 3");
  report = Audit();
  EXPECT_TRUE(Names(report, Kind::kDeleted, "tree node (3, 0)")) << Describe(report);
}

TEST_F(LedgerAuditTest, ForgedCheckpointIsNamed) {
  Tamper(
      "UPDATE ledger_checkpoints SET note = replace(note, char(10) || '12' || char(10),"
      " char(10) || '11' || char(10)) WHERE size = 12");
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "checkpoint of size 12")) << Describe(report);
}

TEST_F(LedgerAuditTest, ARewrittenTreeStillContradictsTheSignedCheckpoint) {
  // The attacker replaces a leaf and recomputes every stored node above it; only the record's
  // commitment and the log's signature give it away.
  ledger::LeafEntry entry{"declaration.version", b_ + "@v1", {}};
  entry.commitment[0] = 1;
  std::vector<uint8_t> bytes = ledger::EncodeLeafEntry(entry).value();
  ledger::InMemoryTreeStore memory;
  ledger::MerkleLog rewritten(&memory);
  for (uint64_t index = 0; index < 12; ++index) {
    ledger::Hash hash =
        index == 3 ? ledger::HashLeaf(bytes) : runtime_->store().GetLeaf(index).value().leaf_hash;
    ASSERT_TRUE(rewritten.Append(hash).ok());
  }
  std::string sql = "UPDATE ledger_leaves SET entry = X'" + crypto::ToHex(bytes) +
                    "', leaf_hash = X'" + crypto::ToHex(ledger::HashLeaf(bytes)) +
                    "' WHERE idx = 3;";
  for (uint8_t level = 1; level <= 3; ++level) {
    for (uint64_t index = 0; index < (uint64_t{12} >> level); ++index) {
      sql += "UPDATE ledger_nodes SET hash = X'" +
             crypto::ToHex(memory.GetNode({level, index}).value()) +
             "' WHERE level = " + std::to_string(level) + " AND idx = " + std::to_string(index) +
             ";";
    }
  }
  Tamper(sql);
  AuditReport report = Audit();
  EXPECT_TRUE(Names(report, Kind::kAltered, "record " + b_ + "@v1")) << Describe(report);
  EXPECT_TRUE(Names(report, Kind::kAltered, "log")) << Describe(report);
  EXPECT_EQ(report.findings.size(), 2u) << Describe(report);
}

}  // namespace
}  // namespace clearway::app
