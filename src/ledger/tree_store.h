// File: ledger/tree_store.h
//
// TreeStore is where a MerkleLog keeps its tree: the leaf hashes and the hash of every complete
// subtree, keyed by NodeId (level, index). With every complete subtree stored, any root, inclusion
// proof or consistency proof, for the current size or any past one, needs O(log n) lookups and
// never rehashes the log (a complete subtree never changes once its last leaf is appended).
// A log of n leaves stores at most 2n hashes.
//
//   InMemoryTreeStore store;
//   MerkleLog log(&store);
//   log.Append(HashLeaf(entry_bytes));
//
// Backends (SQLite, PostgreSQL) implement TreeStore; they must apply a TreeAppend atomically, so
// that the leaves of a batch and the nodes they complete are durable together or not at all.
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <span>
#include <vector>

#include "common/result.h"
#include "ledger/merkle.h"

namespace clearway::ledger {

// StoredNode is one complete-subtree hash to persist.
struct StoredNode {
  NodeId id;
  Hash hash{};
};

// TreeAppend is one atomic growth of the tree: leaves first_leaf_index.. and the nodes of level
// >= 1 they complete, ordered by level then index. MerkleLog::PrepareAppend() computes it.
struct TreeAppend {
  uint64_t first_leaf_index = 0;
  std::vector<Hash> leaf_hashes;
  std::vector<StoredNode> nodes;
};

// TreeStore
//
// Storage of a Merkle tree's leaf and subtree hashes. Implementations must be safe for
// concurrent readers with one writer.
class TreeStore {
 public:
  virtual ~TreeStore() = default;

  // LeafCount() returns the number of leaves stored; kUnavailable if the backend is down.
  virtual Result<uint64_t> LeafCount() const = 0;

  // GetNodes() returns the hashes of `ids`, in order. kNotFound "no-such-node" if any of them is
  // not stored (a subtree that is not complete yet, or a damaged store).
  virtual Result<std::vector<Hash>> GetNodes(std::span<const NodeId> ids) const = 0;

  // Append() stores `batch` atomically. kAborted "append-conflict" if batch.first_leaf_index is
  // not LeafCount() (another writer got there first); kInvalidArgument "bad-tree-append" if the
  // nodes are not exactly the next ones of their levels. Nothing is stored on error.
  virtual Status Append(const TreeAppend& batch) = 0;

  // GetNode() returns one hash; same errors as GetNodes().
  Result<Hash> GetNode(NodeId id) const;
};

// InMemoryTreeStore
//
// A TreeStore in memory: one vector of hashes per level (about 64 bytes per leaf). Thread-safe.
class InMemoryTreeStore final : public TreeStore {
 public:
  InMemoryTreeStore() = default;
  InMemoryTreeStore(const InMemoryTreeStore&) = delete;
  InMemoryTreeStore& operator=(const InMemoryTreeStore&) = delete;

  Result<uint64_t> LeafCount() const override;
  Result<std::vector<Hash>> GetNodes(std::span<const NodeId> ids) const override;
  Status Append(const TreeAppend& batch) override;

  // ReplaceNodeForTesting() overwrites a stored hash, to simulate a damaged store.
  void ReplaceNodeForTesting(NodeId id, const Hash& hash);

 private:
  mutable std::shared_mutex mutex_;
  std::vector<std::vector<Hash>> levels_;  // levels_[0] are the leaf hashes
};

}  // namespace clearway::ledger
