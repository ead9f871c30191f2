// Ledger benchmarks. Every figure is meant to be read as a ratio to BM_Sha256Of64ByteLeaf, raw
// SHA-256 of a 64-byte leaf on the same machine in the same run:
//   - BM_MerkleLogAppend / BM_MerkleLogAppendBatch1000: appends per second (hash given);
//   - BM_InclusionProof1M / BM_ConsistencyProof1M: proof generation at one million leaves,
//     from the stored subtree hashes (the log is built once and shared);
//   - BM_VerifyInclusion1M: client-side verification of such a proof.
#include <memory>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "crypto/crypto.h"
#include "ledger/merkle.h"
#include "ledger/merkle_log.h"
#include "ledger/tree_store.h"

namespace clearway::ledger {
namespace {

constexpr uint64_t kMillion = 1'000'000;

std::vector<Hash> MakeLeafHashes(uint64_t count) {
  std::vector<Hash> out;
  out.reserve(count);
  for (uint64_t leaf_idx = 0; leaf_idx < count; ++leaf_idx) {
    out.push_back(HashLeaf(std::to_string(leaf_idx)));
  }
  return out;
}

// A one-million-leaf log, built on first use.
struct MillionLeafLog {
  MillionLeafLog() { CW_CHECK(log.AppendBatch(MakeLeafHashes(kMillion)).ok()); }
  InMemoryTreeStore store;
  MerkleLog log{&store};
};

MillionLeafLog& SharedLog() {
  static MillionLeafLog shared;
  return shared;
}

void BM_Sha256Of64ByteLeaf(benchmark::State& state) {
  std::array<uint8_t, 64> leaf{};
  for (auto _ : state) {
    crypto::Sha256Digest digest = crypto::Sha256(std::span<const uint8_t>(leaf));
    leaf[0] = digest[0];  // a data dependency, so iterations cannot be folded
    benchmark::DoNotOptimize(digest);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256Of64ByteLeaf);

void BM_MerkleLogAppend(benchmark::State& state) {
  const std::vector<Hash> leaves = MakeLeafHashes(1 << 16);
  auto store = std::make_unique<InMemoryTreeStore>();
  auto log = std::make_unique<MerkleLog>(store.get());
  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(log->Append(leaves[next++ % leaves.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MerkleLogAppend);

void BM_MerkleLogAppendBatch1000(benchmark::State& state) {
  const std::vector<Hash> leaves = MakeLeafHashes(1000);
  auto store = std::make_unique<InMemoryTreeStore>();
  auto log = std::make_unique<MerkleLog>(store.get());
  for (auto _ : state) benchmark::DoNotOptimize(log->AppendBatch(leaves));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_MerkleLogAppendBatch1000);

void BM_InclusionProof1M(benchmark::State& state) {
  MerkleLog& log = SharedLog().log;
  std::mt19937_64 random(1);
  for (auto _ : state) {
    auto proof = log.InclusionProof(random() % kMillion, kMillion);
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProof1M);

void BM_ConsistencyProof1M(benchmark::State& state) {
  MerkleLog& log = SharedLog().log;
  std::mt19937_64 random(2);
  for (auto _ : state) {
    auto proof = log.ConsistencyProof(1 + random() % (kMillion - 1), kMillion);
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConsistencyProof1M);

void BM_VerifyInclusion1M(benchmark::State& state) {
  MerkleLog& log = SharedLog().log;
  const uint64_t index = 765'432;
  const Hash leaf = log.LeafHash(index).value();
  const Hash root = log.Root(kMillion).value();
  const std::vector<Hash> proof = log.InclusionProof(index, kMillion).value();
  for (auto _ : state)
    benchmark::DoNotOptimize(VerifyInclusion(index, kMillion, leaf, proof, root));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyInclusion1M);

}  // namespace
}  // namespace clearway::ledger
