// SqliteTariffStore: applying update files, the nomenclature and its full-text search.
#include "tariff/sqlite/db.h"
#include "tariff/sqlite/rows.h"
#include "tariff/sqlite/sqlite_tariff_store.h"

namespace clearway::tariff::sqlite {

using internal::Micros;
using internal::Stmt;

namespace {

using internal::Db;

Result<std::optional<Measure>> CurrentVersion(Db& db, const std::string& id) {
  static const std::string sql = "SELECT " + std::string(internal::kMeasureColumns) +
                                 " FROM measures WHERE measure_id = ?1 AND recorded_to IS NULL";
  CW_ASSIGN_OR_RETURN(Stmt * stmt, db.Prepare(sql));
  stmt->Bind(1, id);
  CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<Measure>();
  return std::optional<Measure>(internal::MeasureFromRow(*stmt));
}

// Records `m` as the current version from `at`, closing the previous one if any.
Status RecordVersion(Db& db, const Measure& m, bool close_previous, std::string_view change,
                     const std::string& file_id, Timestamp at) {
  if (close_previous) {
    CW_ASSIGN_OR_RETURN(Stmt * close, db.Prepare("UPDATE measures SET recorded_to = ?2 WHERE "
                                                 "measure_id = ?1 AND recorded_to IS NULL"));
    close->Bind(1, m.id);
    close->Bind(2, Micros(at));
    CW_RETURN_IF_ERROR(close->Step());
  }
  CW_ASSIGN_OR_RETURN(
      Stmt * insert,
      db.Prepare("INSERT INTO measures(measure_id, type, code, geo, excluded, valid_from, "
                 "valid_to, legal_base, conditions, duty, agreement, additional_code, quota_order, "
                 "recorded_from, recorded_to, change, file_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                 " ?8, ?9, ?10, ?11, ?12, ?13, ?14, NULL, ?15, ?16)"));
  internal::BindMeasure(*insert, m);
  insert->Bind(14, Micros(at));
  insert->Bind(15, change);
  insert->Bind(16, file_id);
  return insert->Step().ok() ? OkStatus() : db.Failure("insert measure");
}

Status ApplyMeasures(Db& db, const TariffUpdate& update, Timestamp at,
                     ImportReport& report) {
  return tariff::internal::ApplyMeasureChanges(
      update, report, [&db](const std::string& id) { return CurrentVersion(db, id); },
      [&](const Measure& m, bool close_previous, std::string_view change) {
        return RecordVersion(db, m, close_previous, change, update.file_id, at);
      });
}

Status ApplyReferenceData(Db& db, const TariffUpdate& update, Timestamp at) {
  for (const GeoGroup& group : update.groups) {
    CW_ASSIGN_OR_RETURN(Stmt * stmt, db.Prepare("INSERT OR REPLACE INTO geo_groups(code, members, "
                                                "recorded_at) VALUES (?1, ?2, ?3)"));
    stmt->Bind(1, group.code);
    stmt->Bind(2, internal::JoinCodes(group.members));
    stmt->Bind(3, Micros(at));
    CW_RETURN_IF_ERROR(stmt->Step());
  }
  for (const Quota& quota : update.quotas) {
    CW_ASSIGN_OR_RETURN(Stmt * stmt, db.Prepare("INSERT OR REPLACE INTO quotas(order_number, "
                                                "volume, unit, recorded_at) VALUES (?1, ?2, ?3, ?4)"));
    stmt->Bind(1, quota.order_number);
    stmt->Bind(2, quota.volume_thousandths);
    stmt->Bind(3, DutyUnitName(quota.unit));
    stmt->Bind(4, Micros(at));
    CW_RETURN_IF_ERROR(stmt->Step());
  }
  for (const ExchangeRate& rate : update.rates) {
    CW_ASSIGN_OR_RETURN(Stmt * stmt, db.Prepare("INSERT INTO exchange_rates(currency, per_unit, "
                                                "valid_from, valid_to, recorded_at) VALUES "
                                                "(?1, ?2, ?3, ?4, ?5)"));
    stmt->Bind(1, rate.currency);
    stmt->Bind(2, rate.per_unit.micros);
    stmt->Bind(3, FormatDate(rate.valid_from));
    if (rate.valid_to) stmt->Bind(4, FormatDate(*rate.valid_to));
    else stmt->BindNull(4);
    stmt->Bind(5, Micros(at));
    CW_RETURN_IF_ERROR(stmt->Step());
  }
  return OkStatus();
}

// FTS5 query text: each word quoted, so user text is never query syntax.
std::string MatchExpression(std::string_view text, std::string_view joiner) {
  std::string out;
  for (const std::string& word : ::clearway::tariff::internal::SearchWords(text)) {
    out += (out.empty() ? "" : std::string(joiner)) + "\"" + word + "\"";
  }
  return out;
}

}  // namespace

Result<ImportReport> SqliteTariffStore::Apply(const TariffUpdate& update, Timestamp recorded_at) {
  std::scoped_lock lock(mu_);
  ImportReport report;
  report.file_id = update.file_id;
  CW_ASSIGN_OR_RETURN(auto tx, internal::Transaction::Begin(*db_));
  CW_ASSIGN_OR_RETURN(Stmt * seen, db_->Prepare("SELECT sha256 FROM imports WHERE file_id = ?1"));
  seen->Bind(1, update.file_id);
  CW_ASSIGN_OR_RETURN(bool imported, seen->Step());
  if (imported) {
    if (seen->Text(0) != update.sha256) {
      return Error::AlreadyExists("update-file-conflict",
                                  "update file id " + update.file_id +
                                      " was already imported with different content");
    }
    report.already_imported = true;
    return report;  // the transaction rolls back: nothing was written
  }
  // Transaction time never goes backwards, so versions stay ordered even if the clock does.
  CW_ASSIGN_OR_RETURN(Stmt * last, db_->Prepare("SELECT MAX(recorded_at) FROM imports"));
  CW_ASSIGN_OR_RETURN(bool has_last, last->Step());
  Timestamp at = recorded_at;
  if (has_last && !last->IsNull(0) && internal::FromMicros(last->Int(0)) >= at) {
    at = internal::FromMicros(last->Int(0) + 1);
  }
  CW_RETURN_IF_ERROR(ApplyMeasures(*db_, update, at, report));
  CW_RETURN_IF_ERROR(ApplyReferenceData(*db_, update, at));
  CW_RETURN_IF_ERROR(WriteNodes(update.nomenclature));
  CW_ASSIGN_OR_RETURN(Stmt * record, db_->Prepare("INSERT INTO imports(file_id, sha256, "
                                                  "recorded_at) VALUES (?1, ?2, ?3)"));
  record->Bind(1, update.file_id);
  record->Bind(2, update.sha256);
  record->Bind(3, Micros(at));
  CW_RETURN_IF_ERROR(record->Step());
  CW_RETURN_IF_ERROR(tx.Commit());
  return report;
}

Status SqliteTariffStore::WriteNodes(const std::vector<NomenclatureNode>& nodes) {
  // The full-text row shares the nomenclature row's rowid, so re-indexing a node is a lookup
  // by rowid rather than a scan of the (unindexed) code column.
  for (const NomenclatureNode& node : nodes) {
    CW_ASSIGN_OR_RETURN(Stmt * find, db_->Prepare("SELECT rowid FROM nomenclature WHERE code = ?1"));
    find->Bind(1, node.code);
    CW_ASSIGN_OR_RETURN(bool exists, find->Step());
    int64_t rowid = exists ? find->Int(0) : 0;
    if (exists) {
      CW_ASSIGN_OR_RETURN(Stmt * drop, db_->Prepare("DELETE FROM nomenclature_fts WHERE rowid = ?1"));
      drop->Bind(1, rowid);
      CW_RETURN_IF_ERROR(drop->Step());
    }
    CW_ASSIGN_OR_RETURN(
        Stmt * upsert,
        db_->Prepare("INSERT INTO nomenclature(code, parent, description, valid_from, valid_to) "
                     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(code) DO UPDATE SET "
                     "parent = ?2, description = ?3, valid_from = ?4, valid_to = ?5"));
    upsert->Bind(1, node.code);
    upsert->Bind(2, node.parent);
    upsert->Bind(3, node.description);
    upsert->Bind(4, FormatDate(node.valid_from));
    if (node.valid_to) upsert->Bind(5, FormatDate(*node.valid_to));
    else upsert->BindNull(5);
    CW_RETURN_IF_ERROR(upsert->Step());
    if (!exists) rowid = db_->LastInsertRowId();
    CW_ASSIGN_OR_RETURN(Stmt * index, db_->Prepare("INSERT INTO nomenclature_fts(rowid, code, "
                                                   "description) VALUES (?1, ?2, ?3)"));
    index->Bind(1, rowid);
    index->Bind(2, node.code);
    index->Bind(3, node.description);
    CW_RETURN_IF_ERROR(index->Step());
  }
  return OkStatus();
}

Result<int> SqliteTariffStore::ImportNomenclature(const std::vector<NomenclatureNode>& nodes) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(auto tx, internal::Transaction::Begin(*db_));
  CW_RETURN_IF_ERROR(WriteNodes(nodes));
  CW_RETURN_IF_ERROR(tx.Commit());
  return static_cast<int>(nodes.size());
}

Result<std::optional<NomenclatureNode>> SqliteTariffStore::Node(std::string_view code) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(Stmt * stmt, db_->Prepare("SELECT code, parent, description, valid_from, "
                                                "valid_to FROM nomenclature WHERE code = ?1"));
  stmt->Bind(1, code);
  CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<NomenclatureNode>();
  NomenclatureNode node;
  node.code = stmt->Text(0);
  node.parent = stmt->Text(1);
  node.description = stmt->Text(2);
  node.valid_from = internal::DateFrom(stmt->Text(3));
  if (!stmt->IsNull(4)) node.valid_to = internal::DateFrom(stmt->Text(4));
  return std::optional<NomenclatureNode>(node);
}

Result<std::vector<SearchHit>> SqliteTariffStore::Search(std::string_view text, size_t limit) {
  std::string all_words = MatchExpression(text, " ");
  if (all_words.empty()) {
    return Error::InvalidArgument("q", "empty-query", "give at least one word to search for");
  }
  std::scoped_lock lock(mu_);
  std::vector<SearchHit> out;
  for (const std::string& match : {all_words, MatchExpression(text, " OR ")}) {
    CW_ASSIGN_OR_RETURN(Stmt * stmt,
                        db_->Prepare("SELECT code, description, bm25(nomenclature_fts) AS rank "
                                     "FROM nomenclature_fts WHERE nomenclature_fts MATCH ?1 "
                                     "ORDER BY rank, code LIMIT ?2"));
    stmt->Bind(1, match);
    stmt->Bind(2, static_cast<int64_t>(limit));
    while (true) {
      CW_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      // bm25() is lower for better matches; negate so a higher score ranks first.
      out.push_back(SearchHit{stmt->Text(0), stmt->Text(1), -stmt->Real(2)});
    }
    if (!out.empty()) break;
  }
  return out;
}

}  // namespace clearway::tariff::sqlite
