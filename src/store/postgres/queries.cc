#include "store/postgres/queries.h"

#include <utility>

#include "store/postgres/ledger_tables.h"

namespace clearway::store::postgres::internal {

namespace {

DeclarationRow ReadDeclaration(const PgRows& rows, int row, int first) {
  bool has_salt = false;
  return ReadDeclarationRow(rows, row, first, has_salt);
}

DataKeyRow ReadDataKey(const PgRows& rows, int row) {
  DataKeyRow out;
  out.declaration_id = rows.Text(row, 0);
  out.kek_id = rows.Text(row, 1);
  out.kek_version = rows.Int(row, 2);
  out.wrapped = rows.Bytes(row, 3);
  out.created_at = rows.Time(row, 4);
  return out;
}

Error DeclarationNotFound() {
  return Error::NotFound("declaration-not-found", "no such declaration or version");
}

// NotFoundOrPurged() is kNotFound "declaration-purged" for a purged declaration.
Error NotFoundOrPurged(PgConnection& db, const std::string& id) {
  Result<PurgedDeclarationRow> purged = QueryPurgedDeclaration(db, id);
  if (purged.ok()) return DeclarationPurged(id);
  if (purged.error().code != ErrorCode::kNotFound) return std::move(purged).error();
  return DeclarationNotFound();
}

// Where collects the conditions of a list query and their parameters, numbering the
// placeholders as it goes.
class Where {
 public:
  void Add(std::string_view condition_before, std::string_view condition_after = "") {
    sql_ += sql_.empty() ? " WHERE " : " AND ";
    sql_ += condition_before;
    sql_ += "$" + std::to_string(params_.size() + 1);
    sql_ += condition_after;
  }
  void AddIn(std::string_view column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    sql_ += sql_.empty() ? " WHERE " : " AND ";
    sql_ += std::string(column) + " IN (";
    for (size_t idx = 0; idx < values.size(); ++idx) {
      if (idx > 0) sql_ += ", ";
      sql_ += "$" + std::to_string(params_.size() + 1);
      params_.Text(values[idx]);
    }
    sql_ += ")";
  }
  void AddCursor(std::string_view columns, const PageCursor& cursor) {
    sql_ += sql_.empty() ? " WHERE " : " AND ";
    sql_ += "(" + std::string(columns) + ") < ($" + std::to_string(params_.size() + 1) + ", $" +
            std::to_string(params_.size() + 2) + ")";
    params_.Time(cursor.created_at).Text(cursor.id);
  }
  PgParams& params() { return params_; }
  const std::string& sql() const { return sql_; }
  // Limit() is " LIMIT $n" with the limit's parameter added.
  std::string Limit(int64_t limit) {
    params_.Int(limit);
    return " LIMIT $" + std::to_string(params_.size());
  }

 private:
  std::string sql_;
  PgParams params_;
};

}  // namespace

DeclarationRow ReadDeclarationRow(const PgRows& rows, int row, int first, bool& has_salt) {
  DeclarationRow out;
  out.id = rows.Text(row, first);
  out.version = rows.Int(row, first + 1);
  out.organisation_id = rows.Text(row, first + 2);
  out.declarant_id = rows.Text(row, first + 3);
  out.office = rows.Text(row, first + 4);
  out.type = rows.Text(row, first + 5);
  out.status = rows.Text(row, first + 6);
  out.channel = rows.Text(row, first + 7);
  out.hs_chapters = rows.Text(row, first + 8);
  out.created_at = rows.Time(row, first + 9);
  out.updated_at = rows.Time(row, first + 10);
  out.payload = rows.Bytes(row, first + 11);
  has_salt = CopySalt(rows.Bytes(row, first + 12), out.salt);
  if (!has_salt) out.sealed_salt = rows.Bytes(row, first + 12);
  return out;
}

TransitionRow ReadTransitionRow(const PgRows& rows, int row, int first, bool& has_salt) {
  TransitionRow out;
  out.declaration_id = rows.Text(row, first);
  out.sequence = rows.Int(row, first + 1);
  out.version = rows.Int(row, first + 2);
  out.from_status = rows.Text(row, first + 3);
  out.to_status = rows.Text(row, first + 4);
  out.channel = rows.Text(row, first + 5);
  out.actor = rows.Text(row, first + 6);
  out.reason = rows.Text(row, first + 7);
  out.at = rows.Time(row, first + 8);
  has_salt = CopySalt(rows.Bytes(row, first + 9), out.salt);
  if (!has_salt) out.sealed_salt = rows.Bytes(row, first + 9);
  return out;
}

AssessmentRow ReadAssessmentRow(const PgRows& rows, int row, int first, bool& has_salt) {
  AssessmentRow out;
  out.declaration_id = rows.Text(row, first);
  out.version = rows.Int(row, first + 1);
  out.at = rows.Time(row, first + 2);
  out.quote = rows.Bytes(row, first + 3);
  out.risk = rows.Bytes(row, first + 4);
  has_salt = CopySalt(rows.Bytes(row, first + 5), out.salt);
  if (!has_salt) out.sealed_salt = rows.Bytes(row, first + 5);
  return out;
}

SecurityEventRow ReadSecurityEventRow(const PgRows& rows, int row, int first, bool& has_salt) {
  SecurityEventRow out;
  out.id = rows.Text(row, first);
  out.at = rows.Time(row, first + 1);
  out.type = rows.Text(row, first + 2);
  out.outcome = rows.Text(row, first + 3);
  out.actor = rows.Text(row, first + 4);
  out.event = rows.Bytes(row, first + 5);
  has_salt = CopySalt(rows.Bytes(row, first + 6), out.salt);
  return out;
}

Result<DeclarationRow> QueryDeclaration(PgConnection& db, const std::string& id,
                                        std::optional<int64_t> version) {
  std::string sql = "SELECT " + std::string(kDeclarationColumnList);
  PgParams params;
  params.Text(id);
  if (version.has_value()) {
    sql += " FROM declarations d WHERE d.id = $1 AND d.version = $2";
    params.Int(*version);
  } else {
    sql +=
        " FROM declaration_heads h JOIN declarations d ON d.id = h.id AND d.version = h.version"
        " WHERE h.id = $1";
  }
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql, params));
  if (rows.size() == 0) return NotFoundOrPurged(db, id);
  return ReadDeclaration(rows, 0, 0);
}

Result<std::vector<DeclarationRow>> QueryVersions(PgConnection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(PgRows rows,
                      db.Run("SELECT " + std::string(kDeclarationColumnList) +
                                 " FROM declarations d WHERE d.id = $1 ORDER BY d.version",
                             PgParams().Text(id)));
  if (rows.size() == 0) return NotFoundOrPurged(db, id);
  std::vector<DeclarationRow> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) out.push_back(ReadDeclaration(rows, row, 0));
  return out;
}

Result<DeclarationPage> QueryDeclarationPage(PgConnection& db, const DeclarationFilter& filter,
                                             const PageRequest& page) {
  CW_RETURN_IF_ERROR(ValidatePageLimit(page.limit));
  CW_RETURN_IF_ERROR(RefuseClearSensitiveFilter(filter));
  std::optional<PageCursor> cursor;
  if (!page.after_cursor.empty()) {
    CW_ASSIGN_OR_RETURN(cursor, DecodeCursor(page.after_cursor));
  }
  // Every variant orders by (created_at DESC, id DESC), which the heads_by_* indexes provide,
  // and fetches one row more than the page to learn whether another page follows.
  Where where;
  where.AddIn("h.organisation_id", filter.organisation_ids);
  where.AddIn("h.office", filter.offices);
  if (!filter.status.empty()) {
    where.Add("h.status = ");
    where.params().Text(filter.status);
  }
  if (!filter.type.empty()) {
    where.Add("h.type = ");
    where.params().Text(filter.type);
  }
  if (!filter.channel.empty()) {
    where.Add("h.channel = ");
    where.params().Text(filter.channel);
  }
  if (filter.created_from.has_value()) {
    where.Add("h.created_at >= ");
    where.params().Time(*filter.created_from);
  }
  if (filter.created_to.has_value()) {
    where.Add("h.created_at < ");
    where.params().Time(*filter.created_to);
  }
  for (const SensitiveTerm& term : filter.blind_indexes) {
    where.Add("EXISTS (SELECT 1 FROM declaration_blind_indexes b WHERE b.purpose = ",
              " AND b.idx = $" + std::to_string(where.params().size() + 2) +
                  " AND b.declaration_id = h.id AND b.version = h.version)");
    where.params().Text(term.purpose).Text(term.value);
  }
  if (cursor.has_value()) where.AddCursor("h.created_at, h.id", *cursor);
  std::string sql = "SELECT h.created_at, " + std::string(kDeclarationColumnList) +
                    " FROM declaration_heads h JOIN declarations d"
                    " ON d.id = h.id AND d.version = h.version" +
                    where.sql() + " ORDER BY h.created_at DESC, h.id DESC";
  sql += where.Limit(int64_t{page.limit} + 1);
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql, where.params()));
  DeclarationPage result;
  const int limit = page.limit;
  for (int row = 0; row < rows.size(); ++row) {
    if (row == limit) {
      // A row beyond the page exists: the next page starts after the last item kept.
      result.next_cursor = EncodeCursor(PageCursor{rows.Time(row - 1, 0), rows.Text(row - 1, 1)});
      break;
    }
    result.items.push_back(ReadDeclaration(rows, row, 1));
  }
  return result;
}

Result<std::vector<TransitionRow>> QueryTransitions(PgConnection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(
      PgRows rows,
      db.Run("SELECT " + std::string(kTransitionColumnList) +
                 " FROM transitions WHERE declaration_id = $1 ORDER BY sequence",
             PgParams().Text(id)));
  std::vector<TransitionRow> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    bool has_salt = false;
    out.push_back(ReadTransitionRow(rows, row, 0, has_salt));
  }
  return out;
}

Result<IdempotencyRow> QueryIdempotency(PgConnection& db, const std::string& principal,
                                        const std::string& key) {
  CW_ASSIGN_OR_RETURN(
      PgRows rows,
      db.Run("SELECT principal, key, request_hash, status_code, response_body, resource_id,"
             " created_at FROM idempotency WHERE principal = $1 AND key = $2",
             PgParams().Text(principal).Text(key)));
  if (rows.size() == 0) {
    return Error::NotFound("idempotency-key-not-found", "no stored answer for key");
  }
  IdempotencyRow out;
  out.principal = rows.Text(0, 0);
  out.key = rows.Text(0, 1);
  out.request_hash = rows.Text(0, 2);
  out.status_code = static_cast<int>(rows.Int(0, 3));
  out.response_body = rows.Bytes(0, 4);
  out.resource_id = rows.Text(0, 5);
  out.created_at = rows.Time(0, 6);
  return out;
}

Result<int64_t> QueryDeclarationCount(PgConnection& db) {
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run("SELECT COUNT(*) FROM declaration_heads"));
  return rows.Int(0, 0);
}

Result<AssessmentRow> QueryAssessment(PgConnection& db, const std::string& declaration_id,
                                      int64_t version) {
  CW_ASSIGN_OR_RETURN(
      PgRows rows,
      db.Run("SELECT " + std::string(kAssessmentColumnList) +
                 " FROM assessments WHERE declaration_id = $1 AND version = $2",
             PgParams().Text(declaration_id).Int(version)));
  if (rows.size() == 0) {
    return Error::NotFound("assessment-not-found", "the declaration version has no assessment");
  }
  bool has_salt = false;
  return ReadAssessmentRow(rows, 0, 0, has_salt);
}

Result<SecurityEventPage> QuerySecurityEventPage(PgConnection& db,
                                                 const SecurityEventFilter& filter,
                                                 const PageRequest& page) {
  CW_RETURN_IF_ERROR(ValidatePageLimit(page.limit));
  std::optional<PageCursor> cursor;
  if (!page.after_cursor.empty()) {
    CW_ASSIGN_OR_RETURN(cursor, DecodeCursor(page.after_cursor));
  }
  Where where;
  if (!filter.type.empty()) {
    where.Add("type = ");
    where.params().Text(filter.type);
  }
  if (!filter.actor.empty()) {
    where.Add("actor = ");
    where.params().Text(filter.actor);
  }
  if (!filter.outcome.empty()) {
    where.Add("outcome = ");
    where.params().Text(filter.outcome);
  }
  if (filter.from.has_value()) {
    where.Add("at >= ");
    where.params().Time(*filter.from);
  }
  if (filter.to.has_value()) {
    where.Add("at < ");
    where.params().Time(*filter.to);
  }
  if (cursor.has_value()) where.AddCursor("at, id", *cursor);
  std::string sql = "SELECT " + std::string(kSecurityEventColumnList) + " FROM security_events" +
                    where.sql() + " ORDER BY at DESC, id DESC";
  sql += where.Limit(int64_t{page.limit} + 1);
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql, where.params()));
  SecurityEventPage result;
  for (int row = 0; row < rows.size(); ++row) {
    if (row == page.limit) {
      const SecurityEventRow& last = result.items.back();
      result.next_cursor = EncodeCursor(PageCursor{last.at, last.id});
      break;
    }
    bool has_salt = false;
    result.items.push_back(ReadSecurityEventRow(rows, row, 0, has_salt));
  }
  return result;
}

Result<DataKeyRow> QueryDataKey(PgConnection& db, const std::string& declaration_id) {
  CW_ASSIGN_OR_RETURN(PgRows rows,
                      db.Run("SELECT declaration_id, kek_id, kek_version, wrapped, created_at"
                             " FROM data_keys WHERE declaration_id = $1",
                             PgParams().Text(declaration_id)));
  if (rows.size() == 0) return DataKeyNotFound();
  return ReadDataKey(rows, 0);
}

Result<std::vector<DataKeyRow>> QueryDataKeysToRewrap(PgConnection& db, const std::string& kek_id,
                                                      int64_t kek_version,
                                                      const std::string& after_id, int limit) {
  CW_RETURN_IF_ERROR(ValidatePageLimit(limit));
  CW_ASSIGN_OR_RETURN(
      PgRows rows,
      db.Run("SELECT declaration_id, kek_id, kek_version, wrapped, created_at FROM data_keys"
             " WHERE NOT (kek_id = $1 AND kek_version = $2) AND declaration_id > $3"
             " ORDER BY declaration_id LIMIT $4",
             PgParams().Text(kek_id).Int(kek_version).Text(after_id).Int(limit)));
  std::vector<DataKeyRow> out;
  for (int row = 0; row < rows.size(); ++row) out.push_back(ReadDataKey(rows, row));
  return out;
}

Result<std::vector<KekUsage>> QueryKekUsage(PgConnection& db) {
  CW_ASSIGN_OR_RETURN(PgRows rows,
                      db.Run("SELECT kek_id, kek_version, COUNT(*)::bigint FROM data_keys"
                             " GROUP BY kek_id, kek_version ORDER BY kek_id, kek_version"));
  std::vector<KekUsage> usage;
  for (int row = 0; row < rows.size(); ++row) {
    usage.push_back(KekUsage{rows.Text(row, 0), rows.Int(row, 1), rows.Int(row, 2)});
  }
  return usage;
}

}  // namespace clearway::store::postgres::internal
