// File: ledger/leaf.h
//
// What Clearway puts in its log: one LeafEntry per declaration version and per lifecycle
// transition. An entry holds the record's kind, its opaque id and a commitment to its canonical
// bytes; no personal data. The commitment is salted, so that the log reveals nothing about a
// record whose salt has been erased (crypto-shredding), and the record can be checked against
// the log by anyone given the record and its salt:
//
//   commitment = SHA-256("clearway/commitment/v1" || salt (32 bytes) || canonical record bytes)
//   leaf hash  = SHA-256(0x00 || EncodeLeafEntry(entry))          (RFC 9162 leaf hash)
//
//   CommitmentSalt salt = NewCommitmentSalt();                    // kept beside the record
//   LeafEntry entry{kKindDeclarationVersion, "01JABC…:1", ComputeCommitment(salt, canonical)};
//   CW_ASSIGN_OR_RETURN(Hash leaf_hash, LeafHashOf(entry));
//
// The byte encoding is specified in docs/formats/ledger.md. Everything here is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ledger/merkle.h"

namespace clearway::ledger {

using Commitment = std::array<uint8_t, 32>;
using CommitmentSalt = std::array<uint8_t, 32>;

inline constexpr uint8_t kLeafFormatVersion = 0x01;
inline constexpr size_t kMaxLeafKindBytes = 64;
inline constexpr size_t kMaxRecordIdBytes = 256;
inline constexpr std::string_view kCommitmentDomain = "clearway/commitment/v1";

inline constexpr std::string_view kKindDeclarationVersion = "declaration.version";
inline constexpr std::string_view kKindDeclarationTransition = "declaration.transition";
inline constexpr std::string_view kKindDeclarationAssessment = "declaration.assessment";
inline constexpr std::string_view kKindSecurityEvent = "security.event";
inline constexpr std::string_view kKindLegalHold = "retention.hold";
inline constexpr std::string_view kKindHoldRelease = "retention.hold-release";
inline constexpr std::string_view kKindRetentionPurge = "retention.purge";

// LeafEntry is one record in the log.
struct LeafEntry {
  std::string kind;       // 1..64 of [a-z0-9._-], starting with a letter
  std::string record_id;  // 1..256 printable ASCII characters, no spaces; an opaque identifier
  Commitment commitment{};
  friend bool operator==(const LeafEntry&, const LeafEntry&) = default;
};

// NewCommitmentSalt() draws 32 random bytes from the CSPRNG.
CommitmentSalt NewCommitmentSalt();

// ComputeCommitment() is SHA-256(kCommitmentDomain || salt || canonical_record).
Commitment ComputeCommitment(const CommitmentSalt& salt, std::span<const uint8_t> canonical_record);
Commitment ComputeCommitment(const CommitmentSalt& salt, std::string_view canonical_record);

// EncodeLeafEntry() gives the canonical bytes of `entry`. kInvalidArgument "bad-leaf-kind" or
// "bad-record-id" if a field breaks its rule above.
Result<std::vector<uint8_t>> EncodeLeafEntry(const LeafEntry& entry);

// DecodeLeafEntry() reverses EncodeLeafEntry(), accepting only canonical bytes. kInvalidArgument
// "malformed-leaf" for an unknown version, a bad length or field, or trailing bytes.
Result<LeafEntry> DecodeLeafEntry(std::span<const uint8_t> bytes);

// LeafHashOf() is HashLeaf(EncodeLeafEntry(entry)); errors of EncodeLeafEntry().
Result<Hash> LeafHashOf(const LeafEntry& entry);

}  // namespace clearway::ledger
