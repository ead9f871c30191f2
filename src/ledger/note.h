// File: ledger/note.h
//
// C2SP signed notes (https://c2sp.org/signed-note) and cosignatures (c2sp.org/tlog-cosignature).
// A note is UTF-8 text ending in a newline, a blank line, then one line per signature:
//
//   <text, ending in "\n">
//   "\n"
//   "— <key name> <base64(4-byte key id || payload)>\n"      (— is U+2014, the em dash)
//
// key id = first 4 bytes of SHA-256(key name || "\n" || type byte || 32-byte public key).
// Type 0x01 (Ed25519): payload = Ed25519 signature of the text.
// Type 0x04 (cosignature/v1): payload = 8-byte big-endian Unix time T || Ed25519 signature of
//   "cosignature/v1\ntime T\n" || text.
// A verifier key string is "<name>+<key id, 8 hex digits>+<base64(type byte || public key)>".
//
//   CW_ASSIGN_OR_RETURN(NoteSigner signer, NoteSigner::New("log.example/clearway", &ed25519));
//   CW_ASSIGN_OR_RETURN(NoteSignature sig, signer.Sign(text));
//   std::string note = FormatNote(SignedNote{text, {sig}});
//   CW_ASSIGN_OR_RETURN(SignedNote parsed, ParseNote(note));
//   CW_ASSIGN_OR_RETURN(auto verified, VerifyNote(parsed, {signer.verifier_key()}));
//
// Guarantee: VerifyNote() accepts a note only if at least one known key signed its exact text and
// no known key's signature on it is invalid. Everything here is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "crypto/signature.h"

namespace clearway::ledger {

// The signature-type byte of a note key.
enum class NoteKeyType : uint8_t {
  kEd25519 = 0x01,        // a log (or any) signer, signature over the note text
  kCosignatureV1 = 0x04,  // a witness, timestamped signature over a checkpoint
};

// VerifierKey is the public half of a note key. Compare keys with ==.
struct VerifierKey {
  std::string name;
  NoteKeyType type = NoteKeyType::kEd25519;
  crypto::Ed25519PublicKey public_key{};

  // KeyId() is the big-endian first 4 bytes of SHA-256(name || "\n" || type || public_key).
  uint32_t KeyId() const;
  friend bool operator==(const VerifierKey&, const VerifierKey&) = default;
};

// MakeVerifierKey() returns the key; kInvalidArgument "bad-key-name" if `name` is empty or holds
// a space, a control character or "+".
Result<VerifierKey> MakeVerifierKey(std::string name, NoteKeyType type,
                                    const crypto::Ed25519PublicKey& public_key);

// FormatVerifierKey() gives "<name>+<8 hex digits>+<base64(type || public key)>".
std::string FormatVerifierKey(const VerifierKey& key);

// ParseVerifierKey() reverses FormatVerifierKey(). kInvalidArgument "bad-verifier-key" for a
// malformed string or name, "unsupported-key-type" for a type other than 0x01 and 0x04,
// "key-id-mismatch" if the key id does not match the name and key.
Result<VerifierKey> ParseVerifierKey(std::string_view vkey);

// One signature line of a note.
struct NoteSignature {
  std::string key_name;
  uint32_t key_id = 0;
  std::vector<uint8_t> payload;  // what follows the key id: a signature, or time || signature
  friend bool operator==(const NoteSignature&, const NoteSignature&) = default;
};

// A note split into its text and its signature lines (not yet verified).
struct SignedNote {
  std::string text;  // ends in "\n"
  std::vector<NoteSignature> signatures;
};

inline constexpr size_t kMaxNoteSignatures = 100;

// ParseNote() splits a note at its last blank line. kInvalidArgument "malformed-note" if the
// text or a signature line breaks the format (including non-canonical base64), kResourceExhausted
// "too-many-signatures" past kMaxNoteSignatures lines.
Result<SignedNote> ParseNote(std::string_view note);

// FormatSignatureLine() gives "— <name> <base64(key id || payload)>\n".
std::string FormatSignatureLine(const NoteSignature& signature);

// FormatNote() gives text + "\n" + the signature lines.
std::string FormatNote(const SignedNote& note);

// A signature VerifyNote() checked; `timestamp` is the signed Unix time of a cosignature.
struct VerifiedSignature {
  VerifierKey key;
  std::optional<uint64_t> timestamp;
};

// VerifyNote() checks the signatures made by `known_keys` (matched on name and key id) and
// returns them, one per key; lines from unknown keys are ignored, repeated lines of a known key
// after its first are ignored. Failures:
//   kUnauthenticated "bad-signature"       a known key's signature is invalid;
//   kUnauthenticated "no-known-signature"  no known key signed the note.
Result<std::vector<VerifiedSignature>> VerifyNote(const SignedNote& note,
                                                  const std::vector<VerifierKey>& known_keys);

// NoteSigner
//
// Signs note text with a named Ed25519 key (type 0x01). Holds a non-owning pointer to the
// Signer, which must outlive it. Thread-safe.
class NoteSigner {
 public:
  // New() returns kInvalidArgument "bad-key-name" for an invalid name.
  static Result<NoteSigner> New(std::string name, const crypto::Signer* signer);

  // Sign() returns the signature line of `text`. kInvalidArgument "bad-note-text" unless the
  // text is valid note text (UTF-8, ends in "\n", no control characters besides "\n"); the
  // Signer's errors pass through.
  Result<NoteSignature> Sign(std::string_view text) const;

  const VerifierKey& verifier_key() const { return key_; }

 private:
  NoteSigner(VerifierKey key, const crypto::Signer* signer)
      : key_(std::move(key)), signer_(signer) {}
  VerifierKey key_;
  const crypto::Signer* signer_;
};

// Cosigner
//
// Makes cosignature/v1 signatures (type 0x04) of checkpoint text, as a witness does. Holds a
// non-owning pointer to the Signer, which must outlive it. Thread-safe.
class Cosigner {
 public:
  // New() returns kInvalidArgument "bad-key-name" for an invalid name.
  static Result<Cosigner> New(std::string name, const crypto::Signer* signer);

  // Cosign() returns the cosignature line of `checkpoint_text` at `time` (truncated to whole
  // seconds; kInvalidArgument "bad-timestamp" before 1970). kInvalidArgument "bad-note-text" for
  // invalid note text; the Signer's errors pass through.
  Result<NoteSignature> Cosign(std::string_view checkpoint_text, Timestamp time) const;

  const VerifierKey& verifier_key() const { return key_; }

 private:
  Cosigner(VerifierKey key, const crypto::Signer* signer) : key_(std::move(key)), signer_(signer) {}
  VerifierKey key_;
  const crypto::Signer* signer_;
};

}  // namespace clearway::ledger
