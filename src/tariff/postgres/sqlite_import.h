// File: tariff/postgres/sqlite_import.h
//
// Moving a node's tariff (DATA_DIR/tariff.db) into the tariff tables of a PostgreSQL database,
// as part of `clearway store copy`: the nomenclature (re-indexed for search by PostgreSQL),
// every measure version, geographic group, quota version, quota draw, exchange rate and applied
// update file, as stored; then each quota's balance row from its latest volume and its draws.
// Runs inside the store copy's transaction (store/postgres/sqlite_import.h, CopyStep), so the
// store, the directory and the tariff are copied together or not at all.
//
//   CW_RETURN_IF_ERROR(tariff::postgres::CopyTariffFromSqlite("var/tariff.db", target, report));
//
// The target's tariff tables must exist (open a PostgresTariffStore on it first, which
// migrates them) and be empty. Thread-safe (no shared state).
#pragma once

#include <string>

#include "common/result.h"
#include "store/postgres/sqlite_import.h"

namespace clearway::tariff::postgres {

// CopyTariffFromSqlite() copies the tariff database at `sqlite_path` into `target` (inside the
// caller's transaction) and adds its tables to `report`. Errors: kNotFound
// "tariff-store-not-found" (no such file); kFailedPrecondition "target-not-empty"; kDataLoss
// "copy-mismatch"; kInvalidArgument "unsupported-text"; kUnavailable "tariff-store-failed".
Status CopyTariffFromSqlite(const std::string& sqlite_path,
                            store::postgres::internal::PgConnection& target,
                            store::postgres::CopyReport& report);

}  // namespace clearway::tariff::postgres
