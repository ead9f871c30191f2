#include "ledger/merkle.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "ledger/naive_merkle.h"
#include "testing/matchers.h"

namespace clearway::ledger {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using ::testing::ElementsAreArray;

Hash HashFromHex(std::string_view hex) {
  auto bytes = crypto::FromHex(hex);
  CW_CHECK(bytes.ok() && bytes->size() == 32);
  Hash out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// The vectors of tests/ledger/testdata/ct_merkle_vectors.txt.
struct Vectors {
  std::vector<Hash> leaf_hashes;
  std::vector<std::pair<uint64_t, Hash>> roots;
  struct Proof {
    uint64_t first;
    uint64_t second;
    std::vector<Hash> hashes;
  };
  std::vector<Proof> inclusions;
  std::vector<Proof> consistencies;
};

Vectors LoadVectors() {
  // CTest sets CLEARWAY_SOURCE_DIR; run by hand, the file is found beside this source file.
  const char* source_dir = std::getenv("CLEARWAY_SOURCE_DIR");
  std::string path = source_dir ? std::string(source_dir) + "/tests/ledger" : std::string(__FILE__);
  if (!source_dir) path.erase(path.rfind('/'));
  path += "/testdata/ct_merkle_vectors.txt";
  std::ifstream file(path);
  CW_CHECK(file.good());
  Vectors out;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "leaf") {
      std::string hex;
      words >> hex;
      out.leaf_hashes.push_back(HashLeaf(crypto::FromHex(hex).value()));
    } else if (kind == "root") {
      uint64_t size;
      std::string hex;
      words >> size >> hex;
      out.roots.emplace_back(size, HashFromHex(hex));
    } else {
      Vectors::Proof proof;
      words >> proof.first >> proof.second;
      std::string hex;
      while (words >> hex) proof.hashes.push_back(HashFromHex(hex));
      (kind == "inclusion" ? out.inclusions : out.consistencies).push_back(proof);
    }
  }
  return out;
}

TEST(MerkleTest, RootOfEmptyTreeIsHashOfEmptyString) {
  EXPECT_EQ(crypto::ToHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(RootFromLeaves({}), EmptyRoot());
}

TEST(MerkleTest, LeafAndNodeHashesUseTheirPrefixes) {
  // SHA-256 of the single byte 0x00: the leaf hash of the empty leaf.
  EXPECT_EQ(crypto::ToHex(HashLeaf("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  const Hash a = HashLeaf("a"), b = HashLeaf("b");
  std::vector<uint8_t> preimage = {0x01};
  preimage.insert(preimage.end(), a.begin(), a.end());
  preimage.insert(preimage.end(), b.begin(), b.end());
  EXPECT_EQ(HashChildren(a, b), crypto::Sha256(preimage));
  EXPECT_NE(HashChildren(a, b), HashChildren(b, a));
}

TEST(MerkleTest, CertificateTransparencyKnownAnswers) {
  const Vectors vectors = LoadVectors();
  ASSERT_EQ(vectors.leaf_hashes.size(), 8u);
  ASSERT_EQ(vectors.roots.size(), 9u);
  for (const auto& [size, root] : vectors.roots) {
    EXPECT_EQ(RootFromLeaves(std::span(vectors.leaf_hashes).first(size)), root) << size;
  }
  for (const auto& proof : vectors.inclusions) {
    SCOPED_TRACE("inclusion " + std::to_string(proof.first) + " " + std::to_string(proof.second));
    auto generated = InclusionProofFromLeaves(vectors.leaf_hashes, proof.first, proof.second);
    ASSERT_THAT(generated, IsOk());
    EXPECT_THAT(*generated, ElementsAreArray(proof.hashes));
    EXPECT_THAT(VerifyInclusion(proof.first, proof.second, vectors.leaf_hashes[proof.first],
                                proof.hashes, vectors.roots[proof.second].second),
                IsOk());
  }
  for (const auto& proof : vectors.consistencies) {
    SCOPED_TRACE("consistency " + std::to_string(proof.first) + " " + std::to_string(proof.second));
    auto generated = ConsistencyProofFromLeaves(vectors.leaf_hashes, proof.first, proof.second);
    ASSERT_THAT(generated, IsOk());
    EXPECT_THAT(*generated, ElementsAreArray(proof.hashes));
    EXPECT_THAT(VerifyConsistency(proof.first, proof.second, vectors.roots[proof.first].second,
                                  vectors.roots[proof.second].second, proof.hashes),
                IsOk());
  }
}

// Every (index, size) and (old, new) with 1 <= m <= n <= 130: the library's proofs equal the
// RFC's recursive definition and pass the RFC's verification algorithm.
TEST(MerkleTest, EveryProofUpTo130LeavesMatchesReferenceAndVerifies) {
  constexpr uint64_t kMaxSize = 130;
  const std::vector<Hash> leaves = testing::TestLeaves(kMaxSize);
  testing::NaiveMerkleTree naive(leaves);
  for (uint64_t size = 1; size <= kMaxSize; ++size) {
    const Hash root = naive.Root(size);
    ASSERT_EQ(RootFromLeaves(std::span(leaves).first(size)), root) << size;
    for (uint64_t m = 1; m <= size; ++m) {
      const uint64_t index = m - 1;
      auto inclusion = InclusionProofFromLeaves(leaves, index, size);
      ASSERT_THAT(inclusion, IsOk());
      ASSERT_EQ(*inclusion, naive.Path(index, size)) << index << "/" << size;
      ASSERT_THAT(VerifyInclusion(index, size, leaves[index], *inclusion, root), IsOk());

      auto consistency = ConsistencyProofFromLeaves(leaves, m, size);
      ASSERT_THAT(consistency, IsOk());
      ASSERT_EQ(*consistency, naive.Proof(m, size)) << m << "->" << size;
      ASSERT_THAT(VerifyConsistency(m, size, naive.Root(m), root, *consistency), IsOk());
    }
  }
}

// Flips bit `bit` of hash `hash_idx` of a copy of `proof`.
std::vector<Hash> FlipBit(std::vector<Hash> proof, size_t hash_idx, size_t bit) {
  proof[hash_idx][bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return proof;
}

TEST(MerkleTest, InclusionProofWithAnyBitFlippedIsRefused) {
  const std::vector<Hash> leaves = testing::TestLeaves(21);
  for (uint64_t size = 1; size <= leaves.size(); ++size) {
    const Hash root = RootFromLeaves(std::span(leaves).first(size));
    for (uint64_t index = 0; index < size; ++index) {
      const std::vector<Hash> proof = InclusionProofFromLeaves(leaves, index, size).value();
      for (size_t hash_idx = 0; hash_idx < proof.size(); ++hash_idx) {
        for (size_t bit = 0; bit < 256; ++bit) {
          ASSERT_THAT(
              VerifyInclusion(index, size, leaves[index], FlipBit(proof, hash_idx, bit), root),
              HasReason("root-mismatch"));
        }
      }
      for (size_t bit = 0; bit < 256; ++bit) {
        Hash leaf = leaves[index];
        leaf[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        ASSERT_THAT(VerifyInclusion(index, size, leaf, proof, root), HasReason("root-mismatch"));
      }
    }
  }
}

TEST(MerkleTest, ConsistencyProofWithAnyBitFlippedIsRefused) {
  const std::vector<Hash> leaves = testing::TestLeaves(21);
  for (uint64_t size = 2; size <= leaves.size(); ++size) {
    const Hash root = RootFromLeaves(std::span(leaves).first(size));
    for (uint64_t old_size = 1; old_size < size; ++old_size) {
      const Hash old_root = RootFromLeaves(std::span(leaves).first(old_size));
      const std::vector<Hash> proof = ConsistencyProofFromLeaves(leaves, old_size, size).value();
      for (size_t hash_idx = 0; hash_idx < proof.size(); ++hash_idx) {
        for (size_t bit = 0; bit < 256; ++bit) {
          ASSERT_THAT(
              VerifyConsistency(old_size, size, old_root, root, FlipBit(proof, hash_idx, bit)),
              HasReason("root-mismatch"));
        }
      }
      Hash wrong_old = old_root, wrong_new = root;
      wrong_old[0] ^= 1;
      wrong_new[31] ^= 0x80;
      ASSERT_THAT(VerifyConsistency(old_size, size, wrong_old, root, proof),
                  HasReason("root-mismatch"));
      ASSERT_THAT(VerifyConsistency(old_size, size, old_root, wrong_new, proof),
                  HasReason("root-mismatch"));
    }
  }
}

// Wrong sizes, wrong indices, truncated proofs and extra hashes, for every pair up to 130.
TEST(MerkleTest, MisappliedOrResizedProofsAreRefused) {
  constexpr uint64_t kMaxSize = 130;
  const std::vector<Hash> leaves = testing::TestLeaves(kMaxSize + 1);
  testing::NaiveMerkleTree naive(leaves);
  const Hash extra = HashLeaf("extra");
  for (uint64_t size = 1; size <= kMaxSize; ++size) {
    const Hash root = naive.Root(size);
    for (uint64_t index = 0; index < size; ++index) {
      std::vector<Hash> proof = naive.Path(index, size);
      const Hash& leaf = leaves[index];
      // A proof does not bind the size by itself (the signed root does): claimed for another
      // size, it must fail against that size's root.
      ASSERT_THAT(VerifyInclusion(index, size + 1, leaf, proof, naive.Root(size + 1)),
                  HasCode(ErrorCode::kDataLoss));
      if (size > 1) {
        Status resized = VerifyInclusion(index, size - 1, leaf, proof, naive.Root(size - 1));
        if (index == size - 1) {
          ASSERT_THAT(resized, HasReason("leaf-index-out-of-range"));
        } else {
          ASSERT_THAT(resized, HasCode(ErrorCode::kDataLoss));
        }
        ASSERT_THAT(VerifyInclusion((index + 1) % size, size, leaf, proof, root),
                    HasCode(ErrorCode::kDataLoss));
      }
      ASSERT_THAT(VerifyInclusion(size, size, leaf, proof, root),
                  HasReason("leaf-index-out-of-range"));
      std::vector<Hash> longer = proof;
      longer.push_back(extra);
      ASSERT_THAT(VerifyInclusion(index, size, leaf, longer, root),
                  HasReason("proof-length-mismatch"));
      if (!proof.empty()) {
        std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
        ASSERT_THAT(VerifyInclusion(index, size, leaf, shorter, root),
                    HasReason("proof-length-mismatch"));
        std::vector<Hash> no_first(proof.begin() + 1, proof.end());
        ASSERT_THAT(VerifyInclusion(index, size, leaf, no_first, root),
                    HasReason("proof-length-mismatch"));
      }
    }
    for (uint64_t old_size = 1; old_size <= size; ++old_size) {
      const Hash old_root = naive.Root(old_size);
      std::vector<Hash> proof = naive.Proof(old_size, size);
      std::vector<Hash> longer = proof;
      longer.push_back(extra);
      ASSERT_THAT(VerifyConsistency(old_size, size, old_root, root, longer),
                  HasReason("proof-length-mismatch"));
      std::vector<Hash> prefixed = proof;
      prefixed.insert(prefixed.begin(), old_root);
      ASSERT_THAT(VerifyConsistency(old_size, size, old_root, root, prefixed),
                  HasCode(ErrorCode::kDataLoss));
      if (!proof.empty()) {
        std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
        ASSERT_THAT(VerifyConsistency(old_size, size, old_root, root, shorter),
                    HasReason("proof-length-mismatch"));
      }
      // The same proof claimed for a neighbouring size, with the roots of that size.
      if (old_size < size) {
        ASSERT_THAT(VerifyConsistency(old_size, size + 1, old_root, naive.Root(size + 1), proof),
                    HasCode(ErrorCode::kDataLoss));
        ASSERT_THAT(VerifyConsistency(old_size + 1, size, naive.Root(old_size + 1), root, proof),
                    HasCode(ErrorCode::kDataLoss));
      }
    }
  }
}

TEST(MerkleTest, ConsistencyEdgeCases) {
  const std::vector<Hash> leaves = testing::TestLeaves(5);
  const Hash root = RootFromLeaves(leaves);
  EXPECT_THAT(VerifyConsistency(5, 5, root, root, {}), IsOk());
  Hash other = root;
  other[3] ^= 4;
  EXPECT_THAT(VerifyConsistency(5, 5, root, other, {}), HasReason("root-mismatch"));
  EXPECT_THAT(VerifyConsistency(5, 5, root, root, std::vector<Hash>{root}),
              HasReason("proof-length-mismatch"));
  EXPECT_THAT(VerifyConsistency(0, 5, EmptyRoot(), root, {}), IsOk());
  EXPECT_THAT(VerifyConsistency(0, 5, root, root, {}), HasReason("root-mismatch"));
  EXPECT_THAT(VerifyConsistency(0, 5, EmptyRoot(), root, std::vector<Hash>{root}),
              HasReason("proof-length-mismatch"));
  EXPECT_THAT(VerifyConsistency(3, 5, root, root, {}), HasReason("proof-length-mismatch"));
  EXPECT_THAT(VerifyConsistency(6, 5, root, root, {}), HasReason("bad-consistency-range"));
  EXPECT_THAT(ConsistencyProofFromLeaves(leaves, 0, 5), IsOk());
  EXPECT_TRUE(ConsistencyProofFromLeaves(leaves, 0, 5)->empty());
  EXPECT_THAT(ConsistencyProofFromLeaves(leaves, 4, 3), HasReason("bad-consistency-range"));
  EXPECT_THAT(ConsistencyProofFromLeaves(leaves, 1, 6), HasReason("tree-size-out-of-range"));
}

TEST(MerkleTest, InclusionArgumentsAreChecked) {
  const std::vector<Hash> leaves = testing::TestLeaves(5);
  EXPECT_THAT(InclusionProofFromLeaves(leaves, 5, 5), HasReason("leaf-index-out-of-range"));
  EXPECT_THAT(InclusionProofFromLeaves(leaves, 0, 6), HasReason("tree-size-out-of-range"));
  EXPECT_THAT(InclusionProofFromLeaves(leaves, 0, 0), HasReason("leaf-index-out-of-range"));
  EXPECT_THAT(VerifyInclusion(0, 0, leaves[0], {}, EmptyRoot()),
              HasReason("leaf-index-out-of-range"));
  auto root = RootFromInclusionProof(0, 1, leaves[0], {});
  ASSERT_THAT(root, IsOk());
  EXPECT_EQ(*root, leaves[0]);
}

}  // namespace
}  // namespace clearway::ledger
