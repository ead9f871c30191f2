#include "store/postgres/sqlite_import.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "ledger/merkle_log.h"
#include "store/postgres/ledger_tables.h"
#include "store/postgres/locks.h"
#include "store/postgres/migrations.h"
#include "store/postgres/pg_connection.h"

namespace clearway::store::postgres {

namespace {

using internal::PgConnection;
using internal::PgParams;
using internal::PgRows;

enum class Column { kText, kInt, kBytes };

struct TableSpec {
  const char* name;
  std::vector<std::pair<const char*, Column>> columns;
  const char* order_by;  // the SQLite order rows are copied in
};

// Parents before children (foreign keys), and the schema's every table: a table added by a
// later migration must be added here too (the schema-version check below refuses a newer one).
const std::vector<TableSpec>& Tables() {
  static const std::vector<TableSpec> tables = {
      {"declarations",
       {{"id", Column::kText}, {"version", Column::kInt}, {"organisation_id", Column::kText},
        {"declarant_id", Column::kText}, {"office", Column::kText}, {"type", Column::kText},
        {"status", Column::kText}, {"channel", Column::kText}, {"hs_chapters", Column::kText},
        {"created_at", Column::kInt}, {"updated_at", Column::kInt}, {"payload", Column::kBytes},
        {"salt", Column::kBytes}},
       "id, version"},
      {"declaration_heads",
       {{"id", Column::kText}, {"version", Column::kInt}, {"organisation_id", Column::kText},
        {"office", Column::kText}, {"type", Column::kText}, {"status", Column::kText},
        {"channel", Column::kText}, {"created_at", Column::kInt}},
       "id"},
      {"transitions",
       {{"declaration_id", Column::kText}, {"sequence", Column::kInt}, {"version", Column::kInt},
        {"from_status", Column::kText}, {"to_status", Column::kText}, {"channel", Column::kText},
        {"actor", Column::kText}, {"reason", Column::kText}, {"at", Column::kInt},
        {"salt", Column::kBytes}},
       "declaration_id, sequence"},
      {"idempotency",
       {{"principal", Column::kText}, {"key", Column::kText}, {"request_hash", Column::kText},
        {"status_code", Column::kInt}, {"response_body", Column::kBytes},
        {"resource_id", Column::kText}, {"created_at", Column::kInt}},
       "principal, key"},
      {"assessments",
       {{"declaration_id", Column::kText}, {"version", Column::kInt}, {"at", Column::kInt},
        {"quote", Column::kBytes}, {"risk", Column::kBytes}, {"salt", Column::kBytes}},
       "declaration_id, version"},
      {"security_events",
       {{"id", Column::kText}, {"at", Column::kInt}, {"type", Column::kText},
        {"outcome", Column::kText}, {"actor", Column::kText}, {"event", Column::kBytes},
        {"salt", Column::kBytes}},
       "at, id"},
      {"data_keys",
       {{"declaration_id", Column::kText}, {"kek_id", Column::kText},
        {"kek_version", Column::kInt}, {"wrapped", Column::kBytes}, {"created_at", Column::kInt}},
       "declaration_id"},
      {"declaration_blind_indexes",
       {{"purpose", Column::kText}, {"idx", Column::kText}, {"declaration_id", Column::kText},
        {"version", Column::kInt}},
       "purpose, idx, declaration_id, version"},
      {"ledger_leaves",
       {{"idx", Column::kInt}, {"leaf_hash", Column::kBytes}, {"kind", Column::kText},
        {"record_id", Column::kText}, {"entry", Column::kBytes}},
       "idx"},
      {"ledger_nodes", {{"level", Column::kInt}, {"idx", Column::kInt}, {"hash", Column::kBytes}},
       "level, idx"},
      {"ledger_checkpoints",
       {{"size", Column::kInt}, {"root", Column::kBytes}, {"note", Column::kText},
        {"issued_at", Column::kInt}},
       "size"},
      // rowid: the order the cosignatures were received in, which PostgreSQL's seq keeps.
      {"ledger_cosignatures",
       {{"size", Column::kInt}, {"witness", Column::kText}, {"key_id", Column::kInt},
        {"line", Column::kText}, {"received_at", Column::kInt}},
       "rowid"},
      // Schema v6: legal holds, their releases and retention purges with their tombstones.
      {"legal_holds",
       {{"id", Column::kText}, {"scope", Column::kText}, {"target_id", Column::kText},
        {"case_reference", Column::kText}, {"reason", Column::kText}, {"placed_by", Column::kText},
        {"placed_at", Column::kInt}, {"salt", Column::kBytes}},
       "id"},
      {"legal_hold_releases",
       {{"hold_id", Column::kText}, {"released_by", Column::kText}, {"reason", Column::kText},
        {"released_at", Column::kInt}, {"salt", Column::kBytes}},
       "hold_id"},
      {"retention_purges",
       {{"id", Column::kText}, {"purged_at", Column::kInt}, {"actor", Column::kText},
        {"salt", Column::kBytes}},
       "id"},
      {"purged_declarations",
       {{"declaration_id", Column::kText}, {"purge_id", Column::kText},
        {"closed_at", Column::kInt}},
       "declaration_id"},
      {"purged_security_events", {{"event_id", Column::kText}, {"purge_id", Column::kText}},
       "event_id"},
  };
  return tables;
}

constexpr int64_t kSchemaVersion = 6;  // the schema Tables() describes

struct SqliteClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct SqliteFinalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteClose>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, SqliteFinalize>;

Error SourceError(sqlite3* db, const std::string& what) {
  return Error::Internal("store-error", what + ": " + sqlite3_errmsg(db));
}

Result<StmtPtr> Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return SourceError(db, "reading the SQLite store");
  }
  return StmtPtr(raw);
}

Result<int64_t> SourceInt(sqlite3* db, const std::string& sql) {
  CW_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(db, sql));
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return SourceError(db, "reading the SQLite store");
  return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
}

Status Discard(Result<PgRows> rows) {
  if (!rows.ok()) return std::move(rows).error();
  return OkStatus();
}

// CopyTable() copies every row of one table and returns how many it copied.
Result<int64_t> CopyTable(sqlite3* source, PgConnection& target, const TableSpec& table) {
  std::string columns;
  std::string placeholders;
  for (size_t idx = 0; idx < table.columns.size(); ++idx) {
    if (idx > 0) {
      columns += ", ";
      placeholders += ", ";
    }
    columns += table.columns[idx].first;
    placeholders += "$" + std::to_string(idx + 1);
  }
  const std::string insert = "INSERT INTO " + std::string(table.name) + " (" + columns +
                             ") VALUES (" + placeholders + ")";
  CW_ASSIGN_OR_RETURN(StmtPtr select,
                      Prepare(source, "SELECT " + columns + " FROM " + table.name +
                                          " ORDER BY " + table.order_by));
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
      switch (table.columns[idx].second) {
        case Column::kInt:
          params.Int(sqlite3_column_int64(select.get(), column));
          break;
        case Column::kText:
        case Column::kBytes: {
          const void* data = sqlite3_column_blob(select.get(), column);
          const auto size = static_cast<size_t>(sqlite3_column_bytes(select.get(), column));
          std::string_view bytes(static_cast<const char*>(data), data == nullptr ? 0 : size);
          if (table.columns[idx].second == Column::kText) {
            params.Text(bytes);
          } else {
            params.Bytes(bytes);
          }
          break;
        }
      }
    }
    CW_RETURN_IF_ERROR(Discard(target.Run(insert, params)));
    ++copied;
  }
  return copied;
}

// CheckCopy() compares what the target now holds with the source, inside the copy's
// transaction, so that a mismatch keeps nothing.
Status CheckCopy(sqlite3* source, PgConnection& target, CopyReport& report) {
  for (const auto& [table, copied] : report.tables) {
    CW_ASSIGN_OR_RETURN(int64_t in_source, SourceInt(source, "SELECT COUNT(*) FROM " + table));
    CW_ASSIGN_OR_RETURN(PgRows in_target, target.RunOnce("SELECT COUNT(*) FROM " + table));
    if (in_source != copied || in_target.Int(0, 0) != copied) {
      return Error::DataLoss("copy-mismatch", table + ": " + std::to_string(in_source) +
                                                  " rows in the source, " +
                                                  std::to_string(in_target.Int(0, 0)) +
                                                  " in the target");
    }
  }
  internal::ConnectionTree tree(target);
  CW_ASSIGN_OR_RETURN(report.leaves, tree.LeafCount());
  CW_ASSIGN_OR_RETURN(std::optional<CheckpointRow> latest, internal::QueryLatestCheckpoint(target));
  if (!latest.has_value()) return OkStatus();
  report.checkpoint_size = latest->size;
  ledger::MerkleLog log(&tree);
  Result<ledger::Hash> root = log.Root(latest->size);
  if (!root.ok() || *root != latest->root) {
    return Error::DataLoss("copy-mismatch",
                           "the copied tree does not have the latest checkpoint's root");
  }
  return OkStatus();
}

Status CopyAll(sqlite3* source, PgConnection& target, CopyReport& report) {
  CW_RETURN_IF_ERROR(Discard(target.Run("SELECT pg_advisory_xact_lock($1, $2)",
                                        PgParams()
                                            .Int(internal::kLockClass)
                                            .Int(internal::kAppendLock))));
  for (const TableSpec& table : Tables()) {
    CW_ASSIGN_OR_RETURN(PgRows rows, target.RunOnce("SELECT EXISTS (SELECT 1 FROM " +
                                                    std::string(table.name) + ")"));
    if (rows.Int(0, 0) != 0) {
      return Error::FailedPrecondition(
          "target-not-empty", "the PostgreSQL store already holds " + std::string(table.name) +
                                  "; copy into a new, empty database");
    }
  }
  for (const TableSpec& table : Tables()) {
    CW_ASSIGN_OR_RETURN(int64_t copied, CopyTable(source, target, table));
    report.tables.emplace_back(table.name, copied);
  }
  return CheckCopy(source, target, report);
}

}  // namespace

Result<CopyReport> CopySqliteToPostgres(const std::string& sqlite_path,
                                        const std::string& postgres_url, const CopyStep& also) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sqlite_path, ec)) {
    return Error::NotFound("store-not-found", "no SQLite store at " + sqlite_path);
  }
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(sqlite_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  SqlitePtr source(raw);
  if (opened != SQLITE_OK) return SourceError(raw, "opening " + sqlite_path);
  sqlite3_busy_timeout(source.get(), 5000);
  CW_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> target,
                      PgConnection::Open(postgres_url, "clearway-store-copy"));
  CW_ASSIGN_OR_RETURN(int64_t source_version,
                      SourceInt(source.get(), "SELECT COALESCE(MAX(version), 0) FROM "
                                              "schema_migrations"));
  CW_ASSIGN_OR_RETURN(int64_t target_version, internal::SchemaVersionOf(*target));
  if (source_version != kSchemaVersion || target_version != kSchemaVersion ||
      static_cast<int64_t>(internal::MigrationCount()) != kSchemaVersion) {
    return Error::FailedPrecondition(
        "schema-mismatch", "the source is at schema version " + std::to_string(source_version) +
                               " and the target at " + std::to_string(target_version) +
                               "; this build copies version " + std::to_string(kSchemaVersion) +
                               " (run `clearway store migrate` on both first)");
  }
  // One read transaction on the source (a consistent snapshot), one write transaction on the
  // target: the copy is all of one moment, and all or nothing.
  if (sqlite3_exec(source.get(), "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SourceError(source.get(), "reading the SQLite store");
  }
  CW_RETURN_IF_ERROR(target->Exec("BEGIN"));
  CopyReport report;
  Status copied = CopyAll(source.get(), *target, report);
  if (copied.ok() && also) copied = also(*target, report);
  sqlite3_exec(source.get(), "COMMIT", nullptr, nullptr, nullptr);
  if (!copied.ok()) {
    if (!target->Broken()) target->Exec("ROLLBACK").IgnoreError();
    return std::move(copied).error();
  }
  CW_RETURN_IF_ERROR(target->Exec("COMMIT"));
  return report;
}

}  // namespace clearway::store::postgres
