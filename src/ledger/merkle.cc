#include "ledger/merkle.h"

#include <algorithm>
#include <bit>

#include "ledger/internal/proof_plan.h"

namespace clearway::ledger {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;  // RFC 9162 §2.1.1
constexpr uint8_t kNodePrefix = 0x01;

Error ProofLengthMismatch() {
  return Error::DataLoss("proof-length-mismatch", "the proof has the wrong number of hashes");
}

Error RootMismatch() {
  return Error::DataLoss("root-mismatch", "the proof does not lead to the expected root");
}

// A NodeFetcher that rehashes the leaves of each complete subtree: O(2^level) per node.
internal::NodeFetcher LeafFetcher(std::span<const Hash> leaf_hashes) {
  return [leaf_hashes](std::span<const NodeId> ids) -> Result<std::vector<Hash>> {
    std::vector<Hash> out;
    out.reserve(ids.size());
    for (const NodeId& id : ids) {
      const uint64_t width = uint64_t{1} << id.level;
      out.push_back(RootFromLeaves(leaf_hashes.subspan(id.index * width, width)));
    }
    return out;
  };
}

}  // namespace

Hash HashLeaf(std::span<const uint8_t> data) {
  std::vector<uint8_t> buffer;
  buffer.reserve(data.size() + 1);
  buffer.push_back(kLeafPrefix);
  buffer.insert(buffer.end(), data.begin(), data.end());
  return crypto::Sha256(buffer);
}

Hash HashLeaf(std::string_view data) {
  return HashLeaf(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Hash HashChildren(const Hash& left, const Hash& right) {
  std::array<uint8_t, 1 + 2 * sizeof(Hash)> buffer;
  buffer[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), buffer.begin() + 1);
  std::copy(right.begin(), right.end(), buffer.begin() + 1 + sizeof(Hash));
  return crypto::Sha256(std::span<const uint8_t>(buffer));
}

Hash EmptyRoot() { return crypto::Sha256(std::string_view()); }

Hash RootFromLeaves(std::span<const Hash> leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyRoot();
  // A stack of complete subtrees, largest at the bottom; two subtrees of equal size merge as
  // soon as they meet. What remains is the decomposition of n into powers of two, folded right.
  struct Subtree {
    Hash hash;
    uint8_t level;
  };
  std::vector<Subtree> stack;
  for (const Hash& leaf : leaf_hashes) {
    Subtree top{leaf, 0};
    while (!stack.empty() && stack.back().level == top.level) {
      top = Subtree{HashChildren(stack.back().hash, top.hash), static_cast<uint8_t>(top.level + 1)};
      stack.pop_back();
    }
    stack.push_back(top);
  }
  Hash root = stack.back().hash;
  for (size_t pos = stack.size() - 1; pos > 0; --pos)
    root = HashChildren(stack[pos - 1].hash, root);
  return root;
}

Result<std::vector<Hash>> InclusionProofFromLeaves(std::span<const Hash> leaf_hashes,
                                                   uint64_t index, uint64_t size) {
  if (size > leaf_hashes.size()) {
    return Error::InvalidArgument("size", "tree-size-out-of-range",
                                  "the tree has fewer leaves than the size asked for");
  }
  if (index >= size) {
    return Error::InvalidArgument("index", "leaf-index-out-of-range",
                                  "the leaf index is not below the tree size");
  }
  return internal::EvaluatePlans(internal::PlanInclusion(index, size), LeafFetcher(leaf_hashes));
}

Result<std::vector<Hash>> ConsistencyProofFromLeaves(std::span<const Hash> leaf_hashes,
                                                     uint64_t old_size, uint64_t new_size) {
  if (new_size > leaf_hashes.size()) {
    return Error::InvalidArgument("to", "tree-size-out-of-range",
                                  "the tree has fewer leaves than the size asked for");
  }
  if (old_size > new_size) {
    return Error::InvalidArgument("from", "bad-consistency-range",
                                  "the old tree size is larger than the new one");
  }
  if (old_size == 0) return std::vector<Hash>{};
  return internal::EvaluatePlans(internal::PlanConsistency(old_size, new_size),
                                 LeafFetcher(leaf_hashes));
}

Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                    std::span<const Hash> proof) {
  if (index >= size) {
    return Error::InvalidArgument("index", "leaf-index-out-of-range",
                                  "the leaf index is not below the tree size");
  }
  // RFC 9162 §2.1.3.2, steps 2 to 5.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return ProofLengthMismatch();
    if ((fn & 1) != 0 || fn == sn) {
      r = HashChildren(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return ProofLengthMismatch();
  return r;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  CW_ASSIGN_OR_RETURN(Hash computed, RootFromInclusionProof(index, size, leaf_hash, proof));
  if (computed != root) return RootMismatch();
  return OkStatus();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof) {
  if (old_size > new_size) {
    return Error::InvalidArgument("from", "bad-consistency-range",
                                  "the old tree size is larger than the new one");
  }
  // RFC 9162 defines the algorithm for 0 < m < n; the edge cases follow from SUBPROOF, which
  // gives an empty proof for m == n (and the empty tree is a prefix of every tree).
  if (old_size == new_size) {
    if (!proof.empty()) return ProofLengthMismatch();
    if (old_root != new_root) return RootMismatch();
    return OkStatus();
  }
  if (old_size == 0) {
    if (!proof.empty()) return ProofLengthMismatch();
    if (old_root != EmptyRoot()) return RootMismatch();
    return OkStatus();
  }
  // RFC 9162 §2.1.4.2, steps 1 to 7. Step 2 prepends old_root when old_size is a power of two;
  // `path` is the proof seen through that prepend.
  if (proof.empty()) return ProofLengthMismatch();
  const bool prepend = std::has_single_bit(old_size);
  const size_t path_length = proof.size() + (prepend ? 1 : 0);
  auto path = [&](size_t pos) -> const Hash& {
    if (prepend) return pos == 0 ? old_root : proof[pos - 1];
    return proof[pos];
  };
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path(0);
  Hash sr = path(0);
  for (size_t pos = 1; pos < path_length; ++pos) {
    const Hash& c = path(pos);
    if (sn == 0) return ProofLengthMismatch();
    if ((fn & 1) != 0 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return ProofLengthMismatch();
  if (fr != old_root || sr != new_root) return RootMismatch();
  return OkStatus();
}

}  // namespace clearway::ledger
