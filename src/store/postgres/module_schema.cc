#include "store/postgres/module_schema.h"

#include <string>

#include "store/postgres/locks.h"
#include "store/postgres/url.h"

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

Result<std::unique_ptr<ConnectionPool>> OpenModulePool(const std::string& url,
                                                       const std::string& application_name,
                                                       int connections,
                                                       const std::string& bad_option,
                                                       const ModuleMigrations& migrations) {
  constexpr int kMaxConnections = 64;
  if (!IsPostgresUrl(url)) {
    return Error::InvalidArgument("url", bad_option, "the store URL must be postgres://…");
  }
  if (connections < 1 || connections > kMaxConnections) {
    return Error::InvalidArgument("connections", bad_option, "use 1 to 64 connections");
  }
  auto pool = std::make_unique<ConnectionPool>(url, application_name, connections);
  // Migrate on a connection of the pool: it then serves the first calls too.
  Status migrated = pool->WithStatus(
      [&migrations](PgConnection& db) -> Status {
        CW_ASSIGN_OR_RETURN(int64_t version,
                            ApplyModuleMigrations(db, migrations, SystemClock().Now()));
        static_cast<void>(version);
        return OkStatus();
      },
      /*retry=*/false);
  if (!migrated.ok()) return std::move(migrated).error();
  return pool;
}

}  // namespace clearway::store::postgres::internal
