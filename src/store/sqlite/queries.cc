#include "store/sqlite/queries.h"

#include <string_view>

#include "store/sqlite/ledger_tables.h"

namespace clearway::store::sqlite::internal {

namespace {

constexpr std::string_view kDeclarationColumns = kDeclarationColumnList;

DeclarationRow ReadDeclaration(const Statement& stmt, int first) {
  bool has_salt = false;
  return ReadDeclarationRow(stmt, first, has_salt);
}

}  // namespace

DeclarationRow ReadDeclarationRow(const Statement& stmt, int first, bool& has_salt) {
  DeclarationRow row;
  row.id = stmt.ColumnText(first);
  row.version = stmt.ColumnInt(first + 1);
  row.organisation_id = stmt.ColumnText(first + 2);
  row.declarant_id = stmt.ColumnText(first + 3);
  row.office = stmt.ColumnText(first + 4);
  row.type = stmt.ColumnText(first + 5);
  row.status = stmt.ColumnText(first + 6);
  row.channel = stmt.ColumnText(first + 7);
  row.hs_chapters = stmt.ColumnText(first + 8);
  row.created_at = stmt.ColumnTime(first + 9);
  row.updated_at = stmt.ColumnTime(first + 10);
  row.payload = stmt.ColumnBlob(first + 11);
  has_salt = ReadSalt(stmt, first + 12, row.salt);
  if (!has_salt) row.sealed_salt = stmt.ColumnBlob(first + 12);
  return row;
}

namespace {

DataKeyRow ReadDataKey(const Statement& stmt) {
  DataKeyRow row;
  row.declaration_id = stmt.ColumnText(0);
  row.kek_id = stmt.ColumnText(1);
  row.kek_version = stmt.ColumnInt(2);
  row.wrapped = stmt.ColumnBlob(3);
  row.created_at = stmt.ColumnTime(4);
  return row;
}

Error DeclarationNotFound() {
  return Error::NotFound("declaration-not-found", "no such declaration or version");
}

// NotFoundOrPurged() is kNotFound "declaration-purged" for a purged declaration, else the
// plain "declaration-not-found" (or the error reading the tombstone).
Error NotFoundOrPurged(Connection& db, const std::string& id) {
  Result<PurgedDeclarationRow> purged = QueryPurgedDeclaration(db, id);
  if (purged.ok()) return DeclarationPurged(id);
  if (purged.error().code != ErrorCode::kNotFound) return std::move(purged).error();
  return DeclarationNotFound();
}

// BuildListSql() writes the list query for the filters present. Parameters are bound in the
// same order by BindListParameters(). Every variant orders by (created_at DESC, id DESC), which
// the heads_by_* indexes provide, and fetches one row more than the page to learn if another
// page follows.
std::string BuildListSql(const DeclarationFilter& filter, bool has_cursor) {
  std::string sql = "SELECT h.created_at, ";
  sql += kDeclarationColumns;
  sql += " FROM declaration_heads h JOIN declarations d ON d.id = h.id AND d.version = h.version";
  std::string where;
  auto add = [&where](std::string_view condition) {
    where += where.empty() ? " WHERE " : " AND ";
    where += condition;
  };
  auto add_in = [&add](std::string_view column, size_t count) {
    if (count == 0) return;
    std::string in = std::string(column) + " IN (?";
    for (size_t idx = 1; idx < count; ++idx) in += ", ?";
    add(in + ")");
  };
  add_in("h.organisation_id", filter.organisation_ids.size());
  add_in("h.office", filter.offices.size());
  if (!filter.status.empty()) add("h.status = ?");
  if (!filter.type.empty()) add("h.type = ?");
  if (!filter.channel.empty()) add("h.channel = ?");
  if (filter.created_from.has_value()) add("h.created_at >= ?");
  if (filter.created_to.has_value()) add("h.created_at < ?");
  for (size_t idx = 0; idx < filter.blind_indexes.size(); ++idx) {
    add("EXISTS (SELECT 1 FROM declaration_blind_indexes b WHERE b.purpose = ? AND b.idx = ?"
        " AND b.declaration_id = h.id AND b.version = h.version)");
  }
  if (has_cursor) add("(h.created_at, h.id) < (?, ?)");
  sql += where;
  sql += " ORDER BY h.created_at DESC, h.id DESC LIMIT ?";
  return sql;
}

void BindListParameters(Statement& stmt, const DeclarationFilter& filter,
                        const std::optional<PageCursor>& cursor, int limit) {
  int index = 0;
  for (const std::string& organisation : filter.organisation_ids) {
    stmt.BindText(++index, organisation);
  }
  for (const std::string& office : filter.offices) stmt.BindText(++index, office);
  if (!filter.status.empty()) stmt.BindText(++index, filter.status);
  if (!filter.type.empty()) stmt.BindText(++index, filter.type);
  if (!filter.channel.empty()) stmt.BindText(++index, filter.channel);
  if (filter.created_from.has_value()) stmt.BindTime(++index, *filter.created_from);
  if (filter.created_to.has_value()) stmt.BindTime(++index, *filter.created_to);
  for (const SensitiveTerm& term : filter.blind_indexes) {
    stmt.BindText(++index, term.purpose);
    stmt.BindText(++index, term.value);
  }
  if (cursor.has_value()) {
    stmt.BindTime(++index, cursor->created_at);
    stmt.BindText(++index, cursor->id);
  }
  stmt.BindInt(++index, int64_t{limit} + 1);
}

}  // namespace

Result<DeclarationRow> QueryDeclaration(Connection& db, const std::string& id,
                                        std::optional<int64_t> version) {
  std::string sql = "SELECT " + std::string(kDeclarationColumns);
  if (version.has_value()) {
    sql += " FROM declarations d WHERE d.id = ? AND d.version = ?";
  } else {
    sql +=
        " FROM declaration_heads h JOIN declarations d ON d.id = h.id AND d.version = h.version"
        " WHERE h.id = ?";
  }
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  stmt.BindText(1, id);
  if (version.has_value()) stmt.BindInt(2, *version);
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return NotFoundOrPurged(db, id);
  return ReadDeclaration(stmt, 0);
}

Result<std::vector<DeclarationRow>> QueryVersions(Connection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("SELECT " + std::string(kDeclarationColumns) +
                                 " FROM declarations d WHERE d.id = ? ORDER BY d.version"));
  stmt.BindText(1, id);
  std::vector<DeclarationRow> rows;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    rows.push_back(ReadDeclaration(stmt, 0));
  }
  if (rows.empty()) return NotFoundOrPurged(db, id);
  return rows;
}

Result<DeclarationPage> QueryDeclarationPage(Connection& db, const DeclarationFilter& filter,
                                             const PageRequest& page) {
  CW_RETURN_IF_ERROR(ValidatePageLimit(page.limit));
  CW_RETURN_IF_ERROR(RefuseClearSensitiveFilter(filter));
  std::optional<PageCursor> cursor;
  if (!page.after_cursor.empty()) {
    CW_ASSIGN_OR_RETURN(cursor, DecodeCursor(page.after_cursor));
  }
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(BuildListSql(filter, cursor.has_value())));
  BindListParameters(stmt, filter, cursor, page.limit);
  DeclarationPage result;
  const auto limit = static_cast<size_t>(page.limit);
  PageCursor last;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    if (result.items.size() == limit) {
      // A row beyond the page exists: the next page starts after the last item kept.
      result.next_cursor = EncodeCursor(last);
      break;
    }
    last = PageCursor{stmt.ColumnTime(0), stmt.ColumnText(1)};
    result.items.push_back(ReadDeclaration(stmt, 1));
  }
  return result;
}

Result<std::vector<TransitionRow>> QueryTransitions(Connection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT " + std::string(kTransitionColumnList) +
                 " FROM transitions WHERE declaration_id = ? ORDER BY sequence"));
  stmt.BindText(1, id);
  std::vector<TransitionRow> rows;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    bool has_salt = false;
    rows.push_back(ReadTransitionRow(stmt, 0, has_salt));
  }
  return rows;
}

TransitionRow ReadTransitionRow(const Statement& stmt, int first, bool& has_salt) {
  TransitionRow row;
  row.declaration_id = stmt.ColumnText(first);
  row.sequence = stmt.ColumnInt(first + 1);
  row.version = stmt.ColumnInt(first + 2);
  row.from_status = stmt.ColumnText(first + 3);
  row.to_status = stmt.ColumnText(first + 4);
  row.channel = stmt.ColumnText(first + 5);
  row.actor = stmt.ColumnText(first + 6);
  row.reason = stmt.ColumnText(first + 7);
  row.at = stmt.ColumnTime(first + 8);
  has_salt = ReadSalt(stmt, first + 9, row.salt);
  if (!has_salt) row.sealed_salt = stmt.ColumnBlob(first + 9);
  return row;
}

Result<IdempotencyRow> QueryIdempotency(Connection& db, const std::string& principal,
                                        const std::string& key) {
  CW_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT principal, key, request_hash, status_code, response_body, resource_id,"
                 " created_at FROM idempotency WHERE principal = ? AND key = ?"));
  stmt.BindText(1, principal);
  stmt.BindText(2, key);
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return Error::NotFound("idempotency-key-not-found", "no stored answer for key");
  IdempotencyRow row;
  row.principal = stmt.ColumnText(0);
  row.key = stmt.ColumnText(1);
  row.request_hash = stmt.ColumnText(2);
  row.status_code = static_cast<int>(stmt.ColumnInt(3));
  row.response_body = stmt.ColumnBlob(4);
  row.resource_id = stmt.ColumnText(5);
  row.created_at = stmt.ColumnTime(6);
  return row;
}

AssessmentRow ReadAssessmentRow(const Statement& stmt, int first, bool& has_salt) {
  AssessmentRow row;
  row.declaration_id = stmt.ColumnText(first);
  row.version = stmt.ColumnInt(first + 1);
  row.at = stmt.ColumnTime(first + 2);
  row.quote = stmt.ColumnBlob(first + 3);
  row.risk = stmt.ColumnBlob(first + 4);
  has_salt = ReadSalt(stmt, first + 5, row.salt);
  if (!has_salt) row.sealed_salt = stmt.ColumnBlob(first + 5);
  return row;
}

SecurityEventRow ReadSecurityEventRow(const Statement& stmt, int first, bool& has_salt) {
  SecurityEventRow row;
  row.id = stmt.ColumnText(first);
  row.at = stmt.ColumnTime(first + 1);
  row.type = stmt.ColumnText(first + 2);
  row.outcome = stmt.ColumnText(first + 3);
  row.actor = stmt.ColumnText(first + 4);
  row.event = stmt.ColumnBlob(first + 5);
  has_salt = ReadSalt(stmt, first + 6, row.salt);
  return row;
}

Result<AssessmentRow> QueryAssessment(Connection& db, const std::string& declaration_id,
                                      int64_t version) {
  CW_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("SELECT " + std::string(kAssessmentColumnList) +
                                 " FROM assessments WHERE declaration_id = ? AND version = ?"));
  stmt.BindText(1, declaration_id);
  stmt.BindInt(2, version);
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) {
    return Error::NotFound("assessment-not-found", "the declaration version has no assessment");
  }
  bool has_salt = false;
  return ReadAssessmentRow(stmt, 0, has_salt);
}

Result<SecurityEventPage> QuerySecurityEventPage(Connection& db,
                                                 const SecurityEventFilter& filter,
                                                 const PageRequest& page) {
  CW_RETURN_IF_ERROR(ValidatePageLimit(page.limit));
  std::optional<PageCursor> cursor;
  if (!page.after_cursor.empty()) {
    CW_ASSIGN_OR_RETURN(cursor, DecodeCursor(page.after_cursor));
  }
  std::string sql = "SELECT " + std::string(kSecurityEventColumnList) + " FROM security_events";
  std::string where;
  auto add = [&where](std::string_view condition) {
    where += where.empty() ? " WHERE " : " AND ";
    where += condition;
  };
  if (!filter.type.empty()) add("type = ?");
  if (!filter.actor.empty()) add("actor = ?");
  if (!filter.outcome.empty()) add("outcome = ?");
  if (filter.from.has_value()) add("at >= ?");
  if (filter.to.has_value()) add("at < ?");
  if (cursor.has_value()) add("(at, id) < (?, ?)");
  sql += where + " ORDER BY at DESC, id DESC LIMIT ?";
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  int index = 0;
  if (!filter.type.empty()) stmt.BindText(++index, filter.type);
  if (!filter.actor.empty()) stmt.BindText(++index, filter.actor);
  if (!filter.outcome.empty()) stmt.BindText(++index, filter.outcome);
  if (filter.from.has_value()) stmt.BindTime(++index, *filter.from);
  if (filter.to.has_value()) stmt.BindTime(++index, *filter.to);
  if (cursor.has_value()) {
    stmt.BindTime(++index, cursor->created_at);
    stmt.BindText(++index, cursor->id);
  }
  stmt.BindInt(++index, int64_t{page.limit} + 1);
  SecurityEventPage result;
  const auto limit = static_cast<size_t>(page.limit);
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    if (result.items.size() == limit) {
      const SecurityEventRow& last = result.items.back();
      result.next_cursor = EncodeCursor(PageCursor{last.at, last.id});
      break;
    }
    bool has_salt = false;
    result.items.push_back(ReadSecurityEventRow(stmt, 0, has_salt));
  }
  return result;
}

Result<int64_t> QueryDeclarationCount(Connection& db) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT COUNT(*) FROM declaration_heads"));
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  return has_row ? stmt.ColumnInt(0) : int64_t{0};
}

Result<DataKeyRow> QueryDataKey(Connection& db, const std::string& declaration_id) {
  CW_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("SELECT declaration_id, kek_id, kek_version, wrapped, created_at"
                                 " FROM data_keys WHERE declaration_id = ?"));
  stmt.BindText(1, declaration_id);
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return DataKeyNotFound();
  return ReadDataKey(stmt);
}

Result<std::vector<DataKeyRow>> QueryDataKeysToRewrap(Connection& db, const std::string& kek_id,
                                                      int64_t kek_version,
                                                      const std::string& after_id, int limit) {
  CW_RETURN_IF_ERROR(ValidatePageLimit(limit));
  CW_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT declaration_id, kek_id, kek_version, wrapped, created_at FROM data_keys"
                 " WHERE NOT (kek_id = ? AND kek_version = ?) AND declaration_id > ?"
                 " ORDER BY declaration_id LIMIT ?"));
  stmt.BindText(1, kek_id);
  stmt.BindInt(2, kek_version);
  stmt.BindText(3, after_id);
  stmt.BindInt(4, limit);
  std::vector<DataKeyRow> rows;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    rows.push_back(ReadDataKey(stmt));
  }
  return rows;
}

Result<std::vector<KekUsage>> QueryKekUsage(Connection& db) {
  CW_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("SELECT kek_id, kek_version, COUNT(*) FROM data_keys"
                                 " GROUP BY kek_id, kek_version ORDER BY kek_id, kek_version"));
  std::vector<KekUsage> usage;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    usage.push_back(KekUsage{stmt.ColumnText(0), stmt.ColumnInt(1), stmt.ColumnInt(2)});
  }
  return usage;
}

}  // namespace clearway::store::sqlite::internal
