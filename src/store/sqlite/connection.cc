#include "store/sqlite/connection.h"

#include <utility>

namespace clearway::store::sqlite::internal {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + sqlite3_errstr(rc);
  // errmsg adds detail (e.g. which constraint); it never carries bound values.
  if (db != nullptr && sqlite3_extended_errcode(db) == rc) {
    message += " (" + std::string(sqlite3_errmsg(db)) + ")";
  }
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::Unavailable("store-busy", message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error::DataLoss("store-corrupt", message);
    default:
      return Error::Internal("store-error", message);
  }
}

bool IsUniqueViolation(int extended_rc) {
  return extended_rc == SQLITE_CONSTRAINT_PRIMARYKEY || extended_rc == SQLITE_CONSTRAINT_UNIQUE;
}

// ---- Statement ------------------------------------------------------------------------------

Statement::Statement(sqlite3* db, sqlite3_stmt* borrowed, StmtPtr owned)
    : db_(db), stmt_(borrowed), owned_(std::move(owned)) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      owned_(std::move(other.owned_)),
      bind_rc_(other.bind_rc_),
      extended_rc_(other.extended_rc_) {}

void Statement::BindText(int index, std::string_view value) {
  // A non-null pointer even for "" so SQLite stores an empty text, not NULL.
  int rc = sqlite3_bind_text64(stmt_, index, value.empty() ? "" : value.data(), value.size(),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindBlob(int index, std::string_view value) {
  int rc = sqlite3_bind_blob64(stmt_, index, value.empty() ? "" : value.data(), value.size(),
                               SQLITE_TRANSIENT);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindBlobView(int index, std::string_view value) {
  int rc = sqlite3_bind_blob64(stmt_, index, value.empty() ? "" : value.data(), value.size(),
                               SQLITE_STATIC);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindInt(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) {
    extended_rc_ = bind_rc_;
    return SqliteError(nullptr, bind_rc_, "bind");
  }
  int rc = sqlite3_step(stmt_);
  extended_rc_ = rc;
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, "step");
}

Status Statement::Run() {
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, Step());
    if (!has_row) return OkStatus();
  }
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  if (blob == nullptr) return "";  // a zero-length blob reads as NULL
  return std::string(static_cast<const char*>(blob),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

// ---- Connection -----------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, Mode mode,
                                                     std::chrono::milliseconds busy_timeout) {
  // NOMUTEX: each connection is used by one thread at a time (the writer thread, or a reader
  // holding a pool lease), so SQLite's per-connection mutex would be pure overhead.
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW |
              (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);  // owned even on failure: open may allocate a handle that must be closed
  if (rc != SQLITE_OK) {
    return Error::FailedPrecondition(
        "store-open-failed", std::string("cannot open the database: ") + sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  rc = sqlite3_busy_timeout(db.get(), static_cast<int>(busy_timeout.count()));
  if (rc != SQLITE_OK) return SqliteError(db.get(), rc, "busy_timeout");
  // Statement journals and sorts stay in memory: SQLite otherwise creates, writes and unlinks
  // a file in the system's temporary directory for them (about one per filing, measured), and
  // what it spills there is this database's content.
  rc = sqlite3_exec(db.get(), "PRAGMA temp_store=MEMORY", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db.get(), rc, "temp_store");
  return std::unique_ptr<Connection>(new Connection(std::move(db)));
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  auto found = cache_.find(sql);
  if (found != cache_.end()) return Statement(db_.get(), found->second.get(), nullptr);
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "prepare");
  if (stmt == nullptr) return Error::Internal("store-error", "prepare: empty statement");
  if (cache_.size() >= kMaxCachedStatements) {
    sqlite3_stmt* borrowed = stmt.get();
    return Statement(db_.get(), borrowed, std::move(stmt));
  }
  sqlite3_stmt* borrowed = stmt.get();
  cache_.emplace(std::string(sql), std::move(stmt));
  return Statement(db_.get(), borrowed, nullptr);
}

Status Connection::Exec(const char* sql) {
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "exec");
  return OkStatus();
}

Result<std::string> Connection::QueryText(std::string_view sql) {
  CW_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return std::string();
  return stmt.ColumnText(0);
}

}  // namespace clearway::store::sqlite::internal
