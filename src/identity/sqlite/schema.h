// File: identity/sqlite/schema.h  (internal to identity_sqlite)
//
// The identity database schema and its versioned migrations. Migrate() applies every missing
// version in one transaction and records each in schema_migrations, so a database is always at
// one known version; see docs/identity.md for the tables.
//
//   CW_RETURN_IF_ERROR(Migrate(*db, clock.Now()));
#pragma once

#include "common/result.h"
#include "common/time.h"
#include "identity/sqlite/db.h"

namespace clearway::identity::sqlite::internal {

// Migrate() brings the schema up to date. Errors: kFailedPrecondition "schema-too-new" when the
// file was written by a newer Clearway; the Db's errors otherwise (nothing is applied then).
Status Migrate(Db& db, Timestamp now);

}  // namespace clearway::identity::sqlite::internal
