// The ledger's read snapshot for the full audit, and the backfill of records older than the
// ledger (schema version 2). Declared in ledger_tables.h.
#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "store/ledger_records.h"
#include "store/sqlite/ledger_tables.h"
#include "store/sqlite/queries.h"

namespace clearway::store::sqlite::internal {

namespace {

// SqliteSnapshot reads through one connection inside a read transaction (ReadSnapshot()).
class SqliteSnapshot final : public LedgerSnapshot {
 public:
  explicit SqliteSnapshot(Connection& db) : db_(db) {}

  Status ForEachLeaf(const std::function<Status(const LeafRow&)>& visit) override {
    CW_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT idx, leaf_hash, kind, record_id, entry"
                                                    " FROM ledger_leaves ORDER BY idx"));
    while (true) {
      CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) return OkStatus();
      LeafRow row;
      row.index = static_cast<uint64_t>(stmt.ColumnInt(0));
      // A tampered hash of the wrong length is reported by the audit, not refused here.
      std::string hash = stmt.ColumnBlob(1);
      std::copy_n(hash.begin(), std::min(hash.size(), row.leaf_hash.size()), row.leaf_hash.begin());
      row.kind = stmt.ColumnText(2);
      row.record_id = stmt.ColumnText(3);
      std::string entry = stmt.ColumnBlob(4);
      row.entry.assign(entry.begin(), entry.end());
      CW_RETURN_IF_ERROR(visit(row));
    }
  }

  Status ForEachNode(const std::function<Status(const ledger::StoredNode&)>& visit) override {
    CW_ASSIGN_OR_RETURN(
        Statement stmt,
        db_.Prepare("SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx"));
    while (true) {
      CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) return OkStatus();
      const int64_t level = stmt.ColumnInt(0);
      if (level < 1 || level > 63) {
        return Error::DataLoss("store-corrupt", "a ledger node has level " + std::to_string(level));
      }
      ledger::StoredNode node;
      node.id.level = static_cast<uint8_t>(level);
      node.id.index = static_cast<uint64_t>(stmt.ColumnInt(1));
      std::string hash = stmt.ColumnBlob(2);
      std::copy_n(hash.begin(), std::min(hash.size(), node.hash.size()), node.hash.begin());
      CW_RETURN_IF_ERROR(visit(node));
    }
  }

  Status ForEachVersion(const std::function<Status(const DeclarationRow&, bool)>& visit) override {
    return VisitRows("SELECT " + std::string(kDeclarationColumnList) +
                         " FROM declarations d ORDER BY d.id, d.version",
                     &ReadDeclarationRow, visit);
  }

  Status ForEachTransition(
      const std::function<Status(const TransitionRow&, bool)>& visit) override {
    return VisitRows("SELECT " + std::string(kTransitionColumnList) +
                         " FROM transitions ORDER BY declaration_id, sequence",
                     &ReadTransitionRow, visit);
  }

  Status ForEachAssessment(
      const std::function<Status(const AssessmentRow&, bool)>& visit) override {
    return VisitRows("SELECT " + std::string(kAssessmentColumnList) +
                         " FROM assessments ORDER BY declaration_id, version",
                     &ReadAssessmentRow, visit);
  }

  Status ForEachSecurityEvent(
      const std::function<Status(const SecurityEventRow&, bool)>& visit) override {
    return VisitRows("SELECT " + std::string(kSecurityEventColumnList) +
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
  // VisitRows() runs `sql` and hands each row, read by `read` from column 0, to `visit`.
  template <typename Row>
  Status VisitRows(const std::string& sql, Row (*read)(const Statement&, int, bool&),
                   const std::function<Status(const Row&, bool)>& visit) {
    CW_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
    while (true) {
      CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) return OkStatus();
      bool has_salt = false;
      Row row = read(stmt, 0, has_salt);
      CW_RETURN_IF_ERROR(visit(row, has_salt));
    }
  }

  Connection& db_;
};

std::string_view AsText(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

Status ReadSnapshot(Connection& db, const std::function<Status(LedgerSnapshot&)>& read) {
  // A deferred transaction takes its snapshot at the first read and keeps it to the end, so
  // every table is seen as of the same commit even while the writer goes on.
  CW_RETURN_IF_ERROR(db.Exec("BEGIN"));
  SqliteSnapshot snapshot(db);
  Status result = read(snapshot);
  Status ended = db.Exec(result.ok() ? "COMMIT" : "ROLLBACK");
  if (!result.ok()) return result;
  return ended;
}

Status BackfillLedger(Connection& db) {
  std::vector<DeclarationRow> versions;
  {
    CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT " + std::string(kDeclarationColumnList) +
                                                   " FROM declarations d WHERE d.salt IS NULL"
                                                   " ORDER BY d.created_at, d.id, d.version"));
    while (true) {
      CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) break;
      bool has_salt = false;
      versions.push_back(ReadDeclarationRow(stmt, 0, has_salt));
    }
  }
  // Transitions by (declaration, version), each list in sequence order.
  std::map<std::pair<std::string, int64_t>, std::vector<TransitionRow>> transitions;
  {
    CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT " + std::string(kTransitionColumnList) +
                                                   " FROM transitions WHERE salt IS NULL"
                                                   " ORDER BY declaration_id, sequence"));
    while (true) {
      CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) break;
      bool has_salt = false;
      TransitionRow row = ReadTransitionRow(stmt, 0, has_salt);
      transitions[{row.declaration_id, row.version}].push_back(std::move(row));
    }
  }
  std::vector<EncodedLeaf> leaves;
  auto add = [&](ledger::LeafEntry entry) -> Status {
    CW_ASSIGN_OR_RETURN(EncodedLeaf leaf, EncodeLeaf(std::move(entry)));
    leaves.push_back(std::move(leaf));
    return OkStatus();
  };
  auto save_transition = [&](TransitionRow& row) -> Status {
    row.salt = ledger::NewCommitmentSalt();
    CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("UPDATE transitions SET salt = ?"
                                                   " WHERE declaration_id = ? AND sequence = ?"));
    stmt.BindBlob(1, AsText(row.salt));
    stmt.BindText(2, row.declaration_id);
    stmt.BindInt(3, row.sequence);
    CW_RETURN_IF_ERROR(stmt.Run());
    return add(TransitionLeaf(row));
  };
  for (DeclarationRow& row : versions) {
    row.salt = ledger::NewCommitmentSalt();
    {
      CW_ASSIGN_OR_RETURN(
          Statement stmt,
          db.Prepare("UPDATE declarations SET salt = ? WHERE id = ? AND version = ?"));
      stmt.BindBlob(1, AsText(row.salt));
      stmt.BindText(2, row.id);
      stmt.BindInt(3, row.version);
      CW_RETURN_IF_ERROR(stmt.Run());
    }
    CW_RETURN_IF_ERROR(add(VersionLeaf(row)));
    auto applying = transitions.find({row.id, row.version});
    if (applying == transitions.end()) continue;
    for (TransitionRow& transition : applying->second)
      CW_RETURN_IF_ERROR(save_transition(transition));
    transitions.erase(applying);
  }
  // Transitions of versions that already had a salt (none, unless the file was edited).
  for (auto& [key, rows] : transitions) {
    for (TransitionRow& transition : rows) CW_RETURN_IF_ERROR(save_transition(transition));
  }
  CW_ASSIGN_OR_RETURN(uint64_t first, AppendLeaves(db, leaves));
  static_cast<void>(first);
  return OkStatus();
}

}  // namespace clearway::store::sqlite::internal
