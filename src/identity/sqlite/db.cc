#include "identity/sqlite/db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <utility>

namespace clearway::identity::sqlite::internal {

namespace {

constexpr int kBusyTimeoutMs = 5000;

}  // namespace

void DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void StmtFinalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Error Failure(sqlite3* db, int rc, std::string_view what) {
  // sqlite3_errmsg names the failing constraint or file; it never carries bound values.
  std::string message = "identity store: " + std::string(what) + ": " + sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_extended_errcode(db) == rc) {
    message += " (" + std::string(sqlite3_errmsg(db)) + ")";
  }
  int primary = rc & 0xFF;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    return Error::DataLoss("identity-store-corrupt", message);
  }
  return Error::Unavailable("identity-store-failed", message);
}

// ---- Query ----------------------------------------------------------------------------------

Query::Query(Query&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_rc_(other.bind_rc_),
      unique_violation_(other.unique_violation_) {}

Query::~Query() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Query::Bind(int index, std::string_view text) {
  // A non-null pointer even for "" so SQLite stores an empty text, not NULL.
  int rc = sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Query::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Query::BindBlob(int index, std::span<const uint8_t> bytes) {
  static const uint8_t kEmpty = 0;
  int rc = sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &kEmpty : bytes.data(), bytes.size(),
                               SQLITE_TRANSIENT);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Query::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Result<bool> Query::Step() {
  if (bind_rc_ != SQLITE_OK) return Failure(nullptr, bind_rc_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  unique_violation_ = rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE;
  return Failure(db_, rc, "step");
}

Status Query::Run() {
  while (true) {
    CW_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return OkStatus();
  }
}

std::string Query::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

int64_t Query::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::vector<uint8_t> Query::Blob(int column) const {
  const auto* blob = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  if (blob == nullptr) return {};  // a zero-length blob reads as NULL
  return std::vector<uint8_t>(blob, blob + sqlite3_column_bytes(stmt_, column));
}

bool Query::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

// ---- Db -------------------------------------------------------------------------------------

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  // Create the file ourselves so it never exists, even briefly, with the umask's wider mode.
  // SQLite gives the -wal and -shm files the mode of the database file.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error::Unavailable("identity-store-failed",
                              "cannot create or open the identity database " + path);
  }
  ::close(fd);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                           nullptr);
  std::unique_ptr<sqlite3, DbCloser> handle(raw);  // owned even when opening failed
  if (rc != SQLITE_OK) return Failure(nullptr, rc, "open " + path);
  sqlite3_extended_result_codes(handle.get(), 1);
  sqlite3_busy_timeout(handle.get(), kBusyTimeoutMs);
  std::unique_ptr<Db> db(new Db(std::move(handle)));
  CW_RETURN_IF_ERROR(
      db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
               "PRAGMA temp_store=MEMORY;"));
  return db;
}

Db::~Db() { statements_.clear(); }

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Failure(db_.get(), rc, "exec");
  return OkStatus();
}

Result<Query> Db::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return Query(db_.get(), it->second.get());
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt(raw);
  if (rc != SQLITE_OK) return Failure(db_.get(), rc, "prepare");
  if (stmt == nullptr) return Error::Internal("identity-store-failed", "prepare: empty statement");
  sqlite3_stmt* borrowed = stmt.get();
  statements_.emplace(sql, std::move(stmt));
  return Query(db_.get(), borrowed);
}

int64_t Db::Changes() const { return sqlite3_changes64(db_.get()); }

// ---- Transaction ----------------------------------------------------------------------------

Result<Transaction> Transaction::Begin(Db& db) {
  CW_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Result<Transaction> Transaction::BeginRead(Db& db) {
  CW_RETURN_IF_ERROR(db.Exec("BEGIN DEFERRED"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) db_->Exec("ROLLBACK").IgnoreError();
}

Status Transaction::Commit() {
  Db* db = std::exchange(db_, nullptr);
  Status committed = db->Exec("COMMIT");
  if (!committed.ok()) db->Exec("ROLLBACK").IgnoreError();
  return committed;
}

}  // namespace clearway::identity::sqlite::internal
