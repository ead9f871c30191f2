// File: tariff/sqlite/db.h
//
// A minimal RAII layer over the SQLite C API for the tariff store: a connection that owns its
// prepared statements (cached by SQL text), statements with typed binds and columns, and a
// transaction guard that rolls back unless committed. Every SQLite failure becomes a Result
// error kUnavailable "tariff-store-failed" (kDataLoss "tariff-store-corrupt" for a file that is
// not a database). Internal to tariff_sqlite.
//
//   CW_ASSIGN_OR_RETURN(auto db, Db::Open(path));
//   CW_ASSIGN_OR_RETURN(Stmt* stmt, db->Prepare("SELECT 1 WHERE ?1 = 1"));
//   stmt->Bind(1, int64_t{1});
//   CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
//
// Thread safety: none; the store serialises access with its mutex.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace clearway::tariff::sqlite::internal {

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Reset() clears the previous run and its bindings; Prepare() calls it.
  void Reset();
  void Bind(int index, std::string_view text);
  void Bind(int index, int64_t value);
  void BindNull(int index);
  // Step() is true when a row is ready, false when done.
  Result<bool> Step();
  std::string Text(int column) const;
  int64_t Int(int column) const;
  bool IsNull(int column) const;
  double Real(int column) const;

 private:
  sqlite3_stmt* stmt_;
};

class Db {
 public:
  // Open() opens or creates the database file (mode 0600) in WAL mode, synchronous=FULL.
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  Status Exec(std::string_view sql);
  // Prepare() gives the cached statement for `sql`, reset; valid while the Db lives.
  Result<Stmt*> Prepare(const std::string& sql);
  // EndReads() resets every statement, ending the read transaction a statement stepped short
  // of its end keeps open (which would pin this connection to an old snapshot).
  void EndReads();
  Error Failure(std::string_view what) const;
  int64_t LastInsertRowId() const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Stmt>, std::less<>> statements_;
};

// Transaction is BEGIN IMMEDIATE ... COMMIT, rolled back on destruction unless committed.
class Transaction {
 public:
  static Result<Transaction> Begin(Db& db);
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

}  // namespace clearway::tariff::sqlite::internal
