// The ledger's read snapshot for the full audit (declared in ledger_tables.h): one REPEATABLE
// READ transaction, so every table is read as of the same moment while writers go on, and
// server-side cursors, so that a large log streams through in pages instead of one result.
#include <algorithm>
#include <string>
#include <utility>

#include "store/postgres/ledger_tables.h"
#include "store/postgres/queries.h"

namespace clearway::store::postgres::internal {

namespace {

constexpr int kFetchRows = 1000;

class PostgresSnapshot final : public LedgerSnapshot {
 public:
  explicit PostgresSnapshot(PgConnection& db) : db_(db) {}

  Status ForEachLeaf(const std::function<Status(const LeafRow&)>& visit) override {
    return Stream("SELECT idx, leaf_hash, kind, record_id, entry FROM ledger_leaves ORDER BY idx",
                  [&visit](const PgRows& rows, int row) -> Status {
                    LeafRow leaf;
                    leaf.index = static_cast<uint64_t>(rows.Int(row, 0));
                    // A tampered hash of the wrong length is reported by the audit, not here.
                    std::string hash = rows.Bytes(row, 1);
                    std::copy_n(hash.begin(), std::min(hash.size(), leaf.leaf_hash.size()),
                                leaf.leaf_hash.begin());
                    leaf.kind = rows.Text(row, 2);
                    leaf.record_id = rows.Text(row, 3);
                    std::string entry = rows.Bytes(row, 4);
                    leaf.entry.assign(entry.begin(), entry.end());
                    return visit(leaf);
                  });
  }

  Status ForEachNode(const std::function<Status(const ledger::StoredNode&)>& visit) override {
    return Stream("SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx",
                  [&visit](const PgRows& rows, int row) -> Status {
                    const int64_t level = rows.Int(row, 0);
                    if (level < 1 || level > 63) {
                      return Error::DataLoss("store-corrupt",
                                             "a ledger node has level " + std::to_string(level));
                    }
                    ledger::StoredNode node;
                    node.id.level = static_cast<uint8_t>(level);
                    node.id.index = static_cast<uint64_t>(rows.Int(row, 1));
                    std::string hash = rows.Bytes(row, 2);
                    std::copy_n(hash.begin(), std::min(hash.size(), node.hash.size()),
                                node.hash.begin());
                    return visit(node);
                  });
  }

  Status ForEachVersion(const std::function<Status(const DeclarationRow&, bool)>& visit) override {
    return StreamRows("SELECT " + std::string(kDeclarationColumnList) +
                          " FROM declarations d ORDER BY d.id, d.version",
                      &ReadDeclarationRow, visit);
  }

  Status ForEachTransition(
      const std::function<Status(const TransitionRow&, bool)>& visit) override {
    return StreamRows("SELECT " + std::string(kTransitionColumnList) +
                          " FROM transitions ORDER BY declaration_id, sequence",
                      &ReadTransitionRow, visit);
  }

  Status ForEachAssessment(
      const std::function<Status(const AssessmentRow&, bool)>& visit) override {
    return StreamRows("SELECT " + std::string(kAssessmentColumnList) +
                          " FROM assessments ORDER BY declaration_id, version",
                      &ReadAssessmentRow, visit);
  }

  Status ForEachSecurityEvent(
      const std::function<Status(const SecurityEventRow&, bool)>& visit) override {
    return StreamRows("SELECT " + std::string(kSecurityEventColumnList) +
                          " FROM security_events ORDER BY at, id",
                      &ReadSecurityEventRow, visit);
  }

  Status ForEachLegalHold(
      const std::function<Status(const LegalHoldRow&, bool)>& visit) override {
    return VisitLegalHolds(db_, visit);
  }

  Status ForEachHoldRelease(
      const std::function<Status(const HoldReleaseRow&, bool)>& visit) override {
    return VisitHoldReleases(db_, visit);
  }

  Status ForEachPurge(const std::function<Status(const PurgeRow&, bool)>& visit) override {
    return VisitPurges(db_, visit);
  }

  Result<std::optional<CheckpointRow>> LatestCheckpoint() override {
    return QueryLatestCheckpoint(db_);
  }

  Result<DataKeyRow> GetDataKey(const std::string& declaration_id) override {
    return QueryDataKey(db_, declaration_id);
  }

 private:
  template <typename Row>
  Status StreamRows(const std::string& sql, Row (*read)(const PgRows&, int, int, bool&),
                    const std::function<Status(const Row&, bool)>& visit) {
    return Stream(sql, [&](const PgRows& rows, int row) -> Status {
      bool has_salt = false;
      Row out = read(rows, row, 0, has_salt);
      return visit(out, has_salt);
    });
  }

  // Stream() runs `sql` through a cursor and hands every row to `visit`, kFetchRows at a time.
  template <typename Visit>
  Status Stream(const std::string& sql, Visit visit) {
    const std::string cursor = "snapshot_" + std::to_string(++cursors_);
    CW_RETURN_IF_ERROR(db_.Exec("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + sql));
    const std::string fetch = "FETCH FORWARD " + std::to_string(kFetchRows) + " FROM " + cursor;
    while (true) {
      CW_ASSIGN_OR_RETURN(PgRows rows, db_.RunOnce(fetch));
      for (int row = 0; row < rows.size(); ++row) CW_RETURN_IF_ERROR(visit(rows, row));
      if (rows.size() < kFetchRows) break;
    }
    return db_.Exec("CLOSE " + cursor);
  }

  PgConnection& db_;
  int cursors_ = 0;
};

}  // namespace

Status ReadSnapshot(PgConnection& db, const std::function<Status(LedgerSnapshot&)>& read) {
  CW_RETURN_IF_ERROR(db.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
  PostgresSnapshot snapshot(db);
  Status result = read(snapshot);
  Status ended = db.Exec(result.ok() ? "COMMIT" : "ROLLBACK");
  if (!result.ok()) return result;
  return ended;
}

}  // namespace clearway::store::postgres::internal
