#include "tariff/postgres/sqlite_import.h"

#include <filesystem>
#include <utility>
#include <vector>

#include "store/postgres/sqlite_tables.h"
#include "tariff/postgres/internal.h"

namespace clearway::tariff::postgres {

namespace {

using internal::PgConnection;
using internal::PgRows;
using store::postgres::SqliteColumn;
using store::postgres::SqliteTableSpec;

constexpr SqliteColumn kText = SqliteColumn::kText;
constexpr SqliteColumn kInt = SqliteColumn::kInt;

// Measures, draws and rates are copied without their SQLite row ids, in their order:
// PostgreSQL numbers them again in the same order, which is all the change feed relies on.
// The nomenclature's search vector is a generated column, computed as each row is inserted.
const std::vector<SqliteTableSpec>& Tables() {
  static const std::vector<SqliteTableSpec> tables = {
      {"nomenclature", "tariff_nomenclature",
       {{"code", kText}, {"parent", kText}, {"description", kText}, {"valid_from", kText},
        {"valid_to", kText}},
       "code"},
      {"measures", "tariff_measures",
       {{"measure_id", kText}, {"type", kText}, {"code", kText}, {"geo", kText},
        {"excluded", kText}, {"valid_from", kText}, {"valid_to", kText}, {"legal_base", kText},
        {"conditions", kText}, {"duty", kText}, {"agreement", kText},
        {"additional_code", kText}, {"quota_order", kText}, {"recorded_from", kInt},
        {"recorded_to", kInt}, {"change", kText}, {"file_id", kText}},
       "row_id"},
      {"geo_groups", "tariff_geo_groups",
       {{"code", kText}, {"members", kText}, {"recorded_at", kInt}},
       "code, recorded_at"},
      {"quotas", "tariff_quotas",
       {{"order_number", kText}, {"volume", kInt}, {"unit", kText}, {"recorded_at", kInt}},
       "order_number, recorded_at"},
  };
  return tables;
}

const std::vector<SqliteTableSpec>& TablesAfterBalances() {
  static const std::vector<SqliteTableSpec> tables = {
      {"quota_draws", "tariff_quota_draws",
       {{"order_number", kText}, {"thousandths", kInt}, {"reference", kText},
        {"recorded_at", kInt}},
       "id"},
      {"exchange_rates", "tariff_exchange_rates",
       {{"currency", kText}, {"per_unit", kInt}, {"valid_from", kText}, {"valid_to", kText},
        {"recorded_at", kInt}},
       "rowid"},
      {"imports", "tariff_imports",
       {{"file_id", kText}, {"sha256", kText}, {"recorded_at", kInt}},
       "recorded_at, file_id"},
  };
  return tables;
}

Status CopyAll(store::postgres::SqliteSource& source, PgConnection& target,
               store::postgres::CopyReport& report) {
  CW_RETURN_IF_ERROR(
      store::postgres::CopySqliteTables(source, target, Tables(), "tariff", report));
  // Each quota's balance row: its latest volume; draws reference it, so it comes first.
  CW_ASSIGN_OR_RETURN(PgRows balances,
                      target.RunOnce("INSERT INTO tariff_quota_balances (order_number, volume)"
                                     " SELECT DISTINCT ON (order_number) order_number, volume"
                                     " FROM tariff_quotas ORDER BY order_number, recorded_at DESC"));
  static_cast<void>(balances);
  CW_RETURN_IF_ERROR(store::postgres::CopySqliteTables(source, target, TablesAfterBalances(),
                                                       "tariff", report));
  CW_ASSIGN_OR_RETURN(PgRows drawn,
                      target.RunOnce("UPDATE tariff_quota_balances b SET drawn = d.total FROM"
                                     " (SELECT order_number, SUM(thousandths)::bigint AS total"
                                     " FROM tariff_quota_draws GROUP BY order_number) d"
                                     " WHERE b.order_number = d.order_number"));
  static_cast<void>(drawn);
  return OkStatus();
}

}  // namespace

Status CopyTariffFromSqlite(const std::string& sqlite_path, PgConnection& target,
                            store::postgres::CopyReport& report) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(sqlite_path, ec)) {
    return Error::NotFound("tariff-store-not-found", "no tariff database at " + sqlite_path);
  }
  store::postgres::SqliteSource source;
  CW_RETURN_IF_ERROR(source.Open(sqlite_path, "tariff-store-failed"));
  Status copied = CopyAll(source, target, report);
  if (!copied.ok()) return internal::TariffError(std::move(copied).error());
  return OkStatus();
}

}  // namespace clearway::tariff::postgres
