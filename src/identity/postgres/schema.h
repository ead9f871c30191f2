// File: identity/postgres/schema.h  (internal to the PostgreSQL identity backend)
//
// The identity directory's schema on PostgreSQL: SQLite's (identity/sqlite/schema.cc) with an
// `identity_` prefix on every table, BIGINT microseconds for times, BYTEA for hashes and
// secrets, BOOLEAN flags, and identifiers that lists order by in COLLATE "C" (byte order, as on
// SQLite). Versions are recorded in identity_schema_migrations, apart from the store's
// schema_migrations, so the two schemas share one database and evolve independently.
// docs/store-postgres.md lists the tables.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "common/time.h"
#include "store/postgres/module_schema.h"
#include "store/postgres/pg_connection.h"

namespace clearway::identity::postgres::internal {

// IdentityMigrationCount() is the newest identity schema version this build knows.
int64_t IdentityMigrationCount();

// IdentityMigrations() are the identity tables' migrations, applied in one transaction under
// the advisory lock (kLockClass, kIdentityMigrationLock) by ApplyModuleMigrations()
// (kFailedPrecondition "schema-too-new" for a database migrated by a newer Clearway).
const store::postgres::internal::ModuleMigrations& IdentityMigrations();

}  // namespace clearway::identity::postgres::internal
