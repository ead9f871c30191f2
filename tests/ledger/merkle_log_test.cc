#include "ledger/merkle_log.h"

#include <random>

#include <gtest/gtest.h>

#include "ledger/naive_merkle.h"
#include "ledger/tree_store.h"
#include "testing/matchers.h"

namespace clearway::ledger {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

// Wraps a store, counting the nodes read and optionally hiding one.
class CountingTreeStore final : public TreeStore {
 public:
  explicit CountingTreeStore(TreeStore* inner) : inner_(inner) {}
  Result<uint64_t> LeafCount() const override { return inner_->LeafCount(); }
  Result<std::vector<Hash>> GetNodes(std::span<const NodeId> ids) const override {
    ++calls;
    nodes_read += ids.size();
    for (const NodeId& id : ids) {
      if (hidden && id == *hidden) return Error::NotFound("no-such-node", "hidden");
    }
    return inner_->GetNodes(ids);
  }
  Status Append(const TreeAppend& batch) override { return inner_->Append(batch); }

  mutable size_t calls = 0;
  mutable size_t nodes_read = 0;
  std::optional<NodeId> hidden;

 private:
  TreeStore* inner_;
};

TEST(MerkleLogTest, EmptyLog) {
  InMemoryTreeStore store;
  MerkleLog log(&store);
  EXPECT_EQ(log.Size().value(), 0u);
  EXPECT_EQ(log.Root(0).value(), EmptyRoot());
  EXPECT_THAT(log.Root(1), HasReason("tree-size-out-of-range"));
  EXPECT_THAT(log.LeafHash(0), HasReason("leaf-index-out-of-range"));
  EXPECT_THAT(log.InclusionProof(0, 0), HasReason("leaf-index-out-of-range"));
  EXPECT_THAT(log.ConsistencyProof(0, 0), IsOk());
  EXPECT_THAT(log.AppendBatch({}), IsOk());
  EXPECT_EQ(log.Size().value(), 0u);
}

TEST(MerkleLogTest, AppendReturnsConsecutiveIndices) {
  InMemoryTreeStore store;
  MerkleLog log(&store);
  const auto leaves = testing::TestLeaves(3);
  EXPECT_EQ(log.Append(leaves[0]).value(), 0u);
  EXPECT_EQ(log.Append(leaves[1]).value(), 1u);
  EXPECT_EQ(log.AppendBatch(std::span(leaves).subspan(2)).value(), 2u);
  EXPECT_EQ(log.Size().value(), 3u);
  EXPECT_EQ(log.LeafHash(1).value(), leaves[1]);
  EXPECT_EQ(log.Root(3).value(), RootFromLeaves(leaves));
}

TEST(MerkleLogTest, ArgumentsAreChecked) {
  InMemoryTreeStore store;
  MerkleLog log(&store);
  ASSERT_THAT(log.AppendBatch(testing::TestLeaves(10)), IsOk());
  EXPECT_THAT(log.InclusionProof(10, 10), HasReason("leaf-index-out-of-range"));
  EXPECT_THAT(log.InclusionProof(0, 11), HasReason("tree-size-out-of-range"));
  EXPECT_THAT(log.ConsistencyProof(3, 11), HasReason("tree-size-out-of-range"));
  EXPECT_THAT(log.ConsistencyProof(4, 3), HasReason("bad-consistency-range"));
  EXPECT_TRUE(log.ConsistencyProof(0, 10)->empty());
  EXPECT_TRUE(log.ConsistencyProof(10, 10)->empty());
}

// Every (index, size) and (old, new) up to 300 leaves, the log grown one leaf at a time, with
// proofs for every past size checked against the RFC's recursive definition.
TEST(MerkleLogTest, EveryProofForEveryPastSizeMatchesReference) {
  constexpr uint64_t kMaxSize = 300;
  const std::vector<Hash> leaves = testing::TestLeaves(kMaxSize);
  testing::NaiveMerkleTree naive(leaves);
  InMemoryTreeStore store;
  MerkleLog log(&store);
  for (const Hash& leaf : leaves) ASSERT_THAT(log.Append(leaf), IsOk());
  for (uint64_t size = 1; size <= kMaxSize; ++size) {
    const Hash root = naive.Root(size);
    ASSERT_EQ(log.Root(size).value(), root) << size;
    for (uint64_t m = 1; m <= size; ++m) {
      const uint64_t index = m - 1;
      auto inclusion = log.InclusionProof(index, size);
      ASSERT_THAT(inclusion, IsOk());
      ASSERT_EQ(*inclusion, naive.Path(index, size)) << index << "/" << size;
      ASSERT_THAT(VerifyInclusion(index, size, leaves[index], *inclusion, root), IsOk());
      auto consistency = log.ConsistencyProof(m, size);
      ASSERT_THAT(consistency, IsOk());
      ASSERT_EQ(*consistency, naive.Proof(m, size)) << m << "->" << size;
      ASSERT_THAT(VerifyConsistency(m, size, naive.Root(m), root, *consistency), IsOk());
    }
  }
}

TEST(MerkleLogTest, BatchAppendStoresTheSameTreeAsSingleAppends) {
  const std::vector<Hash> leaves = testing::TestLeaves(1000);
  InMemoryTreeStore one_by_one_store, batched_store;
  MerkleLog one_by_one(&one_by_one_store), batched(&batched_store);
  for (const Hash& leaf : leaves) ASSERT_THAT(one_by_one.Append(leaf), IsOk());
  std::mt19937_64 random(7);
  for (size_t next = 0; next < leaves.size();) {
    const size_t count = std::min<size_t>(random() % 70, leaves.size() - next);
    ASSERT_EQ(batched.AppendBatch(std::span(leaves).subspan(next, count)).value(), next);
    next += count;
  }
  for (uint8_t level = 0; level < 10; ++level) {
    for (uint64_t index = 0; index < (leaves.size() >> level); ++index) {
      ASSERT_EQ(batched_store.GetNode({level, index}).value(),
                one_by_one_store.GetNode({level, index}).value());
    }
    EXPECT_THAT(batched_store.GetNode({level, leaves.size() >> level}), HasReason("no-such-node"));
  }
}

TEST(MerkleLogTest, HundredThousandLeavesProofsMatchReferenceAtSampledPoints) {
  constexpr uint64_t kLeaves = 100'000;
  const std::vector<Hash> leaves = testing::TestLeaves(kLeaves, 3);
  testing::NaiveMerkleTree naive(leaves);
  InMemoryTreeStore store;
  MerkleLog log(&store);
  std::mt19937_64 random(42);
  for (size_t next = 0; next < leaves.size();) {
    const size_t count = std::min<size_t>(1 + random() % 5000, leaves.size() - next);
    ASSERT_THAT(log.AppendBatch(std::span(leaves).subspan(next, count)), IsOk());
    next += count;
  }
  std::vector<uint64_t> sizes = {1, 2, 65536, 65537, 99999, kLeaves};
  for (int sample = 0; sample < 14; ++sample) sizes.push_back(1 + random() % kLeaves);
  for (uint64_t size : sizes) {
    const Hash root = naive.Root(size);
    ASSERT_EQ(log.Root(size).value(), root) << size;
    for (uint64_t index : {uint64_t{0}, size - 1, random() % size}) {
      auto inclusion = log.InclusionProof(index, size);
      ASSERT_THAT(inclusion, IsOk());
      ASSERT_EQ(*inclusion, naive.Path(index, size)) << index << "/" << size;
      ASSERT_THAT(VerifyInclusion(index, size, leaves[index], *inclusion, root), IsOk());
    }
    for (uint64_t old_size : {uint64_t{1}, size, 1 + random() % size}) {
      auto consistency = log.ConsistencyProof(old_size, size);
      ASSERT_THAT(consistency, IsOk());
      ASSERT_EQ(*consistency, naive.Proof(old_size, size)) << old_size << "->" << size;
      ASSERT_THAT(VerifyConsistency(old_size, size, naive.Root(old_size), root, *consistency),
                  IsOk());
    }
  }
}

TEST(MerkleLogTest, ProofsAndAppendsReadLogarithmicallyManyNodes) {
  InMemoryTreeStore inner;
  CountingTreeStore store(&inner);
  MerkleLog log(&store);
  ASSERT_THAT(log.AppendBatch(testing::TestLeaves(100'000)), IsOk());
  // log2(100000) < 17: a root needs at most 17 subtrees; a proof at most 17 hashes of which
  // one may be a right edge of at most 17 subtrees.
  store.calls = store.nodes_read = 0;
  ASSERT_THAT(log.Root(99'999), IsOk());
  EXPECT_LE(store.nodes_read, 17u);
  for (uint64_t index : {0u, 4'242u, 65'535u, 99'998u}) {
    store.calls = store.nodes_read = 0;
    ASSERT_THAT(log.InclusionProof(index, 99'999), IsOk());
    EXPECT_EQ(store.calls, 1u);
    EXPECT_LE(store.nodes_read, 34u);
  }
  store.calls = store.nodes_read = 0;
  ASSERT_THAT(log.ConsistencyProof(12'345, 99'999), IsOk());
  EXPECT_EQ(store.calls, 1u);
  EXPECT_LE(store.nodes_read, 34u);
  // Appending 1000 leaves reads at most one stored hash per level.
  store.calls = store.nodes_read = 0;
  ASSERT_THAT(log.AppendBatch(testing::TestLeaves(1000, 9)), IsOk());
  EXPECT_LE(store.nodes_read, 17u);
}

TEST(MerkleLogTest, MissingNodeIsDataLoss) {
  InMemoryTreeStore inner;
  CountingTreeStore store(&inner);
  MerkleLog log(&store);
  ASSERT_THAT(log.AppendBatch(testing::TestLeaves(8)), IsOk());
  store.hidden = NodeId{2, 0};  // leaves 0..3
  EXPECT_THAT(log.Root(7), HasReason("missing-tree-node"));
  EXPECT_THAT(log.InclusionProof(7, 8), HasCode(ErrorCode::kDataLoss));
  EXPECT_THAT(log.ConsistencyProof(5, 8), HasReason("missing-tree-node"));
  // Hashes that do not involve the hidden subtree are still served.
  EXPECT_THAT(log.Root(3), IsOk());
  EXPECT_THAT(log.Root(8), IsOk());  // the complete tree's root is stored as one node
}

// A proof is built from stored subtree hashes and never rehashes the log, so a damaged stored
// hash surfaces as a proof that fails against the signed root (full audits rehash the leaves).
TEST(MerkleLogTest, DamagedStoreYieldsProofsThatFailVerification) {
  const std::vector<Hash> leaves = testing::TestLeaves(16);
  InMemoryTreeStore store;
  MerkleLog log(&store);
  ASSERT_THAT(log.AppendBatch(leaves), IsOk());
  const Hash signed_root = log.Root(16).value();
  store.ReplaceNodeForTesting({1, 3}, HashLeaf("tampered"));  // leaves 6 and 7
  auto proof = log.InclusionProof(4, 16);
  ASSERT_THAT(proof, IsOk());
  EXPECT_THAT(VerifyInclusion(4, 16, leaves[4], *proof, signed_root), HasReason("root-mismatch"));
  auto consistency = log.ConsistencyProof(6, 16);
  ASSERT_THAT(consistency, IsOk());
  EXPECT_THAT(VerifyConsistency(6, 16, RootFromLeaves(std::span(leaves).first(6)), signed_root,
                                *consistency),
              HasReason("root-mismatch"));
}

TEST(MerkleLogTest, ConcurrentAppendIsRefused) {
  InMemoryTreeStore store;
  MerkleLog first(&store), second(&store);
  ASSERT_THAT(first.AppendBatch(testing::TestLeaves(5)), IsOk());
  auto prepared = first.PrepareAppend(testing::TestLeaves(3, 1));
  ASSERT_THAT(prepared, IsOk());
  ASSERT_THAT(second.Append(HashLeaf("other writer")), IsOk());
  EXPECT_THAT(store.Append(*prepared), HasReason("append-conflict"));
  EXPECT_EQ(store.LeafCount().value(), 6u);
}

TEST(MerkleLogTest, StoreRefusesIncompleteOrExtraNodesAndStoresNothing) {
  InMemoryTreeStore store;
  MerkleLog log(&store);
  ASSERT_THAT(log.AppendBatch(testing::TestLeaves(3)), IsOk());
  const TreeAppend good = log.PrepareAppend(testing::TestLeaves(5, 1)).value();
  ASSERT_FALSE(good.nodes.empty());

  TreeAppend missing = good;
  missing.nodes.pop_back();
  EXPECT_THAT(store.Append(missing), HasReason("bad-tree-append"));
  TreeAppend extra = good;
  extra.nodes.push_back(StoredNode{NodeId{1, 99}, HashLeaf("x")});
  EXPECT_THAT(store.Append(extra), HasReason("bad-tree-append"));
  TreeAppend leaf_as_node = good;
  leaf_as_node.nodes.push_back(StoredNode{NodeId{0, 8}, HashLeaf("x")});
  EXPECT_THAT(store.Append(leaf_as_node), HasReason("bad-tree-append"));
  TreeAppend parent_only = good;
  parent_only.leaf_hashes.pop_back();
  EXPECT_THAT(store.Append(parent_only), HasReason("bad-tree-append"));
  EXPECT_EQ(store.LeafCount().value(), 3u);

  EXPECT_THAT(store.Append(good), IsOk());
  EXPECT_EQ(store.LeafCount().value(), 8u);
}

}  // namespace
}  // namespace clearway::ledger
