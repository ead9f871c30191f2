// File: store/postgres/sqlite_tables.h
//
// Copying whole tables of an SQLite database into tables of the PostgreSQL database, row by
// row as stored, for `clearway store copy`: the modules whose tables live beside the store's
// (the identity directory, the tariff) describe their tables and copy them inside the store
// copy's transaction (store/postgres/sqlite_import.h, CopyStep). Text is sent as text, integers
// as integers, blobs as bytea; NULL stays NULL. After each table the row counts of both sides
// are compared.
//
//   SqliteSource source;
//   CW_RETURN_IF_ERROR(source.Open("var/tariff.db", "tariff-store-failed"));
//   CW_RETURN_IF_ERROR(CopySqliteTables(source, target, kTariffTables, report));
//
// Thread safety: an SqliteSource is used by one thread; the functions keep no state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/sqlite_import.h"

struct sqlite3;

namespace clearway::store::postgres {

enum class SqliteColumn { kText, kInt, kBytes };

struct SqliteTableSpec {
  std::string source;  // the SQLite table
  std::string target;  // the PostgreSQL table
  std::vector<std::pair<std::string, SqliteColumn>> columns;  // same names on both sides
  std::string order_by;  // the SQLite order rows are copied in
};

// SqliteSource is an SQLite database opened read-only, inside one read transaction (a
// snapshot) until it is destroyed. Failures are kUnavailable `failure_reason`.
class SqliteSource {
 public:
  SqliteSource() = default;
  ~SqliteSource();
  SqliteSource(const SqliteSource&) = delete;
  SqliteSource& operator=(const SqliteSource&) = delete;

  Status Open(const std::string& path, std::string failure_reason);
  // Int() runs a query giving one integer (COUNT(*), MAX(version)).
  Result<int64_t> Int(const std::string& sql);
  sqlite3* db() const { return db_; }
  Error Failure(const std::string& what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string failure_reason_;
};

// CopySqliteTables() refuses a target whose tables hold rows (kFailedPrecondition
// "target-not-empty"), then copies each table in order, checks the counts (kDataLoss
// "copy-mismatch") and adds (target table, rows) to `report`. `what` names the data in
// messages ("the identity directory").
Status CopySqliteTables(SqliteSource& source, internal::PgConnection& target,
                        const std::vector<SqliteTableSpec>& tables, const std::string& what,
                        CopyReport& report);

}  // namespace clearway::store::postgres
