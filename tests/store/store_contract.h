// File: store/store_contract.h
//
// The store contract suite: what every Store backend must do, whatever it is built on. Each
// contract test is a TEST_P of StoreContractTest (or a fixture derived from it) and runs once
// per backend: `Sqlite/…` on a fresh SQLite file, `Postgres/…` on a fresh database of a
// throwaway PostgreSQL cluster (testing/pg_cluster.h, one per test process). CTest runs the two
// halves as `store` and `store_postgres` (label `postgres`). Backend-specific behaviour (WAL,
// file modes, the SQLite backfill) stays in the sqlite_*_test.cc files.
//
//   TEST_P(StoreContractTest, Something) {
//     ASSERT_THAT(store_->Commit(Sealed(NewVersion(MakeRow("A", 1, At(1))))), IsOk());
//     EXPECT_EQ(Raw("SELECT COUNT(*) FROM ledger_leaves"), 1);   // SQL both dialects accept
//   }
//   CW_STORE_CONTRACT(StoreContractTest);   // once per fixture, in one .cc file
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite_test_util.h"
#include "store/store.h"
#include "testing/matchers.h"
#include "testing/pg_cluster.h"

namespace clearway::store::contract {

using sqlite::At;
using sqlite::MakeRow;
using sqlite::NewVersion;
using sqlite::SealAll;
using sqlite::Sealed;

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// The group-commit counters both backends keep.
struct BatchStats {
  int64_t batches_committed = 0;
  int64_t units_committed = 0;
  int64_t units_failed = 0;
  int64_t largest_batch = 0;
};

class StoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (postgres()) {
      testing::PgCluster* cluster = testing::SharedPgCluster();
      ASSERT_NE(cluster, nullptr) << "no PostgreSQL cluster";
      url_ = cluster->CreateDatabase();
      ASSERT_FALSE(url_.empty());
    } else {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "clearway-store-XXXXXX").string();
      ASSERT_NE(mkdtemp(pattern.data()), nullptr);
      dir_ = pattern;
    }
    Reopen();
  }

  void TearDown() override {
    ResetStore();
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }

  bool postgres() const { return GetParam() == Backend::kPostgres; }

  // Reopen() closes the store (if open) and opens it again with the options below.
  void Reopen() {
    ResetStore();
    if (postgres()) {
      auto opened = postgres::PostgresStore::Open(PostgresOptions());
      ASSERT_THAT(opened, testing::IsOk());
      postgres_ = std::move(opened).value();
      store_ = postgres_.get();
    } else {
      auto opened = sqlite::SqliteStore::Open(SqliteOptions());
      ASSERT_THAT(opened, testing::IsOk());
      sqlite_ = std::move(opened).value();
      store_ = sqlite_.get();
    }
  }

  // ResetStore() destroys the store.
  void ResetStore() {
    store_ = nullptr;
    sqlite_.reset();
    postgres_.reset();
  }

  // OpenAnother() opens a second store on the same database, as another node (or process)
  // would; the caller owns it.
  Result<std::unique_ptr<Store>> OpenAnother() {
    if (postgres()) {
      auto opened = postgres::PostgresStore::Open(PostgresOptions());
      if (!opened.ok()) return std::move(opened).error();
      return std::unique_ptr<Store>(std::move(opened).value());
    }
    auto opened = sqlite::SqliteStore::Open(SqliteOptions());
    if (!opened.ok()) return std::move(opened).error();
    return std::unique_ptr<Store>(std::move(opened).value());
  }

  std::vector<Result<CommitReceipt>> CommitBatch(std::vector<UnitOfWork> units) {
    return postgres() ? postgres_->CommitBatch(std::move(units))
                      : sqlite_->CommitBatch(std::move(units));
  }

  void CloseStore() {
    if (postgres()) {
      postgres_->Close();
    } else {
      sqlite_->Close();
    }
  }

  BatchStats Stats() const {
    if (postgres()) {
      auto stats = postgres_->stats();
      return {stats.batches_committed, stats.units_committed, stats.units_failed,
              stats.largest_batch};
    }
    auto stats = sqlite_->stats();
    return {stats.batches_committed, stats.units_committed, stats.units_failed,
            stats.largest_batch};
  }

  int64_t SchemaVersion() const {
    return postgres() ? postgres::PostgresStore::SchemaVersion()
                      : sqlite::SqliteStore::SchemaVersion();
  }

  // Raw() runs SQL (valid on both backends) directly on the database and returns the first
  // column of the first row as an integer (-1 when there is none).
  int64_t Raw(const std::string& sql) {
    if (postgres()) {
      std::string value = testing::PgQuery(url_, sql);
      return value.empty() ? -1 : std::stoll(value);
    }
    sqlite::RawDb db = sqlite::OpenRaw(SqliteOptions().path);
    return sqlite::QueryInt(db.get(), sql.c_str());
  }

  // ExecRaw() runs SQL directly on the database; true when the database accepted it.
  bool ExecRaw(const std::string& sql) {
    if (postgres()) {
      PGconn* conn = PQconnectdb(url_.c_str());
      PGresult* result = PQexec(conn, sql.c_str());
      const bool accepted = PQresultStatus(result) == PGRES_COMMAND_OK ||
                            PQresultStatus(result) == PGRES_TUPLES_OK;
      PQclear(result);
      PQfinish(conn);
      return accepted;
    }
    sqlite::RawDb db = sqlite::OpenRaw(SqliteOptions().path);
    return sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  }

  sqlite::SqliteOptions SqliteOptions() const {
    sqlite::SqliteOptions options;
    options.path = (dir_ / "clearway.db").string();
    options.max_batch_units = max_batch_units_;
    options.max_batch_wait = max_batch_wait_;
    return options;
  }

  postgres::PostgresOptions PostgresOptions() const {
    postgres::PostgresOptions options;
    options.url = url_;
    options.max_batch_units = max_batch_units_;
    options.max_batch_wait = max_batch_wait_;
    return options;
  }

  int max_batch_units_ = 256;
  std::chrono::microseconds max_batch_wait_{0};
  std::filesystem::path dir_;  // SQLite
  std::string url_;            // PostgreSQL
  Store* store_ = nullptr;
  std::unique_ptr<sqlite::SqliteStore> sqlite_;
  std::unique_ptr<postgres::PostgresStore> postgres_;
};

}  // namespace clearway::store::contract

// CW_STORE_CONTRACT(Fixture) runs the fixture's TEST_Ps on both backends.
#define CW_STORE_CONTRACT(fixture)                                                      \
  INSTANTIATE_TEST_SUITE_P(Sqlite, fixture,                                             \
                           ::testing::Values(::clearway::store::contract::Backend::kSqlite), \
                           ::clearway::store::contract::BackendName);                   \
  INSTANTIATE_TEST_SUITE_P(Postgres, fixture,                                           \
                           ::testing::Values(::clearway::store::contract::Backend::kPostgres), \
                           ::clearway::store::contract::BackendName)
