#include "ledger/note.h"

#include <chrono>

#include "crypto/crypto.h"
#include "ledger/internal/text.h"

namespace clearway::ledger {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space
constexpr size_t kKeyIdBytes = 4;
constexpr size_t kTimestampBytes = 8;

Error Malformed(std::string message) {
  return Error::InvalidArgument("", "malformed-note", std::move(message));
}

// The message a cosignature/v1 signature covers (c2sp.org/tlog-cosignature).
std::string CosignedMessage(std::string_view text, uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(text);
}

uint64_t ReadBigEndian(std::span<const uint8_t> bytes) {
  uint64_t value = 0;
  for (uint8_t byte : bytes) value = value << 8 | byte;
  return value;
}

bool VerifyOne(const VerifierKey& key, std::string_view text, const NoteSignature& signature,
               std::optional<uint64_t>& timestamp) {
  const std::span<const uint8_t> payload(signature.payload);
  switch (key.type) {
    case NoteKeyType::kEd25519:
      return crypto::VerifyEd25519(key.public_key, text, payload);
    case NoteKeyType::kCosignatureV1: {
      if (payload.size() != kTimestampBytes + crypto::kEd25519SignatureBytes) return false;
      const uint64_t time = ReadBigEndian(payload.first(kTimestampBytes));
      timestamp = time;
      return crypto::VerifyEd25519(key.public_key, CosignedMessage(text, time),
                                   payload.subspan(kTimestampBytes));
    }
  }
  return false;
}

Result<VerifierKey> CheckedKey(std::string name, NoteKeyType type, const crypto::Signer* signer) {
  CW_CHECK(signer != nullptr);
  return MakeVerifierKey(std::move(name), type, signer->public_key());
}

Status CheckText(std::string_view text) {
  if (!internal::IsValidNoteText(text)) {
    return Error::InvalidArgument("", "bad-note-text",
                                  "note text must be UTF-8 ending in a newline, without controls");
  }
  return OkStatus();
}

}  // namespace

uint32_t VerifierKey::KeyId() const {
  std::string preimage = name;
  preimage += '\n';
  preimage += static_cast<char>(type);
  preimage.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  const crypto::Sha256Digest digest = crypto::Sha256(preimage);
  return static_cast<uint32_t>(ReadBigEndian(std::span<const uint8_t>(digest).first(kKeyIdBytes)));
}

Result<VerifierKey> MakeVerifierKey(std::string name, NoteKeyType type,
                                    const crypto::Ed25519PublicKey& public_key) {
  if (!internal::IsValidKeyName(name)) {
    return Error::InvalidArgument("name", "bad-key-name",
                                  "a key name is non-empty, without spaces, controls or '+'");
  }
  return VerifierKey{std::move(name), type, public_key};
}

std::string FormatVerifierKey(const VerifierKey& key) {
  std::vector<uint8_t> encoded;
  encoded.push_back(static_cast<uint8_t>(key.type));
  encoded.insert(encoded.end(), key.public_key.begin(), key.public_key.end());
  const uint32_t id = key.KeyId();
  const std::array<uint8_t, kKeyIdBytes> id_bytes = {
      static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16), static_cast<uint8_t>(id >> 8),
      static_cast<uint8_t>(id)};
  return key.name + "+" + crypto::ToHex(id_bytes) + "+" + internal::Base64Encode(encoded);
}

Result<VerifierKey> ParseVerifierKey(std::string_view vkey) {
  auto bad = [](std::string message) {
    return Error::InvalidArgument("", "bad-verifier-key", std::move(message));
  };
  const size_t first_plus = vkey.find('+');
  const size_t second_plus =
      first_plus == std::string_view::npos ? first_plus : vkey.find('+', first_plus + 1);
  if (second_plus == std::string_view::npos) return bad("expected name+keyid+key");
  const std::string_view name = vkey.substr(0, first_plus);
  const std::string_view id_hex = vkey.substr(first_plus + 1, second_plus - first_plus - 1);
  if (!internal::IsValidKeyName(name)) return bad("invalid key name");
  Result<std::vector<uint8_t>> id_bytes = crypto::FromHex(id_hex);
  if (id_hex.size() != 2 * kKeyIdBytes || !id_bytes.ok()) return bad("key id is not 8 hex digits");
  std::optional<std::vector<uint8_t>> encoded =
      internal::Base64Decode(vkey.substr(second_plus + 1));
  if (!encoded || encoded->empty()) return bad("key is not base64");
  const uint8_t type = encoded->front();
  if (type != static_cast<uint8_t>(NoteKeyType::kEd25519) &&
      type != static_cast<uint8_t>(NoteKeyType::kCosignatureV1)) {
    return Error::InvalidArgument("", "unsupported-key-type", "only key types 0x01 and 0x04");
  }
  if (encoded->size() != 1 + crypto::kEd25519PublicKeyBytes) return bad("wrong public key length");
  VerifierKey key{std::string(name), static_cast<NoteKeyType>(type), {}};
  std::copy(encoded->begin() + 1, encoded->end(), key.public_key.begin());
  if (key.KeyId() != static_cast<uint32_t>(ReadBigEndian(*id_bytes))) {
    return Error::InvalidArgument("", "key-id-mismatch", "the key id does not match the key");
  }
  return key;
}

Result<SignedNote> ParseNote(std::string_view note) {
  // The whole note obeys the text rules; the signatures start after the last blank line.
  if (!internal::IsValidNoteText(note)) return Malformed("not UTF-8 text ending in a newline");
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before the signatures");
  SignedNote out;
  out.text = std::string(note.substr(0, split + 1));
  std::string_view lines = note.substr(split + 2);
  if (lines.empty()) return Malformed("no signature lines");
  while (!lines.empty()) {
    const size_t end = lines.find('\n');  // found: the note ends in "\n"
    std::string_view line = lines.substr(0, end);
    lines.remove_prefix(end + 1);
    if (out.signatures.size() == kMaxNoteSignatures) {
      return Error::ResourceExhausted("too-many-signatures", "a note carries at most 100");
    }
    if (!line.starts_with(kSignaturePrefix)) return Malformed("signature line without em dash");
    line.remove_prefix(kSignaturePrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) return Malformed("signature line without signature");
    const std::string_view name = line.substr(0, space);
    std::optional<std::vector<uint8_t>> decoded = internal::Base64Decode(line.substr(space + 1));
    if (!internal::IsValidKeyName(name) || !decoded || decoded->size() <= kKeyIdBytes) {
      return Malformed("bad signature line");
    }
    NoteSignature signature;
    signature.key_name = std::string(name);
    signature.key_id =
        static_cast<uint32_t>(ReadBigEndian(std::span<const uint8_t>(*decoded).first(kKeyIdBytes)));
    signature.payload.assign(decoded->begin() + kKeyIdBytes, decoded->end());
    out.signatures.push_back(std::move(signature));
  }
  return out;
}

std::string FormatSignatureLine(const NoteSignature& signature) {
  std::vector<uint8_t> bytes = {
      static_cast<uint8_t>(signature.key_id >> 24), static_cast<uint8_t>(signature.key_id >> 16),
      static_cast<uint8_t>(signature.key_id >> 8), static_cast<uint8_t>(signature.key_id)};
  bytes.insert(bytes.end(), signature.payload.begin(), signature.payload.end());
  return std::string(kSignaturePrefix) + signature.key_name + " " + internal::Base64Encode(bytes) +
         "\n";
}

std::string FormatNote(const SignedNote& note) {
  std::string out = note.text + "\n";
  for (const NoteSignature& signature : note.signatures) out += FormatSignatureLine(signature);
  return out;
}

Result<std::vector<VerifiedSignature>> VerifyNote(const SignedNote& note,
                                                  const std::vector<VerifierKey>& known_keys) {
  std::vector<uint32_t> key_ids;
  key_ids.reserve(known_keys.size());
  for (const VerifierKey& key : known_keys) key_ids.push_back(key.KeyId());
  std::vector<bool> seen(known_keys.size(), false);
  std::vector<VerifiedSignature> verified;
  for (const NoteSignature& signature : note.signatures) {
    for (size_t key_idx = 0; key_idx < known_keys.size(); ++key_idx) {
      const VerifierKey& key = known_keys[key_idx];
      if (key.name != signature.key_name || key_ids[key_idx] != signature.key_id) continue;
      if (seen[key_idx]) break;  // as the reference implementation: first line of a key counts
      seen[key_idx] = true;
      std::optional<uint64_t> timestamp;
      if (!VerifyOne(key, note.text, signature, timestamp)) {
        return Error::Unauthenticated("bad-signature", "verification failed");
      }
      verified.push_back(VerifiedSignature{key, timestamp});
      break;
    }
  }
  if (verified.empty()) {
    return Error::Unauthenticated("no-known-signature", "no trusted key signed this note");
  }
  return verified;
}

Result<NoteSigner> NoteSigner::New(std::string name, const crypto::Signer* signer) {
  CW_ASSIGN_OR_RETURN(VerifierKey key, CheckedKey(std::move(name), NoteKeyType::kEd25519, signer));
  return NoteSigner(std::move(key), signer);
}

Result<NoteSignature> NoteSigner::Sign(std::string_view text) const {
  CW_RETURN_IF_ERROR(CheckText(text));
  CW_ASSIGN_OR_RETURN(crypto::Ed25519Signature signature, signer_->Sign(text));
  return NoteSignature{key_.name, key_.KeyId(), {signature.begin(), signature.end()}};
}

Result<Cosigner> Cosigner::New(std::string name, const crypto::Signer* signer) {
  CW_ASSIGN_OR_RETURN(VerifierKey key,
                      CheckedKey(std::move(name), NoteKeyType::kCosignatureV1, signer));
  return Cosigner(std::move(key), signer);
}

Result<NoteSignature> Cosigner::Cosign(std::string_view checkpoint_text, Timestamp time) const {
  CW_RETURN_IF_ERROR(CheckText(checkpoint_text));
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time).time_since_epoch().count();
  if (seconds < 0) return Error::InvalidArgument("", "bad-timestamp", "time before 1970");
  const auto timestamp = static_cast<uint64_t>(seconds);
  CW_ASSIGN_OR_RETURN(crypto::Ed25519Signature signature,
                      signer_->Sign(CosignedMessage(checkpoint_text, timestamp)));
  NoteSignature out{key_.name, key_.KeyId(), {}};
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.payload.push_back(static_cast<uint8_t>(timestamp >> shift));
  }
  out.payload.insert(out.payload.end(), signature.begin(), signature.end());
  return out;
}

}  // namespace clearway::ledger
