// PostgresTariffStore: applying update files, the change feed, the nomenclature and its
// full-text search.
#include <algorithm>
#include <bit>
#include <string_view>
#include <unordered_map>
#include <vector>

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

// Rows per multi-row INSERT: 1,000 rows of 17 values stay far below PostgreSQL's limit of
// 65,535 parameters per statement.
constexpr size_t kRowsPerInsert = 1000;

// InsertRows() writes `count` rows of `width` values each (`add_row(params, i)` adds row i's)
// with one multi-row INSERT per kRowsPerInsert rows, instead of a statement per row: `head` is
// "INSERT INTO t (a, b)", `tail` what follows the VALUES lists (" ON CONFLICT …" or ""). The
// full-size statement is prepared once per connection; the last, shorter one runs unprepared.
template <typename AddRow>
Status InsertRows(PgConnection& db, std::string_view head, std::string_view tail, int width,
                  size_t count, AddRow add_row) {
  for (size_t first = 0; first < count; first += kRowsPerInsert) {
    const size_t rows = std::min(kRowsPerInsert, count - first);
    std::string sql(head);
    sql += " VALUES ";
    PgParams params;
    int number = 0;
    for (size_t r = 0; r < rows; ++r) {
      sql += r == 0 ? "(" : ", (";
      for (int c = 0; c < width; ++c) sql += (c == 0 ? "$" : ", $") + std::to_string(++number);
      sql += ')';
      add_row(params, first + r);
    }
    sql += tail;
    if (params.size() != rows * static_cast<size_t>(width)) {
      return Error::Internal("bad-batch", "a batched row has the wrong number of values");
    }
    Result<PgRows> written = rows == kRowsPerInsert ? db.Run(sql, params) : db.RunOnce(sql, params);
    if (!written.ok()) return std::move(written).error();
  }
  return OkStatus();
}

// MeasureWriter applies the measure changes of one update with a few statements: one read of
// the current versions of every measure the update names, one UPDATE closing those it
// replaces, and multi-row INSERTs of the new versions. The versions recorded meanwhile stay in
// memory, so a later entry of the same update for the same measure sees them, as it would
// with a statement per row.
class MeasureWriter {
 public:
  MeasureWriter(PgConnection& db, const TariffUpdate& update, Timestamp at)
      : db_(db), update_(update), at_(at) {}

  // Load() reads the current version of every measure the update upserts or ends.
  Status Load() {
    static const std::string sql = "SELECT " + std::string(kMeasureColumns) +
                                   " FROM tariff_measures WHERE recorded_to IS NULL"
                                   " AND measure_id = ANY($1::text[])";
    std::vector<std::string> ids;
    for (const Measure& m : update_.upserts) ids.push_back(m.id);
    for (const MeasureEnd& end : update_.ends) ids.push_back(end.id);
    if (ids.empty()) return OkStatus();
    CW_ASSIGN_OR_RETURN(PgRows rows, db_.Run(sql, PgParams().Text(internal::TextArray(ids))));
    for (int r = 0; r < rows.size(); ++r) {
      Measure m = tariff::internal::MeasureFromColumns(PgRow{rows, r});
      std::string id = m.id;
      current_.insert_or_assign(std::move(id), std::move(m));
    }
    return OkStatus();
  }

  Result<std::optional<Measure>> Current(const std::string& id) const {
    auto found = current_.find(id);
    if (found == current_.end()) return std::optional<Measure>();
    return std::optional<Measure>(found->second);
  }

  // Record() keeps `m` as the current version from the import's time, closing the previous
  // one if any (a version recorded earlier in this update, or the stored one).
  void Record(const Measure& m, bool close_previous, std::string_view change) {
    if (close_previous) {
      auto open = open_rows_.find(m.id);
      if (open != open_rows_.end()) {
        rows_[open->second].closed = true;
      } else {
        closed_ids_.push_back(m.id);
      }
    }
    Measure version = m;
    version.recorded_at = at_;
    open_rows_.insert_or_assign(m.id, rows_.size());
    rows_.push_back(Row{version, std::string(change), false});
    current_.insert_or_assign(m.id, std::move(version));
  }

  // Flush() writes what Record() kept: the stored versions closed, then the new ones in order.
  Status Flush() {
    if (!closed_ids_.empty()) {
      CW_ASSIGN_OR_RETURN(PgRows closed,
                          db_.Run("UPDATE tariff_measures SET recorded_to = $1"
                                  " WHERE recorded_to IS NULL AND measure_id = ANY($2::text[])",
                                  PgParams().Time(at_).Text(internal::TextArray(closed_ids_))));
      static_cast<void>(closed);
    }
    return InsertRows(
        db_,
        "INSERT INTO tariff_measures (measure_id, type, code, geo, excluded, valid_from,"
        " valid_to, legal_base, conditions, duty, agreement, additional_code, quota_order,"
        " recorded_from, recorded_to, change, file_id)",
        "", 17, rows_.size(), [this](PgParams& params, size_t i) {
          const Row& row = rows_[i];
          const Measure& m = row.measure;
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
              .Time(at_);
          if (row.closed) {
            params.Time(at_);  // replaced later in the same update
          } else {
            params.Null();
          }
          params.Text(row.change).Text(update_.file_id);
        });
  }

 private:
  struct Row {
    Measure measure;
    std::string change;
    bool closed;
  };

  PgConnection& db_;
  const TariffUpdate& update_;
  const Timestamp at_;
  std::unordered_map<std::string, Measure> current_;   // by id: stored, or recorded here
  std::unordered_map<std::string, size_t> open_rows_;  // by id: its open version in rows_
  std::vector<std::string> closed_ids_;                // ids whose stored version is closed
  std::vector<Row> rows_;                              // versions to insert, in order
};

Status ApplyMeasures(PgConnection& db, const TariffUpdate& update, Timestamp at,
                     ImportReport& report) {
  MeasureWriter writer(db, update, at);
  CW_RETURN_IF_ERROR(writer.Load());
  CW_RETURN_IF_ERROR(tariff::internal::ApplyMeasureChanges(
      update, report, [&writer](const std::string& id) { return writer.Current(id); },
      [&writer](const Measure& m, bool close_previous, std::string_view change) {
        writer.Record(m, close_previous, change);
        return OkStatus();
      }));
  return writer.Flush();
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
  // One row per code, the last line for it winning as with a statement per line (a multi-row
  // INSERT … ON CONFLICT may not touch a row twice).
  std::vector<const NomenclatureNode*> unique;
  std::unordered_map<std::string_view, size_t> position;
  for (const NomenclatureNode& node : nodes) {
    auto [slot, added] = position.try_emplace(node.code, unique.size());
    if (added) {
      unique.push_back(&node);
    } else {
      unique[slot->second] = &node;
    }
  }
  // The search vector is a generated column: it is re-indexed with the description.
  return InsertRows(db,
                    "INSERT INTO tariff_nomenclature (code, parent, description, valid_from,"
                    " valid_to)",
                    " ON CONFLICT (code) DO UPDATE SET parent = EXCLUDED.parent,"
                    " description = EXCLUDED.description, valid_from = EXCLUDED.valid_from,"
                    " valid_to = EXCLUDED.valid_to",
                    5, unique.size(), [&unique](PgParams& params, size_t i) {
                      const NomenclatureNode& node = *unique[i];
                      params.Text(node.code)
                          .Text(node.parent)
                          .Text(node.description)
                          .Text(FormatDate(node.valid_from));
                      DateParam(params, node.valid_to);
                    });
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
