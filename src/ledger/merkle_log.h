// File: ledger/merkle_log.h
//
// MerkleLog is an append-only RFC 9162 Merkle log over a TreeStore. Appending a leaf stores its
// hash and the hash of every subtree it completes (O(1) amortised hashing, O(log n) worst case);
// roots and proofs for the current size or any past size are then assembled from O(log n) stored
// subtree hashes, fetched in one TreeStore call, without rehashing the log.
//
//   InMemoryTreeStore store;
//   MerkleLog log(&store);
//   CW_ASSIGN_OR_RETURN(uint64_t index, log.Append(HashLeaf(entry_bytes)));
//   CW_ASSIGN_OR_RETURN(Hash root, log.Root(index + 1));
//   CW_ASSIGN_OR_RETURN(auto proof, log.InclusionProof(index, index + 1));
//   CW_RETURN_IF_ERROR(VerifyInclusion(index, index + 1, leaf_hash, proof, root));
//
// A caller that must write the leaves in its own transaction (the sequencer's unit of work)
// calls PrepareAppend() and hands the TreeAppend to its store, instead of Append().
//
// Thread safety: MerkleLog holds no state besides the store pointer. Reads may run concurrently
// with each other and with one appender; appends must be serialised by the caller (a concurrent
// append is refused by the store with kAborted "append-conflict").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "ledger/merkle.h"
#include "ledger/tree_store.h"

namespace clearway::ledger {

class MerkleLog {
 public:
  // `store` is not owned and must outlive the log.
  explicit MerkleLog(TreeStore* store);

  // Size() returns the number of leaves; store errors pass through.
  Result<uint64_t> Size() const;

  // Append() adds one leaf hash and returns its index. kAborted "append-conflict" if another
  // writer appended concurrently; store errors pass through.
  Result<uint64_t> Append(const Hash& leaf_hash);

  // AppendBatch() adds the leaf hashes in order, atomically, and returns the index of the first.
  // An empty batch returns the current size and stores nothing. Errors as Append().
  Result<uint64_t> AppendBatch(std::span<const Hash> leaf_hashes);

  // PrepareAppend() computes, without storing, the TreeAppend that appends `leaf_hashes` after the
  // current leaves: the leaves and every subtree hash they complete. Store errors pass through.
  Result<TreeAppend> PrepareAppend(std::span<const Hash> leaf_hashes) const;

  // LeafHash() returns leaf `index`; kInvalidArgument "leaf-index-out-of-range" past the end.
  Result<Hash> LeafHash(uint64_t index) const;

  // Root() returns the root of the tree made of the first `size` leaves (EmptyRoot() for 0).
  // kInvalidArgument "tree-size-out-of-range" if size > Size().
  Result<Hash> Root(uint64_t size) const;

  // InclusionProof() returns the RFC 9162 inclusion path of leaf `index` in the tree of `size`
  // leaves. kInvalidArgument "tree-size-out-of-range" if size > Size(), "leaf-index-out-of-range"
  // if index >= size.
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const;

  // ConsistencyProof() returns the RFC 9162 consistency proof from `old_size` to `new_size`
  // (empty if old_size is 0 or equal to new_size). kInvalidArgument "tree-size-out-of-range" if
  // new_size > Size(), "bad-consistency-range" if old_size > new_size.
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;

 private:
  Status CheckSize(uint64_t size, const char* field) const;

  TreeStore* store_;
};

}  // namespace clearway::ledger
