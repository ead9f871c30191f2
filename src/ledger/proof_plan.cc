#include "ledger/internal/proof_plan.h"

#include <algorithm>
#include <bit>

namespace clearway::ledger::internal {
namespace {

// The RFC 9162 split point: the largest power of two strictly less than n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// The complete subtree of `width` (a power of two) leaves starting at `begin`.
NodeId Subtree(uint64_t begin, uint64_t width) {
  const auto level = static_cast<uint8_t>(std::countr_zero(width));
  return NodeId{level, begin >> level};
}

}  // namespace

HashPlan PlanRange(uint64_t begin, uint64_t count) {
  CW_CHECK(count >= 1);
  HashPlan plan;
  uint64_t pos = begin;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((count & width) == 0) continue;
    // Misaligned ranges never arise from the RFC recursion; one would mean a planning bug.
    CW_CHECK(pos % width == 0);
    plan.push_back(Subtree(pos, width));
    pos += width;
  }
  return plan;
}

HashPlan PlanRoot(uint64_t size) { return PlanRange(0, size); }

std::vector<HashPlan> PlanInclusion(uint64_t index, uint64_t size) {
  CW_CHECK(index < size);
  // Walk from the root down to the leaf; RFC 9162 §2.1.3.1 lists siblings leaf-first, so the
  // list is reversed at the end. Going left leaves the right edge [begin + k, begin + n) as the
  // sibling; going right leaves the complete subtree [begin, begin + k).
  std::vector<HashPlan> plans;
  uint64_t begin = 0;
  uint64_t count = size;
  uint64_t offset = index;
  while (count > 1) {
    const uint64_t split = SplitPoint(count);
    if (offset < split) {
      plans.push_back(PlanRange(begin + split, count - split));
      count = split;
    } else {
      plans.push_back({Subtree(begin, split)});
      begin += split;
      offset -= split;
      count -= split;
    }
  }
  std::reverse(plans.begin(), plans.end());
  return plans;
}

std::vector<HashPlan> PlanConsistency(uint64_t old_size, uint64_t new_size) {
  CW_CHECK(old_size > 0 && old_size <= new_size);
  // SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1, unrolled. `whole_old_tree` is the flag b: true
  // while the range still starts at leaf 0, in which case the old root itself is not sent.
  std::vector<HashPlan> plans;
  uint64_t begin = 0;
  uint64_t old_count = old_size;
  uint64_t count = new_size;
  bool whole_old_tree = true;
  while (old_count != count) {
    const uint64_t split = SplitPoint(count);
    if (old_count <= split) {
      plans.push_back(PlanRange(begin + split, count - split));
      count = split;
    } else {
      plans.push_back({Subtree(begin, split)});
      begin += split;
      old_count -= split;
      count -= split;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) plans.push_back(PlanRange(begin, old_count));
  std::reverse(plans.begin(), plans.end());
  return plans;
}

Result<std::vector<Hash>> EvaluatePlans(const std::vector<HashPlan>& plans,
                                        const NodeFetcher& fetch) {
  std::vector<NodeId> ids;
  for (const HashPlan& plan : plans) ids.insert(ids.end(), plan.begin(), plan.end());
  CW_ASSIGN_OR_RETURN(std::vector<Hash> nodes, fetch(ids));
  if (nodes.size() != ids.size()) {
    return Error::Internal("node-fetch-mismatch", "tree store returned the wrong number of nodes");
  }
  std::vector<Hash> out;
  out.reserve(plans.size());
  size_t next = 0;
  for (const HashPlan& plan : plans) {
    CW_CHECK(!plan.empty());
    const size_t first = next;
    next += plan.size();
    Hash folded = nodes[next - 1];
    for (size_t pos = next - 1; pos > first; --pos) folded = HashChildren(nodes[pos - 1], folded);
    out.push_back(folded);
  }
  return out;
}

}  // namespace clearway::ledger::internal
