#include "ledger/merkle_log.h"

#include <utility>

#include "ledger/internal/proof_plan.h"

namespace clearway::ledger {
namespace {

// Every node a plan names is a complete subtree of a size the store has reached, so a store
// that cannot find one has lost data.
internal::NodeFetcher StoreFetcher(const TreeStore* store) {
  return [store](std::span<const NodeId> ids) -> Result<std::vector<Hash>> {
    Result<std::vector<Hash>> nodes = store->GetNodes(ids);
    if (!nodes.ok() && nodes.error().code == ErrorCode::kNotFound) {
      return Error::DataLoss("missing-tree-node",
                             "the tree store lacks a subtree hash it must hold");
    }
    return nodes;
  };
}

}  // namespace

MerkleLog::MerkleLog(TreeStore* store) : store_(store) { CW_CHECK(store_ != nullptr); }

Result<uint64_t> MerkleLog::Size() const { return store_->LeafCount(); }

Status MerkleLog::CheckSize(uint64_t size, const char* field) const {
  CW_ASSIGN_OR_RETURN(uint64_t leaf_count, store_->LeafCount());
  if (size > leaf_count) {
    return Error::InvalidArgument(field, "tree-size-out-of-range",
                                  "the log has fewer leaves than the size asked for");
  }
  return OkStatus();
}

Result<TreeAppend> MerkleLog::PrepareAppend(std::span<const Hash> leaf_hashes) const {
  CW_ASSIGN_OR_RETURN(uint64_t leaf_count, store_->LeafCount());
  TreeAppend batch;
  batch.first_leaf_index = leaf_count;
  batch.leaf_hashes.assign(leaf_hashes.begin(), leaf_hashes.end());
  // Level by level: every new node with an odd index completes its parent. Its left sibling is
  // new too, except for the first node of a level when that starts at an odd index: that one
  // comes from the store, so a batch reads at most one stored hash per level.
  std::vector<Hash> current = batch.leaf_hashes;
  uint64_t level_start = leaf_count;
  for (uint8_t level = 0; !current.empty(); ++level) {
    std::vector<Hash> parents;
    parents.reserve(current.size() / 2 + 1);
    const uint64_t level_end = level_start + current.size();
    for (uint64_t index = level_start | 1; index < level_end; index += 2) {
      Hash left;
      if (index - 1 >= level_start) {
        left = current[index - 1 - level_start];
      } else {
        CW_ASSIGN_OR_RETURN(std::vector<Hash> stored,
                            StoreFetcher(store_)(std::vector<NodeId>{NodeId{level, index - 1}}));
        left = stored.front();
      }
      parents.push_back(HashChildren(left, current[index - level_start]));
    }
    const uint64_t parent_start = level_start >> 1;
    for (size_t pos = 0; pos < parents.size(); ++pos) {
      batch.nodes.push_back(
          StoredNode{NodeId{static_cast<uint8_t>(level + 1), parent_start + pos}, parents[pos]});
    }
    current = std::move(parents);
    level_start = parent_start;
  }
  return batch;
}

Result<uint64_t> MerkleLog::AppendBatch(std::span<const Hash> leaf_hashes) {
  CW_ASSIGN_OR_RETURN(TreeAppend batch, PrepareAppend(leaf_hashes));
  if (leaf_hashes.empty()) return batch.first_leaf_index;
  CW_RETURN_IF_ERROR(store_->Append(batch));
  return batch.first_leaf_index;
}

Result<uint64_t> MerkleLog::Append(const Hash& leaf_hash) {
  return AppendBatch(std::span<const Hash>(&leaf_hash, 1));
}

Result<Hash> MerkleLog::LeafHash(uint64_t index) const {
  CW_ASSIGN_OR_RETURN(uint64_t leaf_count, store_->LeafCount());
  if (index >= leaf_count) {
    return Error::InvalidArgument("index", "leaf-index-out-of-range", "no leaf at this index");
  }
  CW_ASSIGN_OR_RETURN(std::vector<Hash> leaf,
                      StoreFetcher(store_)(std::vector<NodeId>{NodeId{0, index}}));
  return leaf.front();
}

Result<Hash> MerkleLog::Root(uint64_t size) const {
  CW_RETURN_IF_ERROR(CheckSize(size, "size"));
  if (size == 0) return EmptyRoot();
  CW_ASSIGN_OR_RETURN(std::vector<Hash> root,
                      internal::EvaluatePlans({internal::PlanRoot(size)}, StoreFetcher(store_)));
  return root.front();
}

Result<std::vector<Hash>> MerkleLog::InclusionProof(uint64_t index, uint64_t size) const {
  CW_RETURN_IF_ERROR(CheckSize(size, "size"));
  if (index >= size) {
    return Error::InvalidArgument("index", "leaf-index-out-of-range",
                                  "the leaf index is not below the tree size");
  }
  return internal::EvaluatePlans(internal::PlanInclusion(index, size), StoreFetcher(store_));
}

Result<std::vector<Hash>> MerkleLog::ConsistencyProof(uint64_t old_size, uint64_t new_size) const {
  CW_RETURN_IF_ERROR(CheckSize(new_size, "to"));
  if (old_size > new_size) {
    return Error::InvalidArgument("from", "bad-consistency-range",
                                  "the old tree size is larger than the new one");
  }
  if (old_size == 0) return std::vector<Hash>{};
  return internal::EvaluatePlans(internal::PlanConsistency(old_size, new_size),
                                 StoreFetcher(store_));
}

}  // namespace clearway::ledger
