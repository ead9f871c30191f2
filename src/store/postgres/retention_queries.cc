// The retention reads of the PostgreSQL store, as store/sqlite/retention_queries.cc (schema
// version 6). Declared in queries.h.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/postgres/ledger_tables.h"
#include "store/postgres/queries.h"

namespace clearway::store::postgres::internal {

namespace {

constexpr const char* kHoldColumns =
    "h.id, h.scope, h.target_id, h.case_reference, h.reason, h.placed_by, h.placed_at, h.salt,"
    " r.hold_id, r.released_by, r.reason, r.released_at, r.salt";

LegalHoldRow ReadHoldRow(const PgRows& rows, int row, bool& has_salt) {
  LegalHoldRow hold;
  hold.id = rows.Text(row, 0);
  hold.scope = rows.Text(row, 1);
  hold.target_id = rows.Text(row, 2);
  hold.case_reference = rows.Text(row, 3);
  hold.reason = rows.Text(row, 4);
  hold.placed_by = rows.Text(row, 5);
  hold.placed_at = rows.Time(row, 6);
  has_salt = CopySalt(rows.Bytes(row, 7), hold.salt);
  return hold;
}

LegalHold ReadHold(const PgRows& rows, int row) {
  LegalHold hold;
  bool has_salt = false;
  hold.hold = ReadHoldRow(rows, row, has_salt);
  if (!rows.IsNull(row, 8)) {
    HoldReleaseRow release;
    release.hold_id = rows.Text(row, 8);
    release.released_by = rows.Text(row, 9);
    release.reason = rows.Text(row, 10);
    release.released_at = rows.Time(row, 11);
    CopySalt(rows.Bytes(row, 12), release.salt);
    hold.release = std::move(release);
  }
  return hold;
}

}  // namespace

Result<std::vector<LegalHold>> QueryLegalHolds(PgConnection& db, bool include_released) {
  std::string sql = std::string("SELECT ") + kHoldColumns +
                    " FROM legal_holds h LEFT JOIN legal_hold_releases r ON r.hold_id = h.id";
  if (!include_released) sql += " WHERE r.hold_id IS NULL";
  sql += " ORDER BY h.placed_at, h.id";
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql));
  std::vector<LegalHold> holds;
  for (int row = 0; row < rows.size(); ++row) holds.push_back(ReadHold(rows, row));
  return holds;
}

Result<LegalHold> QueryLegalHold(PgConnection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(
      PgRows rows,
      db.Run(std::string("SELECT ") + kHoldColumns +
                 " FROM legal_holds h LEFT JOIN legal_hold_releases r ON r.hold_id = h.id"
                 " WHERE h.id = $1",
             PgParams().Text(id)));
  if (rows.size() == 0) return HoldNotFound(id);
  return ReadHold(rows, 0);
}

Result<std::vector<ClosedDeclaration>> QueryClosedDeclarations(
    PgConnection& db, const std::vector<std::string>& final_statuses, Timestamp closed_before,
    const std::optional<std::pair<Timestamp, std::string>>& after, int limit) {
  CW_RETURN_IF_ERROR(ValidatePageLimit(limit));
  if (final_statuses.empty()) return std::vector<ClosedDeclaration>{};
  PgParams params;
  std::string sql =
      "SELECT id, organisation_id, status, closed_at FROM (SELECT h.id, h.organisation_id,"
      " h.status, COALESCE((SELECT MAX(t.at) FROM transitions t WHERE t.declaration_id = h.id),"
      " d.updated_at) AS closed_at FROM declaration_heads h JOIN declarations d"
      " ON d.id = h.id AND d.version = h.version WHERE h.status IN (";
  int index = 0;
  for (const std::string& status : final_statuses) {
    if (index > 0) sql += ", ";
    sql += "$" + std::to_string(++index);
    params.Text(status);
  }
  sql += ")) AS closed WHERE closed_at < $" + std::to_string(++index);
  params.Time(closed_before);
  if (after.has_value()) {
    sql += " AND (closed_at, id) > ($" + std::to_string(index + 1) + ", $" +
           std::to_string(index + 2) + ")";
    index += 2;
    params.Time(after->first).Text(after->second);
  }
  sql += " ORDER BY closed_at, id LIMIT $" + std::to_string(++index);
  params.Int(limit);
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql, params));
  std::vector<ClosedDeclaration> out;
  for (int row = 0; row < rows.size(); ++row) {
    out.push_back(ClosedDeclaration{rows.Text(row, 0), rows.Text(row, 1), rows.Text(row, 2),
                                    rows.Time(row, 3)});
  }
  return out;
}

Result<PurgedDeclarationRow> QueryPurgedDeclaration(PgConnection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(
      PgRows rows,
      db.Run("SELECT p.declaration_id, p.purge_id, p.closed_at, r.purged_at"
             " FROM purged_declarations p JOIN retention_purges r ON r.id = p.purge_id"
             " WHERE p.declaration_id = $1",
             PgParams().Text(id)));
  if (rows.size() == 0) {
    return Error::NotFound("not-purged", "declaration " + id + " was not purged");
  }
  return PurgedDeclarationRow{rows.Text(0, 0), rows.Text(0, 1), rows.Time(0, 2), rows.Time(0, 3)};
}

Status VisitLegalHolds(PgConnection& db,
                       const std::function<Status(const LegalHoldRow&, bool)>& visit) {
  CW_ASSIGN_OR_RETURN(PgRows rows,
                      db.Run("SELECT id, scope, target_id, case_reference, reason, placed_by,"
                             " placed_at, salt FROM legal_holds ORDER BY id"));
  for (int row = 0; row < rows.size(); ++row) {
    bool has_salt = false;
    LegalHoldRow hold = ReadHoldRow(rows, row, has_salt);
    CW_RETURN_IF_ERROR(visit(hold, has_salt));
  }
  return OkStatus();
}

Status VisitHoldReleases(PgConnection& db,
                         const std::function<Status(const HoldReleaseRow&, bool)>& visit) {
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run("SELECT hold_id, released_by, reason, released_at,"
                                          " salt FROM legal_hold_releases ORDER BY hold_id"));
  for (int row = 0; row < rows.size(); ++row) {
    HoldReleaseRow release;
    release.hold_id = rows.Text(row, 0);
    release.released_by = rows.Text(row, 1);
    release.reason = rows.Text(row, 2);
    release.released_at = rows.Time(row, 3);
    const bool has_salt = CopySalt(rows.Bytes(row, 4), release.salt);
    CW_RETURN_IF_ERROR(visit(release, has_salt));
  }
  return OkStatus();
}

Status VisitPurges(PgConnection& db, const std::function<Status(const PurgeRow&, bool)>& visit) {
  std::vector<std::pair<PurgeRow, bool>> purges;
  std::map<std::string, size_t> position;
  {
    CW_ASSIGN_OR_RETURN(PgRows rows, db.Run("SELECT id, purged_at, actor, salt"
                                            " FROM retention_purges ORDER BY purged_at, id"));
    for (int row = 0; row < rows.size(); ++row) {
      PurgeRow purge;
      purge.id = rows.Text(row, 0);
      purge.purged_at = rows.Time(row, 1);
      purge.actor = rows.Text(row, 2);
      const bool has_salt = CopySalt(rows.Bytes(row, 3), purge.salt);
      position.emplace(purge.id, purges.size());
      purges.emplace_back(std::move(purge), has_salt);
    }
  }
  {
    CW_ASSIGN_OR_RETURN(PgRows rows, db.Run("SELECT purge_id, declaration_id, closed_at"
                                            " FROM purged_declarations ORDER BY declaration_id"));
    for (int row = 0; row < rows.size(); ++row) {
      auto found = position.find(rows.Text(row, 0));
      if (found == position.end()) continue;  // the foreign key makes this impossible
      purges[found->second].first.declarations.push_back(
          PurgedDeclaration{rows.Text(row, 1), rows.Time(row, 2)});
    }
  }
  {
    CW_ASSIGN_OR_RETURN(PgRows rows, db.Run("SELECT purge_id, event_id FROM purged_security_events"
                                            " ORDER BY event_id"));
    for (int row = 0; row < rows.size(); ++row) {
      auto found = position.find(rows.Text(row, 0));
      if (found == position.end()) continue;
      purges[found->second].first.security_event_ids.push_back(rows.Text(row, 1));
    }
  }
  for (const auto& [row, has_salt] : purges) CW_RETURN_IF_ERROR(visit(row, has_salt));
  return OkStatus();
}

}  // namespace clearway::store::postgres::internal
