// File: identity/postgres/sqlite_import.h
//
// Moving the identity directory of an SQLite installation (DATA_DIR/identity.db) into the
// identity tables of a PostgreSQL database, as part of `clearway store copy`: every
// organisation, delegation (in the order given), user with its offices, TOTP factor and
// recovery codes, and every session and API token record, as stored — password hashes, code
// hashes and token hashes are copied, never recomputed, and no secret is printed. Runs inside
// the store copy's transaction (store/postgres/sqlite_import.h, CopyStep), so the store and the
// directory are copied together or not at all.
//
//   auto report = store::postgres::CopySqliteToPostgres(db, url,
//       [&](store::postgres::internal::PgConnection& target, store::postgres::CopyReport& r) {
//         return identity::postgres::CopyIdentityFromSqlite("var/identity.db", target, r);
//       });
//
// Both directories must be at this build's identity schema version (open each with its
// IdentityStore first, which migrates it). Thread-safe (no shared state).
#pragma once

#include <string>

#include "common/result.h"
#include "store/postgres/sqlite_import.h"

namespace clearway::identity::postgres {

// CopyIdentityFromSqlite() copies the identity database at `sqlite_path` into `target` (inside
// the caller's transaction) and adds its tables, prefixed "identity_", to `report`. Errors:
// kNotFound "identity-store-not-found" (no such file); kFailedPrecondition "schema-mismatch"
// (either side not at this build's version), "target-not-empty" (the target's directory
// already holds organisations, users or tokens); kDataLoss "copy-mismatch" (row counts differ);
// kInvalidArgument "unsupported-text"; kUnavailable "identity-store-failed" (cannot read the
// source, or the target failed).
Status CopyIdentityFromSqlite(const std::string& sqlite_path,
                              store::postgres::internal::PgConnection& target,
                              store::postgres::CopyReport& report);

}  // namespace clearway::identity::postgres
