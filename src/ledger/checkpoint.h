// File: ledger/checkpoint.h
//
// Checkpoints in the C2SP tlog-checkpoint format (https://c2sp.org/tlog-checkpoint): the body of
// a signed note (ledger/note.h) that commits a log to a tree size and root hash.
//
//   <origin>\n                      e.g. "clearway.example/ledger"
//   <tree size, decimal>\n          no sign, no leading zeros
//   <base64 root hash>\n            standard alphabet with padding
//   [<extension line>\n]*           optional, each non-empty
//
//   Checkpoint checkpoint{"clearway.example/ledger", size, root, {}};
//   CW_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(checkpoint, log_signer));
//   CW_ASSIGN_OR_RETURN(OpenedCheckpoint opened, OpenCheckpoint(note, log_signer.verifier_key()));
//
// Guarantee: OpenCheckpoint() returns a checkpoint only if the log's key signed its exact text.
// Everything here is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace clearway::ledger {

// Checkpoint is a log's statement that its tree of `size` leaves has root `root`.
struct Checkpoint {
  std::string origin;  // names the log; unique per log and key
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // extension lines, without their newline
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// FormatCheckpoint() gives the checkpoint body. kInvalidArgument "bad-checkpoint" if the origin
// or an extension line is empty or holds a newline or other control character.
Result<std::string> FormatCheckpoint(const Checkpoint& checkpoint);

// ParseCheckpoint() reads a checkpoint body (the text of a note). kInvalidArgument
// "malformed-checkpoint" if it breaks the format above or the root is not 32 bytes.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// SignCheckpoint() returns the signed note of `checkpoint`, signed by `signer`; errors of
// FormatCheckpoint() and NoteSigner::Sign() pass through.
Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const NoteSigner& signer);

// A checkpoint read from a verified note, with the note (to find cosignatures in, or to add them).
struct OpenedCheckpoint {
  Checkpoint checkpoint;
  SignedNote note;
};

// OpenCheckpoint() parses a signed note, verifies that `log_key` signed it and parses the
// checkpoint. Signatures of other keys are ignored. Failures: those of ParseNote() and
// ParseCheckpoint(); kUnauthenticated "bad-signature" or "no-known-signature" from VerifyNote();
// kInvalidArgument "wrong-key-type" if log_key is not an Ed25519 (0x01) key.
Result<OpenedCheckpoint> OpenCheckpoint(std::string_view signed_note, const VerifierKey& log_key);

// VerifyCosignatures() returns the cosignatures in `note` made by `witness_keys` (type 0x04);
// kUnauthenticated "bad-signature" if one of them is invalid, "no-known-signature" if none is
// there.
Result<std::vector<VerifiedSignature>> VerifyCosignatures(
    const SignedNote& note, const std::vector<VerifierKey>& witness_keys);

// AddSignature() returns the note with one more signature line.
std::string AddSignature(const SignedNote& note, const NoteSignature& signature);

}  // namespace clearway::ledger
