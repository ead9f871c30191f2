// File: app/ledger_service.h
//
// The ledger's use cases over the store's log: signed checkpoints (issued by a background
// checkpointer at an interval, or early once enough leaves await one), the public reads any
// verifier may make (the verifier key, the latest checkpoint, leaves, inclusion and consistency
// proofs), the consistency proof a witnessing partner asks for, and receipts.
//
//   CW_ASSIGN_OR_RETURN(auto ledger, LedgerService::Open(store, clock, std::move(key), {}));
//   CW_ASSIGN_OR_RETURN(store::CheckpointRow latest, ledger->LatestCheckpoint());
//   CW_ASSIGN_OR_RETURN(auto proof, ledger->InclusionProof(index, latest.size));
//
// Leaves are never appended here: they enter the log with their records, in the store's unit
// of work (store/ledger_records.h). Checkpoints are kept through the store's writer too.
//
// Thread safety: every method may be called from any thread. Issuing a checkpoint is
// serialised by a mutex of its own; NoteAppended(), called after each commit, takes no lock
// unless it wakes the checkpointer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/declaration_service.h"
#include "app/ledger_key.h"
#include "app/ledger_receipt.h"
#include "common/result.h"
#include "common/time.h"
#include "ledger/merkle_log.h"
#include "ledger/note.h"
#include "store/store.h"

namespace clearway::app {

struct LedgerServiceOptions {
  // How often the background checkpointer signs the log when it has grown; 0 starts no
  // thread (checkpoints only through IssueCheckpoint()).
  std::chrono::milliseconds checkpoint_interval{1000};
  // Sign early once this many leaves await a checkpoint.
  uint64_t checkpoint_batch = 4096;
  // The witnesses (cosignature/v1 keys) whose cosignatures of this log's checkpoints are
  // accepted, kept and served.
  std::vector<ledger::VerifierKey> witnesses = {};
  // Whether this node may sign now. Empty: always. Nodes sharing a PostgreSQL store pass their
  // sequencer lease (app/store_factory.h), so that one of them signs at a time.
  std::function<bool()> may_sign = {};
};

// What AddCosignatures() kept.
struct AcceptedCosignatures {
  uint64_t size = 0;                  // the checkpoint cosigned
  std::vector<std::string> witnesses; // the names of the witnesses whose lines were kept
};

// The answer to a witnessing partner: the latest checkpoint and the proof that it extends the
// tree of the size the partner saw.
struct WitnessAnswer {
  uint64_t old_size = 0;
  store::CheckpointRow checkpoint;
  std::vector<ledger::Hash> proof;
};

class LedgerService {
 public:
  // Open() wires the service, issues a checkpoint at once when the log has none or has grown
  // past the latest, and starts the checkpointer. Errors of IssueCheckpoint().
  static Result<std::unique_ptr<LedgerService>> Open(store::Store& store, const Clock& clock,
                                                     LedgerKey key, LedgerServiceOptions options);

  // The destructor stops the checkpointer (Stop()).
  ~LedgerService();
  LedgerService(const LedgerService&) = delete;
  LedgerService& operator=(const LedgerService&) = delete;

  // Stop() stops the background checkpointer and waits for it. Idempotent.
  void Stop();

  const std::string& origin() const { return key_.origin; }
  const ledger::VerifierKey& verifier_key() const { return key_.verifier_key; }
  // VerifierKeyText() is the verifier key in the signed-note form "name+id+base64".
  std::string VerifierKeyText() const;

  // IssueCheckpoint() signs and keeps a checkpoint of the log's current size when it is larger
  // than the latest one kept (or none is kept), and returns the latest checkpoint. Store errors
  // pass through. While options.may_sign says no, it signs nothing and returns the latest
  // checkpoint (kNotFound "no-checkpoint" if there is none yet).
  Result<store::CheckpointRow> IssueCheckpoint();

  // LatestCheckpoint() returns the latest kept checkpoint; kNotFound "no-checkpoint".
  Result<store::CheckpointRow> LatestCheckpoint();

  // ---- Witnessing (ledger_witnessing.cc) ----

  const std::vector<ledger::VerifierKey>& witnesses() const { return options_.witnesses; }

  // CheckpointAt() returns the kept checkpoint of `size`; kNotFound "checkpoint-not-found".
  Result<store::CheckpointRow> CheckpointAt(uint64_t size);

  // LatestWitnessedCheckpoint() returns the largest kept checkpoint that a witness cosigned;
  // kNotFound "no-witnessed-checkpoint".
  Result<store::CheckpointRow> LatestWitnessedCheckpoint();

  // ServedNote() is the checkpoint's signed note followed by the cosignature lines kept for it:
  // the note GET /v1/ledger/checkpoint serves. Store errors pass through.
  Result<std::string> ServedNote(const store::CheckpointRow& checkpoint);

  // AddCosignatures() takes a checkpoint note as a witness returned it (this log's checkpoint
  // text with the witness's cosignature/v1 line added), verifies every line made by a
  // configured witness over the exact text of the kept checkpoint of that size, and keeps
  // them. Lines of unknown keys are ignored. Failures:
  //   kInvalidArgument "malformed-note", "malformed-checkpoint";
  //   kInvalidArgument "foreign-checkpoint"   the checkpoint is of another log's origin;
  //   kFailedPrecondition "no-witnesses"      this log trusts no witness (ledger.witnesses);
  //   kNotFound "checkpoint-not-found"        this log kept no checkpoint of that size;
  //   kFailedPrecondition "fork-detected"     the text, signed by this log's key, differs from
  //                                           the kept checkpoint of that size (logged loudly);
  //   kInvalidArgument "checkpoint-mismatch"  the text differs from the kept checkpoint;
  //   kInvalidArgument "bad-cosignature"      a configured witness's line does not verify;
  //   kPermissionDenied "unknown-witness"     no configured witness signed it.
  Result<AcceptedCosignatures> AddCosignatures(std::string_view cosigned_note);

  // forks_detected() counts fork alarms raised by witnessing (for metrics).
  uint64_t forks_detected() const { return forks_.load(); }

  // NoteAppended() tells the checkpointer the log has reached `tree_size`.
  void NoteAppended(uint64_t tree_size);

  // checkpoint_failures() counts background checkpoints that failed (for metrics).
  uint64_t checkpoint_failures() const { return failures_.load(); }

  // Leaf() returns leaf `index`; kNotFound "leaf-not-found".
  Result<store::LeafRow> Leaf(uint64_t index);

  // InclusionProof() / ConsistencyProof(): MerkleLog's proofs and errors
  // (kInvalidArgument "tree-size-out-of-range", "leaf-index-out-of-range",
  // "bad-consistency-range").
  Result<std::vector<ledger::Hash>> InclusionProof(uint64_t index, uint64_t size);
  Result<std::vector<ledger::Hash>> ConsistencyProof(uint64_t from, uint64_t to);

  // ProveToLatest() answers a partner that saw the tree at `old_size`, and optionally the
  // signed checkpoint it holds (`seen_checkpoint`, "" for none), with the latest checkpoint and
  // the consistency proof from old_size to it. Errors: kNotFound "no-checkpoint";
  // kInvalidArgument "tree-size-out-of-range" (old_size beyond the latest checkpoint),
  // "foreign-checkpoint" (not a checkpoint this log's key signed for its origin),
  // "bad-parameter" (old_size is not the seen checkpoint's size); kFailedPrecondition
  // "fork-detected" when this log signed the seen checkpoint but its tree has another root at
  // that size, or fewer leaves than that: the log has been forked, rolled back or damaged.
  Result<WitnessAnswer> ProveToLatest(uint64_t old_size, std::string_view seen_checkpoint);

  // ReceiptFor() builds the receipt of a declaration record read with DeclarationService::Get():
  // its version and every transition, with inclusion proofs for the leaves the latest checkpoint
  // covers. kDataLoss "ledger-mismatch" when a record does not match its leaf (run
  // `clearway ledger verify --full`); store errors pass through.
  Result<Receipt> ReceiptFor(const DeclarationRecord& record);

 private:
  LedgerService(store::Store& store, const Clock& clock, LedgerKey key,
                LedgerServiceOptions options, ledger::NoteSigner signer);
  void CheckpointerLoop();
  Result<ReceiptEntry> EntryFor(const ledger::LeafEntry& expected,
                                const ledger::CommitmentSalt& salt, std::string record);

  store::Store& store_;
  const Clock& clock_;
  const LedgerKey key_;
  const LedgerServiceOptions options_;
  const ledger::NoteSigner signer_;  // points into key_.signer
  ledger::MerkleLog log_;

  std::mutex issue_mu_;  // serialises IssueCheckpoint()

  std::atomic<uint64_t> appended_size_{0};
  std::atomic<uint64_t> signed_size_{0};
  std::atomic<uint64_t> failures_{0};
  std::atomic<uint64_t> forks_{0};

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool wake_ = false;      // guarded by wake_mu_
  bool stopping_ = false;  // guarded by wake_mu_
  std::thread checkpointer_;
};

}  // namespace clearway::app
