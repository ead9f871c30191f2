// File: ledger/witness.h
//
// A Witness cosigns a log's checkpoints only after checking that each one extends the last
// checkpoint it cosigned for that log (c2sp.org/tlog-witness, simplified): a log that shows
// different histories to different parties (a fork) cannot gather cosignatures for both.
//
//   Witness witness(std::move(cosigner), &clock);
//   CW_RETURN_IF_ERROR(witness.AddLog("clearway.example/ledger", log_key));
//   CW_ASSIGN_OR_RETURN(NoteSignature cosignature,
//                       witness.Cosign({.old_size = 0, .signed_checkpoint = note, .proof = {}}));
//   std::string cosigned = AddSignature(ParseNote(note).value(), cosignature);
//
// Guarantee: for each log, every checkpoint this witness cosigns is consistent (RFC 9162) with
// every one it cosigned before. Thread-safe: Cosign() checks and updates atomically.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace clearway::ledger {

// What a log submits to be cosigned.
struct CosignRequest {
  uint64_t old_size = 0;          // the size the submitter believes the witness last cosigned
  std::string signed_checkpoint;  // the log's signed note
  std::vector<Hash> proof;        // consistency proof from old_size to the checkpoint's size
};

// The evidence of a fork: the checkpoint this witness cosigned and the one it refused.
struct ForkEvidence {
  Checkpoint cosigned;
  std::string refused_note;
};

class Witness {
 public:
  // `cosigner` holds the witness's cosignature/v1 key; `clock` (not owned, must outlive the
  // witness) stamps cosignatures.
  Witness(Cosigner cosigner, const Clock* clock);

  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;

  // AddLog() trusts `log_key` (type 0x01) to sign the checkpoints of `origin`, starting from the
  // empty tree. kAlreadyExists "log-already-known"; kInvalidArgument "wrong-key-type".
  Status AddLog(std::string origin, VerifierKey log_key);

  // RestoreCosigned() sets the last checkpoint cosigned for a known log, from saved witness
  // state. kNotFound "unknown-log".
  Status RestoreCosigned(const Checkpoint& checkpoint);

  // Cosign() verifies the checkpoint and the proof and returns this witness's cosignature line,
  // remembering the checkpoint. Failures, checked in this order:
  //   kInvalidArgument  "malformed-note", "malformed-checkpoint"  (ParseNote/ParseCheckpoint);
  //   kNotFound         "unknown-log"          the origin is not a log added with AddLog();
  //   kUnauthenticated  "bad-signature", "no-known-signature"  the log did not sign it;
  //   kFailedPrecondition "rollback"           its size is below the last cosigned size;
  //   kFailedPrecondition "old-size-mismatch"  old_size is not the last cosigned size (the
  //                                            message gives it: fetch a proof from there),
  //                                            unless the sizes are equal and roots differ;
  //   kInvalidArgument  "bad-consistency-proof"  the proof has the wrong number of hashes;
  //   kDataLoss         "fork-detected"        the checkpoint is not consistent with the one
  //                                            cosigned before; the evidence is kept.
  Result<NoteSignature> Cosign(const CosignRequest& request);

  // LastCosigned() is the last checkpoint cosigned for `origin`, if any.
  std::optional<Checkpoint> LastCosigned(std::string_view origin) const;

  // fork_evidence() lists every fork detected so far.
  std::vector<ForkEvidence> fork_evidence() const;

  const VerifierKey& verifier_key() const { return cosigner_.verifier_key(); }

 private:
  struct LogState {
    VerifierKey key;
    std::optional<Checkpoint> last;
  };

  Cosigner cosigner_;
  const Clock* clock_;
  mutable std::mutex mutex_;
  std::map<std::string, LogState, std::less<>> logs_;  // by origin; guarded by mutex_
  std::vector<ForkEvidence> forks_;                    // guarded by mutex_
};

}  // namespace clearway::ledger
