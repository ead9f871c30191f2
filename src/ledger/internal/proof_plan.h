// File: ledger/internal/proof_plan.h
//
// Private to the ledger module. Every hash a Merkle proof or root needs is the Merkle tree hash
// of a leaf range that is either a complete subtree or the right edge of a tree; such a range is
// the right fold of O(log n) complete subtrees:
//
//   MTH(range) = HashChildren(c1, HashChildren(c2, ... HashChildren(c_{k-1}, c_k)))
//
// A HashPlan lists those subtrees. Planning is pure index arithmetic; evaluating a plan needs a
// source of complete-subtree hashes (the leaves themselves, or a TreeStore), so one proof
// algorithm serves both MerkleLog and the *FromLeaves functions.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "common/result.h"
#include "ledger/merkle.h"

namespace clearway::ledger::internal {

// The complete subtrees whose right fold is one hash, largest (leftmost) first.
using HashPlan = std::vector<NodeId>;

// PlanRange() covers the `count` >= 1 leaves from `begin`; `begin` must be a multiple of the
// largest power of two <= count (true of every range RFC 9162 §2.1 recursion visits).
HashPlan PlanRange(uint64_t begin, uint64_t count);

// PlanRoot() is the root of the tree of `size` >= 1 leaves.
HashPlan PlanRoot(uint64_t size);

// PlanInclusion() lists the RFC 9162 §2.1.3.1 path for `index` < `size`, in proof order.
std::vector<HashPlan> PlanInclusion(uint64_t index, uint64_t size);

// PlanConsistency() lists the RFC 9162 §2.1.4.1 proof for 0 < old_size <= new_size, in order.
std::vector<HashPlan> PlanConsistency(uint64_t old_size, uint64_t new_size);

// Fetches the hashes of `ids`, in order; errors are passed through.
using NodeFetcher = std::function<Result<std::vector<Hash>>(std::span<const NodeId> ids)>;

// EvaluatePlans() fetches every node the plans name with one call and folds each plan.
Result<std::vector<Hash>> EvaluatePlans(const std::vector<HashPlan>& plans,
                                        const NodeFetcher& fetch);

}  // namespace clearway::ledger::internal
