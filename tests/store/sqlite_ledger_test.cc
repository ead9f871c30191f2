// What only the SQLite store's ledger does: the backfill of records older than the ledger
// (schema version 2); and the canonical records and sealing every backend shares. The ledger
// behaviour of every backend is in the contract suite (contract_ledger_test.cc).
#include <gtest/gtest.h>

#include <set>

#include "ledger/leaf.h"
#include "ledger/merkle_log.h"
#include "ledger/tree_store.h"
#include "sqlite_test_util.h"
#include "store/ledger_records.h"

namespace clearway::store::sqlite {
namespace {

using testing::HasCode;
using testing::HasReason;
using testing::IsOk;

TransitionRow Transition(const std::string& id, int64_t sequence, int64_t version = 1) {
  TransitionRow row;
  row.declaration_id = id;
  row.sequence = sequence;
  row.version = version;
  row.to_status = "accepted";
  row.actor = "system";
  row.reason = "step " + std::to_string(sequence);
  row.at = At(sequence);
  return row;
}

// Filed() is a sealed unit filing version 1 of `id` with `transitions` transitions.
UnitOfWork Filed(const std::string& id, int transitions, int64_t created = 0) {
  UnitOfWork work = NewVersion(MakeRow(id, 1, At(created)));
  for (int seq = 1; seq <= transitions; ++seq) work.transitions.push_back(Transition(id, seq));
  return Sealed(std::move(work));
}

class SqliteLedgerTest : public SqliteStoreTest {
 protected:
  ledger::MerkleLog Log() { return ledger::MerkleLog(&store_->LedgerTree()); }

  uint64_t LeafCount() { return store_->LedgerTree().LeafCount().value(); }

  int64_t Raw(const char* sql) {
    RawDb db = OpenRaw(options_.path);
    return QueryInt(db.get(), sql);
  }
};

TEST_F(SqliteLedgerTest, MigrationEntersOlderRecordsIntoTheLedger) {
  ASSERT_THAT(store_->Commit(Filed("B", 2, 5)), IsOk());
  ASSERT_THAT(store_->Commit(Filed("A", 1, 1)), IsOk());
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("A", 2, At(1))))), IsOk());
  store_.reset();
  {
    // Turn the file back into schema version 1, as an older Clearway left it.
    RawDb raw = OpenRaw(options_.path);
    const char* downgrade =
        "DROP TRIGGER data_keys_no_delete; DROP TRIGGER blind_indexes_no_delete;"
        "DROP TRIGGER idempotency_no_delete;"
        "DROP TABLE purged_security_events; DROP TABLE purged_declarations;"
        "DROP TABLE retention_purges; DROP TABLE legal_hold_releases; DROP TABLE legal_holds;"
        "DROP TABLE declaration_blind_indexes; DROP TABLE data_keys;"
        "DROP TABLE assessments; DROP TABLE security_events;"
        "DROP TABLE ledger_cosignatures;"
        "DROP TABLE ledger_leaves; DROP TABLE ledger_nodes; DROP TABLE ledger_checkpoints;"
        "ALTER TABLE declarations DROP COLUMN salt; ALTER TABLE transitions DROP COLUMN salt;"
        "DELETE FROM schema_migrations WHERE version >= 2;";
    ASSERT_EQ(sqlite3_exec(raw.get(), downgrade, nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(raw.get());
  }
  Reopen();
  EXPECT_EQ(Raw("SELECT MAX(version) FROM schema_migrations"), 6);
  // A (created first): v1, A#1, v2; then B: v1, B#1, B#2.
  std::vector<std::string> order;
  for (uint64_t index = 0; index < LeafCount(); ++index)
    order.push_back(store_->GetLeaf(index)->record_id);
  EXPECT_EQ(order, (std::vector<std::string>{"A@v1", "A#1", "A@v2", "B@v1", "B#1", "B#2"}));
  for (const auto& [id, version] : {std::pair{"A", 1}, std::pair{"A", 2}, std::pair{"B", 1}}) {
    auto row = store_->GetDeclaration(id, version);
    ASSERT_THAT(row, IsOk());
    EXPECT_NE(row->salt, ledger::CommitmentSalt{});
    auto leaf = store_->FindLeaf(VersionRecordId(id, version));
    ASSERT_THAT(leaf, IsOk());
    EXPECT_EQ(ledger::DecodeLeafEntry(leaf->entry).value(), VersionLeaf(*row));
  }
  auto transitions = store_->ListTransitions("B");
  ASSERT_THAT(transitions, IsOk());
  for (const auto& transition : *transitions) {
    EXPECT_EQ(ledger::DecodeLeafEntry(
                  store_->FindLeaf(TransitionRecordId("B", transition.sequence))->entry)
                  .value(),
              TransitionLeaf(transition));
  }
  // New units continue the backfilled log.
  auto next = store_->Commit(Filed("C", 0, 9));
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->leaf_indices, (std::vector<uint64_t>{6}));
}

TEST(LedgerRecordsTest, CanonicalRecordsCoverWhatNeverChanges) {
  DeclarationRow row = MakeRow("A", 2, At(3));
  std::string canonical = CanonicalVersionRecord(row);
  EXPECT_EQ(canonical,
            R"({"createdAt":1767225603000000,"declarantId":"user-1","hsChapters":"02,84","id":"A",)"
            R"("kind":"declaration.version","office":"DE004700","organisationId":"org-1",)"
            R"("payload":"{\"id\":\"A\",\"version\":2}","type":"import","version":2})");
  DeclarationRow moved = row;
  moved.status = "released";
  moved.channel = "green";
  moved.updated_at = At(99);
  EXPECT_EQ(CanonicalVersionRecord(moved), canonical);  // status changes are transitions
  moved.payload += " ";
  EXPECT_NE(CanonicalVersionRecord(moved), canonical);
  TransitionRow transition = Transition("A", 3, 2);
  EXPECT_EQ(CanonicalTransitionRecord(transition),
            R"({"actor":"system","at":1767225603000000,"channel":"","declarationId":"A",)"
            R"("from":"","kind":"declaration.transition","reason":"step 3","sequence":3,)"
            R"("to":"accepted","version":2})");
  EXPECT_EQ(VersionRecordId("A", 2), "A@v2");
  EXPECT_EQ(TransitionRecordId("A", 3), "A#3");
}

TEST(LedgerRecordsTest, SealUnitSaltsEveryRecordFreshly) {
  UnitOfWork work = NewVersion(MakeRow("A", 1, At(0)));
  work.transitions.push_back(Transition("A", 1));
  SealUnit(work);
  ASSERT_EQ(work.leaves.size(), 2u);
  EXPECT_NE(work.declarations[0].salt, work.transitions[0].salt);
  EXPECT_EQ(work.leaves[0], VersionLeaf(work.declarations[0]));
  EXPECT_EQ(work.leaves[1], TransitionLeaf(work.transitions[0]));
  EXPECT_THAT(CheckUnitLeaves(work), IsOk());
  const ledger::Commitment before = work.leaves[0].commitment;
  SealUnit(work);
  EXPECT_NE(work.leaves[0].commitment, before);  // a new salt, a new commitment
}

}  // namespace
}  // namespace clearway::store::sqlite
