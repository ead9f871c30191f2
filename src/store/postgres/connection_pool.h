// File: store/postgres/connection_pool.h  (internal to the PostgreSQL backend)
//
// ConnectionPool is a fixed number of connections to one server, opened on first use, lent to
// one thread at a time. With() borrows one, reconnects it when it broke (a restarted or
// failed-over server), runs the caller's function, and when that fails because the connection
// broke under it, reconnects and runs it once more: every caller is a read, safe to repeat.
//
//   CW_ASSIGN_OR_RETURN(int64_t count, pool.With<int64_t>([](PgConnection& db) {
//     return QueryDeclarationCount(db);
//   }));
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/postgres/pg_connection.h"

namespace clearway::store::postgres::internal {

class ConnectionPool {
 public:
  ConnectionPool(std::string url, std::string application_name, int size);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // With() runs `run` on a borrowed connection; errors of `run`, or kUnavailable
  // "store-unavailable" when the server cannot be reached.
  template <typename T>
  Result<T> With(const std::function<Result<T>(PgConnection&)>& run) {
    Lease lease(*this);
    CW_ASSIGN_OR_RETURN(PgConnection * conn, lease.Connect());
    Result<T> result = run(*conn);
    if (result.ok() || !conn->Broken()) return result;
    CW_ASSIGN_OR_RETURN(conn, lease.Connect());
    return run(*conn);
  }

  // WithStatus() is With() for a Status; with retry = false a broken connection is not
  // retried (for callers whose `run` has effects that must not happen twice).
  Status WithStatus(const std::function<Status(PgConnection&)>& run, bool retry = true);

 private:
  // Lease holds one slot of the pool and gives it back on destruction.
  class Lease {
   public:
    explicit Lease(ConnectionPool& pool);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    // Connect() opens the slot's connection, or reconnects it when it broke.
    Result<PgConnection*> Connect();

   private:
    ConnectionPool& pool_;
    size_t slot_;
  };

  const std::string url_;
  const std::string application_name_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> slots_;  // a slot is owned by its lease holder
  std::vector<size_t> idle_;                          // guarded by mu_
};

}  // namespace clearway::store::postgres::internal
