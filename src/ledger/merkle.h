// File: ledger/merkle.h
//
// RFC 9162 §2.1 Merkle tree hashing, proof generation over an in-memory list of leaf hashes,
// and proof verification. The tree over leaves d[0..n) is the Certificate Transparency one:
//
//   MTH({})     = SHA-256("")
//   leaf hash   = SHA-256(0x00 || d[i])
//   node hash   = SHA-256(0x01 || left || right), split at the largest power of two < n
//
//   Hash leaf = HashLeaf("hello");
//   std::vector<Hash> proof = InclusionProofFromLeaves(leaves, 5, leaves.size()).value();
//   Status ok = VerifyInclusion(5, leaves.size(), leaves[5], proof, root);
//
// The *FromLeaves functions rehash O(n) leaves; a log that must answer in O(log n) uses
// MerkleLog (ledger/merkle_log.h), which produces the same proofs from stored subtree hashes.
// Everything here is a pure function and thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/crypto.h"

namespace clearway::ledger {

// Hash is a SHA-256 digest: a leaf hash, a node hash or a tree root.
using Hash = crypto::Sha256Digest;

// NodeId names the complete subtree of 2^level leaves [index << level, (index + 1) << level).
// Level 0 nodes are leaf hashes.
struct NodeId {
  uint8_t level = 0;
  uint64_t index = 0;
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// HashLeaf() is SHA-256(0x00 || data) (RFC 9162 §2.1.1).
Hash HashLeaf(std::span<const uint8_t> data);
Hash HashLeaf(std::string_view data);

// HashChildren() is SHA-256(0x01 || left || right) (RFC 9162 §2.1.1).
Hash HashChildren(const Hash& left, const Hash& right);

// EmptyRoot() is the root of the empty tree, SHA-256("").
Hash EmptyRoot();

// RootFromLeaves() is the Merkle tree hash of the given leaf hashes, in O(n).
Hash RootFromLeaves(std::span<const Hash> leaf_hashes);

// InclusionProofFromLeaves() is the RFC 9162 §2.1.3.1 inclusion path of leaf `index` in the tree
// made of the first `size` leaf hashes. kInvalidArgument "tree-size-out-of-range" if size exceeds
// the leaves given, "leaf-index-out-of-range" if index >= size.
Result<std::vector<Hash>> InclusionProofFromLeaves(std::span<const Hash> leaf_hashes,
                                                   uint64_t index, uint64_t size);

// ConsistencyProofFromLeaves() is the RFC 9162 §2.1.4.1 proof that the tree of the first
// `old_size` leaves is a prefix of the tree of the first `new_size`. Empty when old_size is 0 or
// equals new_size. kInvalidArgument "tree-size-out-of-range" if new_size exceeds the leaves
// given, "bad-consistency-range" if old_size > new_size.
Result<std::vector<Hash>> ConsistencyProofFromLeaves(std::span<const Hash> leaf_hashes,
                                                     uint64_t old_size, uint64_t new_size);

// VerifyInclusion() checks an inclusion proof with the algorithm of RFC 9162 §2.1.3.2.
// Returns ok if `proof` proves that `leaf_hash` is leaf `index` of the tree of `size` leaves
// with root `root`. Failures:
//   kInvalidArgument "leaf-index-out-of-range"  index >= size;
//   kDataLoss "proof-length-mismatch"           the proof has too few or too many hashes;
//   kDataLoss "root-mismatch"                   the proof leads to another root.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);

// RootFromInclusionProof() is the root the proof leads to (same checks as VerifyInclusion,
// minus the final comparison), for callers that want to compare it themselves.
Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                    std::span<const Hash> proof);

// VerifyConsistency() checks a consistency proof with the algorithm of RFC 9162 §2.1.4.2.
// Returns ok if the tree of `old_size` leaves with root `old_root` is a prefix of the tree of
// `new_size` leaves with root `new_root`. When old_size == new_size the proof must be empty and
// the roots equal; when old_size == 0 the proof must be empty and old_root must be EmptyRoot().
// Failures:
//   kInvalidArgument "bad-consistency-range"  old_size > new_size;
//   kDataLoss "proof-length-mismatch"         the proof has too few or too many hashes;
//   kDataLoss "root-mismatch"                 the proof does not lead to both roots.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof);

}  // namespace clearway::ledger
