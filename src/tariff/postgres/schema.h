// File: tariff/postgres/schema.h  (internal to the PostgreSQL tariff backend)
//
// The tariff's schema on PostgreSQL: SQLite's tariff.db (tariff/sqlite/sqlite_tariff_store.cc)
// with a `tariff_` prefix on every table, BIGINT microseconds for instants, dates as
// "YYYY-MM-DD" text in COLLATE "C" (so they compare as on SQLite), a stored tsvector with a GIN
// index in place of the FTS5 table, and tariff_quota_balances, one row per quota holding its
// current volume and what was drawn, the row every draw locks. Versions are recorded in
// tariff_schema_migrations. docs/tariff.md ("Storage") lists the tables.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "common/time.h"
#include "store/postgres/module_schema.h"

namespace clearway::tariff::postgres::internal {

// TariffMigrationCount() is the newest tariff schema version this build knows.
int64_t TariffMigrationCount();

// TariffMigrations() are the tariff tables' migrations, applied in one transaction under the
// advisory lock (kLockClass, kTariffMigrationLock) by ApplyModuleMigrations()
// (kFailedPrecondition "schema-too-new").
const store::postgres::internal::ModuleMigrations& TariffMigrations();

// The text search configuration of the nomenclature's descriptions.
inline constexpr const char* kSearchConfig = "tariff_english";

}  // namespace clearway::tariff::postgres::internal
