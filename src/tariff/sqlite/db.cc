#include "tariff/sqlite/db.h"

#include <sqlite3.h>
#include <sys/stat.h>

namespace clearway::tariff::sqlite::internal {

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Stmt::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void Stmt::Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void Stmt::BindNull(int index) { sqlite3_bind_null(stmt_, index); }

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error::Unavailable("tariff-store-failed",
                            std::string("tariff store: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
}

std::string Stmt::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Stmt::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

double Stmt::Real(int column) const { return sqlite3_column_double(stmt_, column); }

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<Db> db(new Db(raw));  // owns raw even when opening failed
  if (rc != SQLITE_OK) {
    return Error::Unavailable("tariff-store-failed", "cannot open the tariff store " + path);
  }
  if (path != ":memory:") ::chmod(path.c_str(), 0600);
  sqlite3_busy_timeout(raw, 5000);
  // temp_store: statement journals and sorts in memory, not in files under /var/tmp.
  Status wal = db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;");
  if (!wal.ok()) {
    if (sqlite3_errcode(raw) == SQLITE_NOTADB) {
      return Error::DataLoss("tariff-store-corrupt", path + " is not a tariff database");
    }
    return wal.error();
  }
  return db;
}

Db::~Db() {
  statements_.clear();  // finalize before closing
  sqlite3_close(db_);
}

void Db::EndReads() {
  for (auto& [sql, stmt] : statements_) stmt->Reset();
}

Error Db::Failure(std::string_view what) const {
  return Error::Unavailable("tariff-store-failed",
                            std::string("tariff store: ") + std::string(what) + ": " +
                                sqlite3_errmsg(db_));
}

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Failure("exec");
  }
  return OkStatus();
}

Result<Stmt*> Db::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    return Failure("prepare");
  }
  auto stmt = std::make_unique<Stmt>(raw);
  Stmt* out = stmt.get();
  statements_.emplace(sql, std::move(stmt));
  return out;
}

Result<Transaction> Transaction::Begin(Db& db) {
  // A statement stepped short of its end (a look-up by key, a SUM) keeps its read snapshot
  // open past the last COMMIT; once another connection (another process's import) has
  // committed, upgrading that stale snapshot to a write fails at once with "database is
  // locked" whatever the busy timeout. Reset them first, so the write starts from the latest.
  db.EndReads();
  CW_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) db_->Exec("ROLLBACK").IgnoreError();
}

Status Transaction::Commit() {
  Db* db = db_;
  db_ = nullptr;
  Status committed = db->Exec("COMMIT");
  if (!committed.ok()) db->Exec("ROLLBACK").IgnoreError();
  return committed;
}

}  // namespace clearway::tariff::sqlite::internal
