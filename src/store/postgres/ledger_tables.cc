#include "store/postgres/ledger_tables.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "ledger/merkle_log.h"

namespace clearway::store::postgres::internal {

namespace {

constexpr const char* kLeafCount = "SELECT COALESCE(MAX(idx) + 1, 0)::bigint FROM ledger_leaves";
// One round trip for all the nodes of a proof or an append: level 0 from the leaves, the rest
// from ledger_nodes, in the order asked.
constexpr const char* kSelectNodes =
    "SELECT q.ord, COALESCE(l.leaf_hash, n.hash)"
    " FROM unnest($1::int[], $2::bigint[]) WITH ORDINALITY AS q(level, idx, ord)"
    " LEFT JOIN ledger_leaves l ON q.level = 0 AND l.idx = q.idx"
    " LEFT JOIN ledger_nodes n ON q.level > 0 AND n.level = q.level AND n.idx = q.idx"
    " ORDER BY q.ord";
constexpr const char* kInsertLeaf =
    "INSERT INTO ledger_leaves (idx, leaf_hash, kind, record_id, entry)"
    " VALUES ($1, $2, $3, $4, $5)";
constexpr const char* kInsertNode =
    "INSERT INTO ledger_nodes (level, idx, hash) VALUES ($1, $2, $3)";
constexpr const char* kLeafColumns =
    "SELECT idx, leaf_hash, kind, record_id, entry FROM ledger_leaves";
constexpr const char* kCheckpointColumns =
    "SELECT size, root, note, issued_at FROM ledger_checkpoints";
constexpr const char* kLatestCheckpoint =
    "SELECT size, root, note, issued_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1";
constexpr const char* kLatestCosignedCheckpoint =
    "SELECT size, root, note, issued_at FROM ledger_checkpoints WHERE size = "
    "(SELECT MAX(size) FROM ledger_cosignatures)";
constexpr const char* kInsertCosignature =
    "INSERT INTO ledger_cosignatures (size, witness, key_id, line, received_at)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (size, witness, key_id) DO NOTHING";
constexpr const char* kSelectCosignatures =
    "SELECT size, witness, key_id, line, received_at FROM ledger_cosignatures WHERE size = $1"
    " ORDER BY seq";
constexpr const char* kInsertCheckpoint =
    "INSERT INTO ledger_checkpoints (size, root, note, issued_at) VALUES ($1, $2, $3, $4)";

Result<ledger::Hash> HashOf(const std::string& bytes) {
  ledger::Hash hash{};
  if (bytes.size() != hash.size()) {
    return Error::DataLoss("store-corrupt", "a stored ledger hash is not 32 bytes");
  }
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

Result<LeafRow> ReadLeaf(const PgRows& rows, int row) {
  LeafRow leaf;
  leaf.index = static_cast<uint64_t>(rows.Int(row, 0));
  CW_ASSIGN_OR_RETURN(leaf.leaf_hash, HashOf(rows.Bytes(row, 1)));
  leaf.kind = rows.Text(row, 2);
  leaf.record_id = rows.Text(row, 3);
  std::string entry = rows.Bytes(row, 4);
  leaf.entry.assign(entry.begin(), entry.end());
  return leaf;
}

Result<CheckpointRow> ReadCheckpoint(const PgRows& rows, int row) {
  CheckpointRow checkpoint;
  checkpoint.size = static_cast<uint64_t>(rows.Int(row, 0));
  CW_ASSIGN_OR_RETURN(checkpoint.root, HashOf(rows.Bytes(row, 1)));
  checkpoint.note = rows.Text(row, 2);
  checkpoint.issued_at = rows.Time(row, 3);
  return checkpoint;
}

Result<std::optional<CheckpointRow>> OptionalCheckpoint(PgConnection& db, const char* sql) {
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql));
  if (rows.size() == 0) return std::optional<CheckpointRow>();
  CW_ASSIGN_OR_RETURN(CheckpointRow checkpoint, ReadCheckpoint(rows, 0));
  return std::optional<CheckpointRow>(std::move(checkpoint));
}

Error LeafNotFound() { return Error::NotFound("leaf-not-found", "the ledger has no such leaf"); }

// IntArray() is the text form of an integer array parameter, e.g. "{0,1,2}".
template <class Get>
std::string IntArray(std::span<const ledger::NodeId> ids, Get get) {
  std::string text = "{";
  for (size_t pos = 0; pos < ids.size(); ++pos) {
    if (pos > 0) text += ',';
    text += std::to_string(get(ids[pos]));
  }
  return text + "}";
}

}  // namespace

bool CopySalt(const std::string& stored, ledger::CommitmentSalt& salt) {
  salt.fill(0);
  if (stored.size() != salt.size()) return false;
  std::copy(stored.begin(), stored.end(), salt.begin());
  return true;
}

// ---- ConnectionTree -------------------------------------------------------------------------

Result<uint64_t> ConnectionTree::LeafCount() const {
  CW_ASSIGN_OR_RETURN(PgRows rows, db_->Run(kLeafCount));
  return static_cast<uint64_t>(rows.Int(0, 0));
}

Result<std::vector<ledger::Hash>> ConnectionTree::GetNodes(
    std::span<const ledger::NodeId> ids) const {
  std::vector<ledger::Hash> out;
  if (ids.empty()) return out;
  out.reserve(ids.size());
  PgParams params;
  params.Text(IntArray(ids, [](const ledger::NodeId& id) { return int64_t{id.level}; }));
  params.Text(IntArray(ids, [](const ledger::NodeId& id) { return id.index; }));
  CW_ASSIGN_OR_RETURN(PgRows rows, db_->Run(kSelectNodes, params));
  for (int row = 0; row < rows.size(); ++row) {
    if (rows.IsNull(row, 1)) {
      const ledger::NodeId& id = ids[static_cast<size_t>(row)];
      return Error::NotFound("no-such-node", "no subtree hash at level " +
                                                 std::to_string(id.level) + " index " +
                                                 std::to_string(id.index));
    }
    CW_ASSIGN_OR_RETURN(ledger::Hash hash, HashOf(rows.Bytes(row, 1)));
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

Result<uint64_t> AppendLeaves(PgConnection& db, std::span<const EncodedLeaf> leaves) {
  ConnectionTree tree(db);
  if (leaves.empty()) return tree.LeafCount();
  std::vector<ledger::Hash> hashes;
  hashes.reserve(leaves.size());
  for (const EncodedLeaf& leaf : leaves) hashes.push_back(leaf.hash);
  // The caller holds the append lock (locks.h) in this transaction, and every appender on
  // every node takes it before reading the size: the tree cannot grow between PrepareAppend()
  // and the inserts below, so indices are gapless and nobody forks the log.
  ledger::MerkleLog log(&tree);
  CW_ASSIGN_OR_RETURN(ledger::TreeAppend batch, log.PrepareAppend(hashes));
  for (size_t pos = 0; pos < leaves.size(); ++pos) {
    Result<PgRows> inserted =
        db.Run(kInsertLeaf, PgParams()
                                .Int(static_cast<int64_t>(batch.first_leaf_index + pos))
                                .Bytes(leaves[pos].hash)
                                .Text(leaves[pos].entry.kind)
                                .Text(leaves[pos].entry.record_id)
                                .Bytes(leaves[pos].bytes));
    if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
      return Error::AlreadyExists("duplicate-leaf",
                                  "record " + leaves[pos].entry.record_id + " already has a leaf");
    }
    if (!inserted.ok()) return std::move(inserted).error();
  }
  for (const ledger::StoredNode& node : batch.nodes) {
    Result<PgRows> inserted = db.Run(kInsertNode, PgParams()
                                                      .Int(node.id.level)
                                                      .Int(static_cast<int64_t>(node.id.index))
                                                      .Bytes(node.hash));
    if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
      // Only a damaged tree (leaves removed from its end) can hold a node where a new one goes.
      return Error::DataLoss("store-corrupt", "a ledger tree node already exists at level " +
                                                  std::to_string(node.id.level) + " index " +
                                                  std::to_string(node.id.index));
    }
    if (!inserted.ok()) return std::move(inserted).error();
  }
  return batch.first_leaf_index;
}

Status InsertCheckpoint(PgConnection& db, const CheckpointRow& checkpoint) {
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
  CW_ASSIGN_OR_RETURN(PgRows inserted, db.Run(kInsertCheckpoint,
                                              PgParams()
                                                  .Int(static_cast<int64_t>(checkpoint.size))
                                                  .Bytes(checkpoint.root)
                                                  .Text(checkpoint.note)
                                                  .Time(checkpoint.issued_at)));
  static_cast<void>(inserted);
  return OkStatus();
}

Status InsertCosignature(PgConnection& db, const CosignatureRow& cosignature) {
  Result<CheckpointRow> kept = QueryCheckpoint(db, cosignature.size);
  if (!kept.ok()) {
    if (kept.error().code != ErrorCode::kNotFound) return std::move(kept).error();
    return Error::FailedPrecondition(
        "unknown-checkpoint",
        "no checkpoint of size " + std::to_string(cosignature.size) + " is kept");
  }
  CW_ASSIGN_OR_RETURN(PgRows inserted, db.Run(kInsertCosignature,
                                              PgParams()
                                                  .Int(static_cast<int64_t>(cosignature.size))
                                                  .Text(cosignature.witness)
                                                  .Int(cosignature.key_id)
                                                  .Text(cosignature.line)
                                                  .Time(cosignature.received_at)));
  static_cast<void>(inserted);
  return OkStatus();
}

// ---- Reads ----------------------------------------------------------------------------------

Result<LeafRow> QueryLeaf(PgConnection& db, uint64_t index) {
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(std::string(kLeafColumns) + " WHERE idx = $1",
                                          PgParams().Int(static_cast<int64_t>(index))));
  if (rows.size() == 0) return LeafNotFound();
  return ReadLeaf(rows, 0);
}

Result<LeafRow> QueryLeafByRecord(PgConnection& db, const std::string& record_id) {
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(std::string(kLeafColumns) + " WHERE record_id = $1",
                                          PgParams().Text(record_id)));
  if (rows.size() == 0) return LeafNotFound();
  return ReadLeaf(rows, 0);
}

Result<std::optional<CheckpointRow>> QueryLatestCheckpoint(PgConnection& db) {
  return OptionalCheckpoint(db, kLatestCheckpoint);
}

Result<std::optional<CheckpointRow>> QueryLatestCosignedCheckpoint(PgConnection& db) {
  return OptionalCheckpoint(db, kLatestCosignedCheckpoint);
}

Result<CheckpointRow> QueryCheckpoint(PgConnection& db, uint64_t size) {
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(std::string(kCheckpointColumns) + " WHERE size = $1",
                                          PgParams().Int(static_cast<int64_t>(size))));
  if (rows.size() == 0) {
    return Error::NotFound("checkpoint-not-found",
                           "no checkpoint of size " + std::to_string(size) + " is kept");
  }
  return ReadCheckpoint(rows, 0);
}

Result<std::vector<CosignatureRow>> QueryCosignatures(PgConnection& db, uint64_t size) {
  CW_ASSIGN_OR_RETURN(PgRows rows,
                      db.Run(kSelectCosignatures, PgParams().Int(static_cast<int64_t>(size))));
  std::vector<CosignatureRow> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    CosignatureRow cosignature;
    cosignature.size = static_cast<uint64_t>(rows.Int(row, 0));
    cosignature.witness = rows.Text(row, 1);
    cosignature.key_id = static_cast<uint32_t>(rows.Int(row, 2));
    cosignature.line = rows.Text(row, 3);
    cosignature.received_at = rows.Time(row, 4);
    out.push_back(std::move(cosignature));
  }
  return out;
}

}  // namespace clearway::store::postgres::internal
