// Store contract (both backends): the ledger inside the store: leaves appended with their
// records by the writer, the tree kept as complete subtrees, proofs identical to the in-memory
// log's, checkpoints checked against the tree, cosignatures, snapshots.
#include <gtest/gtest.h>

#include <set>

#include "ledger/leaf.h"
#include "ledger/merkle_log.h"
#include "ledger/tree_store.h"
#include "store/ledger_records.h"
#include "store/store_contract.h"

namespace clearway::store::contract {
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

class LedgerContractTest : public StoreContractTest {
 protected:
  ledger::MerkleLog Log() { return ledger::MerkleLog(&store_->LedgerTree()); }

  uint64_t LeafCount() { return store_->LedgerTree().LeafCount().value(); }
};

TEST_P(LedgerContractTest, CommitAssignsConsecutiveLeafIndicesInUnitOrder) {
  auto first = store_->Commit(Filed("A", 2));
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->leaf_indices, (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(first->tree_size, 3u);
  auto second = store_->Commit(Filed("B", 1));
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->leaf_indices, (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(second->tree_size, 5u);
  auto bare = store_->Commit(Sealed(UnitOfWork{}));
  ASSERT_THAT(bare, IsOk());
  EXPECT_TRUE(bare->leaf_indices.empty());
  EXPECT_EQ(bare->tree_size, 5u);
}

TEST_P(LedgerContractTest, LeafCommitsToTheStoredRecordAndItsSalt) {
  UnitOfWork work = Filed("A", 1);
  const ledger::LeafEntry version_leaf = work.leaves[0];
  const ledger::CommitmentSalt salt = work.declarations[0].salt;
  ASSERT_THAT(store_->Commit(std::move(work)), IsOk());

  auto stored = store_->GetDeclaration("A", 1);
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->salt, salt);
  EXPECT_EQ(VersionLeaf(*stored), version_leaf);  // recomputed from what the store holds
  auto transitions = store_->ListTransitions("A");
  ASSERT_THAT(transitions, IsOk());
  EXPECT_EQ(TransitionLeaf(transitions->at(0)).record_id, "A#1");

  auto leaf = store_->GetLeaf(0);
  ASSERT_THAT(leaf, IsOk());
  EXPECT_EQ(leaf->kind, "declaration.version");
  EXPECT_EQ(leaf->record_id, "A@v1");
  EXPECT_EQ(leaf->leaf_hash, ledger::HashLeaf(leaf->entry));
  EXPECT_EQ(ledger::DecodeLeafEntry(leaf->entry).value(), version_leaf);
  auto by_record = store_->FindLeaf("A#1");
  ASSERT_THAT(by_record, IsOk());
  EXPECT_EQ(by_record->index, 1u);
  // Nothing but the kind, the opaque id and the commitment is in the log.
  EXPECT_EQ(leaf->entry.size(), 36u + leaf->kind.size() + leaf->record_id.size());
}

TEST_P(LedgerContractTest, FailingUnitInABatchAppendsNoLeaves) {
  ASSERT_THAT(store_->Commit(Filed("A", 1)), IsOk());
  std::vector<UnitOfWork> units;
  units.push_back(Filed("B", 2, 1));
  units.push_back(Filed("A", 2, 2));  // version 1 of A exists: refused, with its 3 leaves
  units.push_back(Filed("C", 1, 3));
  auto results = CommitBatch(std::move(units));
  ASSERT_EQ(results.size(), 3u);
  ASSERT_THAT(results[0], IsOk());
  EXPECT_THAT(results[1], HasCode(ErrorCode::kAborted));
  ASSERT_THAT(results[2], IsOk());
  EXPECT_EQ(results[0]->leaf_indices, (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(results[2]->leaf_indices, (std::vector<uint64_t>{5, 6}));  // no gap where A's were
  EXPECT_EQ(results[2]->tree_size, 7u);
  EXPECT_EQ(Stats().batches_committed, 2);

  EXPECT_EQ(LeafCount(), 7u);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM ledger_leaves"),
            Raw("SELECT (SELECT COUNT(*) FROM declarations) + (SELECT COUNT(*) FROM transitions)"));
  EXPECT_THAT(store_->FindLeaf("A#2"), HasReason("leaf-not-found"));
  // The tree of the batch is whole: every complete subtree of 7 leaves is stored.
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM ledger_nodes"), 3 + 1);
  ledger::InMemoryTreeStore memory;
  ledger::MerkleLog reference(&memory);
  for (uint64_t index = 0; index < 7; ++index) {
    ASSERT_THAT(reference.Append(store_->GetLeaf(index)->leaf_hash), IsOk());
  }
  EXPECT_EQ(Log().Root(7).value(), reference.Root(7).value());
}

TEST_P(LedgerContractTest, UnitWhoseLeavesAreNotItsRecordsIsRefused) {
  UnitOfWork missing = NewVersion(MakeRow("A", 1, At(0)));  // not sealed: no leaf
  EXPECT_THAT(store_->Commit(std::move(missing)), HasReason("ledger-leaf-mismatch"));

  UnitOfWork extra = Filed("A", 0);
  extra.leaves.push_back(extra.leaves[0]);
  EXPECT_THAT(store_->Commit(std::move(extra)), HasReason("ledger-leaf-mismatch"));

  UnitOfWork reordered = Filed("A", 1);
  std::swap(reordered.leaves[0], reordered.leaves[1]);
  EXPECT_THAT(store_->Commit(std::move(reordered)), HasReason("ledger-leaf-mismatch"));

  UnitOfWork renamed = Filed("A", 1);
  renamed.leaves[1].record_id = "A#7";
  EXPECT_THAT(store_->Commit(std::move(renamed)), HasCode(ErrorCode::kInternal));

  UnitOfWork unencodable = Sealed(NewVersion(MakeRow("has space", 1, At(0))));
  EXPECT_THAT(store_->Commit(std::move(unencodable)), HasReason("ledger-leaf-mismatch"));

  EXPECT_EQ(*store_->CountDeclarations(), 0);
  EXPECT_EQ(LeafCount(), 0u);
}

TEST_P(LedgerContractTest, ProofsFromStorageMatchTheInMemoryLog) {
  // 41 leaves over batches of varying sizes, so the stored subtrees come from many appends.
  std::vector<UnitOfWork> units;
  for (int idx = 0; idx < 13; ++idx)
    units.push_back(Filed("D" + std::to_string(idx), idx % 4, idx));
  for (const auto& result : CommitBatch(std::move(units))) ASSERT_THAT(result, IsOk());
  for (int idx = 13; idx < 20; ++idx)
    ASSERT_THAT(store_->Commit(Filed("D" + std::to_string(idx), idx % 3, idx)), IsOk());
  const uint64_t n = LeafCount();
  ASSERT_GE(n, 40u);

  ledger::InMemoryTreeStore memory;
  ledger::MerkleLog reference(&memory);
  for (uint64_t index = 0; index < n; ++index) {
    auto leaf = store_->GetLeaf(index);
    ASSERT_THAT(leaf, IsOk());
    ASSERT_THAT(reference.Append(leaf->leaf_hash), IsOk());
  }
  ledger::MerkleLog log = Log();
  for (uint64_t size = 0; size <= n; ++size) {
    ASSERT_EQ(log.Root(size).value(), reference.Root(size).value()) << size;
    for (uint64_t index = 0; index < size; ++index) {
      ASSERT_EQ(log.InclusionProof(index, size).value(),
                reference.InclusionProof(index, size).value())
          << index << " of " << size;
    }
    for (uint64_t old_size = 0; old_size <= size; ++old_size) {
      ASSERT_EQ(log.ConsistencyProof(old_size, size).value(),
                reference.ConsistencyProof(old_size, size).value())
          << old_size << " -> " << size;
    }
  }
  EXPECT_LT(Raw("SELECT COUNT(*) FROM ledger_nodes") + static_cast<int64_t>(n),
            2 * static_cast<int64_t>(n));
  EXPECT_THAT(log.InclusionProof(0, n + 1), HasReason("tree-size-out-of-range"));
  EXPECT_THAT(store_->GetLeaf(n), HasReason("leaf-not-found"));
  EXPECT_THAT(store_->FindLeaf("nobody@v1"), HasCode(ErrorCode::kNotFound));
}

TEST_P(LedgerContractTest, LedgerTreeRefusesAppendsOutsideCommit) {
  ledger::MerkleLog log = Log();
  EXPECT_THAT(log.Append(ledger::HashLeaf("stray")), HasReason("append-through-commit"));
  EXPECT_EQ(LeafCount(), 0u);
}

TEST_P(LedgerContractTest, CheckpointsAreCheckedAgainstTheTree) {
  ASSERT_THAT(store_->Commit(Filed("A", 2)), IsOk());
  const ledger::Hash root = Log().Root(3).value();
  auto commit_checkpoint = [&](uint64_t size, const ledger::Hash& at_root) {
    UnitOfWork work;
    work.checkpoint = CheckpointRow{size, at_root, "note " + std::to_string(size), At(9)};
    return store_->Commit(std::move(work));
  };
  EXPECT_THAT(commit_checkpoint(3, ledger::HashLeaf("wrong")), HasReason("checkpoint-mismatch"));
  EXPECT_THAT(commit_checkpoint(4, root), HasReason("checkpoint-mismatch"));
  EXPECT_FALSE(store_->LatestCheckpoint().value().has_value());

  ASSERT_THAT(commit_checkpoint(3, root), IsOk());
  EXPECT_THAT(commit_checkpoint(3, root), HasReason("stale-checkpoint"));
  EXPECT_THAT(commit_checkpoint(2, Log().Root(2).value()), HasReason("stale-checkpoint"));
  auto latest = store_->LatestCheckpoint();
  ASSERT_THAT(latest, IsOk());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->size, 3u);
  EXPECT_EQ((*latest)->root, root);
  EXPECT_EQ((*latest)->note, "note 3");
}

TEST_P(LedgerContractTest, CosignaturesAreKeptForKeptCheckpointsOnly) {
  ASSERT_THAT(store_->Commit(Filed("A", 2)), IsOk());
  auto cosign = [&](uint64_t size, const std::string& witness, const std::string& line) {
    UnitOfWork work;
    work.cosignatures.push_back(CosignatureRow{size, witness, 7, line, At(10)});
    return store_->Commit(std::move(work));
  };
  EXPECT_THAT(cosign(2, "w1", "line a\n"), HasReason("unknown-checkpoint"));
  EXPECT_THAT(store_->GetCheckpoint(2), HasReason("checkpoint-not-found"));
  EXPECT_FALSE(store_->LatestCosignedCheckpoint().value().has_value());

  for (uint64_t size : {2u, 3u}) {
    UnitOfWork work;
    work.checkpoint = CheckpointRow{size, Log().Root(size).value(), "note", At(9)};
    ASSERT_THAT(store_->Commit(std::move(work)), IsOk());
  }
  ASSERT_THAT(cosign(2, "w1", "line a\n"), IsOk());
  ASSERT_THAT(cosign(2, "w2", "line b\n"), IsOk());
  ASSERT_THAT(cosign(2, "w1", "line a again\n"), IsOk());  // the first one stays

  auto kept = store_->ListCosignatures(2);
  ASSERT_THAT(kept, IsOk());
  ASSERT_EQ(kept->size(), 2u);
  EXPECT_EQ((*kept)[0].witness, "w1");
  EXPECT_EQ((*kept)[0].line, "line a\n");
  EXPECT_EQ((*kept)[0].key_id, 7u);
  EXPECT_EQ((*kept)[1].line, "line b\n");
  EXPECT_TRUE(store_->ListCosignatures(3).value().empty());

  auto witnessed = store_->LatestCosignedCheckpoint();
  ASSERT_THAT(witnessed, IsOk());
  ASSERT_TRUE(witnessed->has_value());
  EXPECT_EQ((*witnessed)->size, 2u);
  EXPECT_EQ(store_->LatestCheckpoint().value()->size, 3u);
  EXPECT_EQ(store_->GetCheckpoint(3).value().root, Log().Root(3).value());
}

TEST_P(LedgerContractTest, TheLogContinuesAfterReopen) {
  ASSERT_THAT(store_->Commit(Filed("A", 2)), IsOk());
  Reopen();
  auto next = store_->Commit(Filed("B", 0));
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->leaf_indices, (std::vector<uint64_t>{3}));
  auto proof = Log().InclusionProof(3, 4);
  ASSERT_THAT(proof, IsOk());
  EXPECT_THAT(
      ledger::VerifyInclusion(3, 4, store_->GetLeaf(3)->leaf_hash, *proof, Log().Root(4).value()),
      IsOk());
}

TEST_P(LedgerContractTest, SnapshotShowsRecordsWithTheirSalts) {
  ASSERT_THAT(store_->Commit(Filed("A", 1)), IsOk());
  ASSERT_TRUE(ExecRaw("UPDATE transitions SET salt = NULL"));
  int versions = 0, transitions = 0, leaves = 0;
  bool transition_salted = true;
  ASSERT_THAT(store_->ReadLedgerSnapshot([&](LedgerSnapshot& snapshot) -> Status {
    CW_RETURN_IF_ERROR(snapshot.ForEachVersion([&](const DeclarationRow& row, bool salted) {
      ++versions;
      EXPECT_TRUE(salted);
      EXPECT_EQ(row.id, "A");
      return OkStatus();
    }));
    CW_RETURN_IF_ERROR(snapshot.ForEachTransition([&](const TransitionRow&, bool salted) {
      ++transitions;
      transition_salted = salted;
      return OkStatus();
    }));
    return snapshot.ForEachLeaf([&](const LeafRow&) {
      ++leaves;
      return OkStatus();
    });
  }),
              IsOk());
  EXPECT_EQ(versions, 1);
  EXPECT_EQ(transitions, 1);
  EXPECT_FALSE(transition_salted);
  EXPECT_EQ(leaves, 2);
  // A visitor's error ends the snapshot and comes back.
  EXPECT_THAT(store_->ReadLedgerSnapshot([](LedgerSnapshot& snapshot) {
    return snapshot.ForEachLeaf(
        [](const LeafRow&) -> Status { return Error::Aborted("stop", "enough"); });
  }),
              HasReason("stop"));
}




CW_STORE_CONTRACT(LedgerContractTest);

}  // namespace
}  // namespace clearway::store::contract
