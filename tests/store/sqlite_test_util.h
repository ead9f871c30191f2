// File: store/sqlite_test_util.h
//
// Shared pieces of the SQLite store tests: a fixture that opens a store on a fresh temporary
// directory (removed in TearDown) and builders for rows and units of work.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "store/ledger_records.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "testing/matchers.h"

namespace clearway::store::sqlite {

// At(seconds) is a timestamp that many seconds after 2026-01-01T00:00:00Z.
inline Timestamp At(int64_t seconds) {
  return Timestamp(std::chrono::microseconds((int64_t{1767225600} + seconds) * 1000000));
}

inline DeclarationRow MakeRow(const std::string& id, int64_t version, Timestamp created_at) {
  DeclarationRow row;
  row.id = id;
  row.version = version;
  row.organisation_id = "org-1";
  row.declarant_id = "user-1";
  row.office = "DE004700";
  row.type = "import";
  row.status = "submitted";
  row.channel = "";
  row.hs_chapters = "02,84";
  row.created_at = created_at;
  row.updated_at = created_at + std::chrono::seconds(version - 1);
  row.payload = R"({"id":")" + id + R"(","version":)" + std::to_string(version) + "}";
  return row;
}

// NewVersion() is the unit that files `row`: it expects the previous version to be current.
inline UnitOfWork NewVersion(const DeclarationRow& row) {
  UnitOfWork work;
  work.expected_current_versions.emplace_back(row.id, row.version - 1);
  work.declarations.push_back(row);
  return work;
}

// Sealed() gives every record of the unit its salt and ledger leaf (store::SealUnit), as the
// application does before it commits.
inline UnitOfWork Sealed(UnitOfWork work) {
  SealUnit(work);
  return work;
}

inline std::vector<UnitOfWork> SealAll(std::vector<UnitOfWork> units) {
  for (UnitOfWork& work : units) SealUnit(work);
  return units;
}

// RawDb opens the database file directly, for tests that inspect or tamper with it.
struct RawDbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using RawDb = std::unique_ptr<sqlite3, RawDbCloser>;

inline RawDb OpenRaw(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  RawDb db(raw);
  EXPECT_EQ(rc, SQLITE_OK);
  return db;
}

inline int64_t QueryInt(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "clearway-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    options_.path = (dir_ / "clearway.db").string();
    Reopen();
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Reopen() closes the store (if open) and opens the file again with options_.
  void Reopen() {
    store_.reset();
    auto opened = SqliteStore::Open(options_);
    ASSERT_THAT(opened, testing::IsOk());
    store_ = std::move(opened).value();
  }

  // File() is `name` inside the test's directory.
  std::string File(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
  SqliteOptions options_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace clearway::store::sqlite
