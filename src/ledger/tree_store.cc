#include "ledger/tree_store.h"

#include <algorithm>
#include <mutex>
#include <string>

namespace clearway::ledger {

Result<Hash> TreeStore::GetNode(NodeId id) const {
  CW_ASSIGN_OR_RETURN(std::vector<Hash> hashes, GetNodes(std::span<const NodeId>(&id, 1)));
  return hashes.front();
}

Result<uint64_t> InMemoryTreeStore::LeafCount() const {
  std::shared_lock lock(mutex_);
  return levels_.empty() ? uint64_t{0} : uint64_t{levels_[0].size()};
}

Result<std::vector<Hash>> InMemoryTreeStore::GetNodes(std::span<const NodeId> ids) const {
  std::shared_lock lock(mutex_);
  std::vector<Hash> out;
  out.reserve(ids.size());
  for (const NodeId& id : ids) {
    if (id.level >= levels_.size() || id.index >= levels_[id.level].size()) {
      return Error::NotFound("no-such-node", "no subtree hash at level " +
                                                 std::to_string(id.level) + " index " +
                                                 std::to_string(id.index));
    }
    out.push_back(levels_[id.level][id.index]);
  }
  return out;
}

Status InMemoryTreeStore::Append(const TreeAppend& batch) {
  std::unique_lock lock(mutex_);
  const uint64_t leaf_count = levels_.empty() ? 0 : levels_[0].size();
  if (batch.first_leaf_index != leaf_count) {
    return Error::Aborted("append-conflict", "the tree grew since the append was prepared");
  }
  // Check the whole batch before changing anything, so a bad batch stores nothing.
  std::vector<uint64_t> next(std::max<size_t>(levels_.size(), 1), 0);
  for (size_t level = 0; level < levels_.size(); ++level) next[level] = levels_[level].size();
  next[0] += batch.leaf_hashes.size();
  for (const StoredNode& node : batch.nodes) {
    if (node.id.level == 0) {
      return Error::InvalidArgument("", "bad-tree-append", "leaf hashes go in leaf_hashes");
    }
    if (node.id.level >= next.size()) next.resize(node.id.level + size_t{1}, 0);
    if (node.id.index != next[node.id.level]) {
      return Error::InvalidArgument("", "bad-tree-append", "subtree hashes are not contiguous");
    }
    ++next[node.id.level];
  }
  // Every complete subtree, and no other, must be stored: level L holds half of level L - 1.
  for (size_t level = 1; level < next.size() || next[level - 1] >= 2; ++level) {
    const uint64_t have = level < next.size() ? next[level] : 0;
    if (have != next[level - 1] / 2) {
      return Error::InvalidArgument("", "bad-tree-append",
                                    "the batch does not hold exactly the completed subtrees");
    }
  }
  if (levels_.size() < next.size()) levels_.resize(next.size());
  levels_[0].insert(levels_[0].end(), batch.leaf_hashes.begin(), batch.leaf_hashes.end());
  for (const StoredNode& node : batch.nodes) levels_[node.id.level].push_back(node.hash);
  return OkStatus();
}

void InMemoryTreeStore::ReplaceNodeForTesting(NodeId id, const Hash& hash) {
  std::unique_lock lock(mutex_);
  CW_CHECK(id.level < levels_.size() && id.index < levels_[id.level].size());
  levels_[id.level][id.index] = hash;
}

}  // namespace clearway::ledger
