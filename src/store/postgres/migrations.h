// File: store/postgres/migrations.h  (internal to the PostgreSQL backend)
//
// The store's schema, versioned as on SQLite (store/sqlite/migrations.cc) and expressed for
// PostgreSQL: the same tables and columns, BIGINT microseconds for times, BYTEA for blobs.
// ApplyMigrations() brings a database up to the newest version in one transaction, under a
// transaction-level advisory lock, so that several nodes starting at once migrate it once.
// docs/store-postgres.md describes the schema.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/result.h"
#include "common/time.h"
#include "store/postgres/pg_connection.h"

namespace clearway::store::postgres::internal {

// MigrationCount() is the newest schema version this build knows.
size_t MigrationCount();

// ApplyMigrations() applies every migration not yet recorded in schema_migrations and returns
// the schema version reached. kFailedPrecondition "schema-too-new" for a database migrated by a
// newer Clearway; connection and SQL errors pass through (nothing is applied then).
Result<int64_t> ApplyMigrations(PgConnection& db, Timestamp now);

// SchemaVersionOf() reads the schema version of a database without changing it (0 when it
// has none).
Result<int64_t> SchemaVersionOf(PgConnection& db);

}  // namespace clearway::store::postgres::internal
