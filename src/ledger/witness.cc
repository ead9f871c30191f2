#include "ledger/witness.h"

#include <utility>

#include "crypto/crypto.h"

namespace clearway::ledger {
namespace {

std::string Describe(uint64_t size, const Hash& root) {
  return "size " + std::to_string(size) + " (root " + crypto::ToHex(root) + ")";
}

}  // namespace

Witness::Witness(Cosigner cosigner, const Clock* clock)
    : cosigner_(std::move(cosigner)), clock_(clock) {
  CW_CHECK(clock_ != nullptr);
}

Status Witness::AddLog(std::string origin, VerifierKey log_key) {
  if (log_key.type != NoteKeyType::kEd25519) {
    return Error::InvalidArgument("", "wrong-key-type", "a log signs with an Ed25519 (0x01) key");
  }
  std::scoped_lock lock(mutex_);
  if (logs_.contains(origin)) {
    return Error::AlreadyExists("log-already-known", "this witness already follows " + origin);
  }
  logs_.emplace(std::move(origin), LogState{std::move(log_key), std::nullopt});
  return OkStatus();
}

Status Witness::RestoreCosigned(const Checkpoint& checkpoint) {
  std::scoped_lock lock(mutex_);
  auto log = logs_.find(checkpoint.origin);
  if (log == logs_.end()) return Error::NotFound("unknown-log", "this witness does not follow it");
  log->second.last = checkpoint;
  return OkStatus();
}

Result<NoteSignature> Witness::Cosign(const CosignRequest& request) {
  CW_ASSIGN_OR_RETURN(SignedNote note, ParseNote(request.signed_checkpoint));
  CW_ASSIGN_OR_RETURN(Checkpoint checkpoint, ParseCheckpoint(note.text));

  std::scoped_lock lock(mutex_);
  auto log = logs_.find(checkpoint.origin);
  if (log == logs_.end()) return Error::NotFound("unknown-log", "this witness does not follow it");
  LogState& state = log->second;
  CW_RETURN_IF_ERROR(VerifyNote(note, {state.key}));

  const uint64_t last_size = state.last ? state.last->size : 0;
  const Hash last_root = state.last ? state.last->root : EmptyRoot();
  if (checkpoint.size < last_size) {
    return Error::FailedPrecondition("rollback", "checkpoint of " + checkpoint.origin +
                                                     " at size " + std::to_string(checkpoint.size) +
                                                     " is older than the cosigned " +
                                                     Describe(last_size, last_root));
  }
  // Equal sizes with different roots is a fork whatever the request says; otherwise the proof
  // must start where this witness stands (c2sp.org/tlog-witness answers 409 Conflict).
  const bool same_size_fork = checkpoint.size == last_size && checkpoint.root != last_root;
  if (!same_size_fork && request.old_size != last_size) {
    return Error::FailedPrecondition(
        "old-size-mismatch", "this witness last cosigned " + checkpoint.origin + " at size " +
                                 std::to_string(last_size) + "; send a proof from there");
  }
  Status consistent =
      same_size_fork ? Status(Error::DataLoss("root-mismatch", "same size, another root"))
                     : VerifyConsistency(last_size, checkpoint.size, last_root, checkpoint.root,
                                         request.proof);
  if (!consistent.ok()) {
    if (consistent.error().reason == "proof-length-mismatch") {
      return Error::InvalidArgument("proof", "bad-consistency-proof",
                                    "the consistency proof has the wrong number of hashes");
    }
    // The log signed this checkpoint, yet it does not extend the one cosigned before (equal
    // sizes with different roots, or a proof that does not join the two): a split view.
    forks_.push_back(ForkEvidence{
        state.last.value_or(Checkpoint{checkpoint.origin, last_size, last_root, {}}),
        request.signed_checkpoint});
    return Error::DataLoss(
        "fork-detected", "FORK DETECTED: log " + checkpoint.origin + " signed a checkpoint at " +
                             Describe(checkpoint.size, checkpoint.root) +
                             " that is not consistent with the checkpoint this witness cosigned "
                             "at " +
                             Describe(last_size, last_root) + "; refusing to cosign");
  }
  CW_ASSIGN_OR_RETURN(NoteSignature cosignature, cosigner_.Cosign(note.text, clock_->Now()));
  state.last = std::move(checkpoint);
  return cosignature;
}

std::optional<Checkpoint> Witness::LastCosigned(std::string_view origin) const {
  std::scoped_lock lock(mutex_);
  auto log = logs_.find(origin);
  if (log == logs_.end()) return std::nullopt;
  return log->second.last;
}

std::vector<ForkEvidence> Witness::fork_evidence() const {
  std::scoped_lock lock(mutex_);
  return forks_;
}

}  // namespace clearway::ledger
