// File: store/postgres/pg_connection.h  (internal to the PostgreSQL backend)
//
// Thin RAII layer over libpq: a PgConnection owns a PGconn and prepares each distinct SQL text
// once (a server-side prepared statement, named s0, s1, … per connection); Run() executes it
// with positional parameters ($1, $2, …) and returns the rows in binary form, so integers,
// bytea and text come back exactly as stored, with no escaping either way.
//
//   CW_ASSIGN_OR_RETURN(auto conn, PgConnection::Open(url, "clearway"));
//   CW_ASSIGN_OR_RETURN(PgRows rows,
//                       conn->Run("SELECT version FROM declaration_heads WHERE id = $1",
//                                 PgParams().Text(id)));
//   if (rows.size() == 1) version = rows.Int(0, 0);
//
// Errors: a broken connection is kUnavailable "store-unavailable" (EnsureOpen() reconnects);
// SQL errors are kInternal "store-error" with the server's primary message only (its DETAIL
// may quote row values, which can be personal data or client secrets), and the SQLSTATE is
// kept in last_sqlstate() for the caller to map constraint violations. Text parameters that
// PostgreSQL cannot store (a NUL byte, invalid UTF-8) are kInvalidArgument "unsupported-text".
//
// A PgConnection is used by one thread at a time (the caller serialises); not thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "store/postgres/url.h"

struct pg_conn;
struct pg_result;

namespace clearway::store::postgres::internal {

// SQLSTATEs the backend maps (PostgreSQL Appendix A).
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kForeignKeyViolation = "23503";
inline constexpr std::string_view kCheckViolation = "23514";

// PgParams are the positional parameters of one statement. Text and integers are sent as text,
// bytes as binary bytea. Copies what it is given.
class PgParams {
 public:
  PgParams& Text(std::string_view value);
  PgParams& Int(int64_t value);
  PgParams& Time(Timestamp value) { return Int(value.time_since_epoch().count()); }
  PgParams& Bytes(std::string_view value);
  PgParams& Bytes(const std::vector<uint8_t>& value);
  PgParams& Null();
  template <size_t N>
  PgParams& Bytes(const std::array<uint8_t, N>& value) {
    return Bytes(std::string_view(reinterpret_cast<const char*>(value.data()), N));
  }

  size_t size() const { return values_.size(); }
  // An error recorded while adding values (a text value with a NUL byte), or ok.
  const Status& status() const { return status_; }

 private:
  friend class PgConnection;
  std::vector<std::string> values_;
  std::vector<int> formats_;
  std::vector<bool> nulls_;
  Status status_;
};

struct PgResultClear {
  void operator()(pg_result* result) const;
};
using PgResultPtr = std::unique_ptr<pg_result, PgResultClear>;

// PgRows is the result of a statement, in binary format. Columns of type bigint, integer,
// smallint and boolean read with Int(), text and bytea with Text()/Bytes() (the same bytes).
class PgRows {
 public:
  PgRows() = default;
  explicit PgRows(PgResultPtr result);

  int size() const;  // number of rows
  bool IsNull(int row, int column) const;
  int64_t Int(int row, int column) const;  // 0 for NULL
  std::string Text(int row, int column) const;
  std::string Bytes(int row, int column) const { return Text(row, column); }
  Timestamp Time(int row, int column) const {
    return Timestamp(std::chrono::microseconds(Int(row, column)));
  }
  // affected() is the number of rows an INSERT/UPDATE/DELETE touched.
  int64_t affected() const;

 private:
  PgResultPtr result_;
};

class PgConnection {
 public:
  // Open() connects to `url` (a postgres:// or postgresql:// URL, or any libpq conninfo) with
  // the given application_name, UTC time zone and UTF-8 client encoding.
  // Errors: kUnavailable "store-unavailable" when the server cannot be reached or refuses us.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& url,
                                                    const std::string& application_name);

  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Exec() runs SQL without parameters through the simple protocol (may hold several
  // statements: DDL, BEGIN, SAVEPOINT …).
  Status Exec(std::string_view sql);

  // Run() runs one statement with parameters, prepared on first use on this connection.
  Result<PgRows> Run(std::string_view sql, const PgParams& params = PgParams());

  // RunOnce() runs one statement with parameters without preparing it (FETCH, ad-hoc SQL).
  Result<PgRows> RunOnce(std::string_view sql, const PgParams& params = PgParams());

  // EnsureOpen() reconnects a connection that broke (server restart, failover, network);
  // kUnavailable when that fails. Prepared statements are prepared again as they are used.
  Status EnsureOpen();

  // InTransaction() is true while a transaction block is open (or failed and not ended).
  bool InTransaction() const;
  bool Broken() const;
  // The SQLSTATE of the last failed call ("" after a success or a connection failure).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // The server process serving this connection (pg_backend_pid()).
  int BackendPid() const;

 private:
  PgConnection(pg_conn* conn, std::string url, std::string application_name);
  Result<PgRows> Check(PgResultPtr result, std::string_view what);
  Status CheckOpen() const;

  pg_conn* conn_;
  const std::string url_;
  const std::string application_name_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::string last_sqlstate_;
};

using ::clearway::store::postgres::IsPostgresUrl;
using ::clearway::store::postgres::RedactUrl;

}  // namespace clearway::store::postgres::internal
