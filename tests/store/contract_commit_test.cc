// Store contract (both backends): group commit, concurrency, durability across reopening,
// migrations and closing.
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "ledger/merkle_log.h"
#include "store/store_contract.h"

namespace clearway::store::contract {
namespace {

using testing::HasCode;
using testing::HasDetail;
using testing::HasReason;
using testing::IsOk;

UnitOfWork WithKey(UnitOfWork work, const std::string& principal, const std::string& key) {
  work.idempotency =
      IdempotencyRow{principal, key, "hash", 201, "{}", work.declarations.at(0).id, At(0)};
  return work;
}

TEST_P(StoreContractTest, FailingUnitIsRolledBackAloneInItsBatch) {
  std::vector<UnitOfWork> units;
  units.push_back(WithKey(NewVersion(MakeRow("A", 1, At(1))), "user-1", "k"));
  units.push_back(WithKey(NewVersion(MakeRow("B", 1, At(2))), "user-1", "k"));  // same key
  units.push_back(WithKey(NewVersion(MakeRow("C", 1, At(3))), "user-1", "k2"));
  auto results = CommitBatch(SealAll(std::move(units)));

  ASSERT_EQ(results.size(), 3u);
  EXPECT_THAT(results[0], IsOk());
  EXPECT_THAT(results[1], HasCode(ErrorCode::kAlreadyExists));
  EXPECT_THAT(results[1], HasReason("duplicate-idempotency-key"));
  EXPECT_THAT(results[2], IsOk());
  EXPECT_THAT(store_->GetDeclaration("A", std::nullopt), IsOk());
  EXPECT_THAT(store_->GetDeclaration("B", std::nullopt), HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(store_->GetDeclaration("C", std::nullopt), IsOk());
  EXPECT_EQ(store_->GetIdempotency("user-1", "k")->resource_id, "A");

  BatchStats stats = Stats();
  EXPECT_EQ(stats.batches_committed, 1);
  EXPECT_EQ(stats.units_committed, 2);
  EXPECT_EQ(stats.units_failed, 1);
  EXPECT_EQ(stats.largest_batch, 3);
}

TEST_P(StoreContractTest, UnitsInABatchSeeEarlierUnitsOfTheSameBatch) {
  std::vector<UnitOfWork> units;
  units.push_back(NewVersion(MakeRow("A", 1, At(1))));
  units.push_back(NewVersion(MakeRow("A", 2, At(1))));  // expects version 1, just written
  units.push_back(NewVersion(MakeRow("A", 2, At(1))));  // now stale
  auto results = CommitBatch(SealAll(std::move(units)));
  EXPECT_THAT(results[0], IsOk());
  EXPECT_THAT(results[1], IsOk());
  EXPECT_THAT(results[2], HasReason("version-conflict"));
  EXPECT_EQ(store_->GetDeclaration("A", std::nullopt)->version, 2);
}

TEST_P(StoreContractTest, BatchWhereEveryUnitFailsCommitsNothing) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("A", 1, At(1))))), IsOk());
  std::vector<UnitOfWork> units;
  units.push_back(NewVersion(MakeRow("A", 1, At(1))));
  units.push_back(NewVersion(MakeRow("A", 1, At(1))));
  auto results = CommitBatch(SealAll(std::move(units)));
  EXPECT_THAT(results[0], HasCode(ErrorCode::kAborted));
  EXPECT_THAT(results[1], HasCode(ErrorCode::kAborted));
  EXPECT_EQ(Stats().batches_committed, 1);  // only the first Commit
  EXPECT_EQ(Stats().units_failed, 2);
}

TEST_P(StoreContractTest, BatchLimitSplitsLargeBatches) {
  max_batch_units_ = 2;
  Reopen();
  std::vector<UnitOfWork> units;
  for (int idx = 0; idx < 5; ++idx) {
    units.push_back(NewVersion(MakeRow("D" + std::to_string(idx), 1, At(idx))));
  }
  for (const auto& result : CommitBatch(SealAll(std::move(units)))) {
    EXPECT_THAT(result, IsOk());
  }
  BatchStats stats = Stats();
  EXPECT_EQ(stats.batches_committed, 3);
  EXPECT_EQ(stats.units_committed, 5);
  EXPECT_EQ(stats.largest_batch, 2);
}

TEST_P(StoreContractTest, ConcurrentCommitsLandExactlyOnceInSharedBatches) {
  constexpr int kThreads = 16;
  constexpr int kUnitsPerThread = 50;
  std::vector<std::vector<Result<CommitReceipt>>> results(kThreads);
  std::atomic<bool> writers_done{false};
  std::atomic<int> read_failures{0};
  std::thread reader([&] {
    // Reads run alongside the writer on the pool; each must succeed.
    while (!writers_done.load()) {
      if (!store_->ListDeclarations({}, PageRequest{20, ""}).ok()) ++read_failures;
      if (!store_->CountDeclarations().ok()) ++read_failures;
    }
  });
  std::vector<std::thread> writers;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    writers.emplace_back([&, thread_idx] {
      for (int unit_idx = 0; unit_idx < kUnitsPerThread; ++unit_idx) {
        std::string id = "T" + std::to_string(thread_idx) + "-" + std::to_string(unit_idx);
        UnitOfWork work = NewVersion(MakeRow(id, 1, At(unit_idx)));
        work.transitions.push_back({id, 1, 1, "", "submitted", "", "u", "", At(unit_idx)});
        results[static_cast<size_t>(thread_idx)].push_back(
            store_->Commit(Sealed(WithKey(std::move(work), "p" + std::to_string(thread_idx), id))));
      }
    });
  }
  for (auto& writer : writers) writer.join();
  writers_done = true;
  reader.join();

  for (const auto& per_thread : results) {
    for (const auto& result : per_thread) EXPECT_THAT(result, IsOk());
  }
  EXPECT_EQ(read_failures.load(), 0);
  constexpr int64_t kUnits = kThreads * kUnitsPerThread;
  EXPECT_EQ(*store_->CountDeclarations(), kUnits);
  auto page = store_->ListDeclarations({}, PageRequest{500, ""});
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->items.size(), 500u);
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    std::string id = "T" + std::to_string(thread_idx) + "-49";
    EXPECT_EQ(store_->ListTransitions(id)->size(), 1u);
    EXPECT_EQ(store_->GetIdempotency("p" + std::to_string(thread_idx), id)->resource_id, id);
  }
  BatchStats stats = Stats();
  EXPECT_EQ(stats.units_committed, kUnits);
  EXPECT_EQ(stats.units_failed, 0);
  EXPECT_LT(stats.batches_committed, kUnits);  // group commit shared transactions
  EXPECT_GT(stats.largest_batch, 1);
  EXPECT_LE(stats.largest_batch, kThreads);
}

TEST_P(StoreContractTest, EverythingSurvivesCloseAndReopen) {
  UnitOfWork work = WithKey(NewVersion(MakeRow("A", 1, At(1))), "user-1", "k");
  work.transitions.push_back({"A", 1, 1, "", "submitted", "", "u", "why", At(1)});
  ASSERT_THAT(store_->Commit(Sealed(std::move(work))), IsOk());
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("A", 2, At(1))))), IsOk());
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("B", 1, At(2))))), IsOk());

  Reopen();
  EXPECT_EQ(*store_->CountDeclarations(), 2);
  EXPECT_EQ(store_->GetDeclaration("A", std::nullopt)->version, 2);
  EXPECT_EQ(store_->GetDeclaration("A", 1)->payload, MakeRow("A", 1, At(1)).payload);
  EXPECT_EQ(store_->ListTransitions("A")->at(0).reason, "why");
  EXPECT_EQ(store_->GetIdempotency("user-1", "k")->resource_id, "A");
  EXPECT_EQ(Stats().batches_committed, 0);  // counters are per open
}

TEST_P(StoreContractTest, MigrationsAreRecordedOnceAcrossReopens) {
  Reopen();
  Reopen();
  ResetStore();
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM schema_migrations"), SchemaVersion());
  EXPECT_EQ(Raw("SELECT MAX(version) FROM schema_migrations"), SchemaVersion());
  EXPECT_GT(Raw("SELECT MIN(applied_at) FROM schema_migrations"), 0);
}


TEST_P(StoreContractTest, NewerSchemaIsRefused) {
  ResetStore();
  ASSERT_TRUE(ExecRaw("INSERT INTO schema_migrations (version, applied_at) VALUES (" +
                      std::to_string(SchemaVersion() + 1) + ", 1)"));
  auto opened = OpenAnother();
  EXPECT_THAT(opened, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(opened, HasReason("schema-too-new"));
}


TEST_P(StoreContractTest, CloseDrainsThenRefusesWrites) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("A", 1, At(1))))), IsOk());
  CloseStore();
  CloseStore();  // idempotent
  auto refused = store_->Commit(Sealed(NewVersion(MakeRow("B", 1, At(2)))));
  EXPECT_THAT(refused, HasCode(ErrorCode::kUnavailable));
  EXPECT_THAT(refused, HasReason("store-closing"));
  std::vector<UnitOfWork> units;
  units.push_back(NewVersion(MakeRow("C", 1, At(3))));
  EXPECT_THAT(CommitBatch(SealAll(std::move(units))).at(0), HasReason("store-closing"));
  EXPECT_THAT(store_->GetDeclaration("A", std::nullopt), IsOk());  // reads still work
  EXPECT_EQ(*store_->CountDeclarations(), 1);
}




TEST_P(StoreContractTest, BatchWaitOptionStillCommitsEveryUnit) {
  max_batch_wait_ = std::chrono::milliseconds(2);
  max_batch_units_ = 4;
  Reopen();
  std::vector<UnitOfWork> units;
  for (int idx = 0; idx < 4; ++idx) {
    units.push_back(NewVersion(MakeRow("D" + std::to_string(idx), 1, At(idx))));
  }
  for (const auto& result : CommitBatch(SealAll(std::move(units)))) {
    EXPECT_THAT(result, IsOk());
  }
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("E", 1, At(9))))), IsOk());  // a lone unit
  EXPECT_EQ(Stats().units_committed, 5);
  EXPECT_EQ(*store_->CountDeclarations(), 5);
}

// Two stores on one database, as two nodes (or processes) sharing it: every acknowledged unit
// is stored exactly once, the log has one leaf per record with no gap and no fork, and a
// compare-and-set race across the two stores has exactly one winner.
TEST_P(StoreContractTest, TwoStoresOnOneDatabaseKeepOneGaplessLog) {
  auto opened = OpenAnother();
  ASSERT_THAT(opened, IsOk());
  std::unique_ptr<Store> other = std::move(opened).value();
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("R", 1, At(0))))), IsOk());

  constexpr int kThreads = 8;
  constexpr int kUnitsPerThread = 20;
  std::vector<std::vector<std::pair<std::string, Result<CommitReceipt>>>> results(kThreads);
  std::vector<Result<CommitReceipt>> race;
  std::mutex race_mu;
  std::vector<std::thread> writers;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    writers.emplace_back([&, thread_idx] {
      Store& target = thread_idx % 2 == 0 ? *store_ : *other;
      for (int unit_idx = 0; unit_idx < kUnitsPerThread; ++unit_idx) {
        std::string id = "N" + std::to_string(thread_idx) + "-" + std::to_string(unit_idx);
        UnitOfWork work = NewVersion(MakeRow(id, 1, At(unit_idx)));
        work.transitions.push_back({id, 1, 1, "", "submitted", "", "u", "", At(unit_idx)});
        results[static_cast<size_t>(thread_idx)].emplace_back(
            id, target.Commit(Sealed(WithKey(std::move(work), "p", id))));
      }
      // Everyone amends R from version 1 at once: one amendment wins.
      Result<CommitReceipt> amended = target.Commit(Sealed(NewVersion(MakeRow("R", 2, At(0)))));
      std::scoped_lock lock(race_mu);
      race.push_back(std::move(amended));
    });
  }
  for (auto& writer : writers) writer.join();

  int race_winners = 0;
  for (const auto& result : race) {
    if (result.ok()) {
      ++race_winners;
    } else {
      EXPECT_THAT(result, HasReason("version-conflict"));
    }
  }
  EXPECT_EQ(race_winners, 1);

  std::set<uint64_t> indices = {0};  // R@v1
  for (const auto& per_thread : results) {
    for (const auto& [id, result] : per_thread) {
      ASSERT_THAT(result, IsOk()) << id;
      ASSERT_EQ(result->leaf_indices.size(), 2u);
      EXPECT_TRUE(indices.insert(result->leaf_indices[0]).second) << "index reused";
      EXPECT_TRUE(indices.insert(result->leaf_indices[1]).second) << "index reused";
      // The leaf at each index is this unit's record: no other node wrote there.
      EXPECT_EQ(store_->GetLeaf(result->leaf_indices[0])->record_id, id + "@v1");
      EXPECT_EQ(other->GetLeaf(result->leaf_indices[1])->record_id, id + "#1");
    }
  }
  for (const auto& result : race) {
    if (result.ok()) indices.insert(result->leaf_indices.at(0));
  }
  const uint64_t total = 1 + kThreads * kUnitsPerThread * 2 + 1;
  ASSERT_EQ(indices.size(), total);
  EXPECT_EQ(*indices.rbegin(), total - 1);  // 0..total-1: no gap
  EXPECT_EQ(store_->LedgerTree().LeafCount().value(), total);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM ledger_leaves"), static_cast<int64_t>(total));
  EXPECT_EQ(*store_->CountDeclarations(), 1 + kThreads * kUnitsPerThread);
  EXPECT_EQ(store_->GetDeclaration("R", std::nullopt)->version, 2);
  // Both stores see the same tree.
  ledger::MerkleLog mine(&store_->LedgerTree());
  ledger::MerkleLog theirs(&other->LedgerTree());
  EXPECT_EQ(mine.Root(total).value(), theirs.Root(total).value());
}

CW_STORE_CONTRACT(StoreContractTest);

}  // namespace
}  // namespace clearway::store::contract
