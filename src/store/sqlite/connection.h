// File: store/sqlite/connection.h  (internal to the SQLite backend)
//
// Thin RAII layer over the SQLite C API: a Connection owns a sqlite3* and caches its prepared
// statements; a Statement borrows one of them and resets it when it goes out of scope, so a
// read never keeps its snapshot (and the WAL) pinned after the caller is done.
//
//   CW_ASSIGN_OR_RETURN(auto conn, Connection::Open(path, Connection::Mode::kReadOnly, 5s));
//   CW_ASSIGN_OR_RETURN(Statement stmt, conn->Prepare("SELECT version FROM ... WHERE id = ?"));
//   stmt.BindText(1, id);
//   CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
//
// A Connection is used by one thread at a time (the caller serialises); it is not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "common/result.h"
#include "common/time.h"

namespace clearway::store::sqlite::internal {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// SqliteError() maps a SQLite result code to an Error: SQLITE_BUSY/LOCKED (after the busy
// timeout) is kUnavailable "store-busy", SQLITE_CORRUPT/NOTADB is kDataLoss "store-corrupt",
// everything else kInternal "store-error". `what` names the operation for the message.
Error SqliteError(sqlite3* db, int rc, std::string_view what);

// IsUniqueViolation() is true for a PRIMARY KEY or UNIQUE constraint failure (extended code).
bool IsUniqueViolation(int extended_rc);

// Statement is a prepared statement borrowed from a Connection's cache (or owned, when the
// cache is full). Bind indexes start at 1, column indexes at 0, as in SQLite. Binding copies
// the value. Move-only; resets and clears its bindings on destruction.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* borrowed, StmtPtr owned);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void BindText(int index, std::string_view value);
  void BindBlob(int index, std::string_view value);
  // BindBlobView() binds without copying: `value` must stay alive and unchanged until this
  // Statement is destroyed (it resets the statement). For large values, such as a payload.
  void BindBlobView(int index, std::string_view value);
  void BindInt(int index, int64_t value);
  void BindTime(int index, Timestamp value) { BindInt(index, value.time_since_epoch().count()); }

  // Step() returns true when a row is ready, false when the statement is done, or the mapped
  // error (a failed bind surfaces here). extended_rc() then holds SQLite's extended code.
  Result<bool> Step();
  // Run() steps a statement to completion, ignoring any rows.
  Status Run();

  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  std::string ColumnBlob(int column) const;
  Timestamp ColumnTime(int column) const {
    return Timestamp(std::chrono::microseconds(ColumnInt(column)));
  }

  int extended_rc() const { return extended_rc_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  StmtPtr owned_;
  int bind_rc_ = SQLITE_OK;
  int extended_rc_ = SQLITE_OK;
};

class Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Open() opens an existing database file (the caller creates it with the right mode) with
  // extended result codes and the busy timeout set. kFailedPrecondition "store-open-failed"
  // when SQLite cannot open it.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, Mode mode,
                                                  std::chrono::milliseconds busy_timeout);

  // Prepare() returns the statement for `sql`, compiled on first use and cached afterwards.
  // A statement must not be prepared again while a Statement for it is alive.
  Result<Statement> Prepare(std::string_view sql);

  // Exec() runs one or more statements that return nothing useful (DDL, pragmas).
  Status Exec(const char* sql);

  // QueryText() runs a statement and returns the first column of its first row ("" if none).
  Result<std::string> QueryText(std::string_view sql);

  sqlite3* get() const { return db_.get(); }

 private:
  explicit Connection(DbPtr db) : db_(std::move(db)) {}

  // Dynamic list queries vary with their filters; past this many, extra ones are not cached.
  static constexpr size_t kMaxCachedStatements = 64;

  // db_ is declared first so it is destroyed last, after every cached statement is finalized.
  DbPtr db_;
  // Looked up by string_view (transparent hash), so a cache hit allocates nothing.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, StmtPtr, SqlHash, std::equal_to<>> cache_;
};

}  // namespace clearway::store::sqlite::internal
