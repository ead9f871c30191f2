#include "ledger/leaf.h"

#include "crypto/crypto.h"

namespace clearway::ledger {
namespace {

bool IsValidKind(std::string_view kind) {
  if (kind.empty() || kind.size() > kMaxLeafKindBytes) return false;
  if (kind[0] < 'a' || kind[0] > 'z') return false;
  for (char c : kind) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsValidRecordId(std::string_view record_id) {
  if (record_id.empty() || record_id.size() > kMaxRecordIdBytes) return false;
  for (char c : record_id) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

Error Malformed(std::string message) {
  return Error::InvalidArgument("", "malformed-leaf", std::move(message));
}

}  // namespace

CommitmentSalt NewCommitmentSalt() {
  CommitmentSalt salt;
  crypto::RandomBytes(salt);
  return salt;
}

Commitment ComputeCommitment(const CommitmentSalt& salt,
                             std::span<const uint8_t> canonical_record) {
  // The domain and the salt have fixed lengths, so the preimage splits one way only.
  std::vector<uint8_t> preimage(kCommitmentDomain.begin(), kCommitmentDomain.end());
  preimage.insert(preimage.end(), salt.begin(), salt.end());
  preimage.insert(preimage.end(), canonical_record.begin(), canonical_record.end());
  return crypto::Sha256(preimage);
}

Commitment ComputeCommitment(const CommitmentSalt& salt, std::string_view canonical_record) {
  return ComputeCommitment(
      salt, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(canonical_record.data()),
                                     canonical_record.size()));
}

Result<std::vector<uint8_t>> EncodeLeafEntry(const LeafEntry& entry) {
  if (!IsValidKind(entry.kind)) {
    return Error::InvalidArgument("kind", "bad-leaf-kind",
                                  "a leaf kind is 1-64 of [a-z0-9._-], starting with a letter");
  }
  if (!IsValidRecordId(entry.record_id)) {
    return Error::InvalidArgument("record_id", "bad-record-id",
                                  "a record id is 1-256 printable ASCII characters, no spaces");
  }
  std::vector<uint8_t> out;
  out.reserve(4 + entry.kind.size() + entry.record_id.size() + entry.commitment.size());
  out.push_back(kLeafFormatVersion);
  out.push_back(static_cast<uint8_t>(entry.kind.size()));
  out.insert(out.end(), entry.kind.begin(), entry.kind.end());
  out.push_back(static_cast<uint8_t>(entry.record_id.size() >> 8));
  out.push_back(static_cast<uint8_t>(entry.record_id.size() & 0xFF));
  out.insert(out.end(), entry.record_id.begin(), entry.record_id.end());
  out.insert(out.end(), entry.commitment.begin(), entry.commitment.end());
  return out;
}

Result<LeafEntry> DecodeLeafEntry(std::span<const uint8_t> bytes) {
  size_t pos = 0;
  auto take = [&](size_t count) -> std::optional<std::span<const uint8_t>> {
    if (bytes.size() - pos < count) return std::nullopt;
    std::span<const uint8_t> out = bytes.subspan(pos, count);
    pos += count;
    return out;
  };
  auto header = take(2);
  if (!header) return Malformed("truncated leaf");
  if ((*header)[0] != kLeafFormatVersion) return Malformed("unknown leaf format version");
  auto kind = take((*header)[1]);
  auto id_length = take(2);
  if (!kind || !id_length) return Malformed("truncated leaf");
  auto record_id = take(size_t{(*id_length)[0]} << 8 | (*id_length)[1]);
  auto commitment = take(sizeof(Commitment));
  if (!record_id || !commitment) return Malformed("truncated leaf");
  if (pos != bytes.size()) return Malformed("trailing bytes after the leaf");
  LeafEntry entry;
  entry.kind.assign(kind->begin(), kind->end());
  entry.record_id.assign(record_id->begin(), record_id->end());
  std::copy(commitment->begin(), commitment->end(), entry.commitment.begin());
  if (!IsValidKind(entry.kind) || !IsValidRecordId(entry.record_id)) {
    return Malformed("invalid kind or record id");
  }
  return entry;
}

Result<Hash> LeafHashOf(const LeafEntry& entry) {
  CW_ASSIGN_OR_RETURN(std::vector<uint8_t> encoded, EncodeLeafEntry(entry));
  return HashLeaf(encoded);
}

}  // namespace clearway::ledger
