// File: store/postgres/locks.h  (internal to the PostgreSQL backend)
//
// The advisory locks Clearway takes on a shared PostgreSQL database, as (class, object) pairs
// of pg_advisory_lock(int, int). The class is Clearway's; the object names the purpose.
#pragma once

#include <cstdint>

namespace clearway::store::postgres::internal {

inline constexpr int32_t kLockClass = 0x436c7779;  // "Clwy"

// Held (transaction-level) by every write batch from before it reads the log's size until it
// commits: the ledger's leaves are sequenced by one transaction at a time across every node.
inline constexpr int32_t kAppendLock = 1;
// Held (transaction-level) while migrating the schema.
inline constexpr int32_t kMigrationLock = 2;
// Held (session-level) by the node that signs checkpoints: the sequencer lease.
inline constexpr int32_t kSequencerLeaseLock = 3;
// Held (transaction-level) while migrating the identity directory's tables
// (identity/postgres/schema.cc).
inline constexpr int32_t kIdentityMigrationLock = 4;
// Held (transaction-level) while migrating the tariff's tables (tariff/postgres/schema.cc).
inline constexpr int32_t kTariffMigrationLock = 5;
// Held (transaction-level) by every tariff import (an update file, nomenclature): imports of
// all nodes apply one after another, as SQLite's one writer does.
inline constexpr int32_t kTariffImportLock = 6;
// Held (transaction-level) while migrating the shared risk profiles
// (app/shared_risk.cc).
inline constexpr int32_t kRiskMigrationLock = 7;
// Held (transaction-level) by every insert of a shared inspection result (app/shared_risk.cc):
// results take their sequence numbers and commit in one order, so a node that learnt up to
// number N never later finds a smaller one.
inline constexpr int32_t kRiskInspectionLock = 8;

}  // namespace clearway::store::postgres::internal
