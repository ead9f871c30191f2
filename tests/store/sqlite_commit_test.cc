// Group commit, concurrency, durability, migrations and opening of SqliteStore.
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "store/sqlite_test_util.h"

namespace clearway::store::sqlite {
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

TEST_F(SqliteStoreTest, FailingUnitIsRolledBackAloneInItsBatch) {
  std::vector<UnitOfWork> units;
  units.push_back(WithKey(NewVersion(MakeRow("A", 1, At(1))), "user-1", "k"));
  units.push_back(WithKey(NewVersion(MakeRow("B", 1, At(2))), "user-1", "k"));  // same key
  units.push_back(WithKey(NewVersion(MakeRow("C", 1, At(3))), "user-1", "k2"));
  auto results = store_->CommitBatch(SealAll(std::move(units)));

  ASSERT_EQ(results.size(), 3u);
  EXPECT_THAT(results[0], IsOk());
  EXPECT_THAT(results[1], HasCode(ErrorCode::kAlreadyExists));
  EXPECT_THAT(results[1], HasReason("duplicate-idempotency-key"));
  EXPECT_THAT(results[2], IsOk());
  EXPECT_THAT(store_->GetDeclaration("A", std::nullopt), IsOk());
  EXPECT_THAT(store_->GetDeclaration("B", std::nullopt), HasCode(ErrorCode::kNotFound));
  EXPECT_THAT(store_->GetDeclaration("C", std::nullopt), IsOk());
  EXPECT_EQ(store_->GetIdempotency("user-1", "k")->resource_id, "A");

  SqliteStoreStats stats = store_->stats();
  EXPECT_EQ(stats.batches_committed, 1);
  EXPECT_EQ(stats.units_committed, 2);
  EXPECT_EQ(stats.units_failed, 1);
  EXPECT_EQ(stats.largest_batch, 3);
}

TEST_F(SqliteStoreTest, UnitsInABatchSeeEarlierUnitsOfTheSameBatch) {
  std::vector<UnitOfWork> units;
  units.push_back(NewVersion(MakeRow("A", 1, At(1))));
  units.push_back(NewVersion(MakeRow("A", 2, At(1))));  // expects version 1, just written
  units.push_back(NewVersion(MakeRow("A", 2, At(1))));  // now stale
  auto results = store_->CommitBatch(SealAll(std::move(units)));
  EXPECT_THAT(results[0], IsOk());
  EXPECT_THAT(results[1], IsOk());
  EXPECT_THAT(results[2], HasReason("version-conflict"));
  EXPECT_EQ(store_->GetDeclaration("A", std::nullopt)->version, 2);
}

TEST_F(SqliteStoreTest, BatchWhereEveryUnitFailsCommitsNothing) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("A", 1, At(1))))), IsOk());
  std::vector<UnitOfWork> units;
  units.push_back(NewVersion(MakeRow("A", 1, At(1))));
  units.push_back(NewVersion(MakeRow("A", 1, At(1))));
  auto results = store_->CommitBatch(SealAll(std::move(units)));
  EXPECT_THAT(results[0], HasCode(ErrorCode::kAborted));
  EXPECT_THAT(results[1], HasCode(ErrorCode::kAborted));
  EXPECT_EQ(store_->stats().batches_committed, 1);  // only the first Commit
  EXPECT_EQ(store_->stats().units_failed, 2);
}

TEST_F(SqliteStoreTest, BatchLimitSplitsLargeBatches) {
  options_.max_batch_units = 2;
  Reopen();
  std::vector<UnitOfWork> units;
  for (int idx = 0; idx < 5; ++idx) {
    units.push_back(NewVersion(MakeRow("D" + std::to_string(idx), 1, At(idx))));
  }
  for (const auto& result : store_->CommitBatch(SealAll(std::move(units)))) {
    EXPECT_THAT(result, IsOk());
  }
  SqliteStoreStats stats = store_->stats();
  EXPECT_EQ(stats.batches_committed, 3);
  EXPECT_EQ(stats.units_committed, 5);
  EXPECT_EQ(stats.largest_batch, 2);
}

TEST_F(SqliteStoreTest, ConcurrentCommitsLandExactlyOnceInSharedBatches) {
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
  SqliteStoreStats stats = store_->stats();
  EXPECT_EQ(stats.units_committed, kUnits);
  EXPECT_EQ(stats.units_failed, 0);
  EXPECT_LT(stats.batches_committed, kUnits);  // group commit shared transactions
  EXPECT_GT(stats.largest_batch, 1);
  EXPECT_LE(stats.largest_batch, kThreads);
}

TEST_F(SqliteStoreTest, EverythingSurvivesCloseAndReopen) {
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
  EXPECT_EQ(store_->stats().batches_committed, 0);  // counters are per open
}

TEST_F(SqliteStoreTest, MigrationsAreRecordedOnceAcrossReopens) {
  Reopen();
  Reopen();
  store_.reset();
  RawDb db = OpenRaw(options_.path);
  EXPECT_EQ(QueryInt(db.get(), "SELECT COUNT(*) FROM schema_migrations"),
            SqliteStore::SchemaVersion());
  EXPECT_EQ(QueryInt(db.get(), "SELECT MAX(version) FROM schema_migrations"),
            SqliteStore::SchemaVersion());
  EXPECT_GT(QueryInt(db.get(), "SELECT MIN(applied_at) FROM schema_migrations"), 0);
}

TEST_F(SqliteStoreTest, DatabaseUsesWalAndForeignKeys) {
  store_.reset();
  RawDb db = OpenRaw(options_.path);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefused) {
  store_.reset();
  {
    RawDb db = OpenRaw(options_.path);
    std::string sql = "INSERT INTO schema_migrations (version, applied_at) VALUES (" +
                      std::to_string(SqliteStore::SchemaVersion() + 1) + ", 1)";
    ASSERT_EQ(sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }
  auto opened = SqliteStore::Open(options_);
  EXPECT_THAT(opened, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(opened, HasReason("schema-too-new"));
}

TEST_F(SqliteStoreTest, FilesAreOwnerOnly) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("A", 1, At(1))))), IsOk());
  for (const char* name : {"clearway.db", "clearway.db-wal", "clearway.db-shm"}) {
    struct stat info {};
    ASSERT_EQ(::stat(File(name).c_str(), &info), 0) << name;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << name;
  }
}

TEST_F(SqliteStoreTest, CloseDrainsThenRefusesWrites) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("A", 1, At(1))))), IsOk());
  store_->Close();
  store_->Close();  // idempotent
  auto refused = store_->Commit(Sealed(NewVersion(MakeRow("B", 1, At(2)))));
  EXPECT_THAT(refused, HasCode(ErrorCode::kUnavailable));
  EXPECT_THAT(refused, HasReason("store-closing"));
  std::vector<UnitOfWork> units;
  units.push_back(NewVersion(MakeRow("C", 1, At(3))));
  EXPECT_THAT(store_->CommitBatch(SealAll(std::move(units))).at(0), HasReason("store-closing"));
  EXPECT_THAT(store_->GetDeclaration("A", std::nullopt), IsOk());  // reads still work
  EXPECT_EQ(*store_->CountDeclarations(), 1);
}

TEST_F(SqliteStoreTest, BadOptionsAreRefused) {
  SqliteOptions options = options_;
  options.path = "";
  EXPECT_THAT(SqliteStore::Open(options), HasDetail("path", "bad-store-option"));
  options = options_;
  options.path = ":memory:";
  EXPECT_THAT(SqliteStore::Open(options), HasDetail("path", "bad-store-option"));
  options = options_;
  options.max_batch_units = 0;
  EXPECT_THAT(SqliteStore::Open(options), HasDetail("max_batch_units", "bad-store-option"));
  options = options_;
  options.read_connections = 0;
  EXPECT_THAT(SqliteStore::Open(options), HasDetail("read_connections", "bad-store-option"));
  options = options_;
  options.busy_timeout = std::chrono::milliseconds(-1);
  EXPECT_THAT(SqliteStore::Open(options), HasDetail("busy_timeout", "bad-store-option"));
  options = options_;
  options.max_batch_wait = std::chrono::seconds(2);
  EXPECT_THAT(SqliteStore::Open(options), HasDetail("max_batch_wait", "bad-store-option"));
}

TEST_F(SqliteStoreTest, MissingDirectoryIsRefused) {
  SqliteOptions options = options_;
  options.path = File("no-such-dir/clearway.db");
  auto opened = SqliteStore::Open(options);
  EXPECT_THAT(opened, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(opened, HasReason("store-open-failed"));
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseIsDataLoss) {
  {
    std::ofstream garbage(File("garbage.db"), std::ios::binary);
    garbage << std::string(4096, 'x');
  }
  SqliteOptions options = options_;
  options.path = File("garbage.db");
  auto opened = SqliteStore::Open(options);
  EXPECT_THAT(opened, HasCode(ErrorCode::kDataLoss));
  EXPECT_THAT(opened, HasReason("store-corrupt"));
}

TEST_F(SqliteStoreTest, BatchWaitOptionStillCommitsEveryUnit) {
  options_.max_batch_wait = std::chrono::milliseconds(2);
  options_.max_batch_units = 4;
  Reopen();
  std::vector<UnitOfWork> units;
  for (int idx = 0; idx < 4; ++idx) {
    units.push_back(NewVersion(MakeRow("D" + std::to_string(idx), 1, At(idx))));
  }
  for (const auto& result : store_->CommitBatch(SealAll(std::move(units)))) {
    EXPECT_THAT(result, IsOk());
  }
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("E", 1, At(9))))), IsOk());  // a lone unit
  EXPECT_EQ(store_->stats().units_committed, 5);
  EXPECT_EQ(*store_->CountDeclarations(), 5);
}

}  // namespace
}  // namespace clearway::store::sqlite
