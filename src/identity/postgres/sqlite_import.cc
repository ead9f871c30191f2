#include "identity/postgres/sqlite_import.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "identity/postgres/internal.h"
#include "identity/postgres/schema.h"

namespace clearway::identity::postgres {

namespace {

using internal::PgConnection;
using internal::PgParams;
using internal::PgRows;

enum class Column { kText, kInt, kBytes };

struct TableSpec {
  const char* name;  // on SQLite; on PostgreSQL with the "identity_" prefix
  std::vector<std::pair<const char*, Column>> columns;
  const char* order_by;
};

// Parents before children. Delegations are copied without their SQLite rowid, in its order:
// PostgreSQL numbers them again, in the same order, which is all DelegationsTo() relies on.
const std::vector<TableSpec>& Tables() {
  static const std::vector<TableSpec> tables = {
      {"organisations",
       {{"id", Column::kText}, {"name", Column::kText}, {"kind", Column::kText},
        {"require_mfa", Column::kInt}, {"created_at", Column::kInt}},
       "id"},
      {"delegations",
       {{"trader_id", Column::kText}, {"broker_id", Column::kText}, {"valid_from", Column::kInt},
        {"valid_to", Column::kInt}},
       "id"},
      {"users",
       {{"username", Column::kText}, {"organisation_id", Column::kText}, {"role", Column::kText},
        {"service_account", Column::kInt}, {"disabled", Column::kInt},
        {"password_hash", Column::kText}, {"totp_secret", Column::kBytes},
        {"totp_algorithm", Column::kText}, {"totp_confirmed", Column::kInt},
        {"totp_last_step", Column::kInt}, {"created_at", Column::kInt}},
       "username"},
      {"user_offices",
       {{"username", Column::kText}, {"idx", Column::kInt}, {"office", Column::kText}},
       "username, idx"},
      {"recovery_codes",
       {{"username", Column::kText}, {"idx", Column::kInt}, {"hash", Column::kBytes},
        {"used", Column::kInt}},
       "username, idx"},
      {"tokens",
       {{"hash", Column::kBytes}, {"user_id", Column::kText}, {"kind", Column::kText},
        {"scopes", Column::kText}, {"issued_at", Column::kInt}, {"expires_at", Column::kInt},
        {"absolute_expires_at", Column::kInt}, {"revoked", Column::kInt}},
       "hash"},
  };
  return tables;
}

constexpr int64_t kSchemaVersion = 1;  // the schema Tables() describes

struct SqliteClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct SqliteFinalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteClose>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, SqliteFinalize>;

Error SourceError(sqlite3* db, const std::string& what) {
  return Error::Unavailable("identity-store-failed", what + ": " + sqlite3_errmsg(db));
}

Result<StmtPtr> Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return SourceError(db, "reading the SQLite identity database");
  }
  return StmtPtr(raw);
}

Result<int64_t> SourceInt(sqlite3* db, const std::string& sql) {
  CW_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(db, sql));
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) {
    return SourceError(db, "reading the SQLite identity database");
  }
  return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
}

std::string Columns(const TableSpec& table) {
  std::string columns;
  for (const auto& [name, type] : table.columns) {
    static_cast<void>(type);
    columns += (columns.empty() ? "" : ", ") + std::string(name);
  }
  return columns;
}

Result<int64_t> CopyTable(sqlite3* source, PgConnection& target, const TableSpec& table) {
  const std::string columns = Columns(table);
  std::string placeholders;
  for (size_t idx = 0; idx < table.columns.size(); ++idx) {
    placeholders += (idx == 0 ? "$" : ", $") + std::to_string(idx + 1);
  }
  const std::string insert = "INSERT INTO identity_" + std::string(table.name) + " (" + columns +
                             ") VALUES (" + placeholders + ")";
  CW_ASSIGN_OR_RETURN(StmtPtr select, Prepare(source, "SELECT " + columns + " FROM " +
                                                          table.name + " ORDER BY " +
                                                          table.order_by));
  int64_t copied = 0;
  while (true) {
    const int rc = sqlite3_step(select.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return SourceError(source, "reading " + std::string(table.name));
    PgParams params;
    for (size_t idx = 0; idx < table.columns.size(); ++idx) {
      const int column = static_cast<int>(idx);
      if (sqlite3_column_type(select.get(), column) == SQLITE_NULL) {
        params.Null();
        continue;
      }
      if (table.columns[idx].second == Column::kInt) {
        // Flags are 0/1 on SQLite; PostgreSQL reads '0' and '1' as booleans.
        params.Int(sqlite3_column_int64(select.get(), column));
        continue;
      }
      const void* data = sqlite3_column_blob(select.get(), column);
      const auto size = static_cast<size_t>(sqlite3_column_bytes(select.get(), column));
      std::string_view bytes(static_cast<const char*>(data), data == nullptr ? 0 : size);
      if (table.columns[idx].second == Column::kText) {
        params.Text(bytes);
      } else {
        params.Bytes(bytes);
      }
    }
    CW_ASSIGN_OR_RETURN(PgRows inserted, target.Run(insert, params));
    static_cast<void>(inserted);
    ++copied;
  }
  return copied;
}

Status CopyAll(sqlite3* source, PgConnection& target, store::postgres::CopyReport& report) {
  for (const TableSpec& table : Tables()) {
    CW_ASSIGN_OR_RETURN(PgRows rows, target.RunOnce("SELECT EXISTS (SELECT 1 FROM identity_" +
                                                    std::string(table.name) + ")"));
    if (rows.Int(0, 0) != 0) {
      return Error::FailedPrecondition("target-not-empty",
                                       "the PostgreSQL identity directory already holds " +
                                           std::string(table.name) +
                                           "; copy into a new, empty database");
    }
  }
  for (const TableSpec& table : Tables()) {
    CW_ASSIGN_OR_RETURN(int64_t copied, CopyTable(source, target, table));
    CW_ASSIGN_OR_RETURN(int64_t in_source,
                        SourceInt(source, "SELECT COUNT(*) FROM " + std::string(table.name)));
    CW_ASSIGN_OR_RETURN(PgRows in_target, target.RunOnce("SELECT COUNT(*) FROM identity_" +
                                                         std::string(table.name)));
    if (in_source != copied || in_target.Int(0, 0) != copied) {
      return Error::DataLoss("copy-mismatch", std::string(table.name) + ": " +
                                                  std::to_string(in_source) +
                                                  " rows in the source, " +
                                                  std::to_string(in_target.Int(0, 0)) +
                                                  " in the target");
    }
    report.tables.emplace_back("identity_" + std::string(table.name), copied);
  }
  return OkStatus();
}

}  // namespace

Status CopyIdentityFromSqlite(const std::string& sqlite_path, PgConnection& target,
                              store::postgres::CopyReport& report) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sqlite_path, ec)) {
    return Error::NotFound("identity-store-not-found", "no identity database at " + sqlite_path);
  }
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(sqlite_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  SqlitePtr source(raw);
  if (opened != SQLITE_OK) return SourceError(raw, "opening " + sqlite_path);
  sqlite3_busy_timeout(source.get(), 5000);
  CW_ASSIGN_OR_RETURN(int64_t source_version,
                      SourceInt(source.get(), "SELECT COALESCE(MAX(version), 0) FROM "
                                              "schema_migrations"));
  CW_ASSIGN_OR_RETURN(
      PgRows target_rows,
      internal::Mapped(target.RunOnce("SELECT COALESCE(MAX(version), 0)::bigint FROM "
                                      "identity_schema_migrations")));
  const int64_t target_version = target_rows.Int(0, 0);
  if (source_version != kSchemaVersion || target_version != kSchemaVersion ||
      internal::IdentityMigrationCount() != kSchemaVersion) {
    return Error::FailedPrecondition(
        "schema-mismatch", "the identity database is at schema version " +
                               std::to_string(source_version) + " and the target at " +
                               std::to_string(target_version) + "; this build copies version " +
                               std::to_string(kSchemaVersion));
  }
  // One read transaction: the directory as of one moment.
  if (sqlite3_exec(source.get(), "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SourceError(source.get(), "reading the SQLite identity database");
  }
  Status copied = CopyAll(source.get(), target, report);
  sqlite3_exec(source.get(), "COMMIT", nullptr, nullptr, nullptr);
  if (!copied.ok()) return internal::IdentityError(std::move(copied).error());
  return OkStatus();
}

}  // namespace clearway::identity::postgres
