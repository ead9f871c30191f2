// PostgresTariffStore: applying update files, the change feed, the nomenclature and its
// full-text search.
#include <bit>

#include "store/postgres/connection_pool.h"
#include "store/postgres/locks.h"
#include "tariff/postgres/internal.h"
#include "tariff/postgres/postgres_tariff_store.h"

namespace clearway::tariff::postgres {

using internal::DateParam;
using internal::Mapped;
using internal::PgConnection;
using internal::PgParams;
using internal::PgRow;
using internal::PgRows;
using internal::Transact;
using tariff::internal::JoinCodes;
using tariff::internal::kMeasureColumns;

namespace {

Result<std::optional<Measure>> CurrentVersion(PgConnection& db, const std::string& id) {
  static const std::string sql = "SELECT " + std::string(kMeasureColumns) +
                                 " FROM tariff_measures WHERE measure_id = $1"
                                 " AND recorded_to IS NULL";
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql, PgParams().Text(id)));
  if (rows.size() == 0) return std::optional<Measure>();
  return std::optional<Measure>(tariff::internal::MeasureFromColumns(PgRow{rows, 0}));
}

// Records `m` as the current version from `at`, closing the previous one if any.
Status RecordVersion(PgConnection& db, const Measure& m, bool close_previous,
                     std::string_view change, const std::string& file_id, Timestamp at) {
  if (close_previous) {
    CW_ASSIGN_OR_RETURN(PgRows closed,
                        db.Run("UPDATE tariff_measures SET recorded_to = $2"
                               " WHERE measure_id = $1 AND recorded_to IS NULL",
                               PgParams().Text(m.id).Time(at)));
    static_cast<void>(closed);
  }
  PgParams params;
  params.Text(m.id)
      .Text(MeasureTypeName(m.type))
      .Text(m.commodity_code)
      .Text(m.geo)
      .Text(JoinCodes(m.excluded))
      .Text(FormatDate(m.valid_from));
  DateParam(params, m.valid_to)
      .Text(m.legal_base)
      .Text(JoinCodes(m.conditions))
      .Text(m.duty)
      .Text(m.agreement)
      .Text(m.additional_code)
      .Text(m.quota_order)
      .Time(at)
      .Text(change)
      .Text(file_id);
  CW_ASSIGN_OR_RETURN(
      PgRows inserted,
      db.Run("INSERT INTO tariff_measures (measure_id, type, code, geo, excluded, valid_from,"
             " valid_to, legal_base, conditions, duty, agreement, additional_code, quota_order,"
             " recorded_from, recorded_to, change, file_id) VALUES ($1, $2, $3, $4, $5, $6, $7,"
             " $8, $9, $10, $11, $12, $13, $14, NULL, $15, $16)",
             params));
  static_cast<void>(inserted);
  return OkStatus();
}

Status ApplyMeasures(PgConnection& db, const TariffUpdate& update, Timestamp at,
                     ImportReport& report) {
  return tariff::internal::ApplyMeasureChanges(
      update, report, [&db](const std::string& id) { return CurrentVersion(db, id); },
      [&](const Measure& m, bool close_previous, std::string_view change) {
        return RecordVersion(db, m, close_previous, change, update.file_id, at);
      });
}

Status ApplyReferenceData(PgConnection& db, const TariffUpdate& update, Timestamp at) {
  for (const GeoGroup& group : update.groups) {
    CW_ASSIGN_OR_RETURN(PgRows written,
                        db.Run("INSERT INTO tariff_geo_groups (code, members, recorded_at)"
                               " VALUES ($1, $2, $3) ON CONFLICT (code, recorded_at)"
                               " DO UPDATE SET members = EXCLUDED.members",
                               PgParams().Text(group.code).Text(JoinCodes(group.members)).Time(at)));
    static_cast<void>(written);
  }
  for (const Quota& quota : update.quotas) {
    CW_ASSIGN_OR_RETURN(
        PgRows version,
        db.Run("INSERT INTO tariff_quotas (order_number, volume, unit, recorded_at)"
               " VALUES ($1, $2, $3, $4) ON CONFLICT (order_number, recorded_at)"
               " DO UPDATE SET volume = EXCLUDED.volume, unit = EXCLUDED.unit",
               PgParams()
                   .Text(quota.order_number)
                   .Int(quota.volume_thousandths)
                   .Text(DutyUnitName(quota.unit))
                   .Time(at)));
    static_cast<void>(version);
    // The balance row every draw locks: a new volume waits for the draws in progress.
    CW_ASSIGN_OR_RETURN(PgRows balance,
                        db.Run("INSERT INTO tariff_quota_balances (order_number, volume)"
                               " VALUES ($1, $2) ON CONFLICT (order_number)"
                               " DO UPDATE SET volume = EXCLUDED.volume",
                               PgParams().Text(quota.order_number).Int(quota.volume_thousandths)));
    static_cast<void>(balance);
  }
  for (const ExchangeRate& rate : update.rates) {
    PgParams params;
    params.Text(rate.currency).Int(rate.per_unit.micros).Text(FormatDate(rate.valid_from));
    DateParam(params, rate.valid_to).Time(at);
    CW_ASSIGN_OR_RETURN(PgRows written,
                        db.Run("INSERT INTO tariff_exchange_rates (currency, per_unit,"
                               " valid_from, valid_to, recorded_at) VALUES ($1, $2, $3, $4, $5)",
                               params));
    static_cast<void>(written);
  }
  return OkStatus();
}

// Takes the import lock: imports from every node apply one after another.
Status LockImports(PgConnection& db) {
  CW_ASSIGN_OR_RETURN(PgRows locked,
                      db.Run("SELECT pg_advisory_xact_lock($1, $2)",
                             PgParams()
                                 .Int(store::postgres::internal::kLockClass)
                                 .Int(store::postgres::internal::kTariffImportLock)));
  static_cast<void>(locked);
  return OkStatus();
}

Status WriteNodes(PgConnection& db, const std::vector<NomenclatureNode>& nodes) {
  for (const NomenclatureNode& node : nodes) {
    PgParams params;
    params.Text(node.code).Text(node.parent).Text(node.description).Text(FormatDate(node.valid_from));
    DateParam(params, node.valid_to);
    // The search vector is a generated column: it is re-indexed with the description.
    CW_ASSIGN_OR_RETURN(
        PgRows written,
        db.Run("INSERT INTO tariff_nomenclature (code, parent, description, valid_from, valid_to)"
               " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET"
               " parent = EXCLUDED.parent, description = EXCLUDED.description,"
               " valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to",
               params));
    static_cast<void>(written);
  }
  return OkStatus();
}

}  // namespace

Result<ImportReport> PostgresTariffStore::Apply(const TariffUpdate& update,
                                                Timestamp recorded_at) {
  ImportReport report;
  // An update is applied once: its outcome is unknown after a broken connection, and a retry
  // by the operator is answered from tariff_imports.
  Status applied = Mapped(pool_->WithStatus(
      [&](PgConnection& db) -> Status {
        report = ImportReport();
        report.file_id = update.file_id;
        return Transact(db, [&](PgConnection& tx) -> Status {
          CW_RETURN_IF_ERROR(LockImports(tx));
          CW_ASSIGN_OR_RETURN(PgRows seen,
                              tx.Run("SELECT sha256 FROM tariff_imports WHERE file_id = $1",
                                     PgParams().Text(update.file_id)));
          if (seen.size() > 0) {
            if (seen.Text(0, 0) != update.sha256) {
              return Error::AlreadyExists("update-file-conflict",
                                          "update file id " + update.file_id +
                                              " was already imported with different content");
            }
            report.already_imported = true;
            return OkStatus();  // nothing was written
          }
          // Transaction time never goes backwards, so versions stay ordered even if the
          // clocks of the nodes do not agree.
          CW_ASSIGN_OR_RETURN(PgRows last,
                              tx.Run("SELECT MAX(recorded_at) FROM tariff_imports"));
          Timestamp at = recorded_at;
          if (!last.IsNull(0, 0) && last.Time(0, 0) >= at) {
            at = tariff::internal::FromMicros(last.Int(0, 0) + 1);
          }
          CW_RETURN_IF_ERROR(ApplyMeasures(tx, update, at, report));
          CW_RETURN_IF_ERROR(ApplyReferenceData(tx, update, at));
          CW_RETURN_IF_ERROR(WriteNodes(tx, update.nomenclature));
          CW_ASSIGN_OR_RETURN(PgRows recorded,
                              tx.Run("INSERT INTO tariff_imports (file_id, sha256, recorded_at)"
                                     " VALUES ($1, $2, $3)",
                                     PgParams().Text(update.file_id).Text(update.sha256).Time(at)));
          static_cast<void>(recorded);
          return OkStatus();
        });
      },
      /*retry=*/false));
  if (!applied.ok()) return std::move(applied).error();
  return report;
}

Result<std::vector<MeasureChange>> PostgresTariffStore::ChangesSince(Timestamp since,
                                                                     size_t limit) {
  static const std::string sql = "SELECT " + std::string(kMeasureColumns) +
                                 " FROM tariff_measures WHERE recorded_from >= $1"
                                 " ORDER BY recorded_from, row_id LIMIT $2";
  return Mapped(pool_->With<std::vector<MeasureChange>>(
      [&](PgConnection& db) -> Result<std::vector<MeasureChange>> {
        CW_ASSIGN_OR_RETURN(PgRows rows,
                            db.Run(sql, PgParams().Time(since).Int(static_cast<int64_t>(limit))));
        std::vector<MeasureChange> out;
        for (int r = 0; r < rows.size(); ++r) {
          MeasureChange change;
          change.measure = tariff::internal::MeasureFromColumns(PgRow{rows, r});
          change.kind = tariff::internal::MeasureChangeKindFrom(rows.Text(r, 14));
          change.file_id = rows.Text(r, 15);
          out.push_back(std::move(change));
        }
        return out;
      }));
}

Result<int> PostgresTariffStore::ImportNomenclature(const std::vector<NomenclatureNode>& nodes) {
  Status written = Mapped(pool_->WithStatus(
      [&](PgConnection& db) -> Status {
        return Transact(db, [&](PgConnection& tx) -> Status {
          CW_RETURN_IF_ERROR(LockImports(tx));
          return WriteNodes(tx, nodes);
        });
      },
      /*retry=*/false));
  if (!written.ok()) return std::move(written).error();
  return static_cast<int>(nodes.size());
}

Result<std::optional<NomenclatureNode>> PostgresTariffStore::Node(std::string_view code) {
  using Found = std::optional<NomenclatureNode>;
  Result<Found> found = Mapped(pool_->With<Found>([&](PgConnection& db) -> Result<Found> {
    CW_ASSIGN_OR_RETURN(PgRows rows,
                        db.Run("SELECT code, parent, description, valid_from, valid_to"
                               " FROM tariff_nomenclature WHERE code = $1",
                               PgParams().Text(code)));
    if (rows.size() == 0) return Found();
    NomenclatureNode node;
    node.code = rows.Text(0, 0);
    node.parent = rows.Text(0, 1);
    node.description = rows.Text(0, 2);
    node.valid_from = tariff::internal::DateFrom(rows.Text(0, 3));
    if (!rows.IsNull(0, 4)) node.valid_to = tariff::internal::DateFrom(rows.Text(0, 4));
    return Found(node);
  }));
  if (!found.ok() && found.error().reason == "unsupported-text") return Found();
  return found;
}

Result<std::vector<SearchHit>> PostgresTariffStore::Search(std::string_view text, size_t limit) {
  const std::vector<std::string> words = tariff::internal::SearchWords(text);
  if (words.empty()) {
    return Error::InvalidArgument("q", "empty-query", "give at least one word to search for");
  }
  // The words alone, space-separated: plainto_tsquery() reads no syntax in them and ANDs
  // their stems; the second query ORs the same stems (each quoted by PostgreSQL).
  std::string joined;
  for (const std::string& word : words) joined += (joined.empty() ? "" : " ") + word;
  Result<std::vector<SearchHit>> hits = Mapped(pool_->With<std::vector<SearchHit>>(
      [&](PgConnection& db) -> Result<std::vector<SearchHit>> {
        std::vector<SearchHit> out;
        for (const char* query :
             {"plainto_tsquery('tariff_english', $1)",
              "replace(plainto_tsquery('tariff_english', $1)::text, ' & ', ' | ')::tsquery"}) {
          // Length-normalised rank (flag 2): among descriptions matching the words, the short,
          // specific ones come first, as bm25 ranks them.
          CW_ASSIGN_OR_RETURN(
              PgRows rows,
              db.Run(std::string("SELECT code, description,"
                                 " ts_rank(search, query.q, 2)::float8 AS rank"
                                 " FROM tariff_nomenclature, (SELECT ") +
                         query +
                         " AS q) AS query WHERE search @@ query.q"
                         " ORDER BY rank DESC, code LIMIT $2",
                     PgParams().Text(joined).Int(static_cast<int64_t>(limit))));
          for (int r = 0; r < rows.size(); ++r) {
            out.push_back(SearchHit{rows.Text(r, 0), rows.Text(r, 1),
                                    std::bit_cast<double>(rows.Int(r, 2))});
          }
          if (!out.empty()) break;
        }
        return out;
      }));
  // Words PostgreSQL cannot hold (invalid UTF-8) are in no description.
  if (!hits.ok() && hits.error().reason == "unsupported-text") return std::vector<SearchHit>();
  return hits;
}

}  // namespace clearway::tariff::postgres
