// File: store/postgres/sqlite_import.h
//
// Moving an installation from the embedded SQLite store to PostgreSQL without losing a record
// (`clearway store copy --from sqlite:PATH --to postgres://…`). Every row of every table is
// copied as it is stored — declarations and their heads, transitions, idempotency records,
// assessments, security events, the ledger's leaves, tree nodes, checkpoints and cosignatures
// (in the order they were received) — from one read snapshot of the SQLite file into an empty
// PostgreSQL store, in one transaction that holds the append lock, so no node can write in
// between. Then the row counts of both sides are compared and the latest checkpoint is checked
// against the copied tree, before the transaction commits. Run `clearway ledger verify --full`
// on the target afterwards: it recomputes every leaf from the copied records.
//
//   CW_ASSIGN_OR_RETURN(CopyReport report, CopySqliteToPostgres("var/clearway.db", url));
//
// A caller may copy more in the same transaction (`also`): `store copy` copies the identity
// directory that way (identity/postgres/sqlite_import.h), so both are kept or neither.
//
// Both stores must be at this build's schema version (open each with its Store first, which
// migrates it). Thread-safe (it uses no shared state); the stores should not be serving.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace clearway::store::postgres {

namespace internal {
class PgConnection;
}  // namespace internal

struct CopyReport {
  std::vector<std::pair<std::string, int64_t>> tables;  // (table, rows copied), in copy order
  uint64_t leaves = 0;                                  // the log's size
  uint64_t checkpoint_size = 0;                         // the latest checkpoint's (0: none)
};

// CopySqliteToPostgres() copies the SQLite store file at `sqlite_path` into the PostgreSQL
// database at `postgres_url`. Errors: kNotFound "store-not-found" (no such file);
// kFailedPrecondition "schema-mismatch" (either side not at this build's schema version),
// "target-not-empty" (the PostgreSQL store already holds records); kDataLoss "copy-mismatch"
// (the copy does not count or check out like the source; nothing is kept); kInvalidArgument
// "unsupported-text" (a text value PostgreSQL cannot hold); connection and SQL errors; and
// those of `also`. On any error nothing is written to the target.
//
// `also`, when set, runs on the target inside the copy's transaction, after the store's tables
// are copied and checked and before the commit, and may add its tables to the report.
using CopyStep = std::function<Status(internal::PgConnection& target, CopyReport& report)>;
Result<CopyReport> CopySqliteToPostgres(const std::string& sqlite_path,
                                        const std::string& postgres_url,
                                        const CopyStep& also = nullptr);

}  // namespace clearway::store::postgres
