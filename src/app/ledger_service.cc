#include "app/ledger_service.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "ledger/checkpoint.h"
#include "store/ledger_records.h"

namespace clearway::app {

namespace {

Error NoCheckpoint() {
  return Error::NotFound("no-checkpoint", "the log has not signed a checkpoint yet");
}

Error Foreign(const std::string& message) {
  return Error::InvalidArgument("checkpoint", "foreign-checkpoint", message);
}

}  // namespace

Result<std::unique_ptr<LedgerService>> LedgerService::Open(store::Store& store, const Clock& clock,
                                                           LedgerKey key,
                                                           LedgerServiceOptions options) {
  CW_CHECK(key.signer != nullptr);
  CW_ASSIGN_OR_RETURN(ledger::NoteSigner signer,
                      ledger::NoteSigner::New(key.origin, key.signer.get()));
  std::unique_ptr<LedgerService> service(
      new LedgerService(store, clock, std::move(key), options, std::move(signer)));
  Result<store::CheckpointRow> latest = service->IssueCheckpoint();
  if (latest.ok()) {
    service->appended_size_ = latest->size;
  } else if (!options.may_sign || latest.error().reason != "no-checkpoint") {
    return std::move(latest).error();  // (a node that may not sign yet starts without one)
  }
  if (options.checkpoint_interval.count() > 0) {
    try {
      service->checkpointer_ = std::thread([raw = service.get()] { raw->CheckpointerLoop(); });
    } catch (const std::system_error& e) {
      return Error::Internal("ledger-error",
                             std::string("cannot start the checkpointer: ") + e.what());
    }
  }
  return service;
}

LedgerService::LedgerService(store::Store& store, const Clock& clock, LedgerKey key,
                             LedgerServiceOptions options, ledger::NoteSigner signer)
    : store_(store),
      clock_(clock),
      key_(std::move(key)),
      options_(options),
      signer_(std::move(signer)),
      log_(&store.LedgerTree()) {}

LedgerService::~LedgerService() { Stop(); }

void LedgerService::Stop() {
  {
    std::scoped_lock lock(wake_mu_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

std::string LedgerService::VerifierKeyText() const {
  return ledger::FormatVerifierKey(key_.verifier_key);
}

// ---- Checkpoints ----------------------------------------------------------------------------

Result<store::CheckpointRow> LedgerService::IssueCheckpoint() {
  std::scoped_lock lock(issue_mu_);
  if (options_.may_sign && !options_.may_sign()) return LatestCheckpoint();
  CW_ASSIGN_OR_RETURN(uint64_t size, log_.Size());
  CW_ASSIGN_OR_RETURN(std::optional<store::CheckpointRow> latest, store_.LatestCheckpoint());
  if (latest.has_value() && latest->size >= size) {
    signed_size_ = latest->size;
    return *std::move(latest);
  }
  CW_ASSIGN_OR_RETURN(ledger::Hash root, log_.Root(size));
  CW_ASSIGN_OR_RETURN(
      std::string note,
      ledger::SignCheckpoint(ledger::Checkpoint{key_.origin, size, root, {}}, signer_));
  store::UnitOfWork work;
  work.checkpoint = store::CheckpointRow{size, root, std::move(note), clock_.Now()};
  store::CheckpointRow issued = *work.checkpoint;
  auto committed = store_.Commit(std::move(work));
  if (!committed.ok()) {
    // Another process sharing the store signed this size first: serve its checkpoint.
    if (committed.error().reason == "stale-checkpoint") return LatestCheckpoint();
    return std::move(committed).error();
  }
  signed_size_ = issued.size;
  return issued;
}

Result<store::CheckpointRow> LedgerService::LatestCheckpoint() {
  CW_ASSIGN_OR_RETURN(std::optional<store::CheckpointRow> latest, store_.LatestCheckpoint());
  if (!latest.has_value()) return NoCheckpoint();
  return *std::move(latest);
}

void LedgerService::NoteAppended(uint64_t tree_size) {
  uint64_t seen = appended_size_.load();
  while (seen < tree_size && !appended_size_.compare_exchange_weak(seen, tree_size)) {
  }
  // Only the commit that crosses the threshold takes the lock, to wake the checkpointer.
  if (seen < tree_size && tree_size - signed_size_.load() >= options_.checkpoint_batch &&
      seen - std::min(seen, signed_size_.load()) < options_.checkpoint_batch) {
    {
      std::scoped_lock lock(wake_mu_);
      wake_ = true;
    }
    wake_cv_.notify_one();
  }
}

void LedgerService::CheckpointerLoop() {
  std::unique_lock lock(wake_mu_);
  while (!stopping_) {
    wake_cv_.wait_for(lock, options_.checkpoint_interval, [this] { return stopping_ || wake_; });
    if (stopping_) break;
    wake_ = false;
    lock.unlock();
    if (!IssueCheckpoint().ok()) ++failures_;
    lock.lock();
  }
}

// ---- Public reads ---------------------------------------------------------------------------

Result<store::LeafRow> LedgerService::Leaf(uint64_t index) { return store_.GetLeaf(index); }

Result<std::vector<ledger::Hash>> LedgerService::InclusionProof(uint64_t index, uint64_t size) {
  return log_.InclusionProof(index, size);
}

Result<std::vector<ledger::Hash>> LedgerService::ConsistencyProof(uint64_t from, uint64_t to) {
  return log_.ConsistencyProof(from, to);
}

Result<WitnessAnswer> LedgerService::ProveToLatest(uint64_t old_size,
                                                   std::string_view seen_checkpoint) {
  CW_ASSIGN_OR_RETURN(store::CheckpointRow latest, LatestCheckpoint());
  if (!seen_checkpoint.empty()) {
    auto opened = ledger::OpenCheckpoint(seen_checkpoint, key_.verifier_key);
    if (!opened.ok()) {
      return Foreign("the checkpoint was not signed by this log's key (" + opened.error().reason +
                     ")");
    }
    const ledger::Checkpoint& seen = opened->checkpoint;
    if (seen.origin != key_.origin) return Foreign("the checkpoint is of log " + seen.origin);
    if (seen.size != old_size) {
      return Error::InvalidArgument("old_size", "bad-parameter",
                                    "old_size must be the size of the checkpoint sent");
    }
    // This log's key signed it: its tree must agree, whether or not a checkpoint of that size
    // is kept here (another node sharing the key may have signed it).
    CW_ASSIGN_OR_RETURN(uint64_t tree_size, log_.Size());
    if (seen.size > tree_size) {
      ++forks_;
      return Error::FailedPrecondition(
          "fork-detected", "FORK: this log's key signed a checkpoint of size " +
                               std::to_string(seen.size) + " but its tree holds only " +
                               std::to_string(tree_size) +
                               " leaves: it was rolled back or forked; keep the checkpoint as "
                               "evidence and alert the log's operator");
    }
    CW_ASSIGN_OR_RETURN(ledger::Hash root, log_.Root(seen.size));
    if (root != seen.root) {
      ++forks_;
      return Error::FailedPrecondition(
          "fork-detected", "FORK: this log signed a checkpoint of size " +
                               std::to_string(seen.size) +
                               " whose root differs from its own tree at that size; keep the "
                               "checkpoint as evidence and alert the log's operator");
    }
  }
  if (old_size > latest.size) {
    return Error::InvalidArgument(
        "old_size", "tree-size-out-of-range",
        "the latest checkpoint of this log has size " + std::to_string(latest.size));
  }
  CW_ASSIGN_OR_RETURN(std::vector<ledger::Hash> proof,
                      log_.ConsistencyProof(old_size, latest.size));
  return WitnessAnswer{old_size, std::move(latest), std::move(proof)};
}

// ---- Receipts -------------------------------------------------------------------------------

Result<ReceiptEntry> LedgerService::EntryFor(const ledger::LeafEntry& expected,
                                             const ledger::CommitmentSalt& salt,
                                             std::string record) {
  CW_ASSIGN_OR_RETURN(store::LeafRow leaf, store_.FindLeaf(expected.record_id));
  auto stored = ledger::DecodeLeafEntry(leaf.entry);
  if (!stored.ok() || *stored != expected) {
    return Error::DataLoss(
        "ledger-mismatch",
        "record " + expected.record_id + " does not match its leaf " + std::to_string(leaf.index));
  }
  ReceiptEntry entry;
  entry.leaf = expected;
  entry.index = leaf.index;
  entry.leaf_hash = leaf.leaf_hash;
  entry.salt = salt;
  entry.record = std::move(record);
  return entry;
}

Result<Receipt> LedgerService::ReceiptFor(const DeclarationRecord& record) {
  Receipt receipt;
  receipt.declaration_id = record.row.id;
  receipt.version = record.row.version;
  receipt.origin = key_.origin;
  CW_ASSIGN_OR_RETURN(ReceiptEntry version,
                      EntryFor(store::VersionLeaf(record.row), record.row.salt,
                               store::CanonicalVersionRecord(record.row)));
  receipt.entries.push_back(std::move(version));
  for (const store::TransitionRow& transition : record.transitions) {
    CW_ASSIGN_OR_RETURN(ReceiptEntry entry,
                        EntryFor(store::TransitionLeaf(transition), transition.salt,
                                 store::CanonicalTransitionRecord(transition)));
    receipt.entries.push_back(std::move(entry));
  }
  CW_ASSIGN_OR_RETURN(std::optional<store::CheckpointRow> latest, store_.LatestCheckpoint());
  if (!latest.has_value()) return receipt;
  bool covered = false;
  for (ReceiptEntry& entry : receipt.entries) {
    if (entry.index >= latest->size) continue;
    CW_ASSIGN_OR_RETURN(entry.inclusion_proof, log_.InclusionProof(entry.index, latest->size));
    covered = true;
  }
  if (covered) {
    CW_ASSIGN_OR_RETURN(receipt.checkpoint, ServedNote(*latest));
  }
  return receipt;
}

}  // namespace clearway::app
