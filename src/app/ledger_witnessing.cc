// LedgerService: the log's side of witnessing. Partners' witnesses (c2sp.org/tlog-witness,
// pull form) fetch a checkpoint and a consistency proof (ProveToLatest()), cosign it if it
// extends what they cosigned before, and hand the cosigned note back (AddCosignatures()); the
// log keeps the verified cosignature lines and serves them on its checkpoints, so a verifier
// that trusts the witnesses need not trust the log.
#include <utility>

#include "app/ledger_service.h"
#include "ledger/checkpoint.h"

namespace clearway::app {

Result<store::CheckpointRow> LedgerService::CheckpointAt(uint64_t size) {
  return store_.GetCheckpoint(size);
}

Result<store::CheckpointRow> LedgerService::LatestWitnessedCheckpoint() {
  CW_ASSIGN_OR_RETURN(std::optional<store::CheckpointRow> latest,
                      store_.LatestCosignedCheckpoint());
  if (!latest.has_value()) {
    return Error::NotFound("no-witnessed-checkpoint",
                           "no witness has cosigned a checkpoint of this log yet");
  }
  return *std::move(latest);
}

Result<std::string> LedgerService::ServedNote(const store::CheckpointRow& checkpoint) {
  CW_ASSIGN_OR_RETURN(std::vector<store::CosignatureRow> cosignatures,
                      store_.ListCosignatures(checkpoint.size));
  std::string note = checkpoint.note;
  for (const store::CosignatureRow& cosignature : cosignatures) note += cosignature.line;
  return note;
}

Result<AcceptedCosignatures> LedgerService::AddCosignatures(std::string_view cosigned_note) {
  CW_ASSIGN_OR_RETURN(ledger::SignedNote note, ledger::ParseNote(cosigned_note));
  CW_ASSIGN_OR_RETURN(ledger::Checkpoint checkpoint, ledger::ParseCheckpoint(note.text));
  if (checkpoint.origin != key_.origin) {
    return Error::InvalidArgument("checkpoint", "foreign-checkpoint",
                                  "the checkpoint is of log " + checkpoint.origin);
  }
  if (options_.witnesses.empty()) {
    return Error::FailedPrecondition("no-witnesses",
                                     "this log accepts no cosignatures: ledger.witnesses is empty");
  }
  CW_ASSIGN_OR_RETURN(store::CheckpointRow kept, store_.GetCheckpoint(checkpoint.size));
  CW_ASSIGN_OR_RETURN(ledger::SignedNote kept_note, ledger::ParseNote(kept.note));
  if (kept_note.text != note.text) {
    if (ledger::VerifyNote(note, {key_.verifier_key}).ok()) {
      ++forks_;  // the API logs the alarm (it owns the logs)
      return Error::FailedPrecondition(
          "fork-detected",
          "FORK: this log's key signed another checkpoint of size " +
              std::to_string(checkpoint.size) + "; alert the log's operator");
    }
    return Error::InvalidArgument("checkpoint", "checkpoint-mismatch",
                                  "the text is not the checkpoint this log kept at size " +
                                      std::to_string(checkpoint.size));
  }
  Result<std::vector<ledger::VerifiedSignature>> verified =
      ledger::VerifyCosignatures(note, options_.witnesses);
  if (!verified.ok()) {
    if (verified.error().reason == "no-known-signature") {
      return Error::PermissionDenied("unknown-witness",
                                     "no witness this log trusts cosigned the checkpoint");
    }
    return Error::InvalidArgument("checkpoint", "bad-cosignature",
                                  "a witness's cosignature does not verify: " +
                                      verified.error().message);
  }
  store::UnitOfWork work;
  AcceptedCosignatures accepted{checkpoint.size, {}};
  for (const ledger::VerifiedSignature& signature : *verified) {
    for (const ledger::NoteSignature& line : note.signatures) {
      if (line.key_name != signature.key.name || line.key_id != signature.key.KeyId()) continue;
      work.cosignatures.push_back(store::CosignatureRow{checkpoint.size, line.key_name,
                                                        line.key_id,
                                                        ledger::FormatSignatureLine(line),
                                                        clock_.Now()});
      accepted.witnesses.push_back(line.key_name);
      break;  // VerifyNote() checked the first line of each key
    }
  }
  CW_RETURN_IF_ERROR(store_.Commit(std::move(work)));
  return accepted;
}

}  // namespace clearway::app
