#include "store/postgres/module_schema.h"

#include <string>

#include "store/postgres/locks.h"

namespace clearway::store::postgres::internal {

Result<int64_t> ApplyModuleMigrations(PgConnection& db, const ModuleMigrations& migrations,
                                      Timestamp now) {
  const std::string table(migrations.version_table);
  const auto newest = static_cast<int64_t>(migrations.scripts.size());
  int64_t reached = 0;
  Status migrated = Transact(db, [&](PgConnection& tx) -> Status {
    CW_ASSIGN_OR_RETURN(PgRows locked, tx.Run("SELECT pg_advisory_xact_lock($1, $2)",
                                              PgParams().Int(kLockClass).Int(migrations.lock_object)));
    static_cast<void>(locked);
    CW_RETURN_IF_ERROR(tx.Exec("CREATE TABLE IF NOT EXISTS " + table +
                               " (version BIGINT NOT NULL PRIMARY KEY,"
                               "  applied_at BIGINT NOT NULL)"));
    CW_ASSIGN_OR_RETURN(PgRows rows,
                        tx.RunOnce("SELECT COALESCE(MAX(version), 0)::bigint FROM " + table));
    const int64_t current = rows.Int(0, 0);
    if (current > newest) {
      return Error::FailedPrecondition(
          "schema-too-new", std::string(migrations.what) + " have schema version " +
                                std::to_string(current) + " but this build knows only up to " +
                                std::to_string(newest) + "; upgrade Clearway");
    }
    for (int64_t version = current + 1; version <= newest; ++version) {
      CW_RETURN_IF_ERROR(tx.Exec(migrations.scripts[static_cast<size_t>(version - 1)]));
      CW_ASSIGN_OR_RETURN(PgRows inserted,
                          tx.RunOnce("INSERT INTO " + table + " (version, applied_at)"
                                     " VALUES ($1, $2)",
                                     PgParams().Int(version).Time(now)));
      static_cast<void>(inserted);
    }
    reached = newest;
    return OkStatus();
  });
  if (!migrated.ok()) return std::move(migrated).error();
  return reached;
}

}  // namespace clearway::store::postgres::internal
