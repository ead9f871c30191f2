// File: store/sqlite/unit_writer.h  (internal to the SQLite backend)
//
// ApplyUnit() writes one UnitOfWork's records (with their salts) and checkpoint on the writer
// connection, inside a transaction (and savepoint) the caller has opened. It checks every
// expectation before it writes, and maps constraint failures to the Store's error codes; on
// error the caller rolls the savepoint back. The unit's leaves are not written here: the caller
// appends the leaves of every unit that succeeded at the end of the batch (ledger_tables.h).
#pragma once

#include "common/result.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace clearway::store::sqlite::internal {

// ApplyUnit() returns ok when every part of `work` was written. Errors:
//   kAborted "version-conflict"        an expected current version, or the version a status
//                                      update names, is not the declaration's latest;
//   kAlreadyExists "duplicate-version" the (id, version) exists;
//   kInvalidArgument "version-gap"     a new version is not latest + 1;
//   kAlreadyExists "duplicate-transition" the (declaration_id, sequence) exists;
//   kFailedPrecondition "unknown-declaration-version" a transition names no stored version;
//   kAlreadyExists "duplicate-assessment"  the (declaration_id, version) is assessed already;
//   kFailedPrecondition "unknown-declaration-version" also for an assessment;
//   kAlreadyExists "duplicate-security-event" the event id is recorded already;
//   kAlreadyExists "duplicate-idempotency-key" the (principal, key) is taken;
//   InsertCheckpoint()'s errors for the checkpoint;
//   anything else from SqliteError().
Status ApplyUnit(Connection& db, const UnitOfWork& work);

}  // namespace clearway::store::sqlite::internal
