// The retention side of the SQLite store's reads: legal holds, closed declarations, purge
// tombstones and purges (schema version 6). Declared in queries.h.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/ledger_tables.h"
#include "store/sqlite/queries.h"

namespace clearway::store::sqlite::internal {

namespace {

constexpr const char* kHoldColumns =
    "h.id, h.scope, h.target_id, h.case_reference, h.reason, h.placed_by, h.placed_at, h.salt,"
    " r.hold_id, r.released_by, r.reason, r.released_at, r.salt";

LegalHold ReadHold(const Statement& stmt) {
  LegalHold hold;
  LegalHoldRow& row = hold.hold;
  row.id = stmt.ColumnText(0);
  row.scope = stmt.ColumnText(1);
  row.target_id = stmt.ColumnText(2);
  row.case_reference = stmt.ColumnText(3);
  row.reason = stmt.ColumnText(4);
  row.placed_by = stmt.ColumnText(5);
  row.placed_at = stmt.ColumnTime(6);
  ReadSalt(stmt, 7, row.salt);
  if (!stmt.ColumnText(8).empty()) {
    HoldReleaseRow release;
    release.hold_id = stmt.ColumnText(8);
    release.released_by = stmt.ColumnText(9);
    release.reason = stmt.ColumnText(10);
    release.released_at = stmt.ColumnTime(11);
    ReadSalt(stmt, 12, release.salt);
    hold.release = std::move(release);
  }
  return hold;
}

}  // namespace

Result<std::vector<LegalHold>> QueryLegalHolds(Connection& db, bool include_released) {
  std::string sql = std::string("SELECT ") + kHoldColumns +
                    " FROM legal_holds h LEFT JOIN legal_hold_releases r ON r.hold_id = h.id";
  if (!include_released) sql += " WHERE r.hold_id IS NULL";
  sql += " ORDER BY h.placed_at, h.id";
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  std::vector<LegalHold> holds;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return holds;
    holds.push_back(ReadHold(stmt));
  }
}

Result<LegalHold> QueryLegalHold(Connection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(std::string("SELECT ") + kHoldColumns +
                 " FROM legal_holds h LEFT JOIN legal_hold_releases r ON r.hold_id = h.id"
                 " WHERE h.id = ?"));
  stmt.BindText(1, id);
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return HoldNotFound(id);
  return ReadHold(stmt);
}

Result<std::vector<ClosedDeclaration>> QueryClosedDeclarations(
    Connection& db, const std::vector<std::string>& final_statuses, Timestamp closed_before,
    const std::optional<std::pair<Timestamp, std::string>>& after, int limit) {
  CW_RETURN_IF_ERROR(ValidatePageLimit(limit));
  if (final_statuses.empty()) return std::vector<ClosedDeclaration>{};
  // The closing date is the time of the declaration's last transition (the one into its final
  // status; none follows a final status), or its version's update time if it has none.
  std::string sql =
      "SELECT id, organisation_id, status, closed_at FROM (SELECT h.id, h.organisation_id,"
      " h.status, COALESCE((SELECT MAX(t.at) FROM transitions t WHERE t.declaration_id = h.id),"
      " d.updated_at) AS closed_at FROM declaration_heads h JOIN declarations d"
      " ON d.id = h.id AND d.version = h.version WHERE h.status IN (?";
  for (size_t idx = 1; idx < final_statuses.size(); ++idx) sql += ", ?";
  sql += ")) WHERE closed_at < ?";
  if (after.has_value()) sql += " AND (closed_at, id) > (?, ?)";
  sql += " ORDER BY closed_at, id LIMIT ?";
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  int index = 0;
  for (const std::string& status : final_statuses) stmt.BindText(++index, status);
  stmt.BindTime(++index, closed_before);
  if (after.has_value()) {
    stmt.BindTime(++index, after->first);
    stmt.BindText(++index, after->second);
  }
  stmt.BindInt(++index, limit);
  std::vector<ClosedDeclaration> rows;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return rows;
    rows.push_back(ClosedDeclaration{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnText(2),
                                     stmt.ColumnTime(3)});
  }
}

Result<PurgedDeclarationRow> QueryPurgedDeclaration(Connection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT p.declaration_id, p.purge_id, p.closed_at, r.purged_at"
                 " FROM purged_declarations p JOIN retention_purges r ON r.id = p.purge_id"
                 " WHERE p.declaration_id = ?"));
  stmt.BindText(1, id);
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) {
    return Error::NotFound("not-purged", "declaration " + id + " was not purged");
  }
  return PurgedDeclarationRow{stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnTime(2),
                              stmt.ColumnTime(3)};
}

Status VisitLegalHolds(Connection& db,
                       const std::function<Status(const LegalHoldRow&, bool)>& visit) {
  CW_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("SELECT id, scope, target_id, case_reference, reason, placed_by,"
                                 " placed_at, salt FROM legal_holds ORDER BY id"));
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return OkStatus();
    LegalHoldRow row;
    row.id = stmt.ColumnText(0);
    row.scope = stmt.ColumnText(1);
    row.target_id = stmt.ColumnText(2);
    row.case_reference = stmt.ColumnText(3);
    row.reason = stmt.ColumnText(4);
    row.placed_by = stmt.ColumnText(5);
    row.placed_at = stmt.ColumnTime(6);
    const bool has_salt = ReadSalt(stmt, 7, row.salt);
    CW_RETURN_IF_ERROR(visit(row, has_salt));
  }
}

Status VisitHoldReleases(Connection& db,
                         const std::function<Status(const HoldReleaseRow&, bool)>& visit) {
  CW_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("SELECT hold_id, released_by, reason, released_at, salt"
                                 " FROM legal_hold_releases ORDER BY hold_id"));
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return OkStatus();
    HoldReleaseRow row;
    row.hold_id = stmt.ColumnText(0);
    row.released_by = stmt.ColumnText(1);
    row.reason = stmt.ColumnText(2);
    row.released_at = stmt.ColumnTime(3);
    const bool has_salt = ReadSalt(stmt, 4, row.salt);
    CW_RETURN_IF_ERROR(visit(row, has_salt));
  }
}

Status VisitPurges(Connection& db, const std::function<Status(const PurgeRow&, bool)>& visit) {
  // Three ordered scans merged in memory: purges are few, their members many.
  std::vector<std::pair<PurgeRow, bool>> purges;
  std::map<std::string, size_t> position;
  {
    CW_ASSIGN_OR_RETURN(Statement stmt,
                        db.Prepare("SELECT id, purged_at, actor, salt FROM retention_purges"
                                   " ORDER BY purged_at, id"));
    while (true) {
      CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) break;
      PurgeRow row;
      row.id = stmt.ColumnText(0);
      row.purged_at = stmt.ColumnTime(1);
      row.actor = stmt.ColumnText(2);
      const bool has_salt = ReadSalt(stmt, 3, row.salt);
      position.emplace(row.id, purges.size());
      purges.emplace_back(std::move(row), has_salt);
    }
  }
  {
    CW_ASSIGN_OR_RETURN(Statement stmt,
                        db.Prepare("SELECT purge_id, declaration_id, closed_at"
                                   " FROM purged_declarations ORDER BY declaration_id"));
    while (true) {
      CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) break;
      auto found = position.find(stmt.ColumnText(0));
      PurgedDeclaration declaration{stmt.ColumnText(1), stmt.ColumnTime(2)};
      if (found == position.end()) continue;  // the foreign key makes this impossible
      purges[found->second].first.declarations.push_back(std::move(declaration));
    }
  }
  {
    CW_ASSIGN_OR_RETURN(Statement stmt,
                        db.Prepare("SELECT purge_id, event_id FROM purged_security_events"
                                   " ORDER BY event_id"));
    while (true) {
      CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) break;
      auto found = position.find(stmt.ColumnText(0));
      if (found == position.end()) continue;
      purges[found->second].first.security_event_ids.push_back(stmt.ColumnText(1));
    }
  }
  for (const auto& [row, has_salt] : purges) CW_RETURN_IF_ERROR(visit(row, has_salt));
  return OkStatus();
}

}  // namespace clearway::store::sqlite::internal
