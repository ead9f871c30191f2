// File: store/postgres/module_schema.h
//
// Helpers for the modules that keep tables of their own in the store's PostgreSQL database
// (the identity directory, the tariff, the shared risk profiles and models): a transaction on a
// borrowed connection, and versioned migrations recorded in a version table of the module's
// own, so each module's tables evolve apart from the store's.
//
//   CW_ASSIGN_OR_RETURN(int64_t version,
//                       ApplyModuleMigrations(db, {"tariff_schema_migrations",
//                                                  kTariffMigrationLock, kMigrations, "tariff"},
//                                             now));
//   CW_RETURN_IF_ERROR(Transact(db, [&](PgConnection& tx) -> Status { ... }));
//
// Thread safety: stateless functions; a PgConnection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <span>
#include <string_view>

#include "common/result.h"
#include "common/time.h"
#include "store/postgres/connection_pool.h"
#include "store/postgres/pg_connection.h"

namespace clearway::store::postgres::internal {

// Transact() runs `body` inside BEGIN … COMMIT (`begin` may set an isolation level); on an
// error of `body` it rolls back and returns that error.
inline Status Transact(PgConnection& db, const std::function<Status(PgConnection&)>& body,
                       std::string_view begin = "BEGIN") {
  CW_RETURN_IF_ERROR(db.Exec(begin));
  Status done = body(db);
  if (!done.ok()) {
    if (!db.Broken()) db.Exec("ROLLBACK").IgnoreError();  // the body's error is the one to tell
    return done;
  }
  return db.Exec("COMMIT");
}

struct ModuleMigrations {
  std::string_view version_table;        // e.g. "tariff_schema_migrations"
  int32_t lock_object;                   // the advisory lock (kLockClass, lock_object)
  std::span<const char* const> scripts;  // version N is scripts[N - 1]
  std::string_view what;                 // "the tariff tables", for messages
};

// ApplyModuleMigrations() applies every missing script in one transaction under the module's
// advisory lock and returns the version reached. kFailedPrecondition "schema-too-new" for a
// database migrated by a newer Clearway; connection and SQL errors pass through (nothing is
// applied then).
Result<int64_t> ApplyModuleMigrations(PgConnection& db, const ModuleMigrations& migrations,
                                      Timestamp now);

// OpenModulePool() opens a module's pool of `connections` to `url` and migrates its tables on
// the first connection (not retried: a migration is not repeated blindly). Errors:
// kInvalidArgument `bad_option` (field url: not postgres://…; connections: outside 1..64);
// those of ApplyModuleMigrations() and the connection (store-unavailable, store-error: the
// caller maps them to its own reason).
Result<std::unique_ptr<ConnectionPool>> OpenModulePool(const std::string& url,
                                                       const std::string& application_name,
                                                       int connections,
                                                       const std::string& bad_option,
                                                       const ModuleMigrations& migrations);

}  // namespace clearway::store::postgres::internal
