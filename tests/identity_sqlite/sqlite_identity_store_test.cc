// What only the SQLite backend promises: the file, its mode, durability, the schema version,
// corrupt input, and compare-and-set between two connections to the same file.
#include "identity/sqlite/sqlite_identity_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <fstream>
#include <iterator>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "identity/tokens.h"
#include "identity_sqlite/identity_store_fixture.h"
#include "testing/matchers.h"

namespace clearway::identity::testing {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using sqlite::SqliteIdentityStore;

constexpr const char* kTrader = "DE987654321000001";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Runs SQL on the file directly, as another program would.
void ExecRaw(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(rc, SQLITE_OK) << (message != nullptr ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

int64_t QueryInt(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
  int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

class SqliteIdentityStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() / "identity.db";
    auto store = SqliteIdentityStore::Open(path_.string());
    ASSERT_THAT(store, IsOk());
    store_ = std::move(store).value();
    ASSERT_THAT(store_->AddOrganisation(
                    MakeOrganisation(kTrader, "Nordfleisch Import AG", OrganisationKind::kTrader)),
                IsOk());
  }

  TempDir dir_;
  std::filesystem::path path_;
  std::unique_ptr<SqliteIdentityStore> store_;
};

TEST_F(SqliteIdentityStoreTest, FileIsCreatedOwnerOnly) {
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::filesystem::path wal = path_.string() + "-wal";
  ASSERT_TRUE(std::filesystem::exists(wal));  // WAL mode
  ASSERT_EQ(::stat(wal.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(SqliteIdentityStoreTest, DataSurvivesReopen) {
  StoredUser clerk = MakeUser("clerk", kTrader, Role::kDeclarant);
  clerk.totp = MakeFactor(-1);
  clerk.recovery_codes = MakeCodes(2);
  ASSERT_THAT(store_->AddUser(clerk), IsOk());
  ASSERT_THAT(store_->ConfirmTotp("clerk", 7), IsOk());
  ASSERT_THAT(store_->ConsumeRecoveryCode("clerk", 0), IsOk());
  IssuedToken session = IssueSessionToken("clerk", kT0);
  ASSERT_THAT(store_->Put(session.record), IsOk());
  store_.reset();

  auto reopened = SqliteIdentityStore::Open(path_.string());
  ASSERT_THAT(reopened, IsOk());
  auto& store = **reopened;
  EXPECT_EQ(store.GetOrganisation(kTrader)->name, "Nordfleisch Import AG");
  auto found = store.GetUser("clerk");
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->totp->last_used_step, 7);
  EXPECT_TRUE(found->totp->confirmed);
  EXPECT_TRUE(found->recovery_codes[0].used);
  EXPECT_FALSE(found->recovery_codes[1].used);
  EXPECT_THAT(store.AdvanceTotpStep("clerk", 7), HasReason("totp-replayed"));
  EXPECT_THAT(AuthenticateToken(store, session.token, kT0), IsOk());
  EXPECT_EQ(QueryInt(path_, "SELECT MAX(version) FROM schema_migrations"), 1);
  EXPECT_EQ(QueryInt(path_, "SELECT COUNT(*) FROM schema_migrations"), 1);
}

TEST_F(SqliteIdentityStoreTest, OnlyTheHashOfATokenIsStored) {
  IssuedToken session = IssueSessionToken("clerk", kT0);
  auto api = IssueApiToken("bot", {TokenScope::kLedgerRead}, kT0, std::chrono::days(1));
  ASSERT_THAT(api, IsOk());
  ASSERT_THAT(store_->Put(session.record), IsOk());
  ASSERT_THAT(store_->Put(api->record), IsOk());
  // Every byte on disk: the database and its write-ahead log.
  std::string bytes = ReadFile(path_) + ReadFile(path_.string() + "-wal");
  for (const std::string& token : {session.token, api->token}) {
    std::string_view body = std::string_view(token).substr(kSessionTokenPrefix.size());
    EXPECT_FALSE(Contains(bytes, body)) << "token text is on disk";
  }
  // The hashes are there, so the search above does see the rows.
  std::string hash(session.record.hash.begin(), session.record.hash.end());
  EXPECT_TRUE(Contains(bytes, hash));
  EXPECT_EQ(QueryInt(path_, "SELECT COUNT(*) FROM tokens WHERE length(hash) = 32"), 2);
}

TEST_F(SqliteIdentityStoreTest, ConcurrentAdvanceFromTwoConnectionsSucceedsOnce) {
  // Two stores on one file stand for the server and the CLI: the mutex of one does not cover
  // the other, only the conditional UPDATE does.
  auto other = SqliteIdentityStore::Open(path_.string());
  ASSERT_THAT(other, IsOk());
  ASSERT_THAT(store_->AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  ASSERT_THAT(store_->SetTotp("clerk", MakeFactor(0)), IsOk());
  ASSERT_THAT(store_->SetRecoveryCodes("clerk", MakeCodes(5)), IsOk());
  std::array<IdentityStore*, 2> stores = {store_.get(), other->get()};
  for (int64_t step = 1; step <= 10; ++step) {
    std::latch start(2);
    std::atomic<int> totp_ok{0};
    std::atomic<int> code_ok{0};
    std::vector<std::thread> workers;
    for (IdentityStore* store : stores) {
      workers.emplace_back([&, store] {
        start.arrive_and_wait();
        if (store->AdvanceTotpStep("clerk", step).ok()) ++totp_ok;
        if (step <= 5 && store->ConsumeRecoveryCode("clerk", static_cast<size_t>(step - 1)).ok()) {
          ++code_ok;
        }
      });
    }
    for (auto& worker : workers) worker.join();
    EXPECT_EQ(totp_ok.load(), 1) << "step " << step;
    if (step <= 5) {
      EXPECT_EQ(code_ok.load(), 1) << "code " << step;
    }
  }
  EXPECT_EQ((*other)->GetUser("clerk")->totp->last_used_step, 10);
}

TEST_F(SqliteIdentityStoreTest, ANewerSchemaIsRefused) {
  store_.reset();
  ExecRaw(path_, "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)");
  auto opened = SqliteIdentityStore::Open(path_.string());
  EXPECT_THAT(opened, HasCode(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(opened, HasReason("schema-too-new"));
}

TEST_F(SqliteIdentityStoreTest, AFileThatIsNotADatabaseIsDataLoss) {
  std::filesystem::path junk = dir_.path() / "junk.db";
  {
    std::ofstream out(junk, std::ios::binary);
    out << std::string(4096, 'x');
  }
  auto opened = SqliteIdentityStore::Open(junk.string());
  EXPECT_THAT(opened, HasCode(ErrorCode::kDataLoss));
  EXPECT_THAT(opened, HasReason("identity-store-corrupt"));
}

TEST_F(SqliteIdentityStoreTest, AnUnreadableStoredValueIsDataLoss) {
  ASSERT_THAT(store_->AddUser(MakeUser("clerk", kTrader, Role::kDeclarant)), IsOk());
  ExecRaw(path_, "UPDATE users SET role = 'emperor' WHERE username = 'clerk'");
  EXPECT_THAT(store_->GetUser("clerk"), HasReason("identity-store-corrupt"));
  EXPECT_THAT(store_->ListUsers(kTrader), HasCode(ErrorCode::kDataLoss));
}

TEST_F(SqliteIdentityStoreTest, AMissingDirectoryIsUnavailable) {
  auto opened = SqliteIdentityStore::Open((dir_.path() / "no" / "such" / "identity.db").string());
  EXPECT_THAT(opened, HasCode(ErrorCode::kUnavailable));
  EXPECT_THAT(opened, HasReason("identity-store-failed"));
}

TEST_F(SqliteIdentityStoreTest, ForeignKeysAreEnforced) {
  // The store checks the organisation itself; the schema refuses an orphan too.
  EXPECT_EQ(QueryInt(path_, "SELECT COUNT(*) FROM pragma_foreign_key_list('users')"), 1);
  EXPECT_THAT(store_->AddUser(MakeUser("orphan", "XX000", Role::kDeclarant)),
              HasReason("organisation-not-found"));
}

}  // namespace
}  // namespace clearway::identity::testing
