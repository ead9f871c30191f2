#include "store/postgres/sqlite_tables.h"

#include <sqlite3.h>

#include <filesystem>
#include <string_view>

namespace clearway::store::postgres {

using internal::PgConnection;
using internal::PgParams;
using internal::PgRows;

namespace {

struct SqliteFinalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, SqliteFinalize>;

Result<StmtPtr> Prepare(SqliteSource& source, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(source.db(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return source.Failure("reading the SQLite database");
  }
  return StmtPtr(raw);
}

std::string Columns(const SqliteTableSpec& table) {
  std::string columns;
  for (const auto& column : table.columns) columns += (columns.empty() ? "" : ", ") + column.first;
  return columns;
}

Result<int64_t> CopyTable(SqliteSource& source, PgConnection& target,
                          const SqliteTableSpec& table) {
  const std::string columns = Columns(table);
  std::string placeholders;
  for (size_t idx = 0; idx < table.columns.size(); ++idx) {
    placeholders += (idx == 0 ? "$" : ", $") + std::to_string(idx + 1);
  }
  const std::string insert =
      "INSERT INTO " + table.target + " (" + columns + ") VALUES (" + placeholders + ")";
  CW_ASSIGN_OR_RETURN(StmtPtr select, Prepare(source, "SELECT " + columns + " FROM " +
                                                          table.source + " ORDER BY " +
                                                          table.order_by));
  int64_t copied = 0;
  while (true) {
    const int rc = sqlite3_step(select.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return source.Failure("reading " + table.source);
    PgParams params;
    for (size_t idx = 0; idx < table.columns.size(); ++idx) {
      const int column = static_cast<int>(idx);
      if (sqlite3_column_type(select.get(), column) == SQLITE_NULL) {
        params.Null();
        continue;
      }
      if (table.columns[idx].second == SqliteColumn::kInt) {
        // Flags are 0/1 on SQLite; PostgreSQL reads '0' and '1' as booleans.
        params.Int(sqlite3_column_int64(select.get(), column));
        continue;
      }
      const void* data = sqlite3_column_blob(select.get(), column);
      const auto size = static_cast<size_t>(sqlite3_column_bytes(select.get(), column));
      std::string_view bytes(static_cast<const char*>(data), data == nullptr ? 0 : size);
      if (table.columns[idx].second == SqliteColumn::kText) {
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

}  // namespace

SqliteSource::~SqliteSource() {
  if (db_ == nullptr) return;
  sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close_v2(db_);
}

Error SqliteSource::Failure(const std::string& what) const {
  return Error::Unavailable(failure_reason_,
                            what + ": " + (db_ != nullptr ? sqlite3_errmsg(db_) : "not open"));
}

Status SqliteSource::Open(const std::string& path, std::string failure_reason) {
  failure_reason_ = std::move(failure_reason);
  const int opened = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
  if (opened != SQLITE_OK) return Failure("opening " + path);
  sqlite3_busy_timeout(db_, 5000);
  // One read transaction: the database as of one moment.
  if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Failure("reading " + path);
  }
  return OkStatus();
}

Result<int64_t> SqliteSource::Int(const std::string& sql) {
  CW_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(*this, sql));
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return Failure("reading the SQLite database");
  return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
}

Status CopySqliteTables(SqliteSource& source, PgConnection& target,
                        const std::vector<SqliteTableSpec>& tables, const std::string& what,
                        CopyReport& report) {
  for (const SqliteTableSpec& table : tables) {
    CW_ASSIGN_OR_RETURN(PgRows rows,
                        target.RunOnce("SELECT EXISTS (SELECT 1 FROM " + table.target + ")"));
    if (rows.Int(0, 0) != 0) {
      return Error::FailedPrecondition("target-not-empty", "the PostgreSQL " + what +
                                                               " already holds " + table.source +
                                                               "; copy into a new, empty database");
    }
  }
  for (const SqliteTableSpec& table : tables) {
    CW_ASSIGN_OR_RETURN(int64_t copied, CopyTable(source, target, table));
    CW_ASSIGN_OR_RETURN(int64_t in_source, source.Int("SELECT COUNT(*) FROM " + table.source));
    CW_ASSIGN_OR_RETURN(PgRows in_target, target.RunOnce("SELECT COUNT(*) FROM " + table.target));
    if (in_source != copied || in_target.Int(0, 0) != copied) {
      return Error::DataLoss("copy-mismatch",
                             table.source + ": " + std::to_string(in_source) +
                                 " rows in the source, " + std::to_string(in_target.Int(0, 0)) +
                                 " in the target");
    }
    report.tables.emplace_back(table.target, copied);
  }
  return OkStatus();
}

}  // namespace clearway::store::postgres
