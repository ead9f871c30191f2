// File: ledger/naive_merkle.h
//
// Test-only reference: a literal, recursive transcription of RFC 9162 §2.1.1 (MTH), §2.1.3.1
// (PATH) and §2.1.4.1 (PROOF/SUBPROOF) over a list of leaf hashes, sharing no code with the
// library (it hashes with crypto::Sha256 and its own prefix bytes). MTH results are memoised
// per leaf range so that exhaustive tests stay fast; the recursion itself is the RFC's.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "crypto/crypto.h"

namespace clearway::ledger::testing {

using NaiveHash = crypto::Sha256Digest;

class NaiveMerkleTree {
 public:
  explicit NaiveMerkleTree(std::vector<NaiveHash> leaf_hashes) : leaves_(std::move(leaf_hashes)) {}

  // MTH(D[begin:end]).
  NaiveHash Mth(uint64_t begin, uint64_t end) {
    const uint64_t n = end - begin;
    if (n == 0) return crypto::Sha256(std::string_view());
    if (n == 1) return leaves_[begin];
    auto memo = memo_.find({begin, end});
    if (memo != memo_.end()) return memo->second;
    const uint64_t k = Split(n);
    std::vector<uint8_t> buffer = {0x01};
    const NaiveHash left = Mth(begin, begin + k);
    const NaiveHash right = Mth(begin + k, end);
    buffer.insert(buffer.end(), left.begin(), left.end());
    buffer.insert(buffer.end(), right.begin(), right.end());
    const NaiveHash out = crypto::Sha256(buffer);
    memo_.emplace(std::make_pair(begin, end), out);
    return out;
  }
  NaiveHash Root(uint64_t size) { return Mth(0, size); }

  // PATH(m, D[0:n]).
  std::vector<NaiveHash> Path(uint64_t m, uint64_t n) { return PathIn(m, 0, n); }

  // PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true).
  std::vector<NaiveHash> Proof(uint64_t m, uint64_t n) { return SubProof(m, 0, n, true); }

 private:
  static uint64_t Split(uint64_t n) {
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  std::vector<NaiveHash> PathIn(uint64_t m, uint64_t begin, uint64_t end) {
    const uint64_t n = end - begin;
    if (n <= 1) return {};
    const uint64_t k = Split(n);
    std::vector<NaiveHash> out;
    if (m < k) {
      out = PathIn(m, begin, begin + k);
      out.push_back(Mth(begin + k, end));
    } else {
      out = PathIn(m - k, begin + k, end);
      out.push_back(Mth(begin, begin + k));
    }
    return out;
  }

  std::vector<NaiveHash> SubProof(uint64_t m, uint64_t begin, uint64_t end, bool b) {
    const uint64_t n = end - begin;
    if (m == n) {
      if (b) return {};
      return {Mth(begin, end)};
    }
    const uint64_t k = Split(n);
    std::vector<NaiveHash> out;
    if (m <= k) {
      out = SubProof(m, begin, begin + k, b);
      out.push_back(Mth(begin + k, end));
    } else {
      out = SubProof(m - k, begin + k, end, false);
      out.push_back(Mth(begin, begin + k));
    }
    return out;
  }

  std::vector<NaiveHash> leaves_;
  std::map<std::pair<uint64_t, uint64_t>, NaiveHash> memo_;
};

// NaiveLeafHash() is SHA-256(0x00 || data).
inline NaiveHash NaiveLeafHash(std::span<const uint8_t> data) {
  std::vector<uint8_t> buffer = {0x00};
  buffer.insert(buffer.end(), data.begin(), data.end());
  return crypto::Sha256(buffer);
}

// TestLeaves() makes `count` distinct leaf hashes, leaf i hashing the 8-byte encoding of i.
inline std::vector<NaiveHash> TestLeaves(uint64_t count, uint64_t seed = 0) {
  std::vector<NaiveHash> out;
  out.reserve(count);
  for (uint64_t leaf_idx = 0; leaf_idx < count; ++leaf_idx) {
    std::vector<uint8_t> data;
    for (int shift = 56; shift >= 0; shift -= 8) {
      data.push_back(static_cast<uint8_t>((leaf_idx + seed * 0x9E3779B97F4A7C15ull) >> shift));
    }
    out.push_back(NaiveLeafHash(data));
  }
  return out;
}

}  // namespace clearway::ledger::testing
