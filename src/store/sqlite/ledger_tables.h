// File: store/sqlite/ledger_tables.h  (internal to the SQLite backend)
//
// The ledger's tables: ledger_leaves (level 0 of the tree, with each leaf's encoded entry),
// ledger_nodes (every complete subtree of level >= 1) and ledger_checkpoints. The writer
// appends a batch's leaves with AppendLeaves() inside its transaction; readers see the tree
// through ConnectionTree, a ledger::TreeStore over one connection, so that a MerkleLog answers
// roots and proofs with O(log n) primary-key lookups.
//
//   ConnectionTree tree(db);
//   ledger::MerkleLog log(&tree);
//   CW_ASSIGN_OR_RETURN(auto proof, log.InclusionProof(index, size));
//
// Every function runs on a connection the caller holds exclusively.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "ledger/merkle.h"
#include "ledger/tree_store.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace clearway::store::sqlite::internal {

// ConnectionTree
//
// A read-only ledger::TreeStore over one connection; Append() is refused with
// kFailedPrecondition "append-through-commit". Not thread-safe (neither is the connection).
class ConnectionTree final : public ledger::TreeStore {
 public:
  explicit ConnectionTree(Connection& db) : db_(&db) {}

  // LeafCount() is MAX(idx) + 1 of the stored leaves (a primary-key lookup, not a count).
  Result<uint64_t> LeafCount() const override;
  // GetNodes() reads level 0 from ledger_leaves and the rest from ledger_nodes; kNotFound
  // "no-such-node" for one that is not stored, kDataLoss "store-corrupt" for a hash that is not
  // 32 bytes.
  Result<std::vector<ledger::Hash>> GetNodes(std::span<const ledger::NodeId> ids) const override;
  Status Append(const ledger::TreeAppend& batch) override;

 private:
  Connection* db_;
};

// A leaf ready to append: its entry, encoded, and its RFC 9162 leaf hash.
struct EncodedLeaf {
  ledger::LeafEntry entry;
  std::vector<uint8_t> bytes;
  ledger::Hash hash{};
};

// EncodeLeaf() encodes and hashes an entry; errors of ledger::EncodeLeafEntry().
Result<EncodedLeaf> EncodeLeaf(ledger::LeafEntry entry);

// AppendLeaves() appends `leaves` after the stored ones, with every subtree they complete, and
// returns the index of the first (the current size when `leaves` is empty). Errors:
// kAlreadyExists "duplicate-leaf" when a record id already has a leaf; SQLite errors.
Result<uint64_t> AppendLeaves(Connection& db, std::span<const EncodedLeaf> leaves);

// InsertCheckpoint() keeps a signed checkpoint after checking it against the stored tree.
// Errors: kAlreadyExists "stale-checkpoint" when its size is not above the latest kept one's;
// kFailedPrecondition "checkpoint-mismatch" when its size exceeds the log or its root is not
// the log's root at that size; SQLite errors.
Status InsertCheckpoint(Connection& db, const CheckpointRow& checkpoint);

// InsertCosignature() keeps a witness's cosignature of a kept checkpoint; a second one by the
// same witness key for the same size is ignored. kFailedPrecondition "unknown-checkpoint" when
// no checkpoint of that size is kept; SQLite errors.
Status InsertCosignature(Connection& db, const CosignatureRow& cosignature);

// BackfillLedger() gives every record without a salt (written before schema version 2) a fresh
// salt and appends its leaf: declarations by (created_at, id), each version followed by the
// transitions that apply to it in sequence order. Run inside the migration's transaction.
Status BackfillLedger(Connection& db);

// QueryLeaf() / QueryLeafByRecord() return one leaf; kNotFound "leaf-not-found".
Result<LeafRow> QueryLeaf(Connection& db, uint64_t index);
Result<LeafRow> QueryLeafByRecord(Connection& db, const std::string& record_id);

// QueryCheckpoint() returns the kept checkpoint of `size`; kNotFound "checkpoint-not-found".
Result<CheckpointRow> QueryCheckpoint(Connection& db, uint64_t size);

// QueryLatestCosignedCheckpoint() returns the largest kept checkpoint with a cosignature.
Result<std::optional<CheckpointRow>> QueryLatestCosignedCheckpoint(Connection& db);

// QueryCosignatures() returns the cosignatures of the checkpoint of `size`, oldest first.
Result<std::vector<CosignatureRow>> QueryCosignatures(Connection& db, uint64_t size);

// QueryLatestCheckpoint() returns the kept checkpoint of the largest size, or nullopt.
Result<std::optional<CheckpointRow>> QueryLatestCheckpoint(Connection& db);

// ReadSnapshot() runs `read` inside one read transaction on `db`.
Status ReadSnapshot(Connection& db, const std::function<Status(LedgerSnapshot&)>& read);

// ReadSalt() copies a 32-byte salt column into `salt`; false (salt zeroed) for NULL or another
// length.
bool ReadSalt(const Statement& stmt, int column, ledger::CommitmentSalt& salt);

}  // namespace clearway::store::sqlite::internal
