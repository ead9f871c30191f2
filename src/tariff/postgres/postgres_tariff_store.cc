#include "tariff/postgres/postgres_tariff_store.h"

#include <algorithm>
#include <utility>

#include "store/postgres/connection_pool.h"
#include "store/postgres/url.h"
#include "tariff/postgres/internal.h"
#include "tariff/postgres/schema.h"

namespace clearway::tariff::postgres {

using internal::Mapped;
using internal::PgConnection;
using internal::PgParams;
using internal::PgRow;
using internal::PgRows;
using store::postgres::internal::ConnectionPool;

namespace {

Result<DutyUnit> UnitFrom(const std::string& name) {
  for (DutyUnit unit : {DutyUnit::kKilogram, DutyUnit::kLitre, DutyUnit::kItem}) {
    if (DutyUnitName(unit) == name) return unit;
  }
  return Error::DataLoss("tariff-store-corrupt", "unknown quota unit " + name);
}

// A key PostgreSQL cannot hold (a NUL byte, invalid UTF-8) names no row: a look-up by it
// answers `empty`, as the SQLite store's does.
template <typename T>
Result<T> UnstorableAs(Result<T> result, T empty) {
  if (!result.ok() && result.error().reason == "unsupported-text") return empty;
  return result;
}

// RevisionOn() reads the latest import: transaction times grow strictly from one import to
// the next (Apply()), so the latest is one index look-up.
Result<TariffRevision> RevisionOn(PgConnection& db) {
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run("SELECT seq, recorded_at FROM tariff_imports"
                                          " ORDER BY recorded_at DESC LIMIT 1"));
  TariffRevision revision;
  if (rows.size() == 0) {
    revision.latest = Timestamp::min();
  } else {
    revision.imports = rows.Int(0, 0);
    revision.latest = tariff::internal::FromMicros(rows.Int(0, 1));
  }
  return revision;
}

Error QuotaNotFound(std::string_view order_number) {
  return Error::NotFound("quota-not-found", "no quota " + std::string(order_number));
}

}  // namespace

PostgresTariffStore::PostgresTariffStore(std::unique_ptr<ConnectionPool> pool)
    : pool_(std::move(pool)) {}
PostgresTariffStore::~PostgresTariffStore() = default;

int64_t PostgresTariffStore::SchemaVersion() { return internal::TariffMigrationCount(); }

Result<std::unique_ptr<PostgresTariffStore>> PostgresTariffStore::Open(
    const PostgresTariffOptions& options) {
  CW_ASSIGN_OR_RETURN(auto pool, Mapped(store::postgres::internal::OpenModulePool(
                                      options.url, options.application_name, options.connections,
                                      "bad-tariff-store-option", internal::TariffMigrations())));
  return std::unique_ptr<PostgresTariffStore>(new PostgresTariffStore(std::move(pool)));
}

Result<std::vector<Measure>> PostgresTariffStore::MeasuresFor(std::string_view code, Date date,
                                                              Timestamp as_of) {
  static const std::string sql =
      "SELECT " + std::string(tariff::internal::kMeasureColumns) +
      " FROM tariff_measures WHERE code IN ($1, $2, $3, $4, $5, $6) AND valid_from <= $7"
      " AND (valid_to IS NULL OR valid_to > $7) AND recorded_from <= $8"
      " AND (recorded_to IS NULL OR recorded_to > $8)";
  // The code and its ancestors: "", 2, 4, 6, 8 digits (duplicates are harmless in IN).
  PgParams params;
  for (size_t i = 0; i < 6; ++i) params.Text(code.substr(0, std::min(code.size(), 2 * i)));
  params.Text(FormatDate(date)).Time(as_of);
  return UnstorableAs(Mapped(pool_->With<std::vector<Measure>>(
                          [&params](PgConnection& db) -> Result<std::vector<Measure>> {
                            CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql, params));
                            std::vector<Measure> out;
                            for (int r = 0; r < rows.size(); ++r) {
                              out.push_back(tariff::internal::MeasureFromColumns(PgRow{rows, r}));
                            }
                            return out;
                          })),
                      std::vector<Measure>());
}

Result<std::set<std::string>> PostgresTariffStore::GroupsOf(std::string_view country,
                                                            Timestamp as_of) {
  return Mapped(pool_->With<std::set<std::string>>(
      [&](PgConnection& db) -> Result<std::set<std::string>> {
        CW_ASSIGN_OR_RETURN(
            PgRows rows,
            db.Run("SELECT DISTINCT ON (code) code, members FROM tariff_geo_groups"
                   " WHERE recorded_at <= $1 ORDER BY code, recorded_at DESC",
                   PgParams().Time(as_of)));
        std::set<std::string> out;
        for (int r = 0; r < rows.size(); ++r) {
          auto members = tariff::internal::SplitCodes(rows.Text(r, 1));
          if (std::find(members.begin(), members.end(), country) != members.end()) {
            out.insert(rows.Text(r, 0));
          }
        }
        return out;
      }));
}

Result<std::optional<ExchangeRate>> PostgresTariffStore::RateOn(std::string_view currency,
                                                                Date date, Timestamp as_of) {
  using Rate = std::optional<ExchangeRate>;
  return UnstorableAs(
      Mapped(pool_->With<Rate>([&](PgConnection& db) -> Result<Rate> {
        CW_ASSIGN_OR_RETURN(
            PgRows rows,
            db.Run("SELECT per_unit, valid_from, valid_to FROM tariff_exchange_rates"
                   " WHERE currency = $1 AND valid_from <= $2"
                   " AND (valid_to IS NULL OR valid_to > $2) AND recorded_at <= $3"
                   " ORDER BY recorded_at DESC, valid_from DESC, id DESC LIMIT 1",
                   PgParams().Text(currency).Text(FormatDate(date)).Time(as_of)));
        if (rows.size() == 0) return Rate();
        ExchangeRate rate;
        rate.currency = std::string(currency);
        rate.per_unit = Decimal{rows.Int(0, 0)};
        rate.valid_from = tariff::internal::DateFrom(rows.Text(0, 1));
        if (!rows.IsNull(0, 2)) rate.valid_to = tariff::internal::DateFrom(rows.Text(0, 2));
        return Rate(rate);
      })),
      Rate());
}

Result<std::optional<TariffStore::QuotaState>> PostgresTariffStore::QuotaOf(
    std::string_view order_number, Timestamp as_of) {
  using State = std::optional<QuotaState>;
  return UnstorableAs(
      Mapped(pool_->With<State>([&](PgConnection& db) -> Result<State> {
        // One statement, so the volume and the draws come from one snapshot.
        CW_ASSIGN_OR_RETURN(
            PgRows rows,
            db.Run("SELECT q.volume, q.unit, (SELECT COALESCE(SUM(d.thousandths), 0)::bigint"
                   " FROM tariff_quota_draws d WHERE d.order_number = $1"
                   " AND d.recorded_at <= $2)"
                   " FROM tariff_quotas q WHERE q.order_number = $1 AND q.recorded_at <= $2"
                   " ORDER BY q.recorded_at DESC LIMIT 1",
                   PgParams().Text(order_number).Time(as_of)));
        if (rows.size() == 0) return State();
        QuotaState state;
        state.quota.order_number = std::string(order_number);
        state.quota.volume_thousandths = rows.Int(0, 0);
        CW_ASSIGN_OR_RETURN(state.quota.unit, UnitFrom(rows.Text(0, 1)));
        state.drawn_thousandths = rows.Int(0, 2);
        return State(state);
      })),
      State());
}

Status PostgresTariffStore::DrawQuota(std::string_view order_number, int64_t thousandths,
                                      std::string_view reference, Timestamp at) {
  // A draw is never repeated after a broken connection (retry = false): whether it committed
  // is unknown, and the caller's retry with the same reference draws at most once.
  Status drawn = Mapped(pool_->WithStatus(
      [&](PgConnection& db) -> Status {
        return internal::Transact(db, [&](PgConnection& tx) -> Status {
          // The balance row's lock: draws on this quota from every node take turns here, and
          // each reads the balance (and the draws) as the one before it committed them.
          CW_ASSIGN_OR_RETURN(PgRows balance,
                              tx.Run("SELECT volume, drawn FROM tariff_quota_balances"
                                     " WHERE order_number = $1 FOR UPDATE",
                                     PgParams().Text(order_number)));
          if (balance.size() == 0) return QuotaNotFound(order_number);
          if (!reference.empty()) {
            // One draw per declaration and quota: a retried filing finds its draw.
            CW_ASSIGN_OR_RETURN(PgRows before,
                                tx.Run("SELECT 1 FROM tariff_quota_draws"
                                       " WHERE order_number = $1 AND reference = $2",
                                       PgParams().Text(order_number).Text(reference)));
            if (before.size() > 0) return OkStatus();
          }
          const int64_t left = balance.Int(0, 0) - balance.Int(0, 1);
          if (left < thousandths) {
            return Error::ResourceExhausted("quota-exhausted",
                                            "quota " + std::string(order_number) + " has " +
                                                FormatMinor(left, 3) + " left");
          }
          CW_ASSIGN_OR_RETURN(PgRows inserted,
                              tx.Run("INSERT INTO tariff_quota_draws"
                                     " (order_number, thousandths, reference, recorded_at)"
                                     " VALUES ($1, $2, $3, $4)",
                                     PgParams()
                                         .Text(order_number)
                                         .Int(thousandths)
                                         .Text(reference)
                                         .Time(at)));
          static_cast<void>(inserted);
          CW_ASSIGN_OR_RETURN(PgRows updated,
                              tx.Run("UPDATE tariff_quota_balances SET drawn = drawn + $2"
                                     " WHERE order_number = $1 AND volume - drawn >= $2",
                                     PgParams().Text(order_number).Int(thousandths)));
          if (updated.affected() != 1) {
            // Cannot happen under the row lock; refuse rather than over-draw.
            return Error::ResourceExhausted("quota-exhausted",
                                            "quota " + std::string(order_number) +
                                                " has too little left");
          }
          return OkStatus();
        });
      },
      /*retry=*/false));
  if (!drawn.ok() && drawn.error().reason == "unsupported-text") {
    return QuotaNotFound(order_number);
  }
  return drawn;
}

Result<std::optional<TariffRevision>> PostgresTariffStore::Revision() {
  using Found = std::optional<TariffRevision>;
  return Mapped(pool_->With<Found>([](PgConnection& db) -> Result<Found> {
    CW_ASSIGN_OR_RETURN(TariffRevision revision, RevisionOn(db));
    return Found(revision);
  }));
}

Result<std::optional<TariffSnapshot>> PostgresTariffStore::Snapshot() {
  using Found = std::optional<TariffSnapshot>;
  static const std::string measures_sql = "SELECT " +
                                          std::string(tariff::internal::kMeasureColumns) +
                                          " FROM tariff_measures WHERE recorded_to IS NULL";
  return Mapped(pool_->With<Found>([](PgConnection& db) -> Result<Found> {
    TariffSnapshot out;
    // Every read sees the one snapshot the transaction took: the revision and the data agree.
    CW_RETURN_IF_ERROR(internal::Transact(
        db,
        [&out](PgConnection& tx) -> Status {
          out = TariffSnapshot();
          CW_ASSIGN_OR_RETURN(out.revision, RevisionOn(tx));
          CW_ASSIGN_OR_RETURN(PgRows measures, tx.Run(measures_sql));
          out.measures.reserve(static_cast<size_t>(measures.size()));
          for (int r = 0; r < measures.size(); ++r) {
            out.measures.push_back(tariff::internal::MeasureFromColumns(PgRow{measures, r}));
          }
          CW_ASSIGN_OR_RETURN(PgRows groups,
                              tx.Run("SELECT DISTINCT ON (code) code, members"
                                     " FROM tariff_geo_groups ORDER BY code, recorded_at DESC"));
          for (int r = 0; r < groups.size(); ++r) {
            out.groups.push_back(
                GeoGroup{groups.Text(r, 0), tariff::internal::SplitCodes(groups.Text(r, 1))});
          }
          // Newest row first: of rates recorded together with the same valid_from the cache
          // keeps the first it meets, and RateOn() answers the newest row (id DESC).
          CW_ASSIGN_OR_RETURN(PgRows rates,
                              tx.Run("SELECT currency, per_unit, valid_from, valid_to,"
                                     " recorded_at FROM tariff_exchange_rates ORDER BY id DESC"));
          for (int r = 0; r < rates.size(); ++r) {
            TariffSnapshot::RecordedRate rate;
            rate.rate.currency = rates.Text(r, 0);
            rate.rate.per_unit = Decimal{rates.Int(r, 1)};
            rate.rate.valid_from = tariff::internal::DateFrom(rates.Text(r, 2));
            if (!rates.IsNull(r, 3)) {
              rate.rate.valid_to = tariff::internal::DateFrom(rates.Text(r, 3));
            }
            rate.recorded_at = tariff::internal::FromMicros(rates.Int(r, 4));
            out.rates.push_back(std::move(rate));
          }
          return OkStatus();
        },
        "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
    return Found(std::move(out));
  }));
}

}  // namespace clearway::tariff::postgres
