// File: store/postgres/unit_writer.h  (internal to the PostgreSQL backend)
//
// ApplyUnit() writes one unit of work's records (not its leaves: the batch appends those) on a
// connection inside the batch's transaction and the unit's savepoint, with the same checks and
// errors as the SQLite writer (store/sqlite/unit_writer.h). On error the caller rolls the
// savepoint back.
#pragma once

#include "common/result.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace clearway::store::postgres::internal {

Status ApplyUnit(PgConnection& db, const UnitOfWork& work);

}  // namespace clearway::store::postgres::internal
