// File: store/sqlite/migrations.h  (internal to the SQLite backend)
//
// The schema of the SQLite store as an ordered list of migrations: migration i (0-based) takes
// the database from schema version i to i + 1. Applied versions are recorded in
// schema_migrations(version, applied_at); ApplyMigrations() runs the missing ones in one
// transaction at open. A migration is SQL, optionally followed by C++ work in the same
// transaction (version 2 enters older records into the ledger). Never edit a released
// migration: append a new one.
// docs/formats/store-schema.md describes the resulting schema.
#pragma once

#include <cstdint>
#include <cstddef>

#include "common/result.h"
#include "common/time.h"
#include "store/sqlite/connection.h"

namespace clearway::store::sqlite::internal {

// MigrationCount() is the number of migrations, which is the newest schema version.
size_t MigrationCount();

// ApplyMigrations() brings the database to the newest schema version inside one IMMEDIATE
// transaction and returns that version; opening an up-to-date database changes nothing.
// Errors: kFailedPrecondition "schema-too-new" when the database records a version newer than
// this code knows (it was written by a newer Clearway); SQLite errors as SqliteError().
Result<int64_t> ApplyMigrations(Connection& db, Timestamp now);

}  // namespace clearway::store::sqlite::internal
