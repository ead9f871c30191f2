// What only SqliteStore does: WAL mode, owner-only files, its options and the files it refuses.
// The behaviour every backend shares is in the contract suite (contract_*_test.cc).
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
