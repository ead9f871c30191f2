// File: store/postgres/ledger_tables.h  (internal to the PostgreSQL backend)
//
// The ledger's tables on PostgreSQL, as on SQLite (store/sqlite/ledger_tables.h):
// ledger_leaves (level 0, with each leaf's encoded entry), ledger_nodes (every complete subtree
// of level >= 1), ledger_checkpoints and ledger_cosignatures. The writer appends a batch's
// leaves with AppendLeaves() inside its transaction, holding the append lock (locks.h); readers
// see the tree through ConnectionTree, a ledger::TreeStore over one connection that fetches the
// nodes of a proof in one round trip.
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
#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace clearway::store::postgres::internal {

// ConnectionTree
//
// A read-only ledger::TreeStore over one connection; Append() is refused with
// kFailedPrecondition "append-through-commit". Not thread-safe (neither is the connection).
class ConnectionTree final : public ledger::TreeStore {
 public:
  explicit ConnectionTree(PgConnection& db) : db_(&db) {}

  // LeafCount() is MAX(idx) + 1 of the stored leaves (an index lookup, not a count).
  Result<uint64_t> LeafCount() const override;
  // GetNodes() reads every id in one query; kNotFound "no-such-node" for one that is not
  // stored, kDataLoss "store-corrupt" for a hash that is not 32 bytes.
  Result<std::vector<ledger::Hash>> GetNodes(std::span<const ledger::NodeId> ids) const override;
  Status Append(const ledger::TreeAppend& batch) override;

 private:
  PgConnection* db_;
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
// returns the index of the first. The caller holds the append lock in the same transaction.
// Errors: kAlreadyExists "duplicate-leaf" when a record id already has a leaf; kDataLoss
// "store-corrupt" when a node already exists where a new one goes; SQL errors.
Result<uint64_t> AppendLeaves(PgConnection& db, std::span<const EncodedLeaf> leaves);

// InsertCheckpoint() keeps a signed checkpoint after checking it against the stored tree.
// Errors: kAlreadyExists "stale-checkpoint"; kFailedPrecondition "checkpoint-mismatch".
Status InsertCheckpoint(PgConnection& db, const CheckpointRow& checkpoint);

// InsertCosignature() keeps a witness's cosignature of a kept checkpoint; a second one by the
// same witness key for the same size is ignored. kFailedPrecondition "unknown-checkpoint".
Status InsertCosignature(PgConnection& db, const CosignatureRow& cosignature);

// QueryLeaf() / QueryLeafByRecord() return one leaf; kNotFound "leaf-not-found".
Result<LeafRow> QueryLeaf(PgConnection& db, uint64_t index);
Result<LeafRow> QueryLeafByRecord(PgConnection& db, const std::string& record_id);

// QueryCheckpoint() returns the kept checkpoint of `size`; kNotFound "checkpoint-not-found".
Result<CheckpointRow> QueryCheckpoint(PgConnection& db, uint64_t size);
Result<std::optional<CheckpointRow>> QueryLatestCheckpoint(PgConnection& db);
Result<std::optional<CheckpointRow>> QueryLatestCosignedCheckpoint(PgConnection& db);
Result<std::vector<CosignatureRow>> QueryCosignatures(PgConnection& db, uint64_t size);

// ReadSnapshot() runs `read` inside one REPEATABLE READ, READ ONLY transaction on `db`.
Status ReadSnapshot(PgConnection& db, const std::function<Status(LedgerSnapshot&)>& read);

// CopySalt() copies a stored 32-byte salt into `salt`; false (salt zeroed) for NULL or
// another length.
bool CopySalt(const std::string& stored, ledger::CommitmentSalt& salt);

}  // namespace clearway::store::postgres::internal
