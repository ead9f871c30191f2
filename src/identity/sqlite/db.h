// File: identity/sqlite/db.h  (internal to identity_sqlite)
//
// A small RAII layer over the SQLite C API for the identity database: a connection that caches
// its prepared statements, a Query that borrows one and resets it when it goes out of scope (so
// no read transaction stays open and later reads see other processes' commits), and a
// Transaction guard (BEGIN IMMEDIATE) that rolls back unless committed.
//
//   CW_ASSIGN_OR_RETURN(auto db, Db::Open(path));
//   CW_ASSIGN_OR_RETURN(Query q, db->Prepare("SELECT name FROM organisations WHERE id = ?1"));
//   q.Bind(1, id);
//   CW_ASSIGN_OR_RETURN(bool row, q.Step());
//
// Every SQLite failure becomes kUnavailable "identity-store-failed", except a file that is not
// a database or is corrupt: kDataLoss "identity-store-corrupt". Messages never hold bound
// values. Thread safety: none; SqliteIdentityStore serialises use with its mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

struct sqlite3;
struct sqlite3_stmt;

namespace clearway::identity::sqlite::internal {

struct DbCloser {
  void operator()(sqlite3* db) const;
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const;
};

// Query is a prepared statement borrowed from the Db's cache; move-only; resets and clears its
// bindings on destruction. Bind indexes start at 1, columns at 0.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  void Bind(int index, std::string_view text);
  void Bind(int index, int64_t value);
  void Bind(int index, Timestamp value) { Bind(index, value.time_since_epoch().count()); }
  void BindBlob(int index, std::span<const uint8_t> bytes);
  void BindNull(int index);

  // Step() is true when a row is ready, false when done; errors as the file block says. After
  // a failure, unique_violation() tells a PRIMARY KEY/UNIQUE conflict apart.
  Result<bool> Step();
  // Run() steps to completion, ignoring rows.
  Status Run();
  bool unique_violation() const { return unique_violation_; }

  std::string Text(int column) const;
  int64_t Int(int column) const;
  Timestamp Time(int column) const {
    return Timestamp(std::chrono::microseconds(Int(column)));
  }
  std::vector<uint8_t> Blob(int column) const;
  bool IsNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;
  bool unique_violation_ = false;
};

class Db {
 public:
  // Open() opens the database file, creating it with mode 0600 when missing (an existing file
  // keeps its mode), with foreign keys on, WAL, synchronous=FULL and a busy timeout. Errors:
  // kUnavailable "identity-store-failed" (cannot create or open), kDataLoss
  // "identity-store-corrupt" (not a database).
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Exec() runs statements that return nothing useful (DDL, BEGIN/COMMIT).
  Status Exec(std::string_view sql);
  // Prepare() gives the cached statement for `sql`. One Query per statement at a time.
  Result<Query> Prepare(const std::string& sql);
  // Changes() is the number of rows the last INSERT/UPDATE/DELETE changed.
  int64_t Changes() const;

 private:
  explicit Db(std::unique_ptr<sqlite3, DbCloser> db) : db_(std::move(db)) {}

  // db_ is declared first so it is destroyed last, after every cached statement is finalized.
  std::unique_ptr<sqlite3, DbCloser> db_;
  std::map<std::string, std::unique_ptr<sqlite3_stmt, StmtFinalizer>, std::less<>> statements_;
};

// Failure() maps a SQLite result code (as the file block says); `what` names the operation.
Error Failure(sqlite3* db, int rc, std::string_view what);

// Transaction is BEGIN IMMEDIATE ... COMMIT (a write; BeginRead(): BEGIN DEFERRED, one
// consistent snapshot for several reads), rolled back on destruction unless committed.
class Transaction {
 public:
  static Result<Transaction> Begin(Db& db);
  static Result<Transaction> BeginRead(Db& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Db& db) : db_(&db) {}
  Db* db_;
};

}  // namespace clearway::identity::sqlite::internal
