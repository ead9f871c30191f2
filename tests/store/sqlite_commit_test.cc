// What only SqliteStore does: WAL mode, owner-only files, its options and the files it refuses.
// The behaviour every backend shares is in the contract suite (contract_*_test.cc).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "store/sqlite/connection.h"
#include "store/sqlite_test_util.h"

namespace clearway::store::sqlite {
namespace {

using testing::HasCode;
using testing::HasDetail;
using testing::HasReason;
using testing::IsOk;

TEST_F(SqliteStoreTest, DatabaseUsesWalAndForeignKeys) {
  store_.reset();
  RawDb db = OpenRaw(options_.path);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
}

// Statement journals and sorts never spill to files under the system's temporary directory:
// they would hold this database's content outside its directory (and cost a file per filing).
TEST_F(SqliteStoreTest, ConnectionsKeepTemporaryDataInMemory) {
  for (auto mode : {internal::Connection::Mode::kReadWrite, internal::Connection::Mode::kReadOnly}) {
    auto db = internal::Connection::Open(options_.path, mode, std::chrono::milliseconds(1000));
    ASSERT_THAT(db, IsOk());
    auto temp_store = (*db)->QueryText("PRAGMA temp_store");
    ASSERT_THAT(temp_store, IsOk());
    EXPECT_EQ(*temp_store, "2");  // MEMORY
  }
}

TEST_F(SqliteStoreTest, FilesAreOwnerOnly) {
  ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("A", 1, At(1))))), IsOk());
  for (const char* name : {"clearway.db", "clearway.db-wal", "clearway.db-shm"}) {
    struct stat info {};
    ASSERT_EQ(::stat(File(name).c_str(), &info), 0) << name;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << name;
  }
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
  options = options_;
  options.checkpoint_pages = -1;
  EXPECT_THAT(SqliteStore::Open(options), HasDetail("checkpoint_pages", "bad-store-option"));
  options.checkpoint_pages = 1000001;
  EXPECT_THAT(SqliteStore::Open(options), HasDetail("checkpoint_pages", "bad-store-option"));
}

// CommitLargeVersions() files `count` declarations with 8 KB payloads (three pages each).
void CommitLargeVersions(SqliteStore& store, const std::string& prefix, int count) {
  for (int idx = 0; idx < count; ++idx) {
    DeclarationRow row = MakeRow(prefix + std::to_string(idx), 1, At(idx));
    row.payload = std::string(8192, static_cast<char>('a' + idx % 26));
    ASSERT_THAT(store.Commit(Sealed(NewVersion(row))), IsOk());
  }
}

void ExpectDeclarations(SqliteStore& store, int64_t expected) {
  auto count = store.CountDeclarations();
  ASSERT_THAT(count, IsOk());
  EXPECT_EQ(*count, expected);
}

// WaitForCheckpoints() waits (at most 30 s) until the checkpointer thread has run `count`.
int64_t WaitForCheckpoints(SqliteStore& store, int64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (store.stats().background_checkpoints < count &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return store.stats().background_checkpoints;
}

TEST_F(SqliteStoreTest, CheckpointerThreadCopiesTheWalIntoTheDatabase) {
  options_.checkpoint_pages = 16;
  Reopen();
  const auto empty_size = std::filesystem::file_size(File("clearway.db"));
  // Each commit adds several frames; 40 of them pass 16 frames many times over, and past
  // 4 x 16 frames the checkpointer restarts the WAL.
  CommitLargeVersions(*store_, "D", 40);
  EXPECT_GE(WaitForCheckpoints(*store_, 2), 2);
  // Only a checkpoint writes pages into the database file; the writer's own (automatic)
  // checkpoint would wait for 1000 frames.
  EXPECT_GT(std::filesystem::file_size(File("clearway.db")), empty_size + 8 * 8192);
  // Commits and reads carry on during and after the checkpoints.
  CommitLargeVersions(*store_, "E", 10);
  Reopen();
  ExpectDeclarations(*store_, 50);
  auto row = store_->GetDeclaration("D39", 1);
  ASSERT_THAT(row, IsOk());
  EXPECT_EQ(row->payload, std::string(8192, static_cast<char>('a' + 39 % 26)));
}

TEST_F(SqliteStoreTest, CheckpointPagesZeroLeavesTheCheckpointToTheWriter) {
  options_.checkpoint_pages = 0;
  Reopen();
  CommitLargeVersions(*store_, "D", 20);
  EXPECT_EQ(store_->stats().background_checkpoints, 0);
  EXPECT_EQ(store_->stats().units_committed, 20);
  Reopen();
  ExpectDeclarations(*store_, 20);
}

TEST_F(SqliteStoreTest, PurgeTruncatesTheWalWhileTheCheckpointerIsBusy) {
  options_.checkpoint_pages = 1;  // the checkpointer runs after every commit
  Reopen();
  for (int round = 0; round < 5; ++round) {
    const std::string id = "P" + std::to_string(round);
    ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow(id, 1, At(round))))), IsOk());
    CommitLargeVersions(*store_, id + "-", 10);
    UnitOfWork work;
    PurgeRow purge;
    purge.id = "purge-" + id;
    purge.purged_at = At(100);
    purge.actor = "system";
    purge.declarations.push_back({id, At(5)});
    work.purge = purge;
    ASSERT_THAT(store_->Commit(Sealed(std::move(work))), IsOk());
    // The shredded pages' old contents left the WAL before the purge was acknowledged.
    EXPECT_EQ(std::filesystem::file_size(File("clearway.db-wal")), 0u) << "round " << round;
  }
}

TEST_F(SqliteStoreTest, ClosingWithACheckpointDueLosesNothing) {
  options_.checkpoint_pages = 1;  // every commit asks for one
  Reopen();
  CommitLargeVersions(*store_, "D", 30);
  store_->Close();
  EXPECT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("late", 1, At(1))))),
              HasReason("store-closing"));
  Reopen();
  ExpectDeclarations(*store_, 30);
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

}  // namespace
}  // namespace clearway::store::sqlite
