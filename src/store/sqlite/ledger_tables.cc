#include "store/sqlite/ledger_tables.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "ledger/merkle_log.h"

namespace clearway::store::sqlite::internal {

namespace {

constexpr const char* kLeafCount = "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_leaves";
constexpr const char* kSelectLeafHash = "SELECT leaf_hash FROM ledger_leaves WHERE idx = ?";
constexpr const char* kSelectNodeHash = "SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?";
constexpr const char* kInsertLeaf =
    "INSERT INTO ledger_leaves (idx, leaf_hash, kind, record_id, entry) VALUES (?, ?, ?, ?, ?)";
constexpr const char* kInsertNode = "INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)";
constexpr const char* kLeafColumns =
    "SELECT idx, leaf_hash, kind, record_id, entry FROM ledger_leaves";
constexpr const char* kCheckpointColumns = "SELECT size, root, note, issued_at FROM ledger_checkpoints";
constexpr const char* kLatestCheckpoint =
    "SELECT size, root, note, issued_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1";
constexpr const char* kLatestCosignedCheckpoint =
    "SELECT size, root, note, issued_at FROM ledger_checkpoints WHERE size = "
    "(SELECT MAX(size) FROM ledger_cosignatures)";
constexpr const char* kInsertCosignature =
    "INSERT OR IGNORE INTO ledger_cosignatures (size, witness, key_id, line, received_at) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr const char* kSelectCosignatures =
    "SELECT size, witness, key_id, line, received_at FROM ledger_cosignatures WHERE size = ? "
    "ORDER BY rowid";
constexpr const char* kInsertCheckpoint =
    "INSERT INTO ledger_checkpoints (size, root, note, issued_at) VALUES (?, ?, ?, ?)";

std::string_view AsText(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Result<ledger::Hash> HashColumn(const Statement& stmt, int column) {
  std::string blob = stmt.ColumnBlob(column);
  ledger::Hash hash{};
  if (blob.size() != hash.size()) {
    return Error::DataLoss("store-corrupt", "a stored ledger hash is not 32 bytes");
  }
  std::copy(blob.begin(), blob.end(), hash.begin());
  return hash;
}

Result<LeafRow> ReadLeaf(const Statement& stmt) {
  LeafRow row;
  row.index = static_cast<uint64_t>(stmt.ColumnInt(0));
  CW_ASSIGN_OR_RETURN(row.leaf_hash, HashColumn(stmt, 1));
  row.kind = stmt.ColumnText(2);
  row.record_id = stmt.ColumnText(3);
  std::string entry = stmt.ColumnBlob(4);
  row.entry.assign(entry.begin(), entry.end());
  return row;
}

Error LeafNotFound() { return Error::NotFound("leaf-not-found", "the ledger has no such leaf"); }

}  // namespace

bool ReadSalt(const Statement& stmt, int column, ledger::CommitmentSalt& salt) {
  salt.fill(0);
  std::string blob = stmt.ColumnBlob(column);
  if (blob.size() != salt.size()) return false;
  std::copy(blob.begin(), blob.end(), salt.begin());
  return true;
}

// ---- ConnectionTree -------------------------------------------------------------------------

Result<uint64_t> ConnectionTree::LeafCount() const {
  CW_ASSIGN_OR_RETURN(Statement stmt, db_->Prepare(kLeafCount));
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  return has_row ? static_cast<uint64_t>(stmt.ColumnInt(0)) : uint64_t{0};
}

Result<std::vector<ledger::Hash>> ConnectionTree::GetNodes(
    std::span<const ledger::NodeId> ids) const {
  std::vector<ledger::Hash> out;
  out.reserve(ids.size());
  for (const ledger::NodeId& id : ids) {
    CW_ASSIGN_OR_RETURN(Statement stmt,
                        db_->Prepare(id.level == 0 ? kSelectLeafHash : kSelectNodeHash));
    if (id.level == 0) {
      stmt.BindInt(1, static_cast<int64_t>(id.index));
    } else {
      stmt.BindInt(1, id.level);
      stmt.BindInt(2, static_cast<int64_t>(id.index));
    }
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) {
      return Error::NotFound("no-such-node", "no subtree hash at level " +
                                                 std::to_string(id.level) + " index " +
                                                 std::to_string(id.index));
    }
    CW_ASSIGN_OR_RETURN(ledger::Hash hash, HashColumn(stmt, 0));
    out.push_back(hash);
  }
  return out;
}

Status ConnectionTree::Append(const ledger::TreeAppend&) {
  return Error::FailedPrecondition("append-through-commit",
                                   "leaves enter the log only with their records, via Commit()");
}

// ---- Writes ---------------------------------------------------------------------------------

Result<EncodedLeaf> EncodeLeaf(ledger::LeafEntry entry) {
  EncodedLeaf leaf;
  CW_ASSIGN_OR_RETURN(leaf.bytes, ledger::EncodeLeafEntry(entry));
  leaf.hash = ledger::HashLeaf(leaf.bytes);
  leaf.entry = std::move(entry);
  return leaf;
}

Result<uint64_t> AppendLeaves(Connection& db, std::span<const EncodedLeaf> leaves) {
  ConnectionTree tree(db);
  if (leaves.empty()) return tree.LeafCount();
  std::vector<ledger::Hash> hashes;
  hashes.reserve(leaves.size());
  for (const EncodedLeaf& leaf : leaves) hashes.push_back(leaf.hash);
  // The writer is the only appender and holds the write transaction, so the tree cannot grow
  // between PrepareAppend() and the inserts below.
  ledger::MerkleLog log(&tree);
  CW_ASSIGN_OR_RETURN(ledger::TreeAppend batch, log.PrepareAppend(hashes));
  for (size_t pos = 0; pos < leaves.size(); ++pos) {
    CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertLeaf));
    stmt.BindInt(1, static_cast<int64_t>(batch.first_leaf_index + pos));
    stmt.BindBlob(2, AsText(leaves[pos].hash));
    stmt.BindText(3, leaves[pos].entry.kind);
    stmt.BindText(4, leaves[pos].entry.record_id);
    stmt.BindBlob(5, AsText(leaves[pos].bytes));
    Status inserted = stmt.Run();
    if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
      return Error::AlreadyExists("duplicate-leaf",
                                  "record " + leaves[pos].entry.record_id + " already has a leaf");
    }
    CW_RETURN_IF_ERROR(inserted);
  }
  for (const ledger::StoredNode& node : batch.nodes) {
    CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertNode));
    stmt.BindInt(1, node.id.level);
    stmt.BindInt(2, static_cast<int64_t>(node.id.index));
    stmt.BindBlob(3, AsText(node.hash));
    Status inserted = stmt.Run();
    if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
      // Only a damaged tree (leaves removed from its end) can hold a node where a new one goes.
      return Error::DataLoss("store-corrupt", "a ledger tree node already exists at level " +
                                                  std::to_string(node.id.level) + " index " +
                                                  std::to_string(node.id.index));
    }
    CW_RETURN_IF_ERROR(inserted);
  }
  return batch.first_leaf_index;
}

Status InsertCheckpoint(Connection& db, const CheckpointRow& checkpoint) {
  CW_ASSIGN_OR_RETURN(std::optional<CheckpointRow> latest, QueryLatestCheckpoint(db));
  if (latest.has_value() && checkpoint.size <= latest->size) {
    return Error::AlreadyExists(
        "stale-checkpoint",
        "a checkpoint of size " + std::to_string(latest->size) + " is already kept");
  }
  ConnectionTree tree(db);
  ledger::MerkleLog log(&tree);
  Result<ledger::Hash> root = log.Root(checkpoint.size);
  if (!root.ok()) {
    if (root.error().reason != "tree-size-out-of-range") return std::move(root).error();
    return Error::FailedPrecondition("checkpoint-mismatch",
                                     "the checkpoint is larger than the log");
  }
  if (*root != checkpoint.root) {
    return Error::FailedPrecondition("checkpoint-mismatch",
                                     "the checkpoint's root is not the log's root at its size");
  }
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertCheckpoint));
  stmt.BindInt(1, static_cast<int64_t>(checkpoint.size));
  stmt.BindBlob(2, AsText(checkpoint.root));
  stmt.BindText(3, checkpoint.note);
  stmt.BindTime(4, checkpoint.issued_at);
  return stmt.Run();
}

Status InsertCosignature(Connection& db, const CosignatureRow& cosignature) {
  Result<CheckpointRow> kept = QueryCheckpoint(db, cosignature.size);
  if (!kept.ok()) {
    if (kept.error().code != ErrorCode::kNotFound) return std::move(kept).error();
    return Error::FailedPrecondition(
        "unknown-checkpoint",
        "no checkpoint of size " + std::to_string(cosignature.size) + " is kept");
  }
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertCosignature));
  stmt.BindInt(1, static_cast<int64_t>(cosignature.size));
  stmt.BindText(2, cosignature.witness);
  stmt.BindInt(3, static_cast<int64_t>(cosignature.key_id));
  stmt.BindText(4, cosignature.line);
  stmt.BindTime(5, cosignature.received_at);
  return stmt.Run();
}

// ---- Reads ----------------------------------------------------------------------------------

Result<LeafRow> QueryLeaf(Connection& db, uint64_t index) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string(kLeafColumns) + " WHERE idx = ?"));
  stmt.BindInt(1, static_cast<int64_t>(index));
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return LeafNotFound();
  return ReadLeaf(stmt);
}

Result<LeafRow> QueryLeafByRecord(Connection& db, const std::string& record_id) {
  CW_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare(std::string(kLeafColumns) + " WHERE record_id = ?"));
  stmt.BindText(1, record_id);
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return LeafNotFound();
  return ReadLeaf(stmt);
}

namespace {

Result<CheckpointRow> ReadCheckpoint(const Statement& stmt) {
  CheckpointRow row;
  row.size = static_cast<uint64_t>(stmt.ColumnInt(0));
  CW_ASSIGN_OR_RETURN(row.root, HashColumn(stmt, 1));
  row.note = stmt.ColumnText(2);
  row.issued_at = stmt.ColumnTime(3);
  return row;
}

// OptionalCheckpoint() runs a query of at most one checkpoint row.
Result<std::optional<CheckpointRow>> OptionalCheckpoint(Connection& db, const char* sql) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return std::optional<CheckpointRow>();
  CW_ASSIGN_OR_RETURN(CheckpointRow row, ReadCheckpoint(stmt));
  return std::optional<CheckpointRow>(std::move(row));
}

}  // namespace

Result<std::optional<CheckpointRow>> QueryLatestCheckpoint(Connection& db) {
  return OptionalCheckpoint(db, kLatestCheckpoint);
}

Result<std::optional<CheckpointRow>> QueryLatestCosignedCheckpoint(Connection& db) {
  return OptionalCheckpoint(db, kLatestCosignedCheckpoint);
}

Result<CheckpointRow> QueryCheckpoint(Connection& db, uint64_t size) {
  CW_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare(std::string(kCheckpointColumns) + " WHERE size = ?"));
  stmt.BindInt(1, static_cast<int64_t>(size));
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) {
    return Error::NotFound("checkpoint-not-found",
                           "no checkpoint of size " + std::to_string(size) + " is kept");
  }
  return ReadCheckpoint(stmt);
}

Result<std::vector<CosignatureRow>> QueryCosignatures(Connection& db, uint64_t size) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kSelectCosignatures));
  stmt.BindInt(1, static_cast<int64_t>(size));
  std::vector<CosignatureRow> rows;
  while (true) {
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    CosignatureRow row;
    row.size = static_cast<uint64_t>(stmt.ColumnInt(0));
    row.witness = stmt.ColumnText(1);
    row.key_id = static_cast<uint32_t>(stmt.ColumnInt(2));
    row.line = stmt.ColumnText(3);
    row.received_at = stmt.ColumnTime(4);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace clearway::store::sqlite::internal
