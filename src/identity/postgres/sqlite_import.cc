#include "identity/postgres/sqlite_import.h"

#include <filesystem>
#include <utility>
#include <vector>

#include "identity/postgres/internal.h"
#include "identity/postgres/schema.h"
#include "store/postgres/sqlite_tables.h"

namespace clearway::identity::postgres {

namespace {

using internal::PgConnection;
using internal::PgRows;
using store::postgres::SqliteColumn;
using store::postgres::SqliteTableSpec;

constexpr SqliteColumn kText = SqliteColumn::kText;
constexpr SqliteColumn kInt = SqliteColumn::kInt;
constexpr SqliteColumn kBytes = SqliteColumn::kBytes;

// Parents before children. Delegations are copied without their SQLite rowid, in its order:
// PostgreSQL numbers them again, in the same order, which is all DelegationsTo() relies on.
const std::vector<SqliteTableSpec>& Tables() {
  static const std::vector<SqliteTableSpec> tables = {
      {"organisations", "identity_organisations",
       {{"id", kText}, {"name", kText}, {"kind", kText}, {"require_mfa", kInt},
        {"created_at", kInt}},
       "id"},
      {"delegations", "identity_delegations",
       {{"trader_id", kText}, {"broker_id", kText}, {"valid_from", kInt}, {"valid_to", kInt}},
       "id"},
      {"users", "identity_users",
       {{"username", kText}, {"organisation_id", kText}, {"role", kText},
        {"service_account", kInt}, {"disabled", kInt}, {"password_hash", kText},
        {"totp_secret", kBytes}, {"totp_algorithm", kText}, {"totp_confirmed", kInt},
        {"totp_last_step", kInt}, {"created_at", kInt}},
       "username"},
      {"user_offices", "identity_user_offices",
       {{"username", kText}, {"idx", kInt}, {"office", kText}},
       "username, idx"},
      {"recovery_codes", "identity_recovery_codes",
       {{"username", kText}, {"idx", kInt}, {"hash", kBytes}, {"used", kInt}},
       "username, idx"},
      {"tokens", "identity_tokens",
       {{"hash", kBytes}, {"user_id", kText}, {"kind", kText}, {"scopes", kText},
        {"issued_at", kInt}, {"expires_at", kInt}, {"absolute_expires_at", kInt},
        {"revoked", kInt}},
       "hash"},
  };
  return tables;
}

constexpr int64_t kSchemaVersion = 1;  // the schema Tables() describes

}  // namespace

Status CopyIdentityFromSqlite(const std::string& sqlite_path, PgConnection& target,
                              store::postgres::CopyReport& report) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sqlite_path, ec)) {
    return Error::NotFound("identity-store-not-found", "no identity database at " + sqlite_path);
  }
  store::postgres::SqliteSource source;
  CW_RETURN_IF_ERROR(source.Open(sqlite_path, "identity-store-failed"));
  CW_ASSIGN_OR_RETURN(int64_t source_version,
                      source.Int("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  CW_ASSIGN_OR_RETURN(
      PgRows target_rows,
      internal::Mapped(target.RunOnce("SELECT COALESCE(MAX(version), 0)::bigint FROM "
                                      "identity_schema_migrations")));
  const int64_t target_version = target_rows.Int(0, 0);
  if (source_version != kSchemaVersion || target_version != kSchemaVersion ||
      internal::IdentityMigrationCount() != kSchemaVersion) {
    return Error::FailedPrecondition(
        "schema-mismatch", "the identity database is at schema version " +
                               std::to_string(source_version) + " and the target at " +
                               std::to_string(target_version) + "; this build copies version " +
                               std::to_string(kSchemaVersion));
  }
  Status copied =
      store::postgres::CopySqliteTables(source, target, Tables(), "identity directory", report);
  if (!copied.ok()) return internal::IdentityError(std::move(copied).error());
  return OkStatus();
}

}  // namespace clearway::identity::postgres
