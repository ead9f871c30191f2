// File: store/encrypting_store.h
//
// EncryptingStore puts envelope encryption at rest (docs/keys.md) in front of any backend: it is
// a Store that wraps another Store (SQLite or PostgreSQL) and a keys::KeyProvider. Every
// declaration gets its own data key when its version 1 is committed, wrapped under the
// provider's current KEK and written, in the same unit of work, as the declaration's
// `data_keys` row. Under that key it seals (keys/envelope.h, XChaCha20-Poly1305):
//
//   field                                   associated data
//   version payload                         AssociatedData(id, version)
//   version / transition / assessment salt  AssociatedData("salt:" + ledger record id, version)
//   assessment quote and risk JSON          AssociatedData("quote:" / "risk:" + id, version)
//   idempotency response body               AssociatedData("idempotency:" + id, 0)
//
// so a ciphertext moved to another row, version or field fails to open (kDataLoss
// "decrypt-failed"). Reads open them again, so callers (the app, the ledger audit) see the same
// rows as without encryption. The clear columns (organisation, office, status, channel, type,
// dates, HS chapters) are untouched. Sensitive exact-match values (DeclarationRow::
// sensitive_terms) become blind indexes (KeyProvider::BlindIndex) and the clear values are
// dropped; DeclarationFilter::sensitive is answered through the same indexes.
//
// Rows written before encryption existed (no envelope format byte, a 32-byte clear salt) are
// read as they are; a declaration without a data key gets one on its next change.
//
//   CW_ASSIGN_OR_RETURN(auto provider, keys::FileKeyProvider::Open(path, clock));
//   store::EncryptingStore store(std::move(backend), *provider, {});
//   store.Commit(std::move(work));          // sealed on the way in
//   CW_ASSIGN_OR_RETURN(auto report, store.RewrapDataKeys({}));   // after a KEK rotation
//
// Unwrapped data keys are cached in memory (LRU, `key_cache_entries`), in guarded memory,
// wiped on eviction, never logged. A committed retention purge (UnitOfWork::purge) evicts the
// keys of the declarations it shreds.
//
// Thread safety: safe for concurrent use from many threads, like every Store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "keys/data_key.h"
#include "keys/key_provider.h"
#include "store/store.h"

namespace clearway::store {

// The blind-index purposes of a declaration's sensitive values.
inline constexpr std::string_view kInvoiceNumberPurpose = "invoice-number";
inline constexpr std::string_view kContainerIdPurpose = "container-id";

// NormaliseSensitiveValue() is the form a sensitive value is indexed and looked up in:
// upper-case ASCII letters, without white space ("inv 42" and "INV42" are the same).
std::string NormaliseSensitiveValue(std::string_view value);

struct EncryptingStoreOptions {
  size_t key_cache_entries = 4096;  // unwrapped data keys kept in memory (at least 1)
};

// What RewrapDataKeys() did.
struct RewrapReport {
  keys::KekRef current;          // the version keys were re-wrapped under
  int64_t rewrapped = 0;         // data keys re-wrapped
  int64_t remaining = 0;         // data keys still under another version when it stopped
};

struct RewrapOptions {
  int batch = 100;      // data keys per unit of work (1..500)
  int max_passes = 5;   // passes over the table before giving up on stragglers
};

class EncryptingStore final : public Store {
 public:
  // `provider` must outlive the store.
  EncryptingStore(std::unique_ptr<Store> backend, keys::KeyProvider& provider,
                  EncryptingStoreOptions options);
  ~EncryptingStore() override;
  EncryptingStore(const EncryptingStore&) = delete;
  EncryptingStore& operator=(const EncryptingStore&) = delete;

  // Commit() seals the unit's sensitive fields and adds the data keys of new declarations and
  // the blind indexes of new versions, then commits it to the backend. Besides the backend's
  // errors: kDataLoss "unwrap-failed" (a wrapped key that does not open under its KEK),
  // kUnavailable "key-unavailable" (any other provider failure: a retired or unknown KEK
  // version, an unreadable or replaced key file, a token down; the message names the cause)
  // and kInvalidArgument "empty-blind-index-value". Nothing is written when sealing fails.
  Result<CommitReceipt> Commit(UnitOfWork work) override;

  // The reads return the backend's rows with their sealed fields opened. Besides the
  // backend's errors: Commit()'s key errors, and kDataLoss "decrypt-failed" (a
  // ciphertext moved to another row or altered), "ciphertext-truncated", or
  // "data-key-missing" (sealed data whose declaration has no data key: shredded or deleted).
  Result<DeclarationRow> GetDeclaration(const std::string& id,
                                        std::optional<int64_t> version) override;
  Result<std::vector<DeclarationRow>> ListVersions(const std::string& id) override;
  // ListDeclarations() also answers filter.sensitive through blind indexes.
  Result<DeclarationPage> ListDeclarations(const DeclarationFilter& filter,
                                           const PageRequest& page) override;
  Result<std::vector<TransitionRow>> ListTransitions(const std::string& id) override;
  Result<IdempotencyRow> GetIdempotency(const std::string& principal,
                                        const std::string& key) override;
  Result<AssessmentRow> GetAssessment(const std::string& declaration_id,
                                      int64_t version) override;
  Result<SecurityEventPage> ListSecurityEvents(const SecurityEventFilter& filter,
                                               const PageRequest& page) override;
  Result<int64_t> CountDeclarations() override;
  Result<DataKeyRow> GetDataKey(const std::string& declaration_id) override;
  Result<std::vector<DataKeyRow>> ListDataKeysToRewrap(const std::string& kek_id,
                                                       int64_t kek_version,
                                                       const std::string& after_id,
                                                       int limit) override;
  Result<std::vector<KekUsage>> CountDataKeysByKek() override;
  Result<std::vector<LegalHold>> ListLegalHolds(bool include_released) override;
  Result<LegalHold> GetLegalHold(const std::string& id) override;
  Result<std::vector<ClosedDeclaration>> ListClosedDeclarations(
      const std::vector<std::string>& final_statuses, Timestamp closed_before,
      const std::optional<std::pair<Timestamp, std::string>>& after, int limit) override;
  Result<PurgedDeclarationRow> GetPurgedDeclaration(const std::string& id) override;
  Result<std::vector<PurgeRow>> ListPurges() override;

  ledger::TreeStore& LedgerTree() override;
  Result<LeafRow> GetLeaf(uint64_t index) override;
  Result<LeafRow> FindLeaf(const std::string& record_id) override;
  Result<std::optional<CheckpointRow>> LatestCheckpoint() override;
  Result<CheckpointRow> GetCheckpoint(uint64_t size) override;
  Result<std::optional<CheckpointRow>> LatestCosignedCheckpoint() override;
  Result<std::vector<CosignatureRow>> ListCosignatures(uint64_t size) override;
  // ReadLedgerSnapshot() opens salts and payloads for the audit: a record whose salt does not
  // open is visited with has_salt false (the audit reports it), and provider errors pass on.
  Status ReadLedgerSnapshot(const std::function<Status(LedgerSnapshot&)>& read) override;

  // RewrapDataKeys() re-wraps, online and in batches, every stored data key not under the
  // provider's current KEK version, each with a compare-and-set (a key changed meanwhile is
  // left for the next pass). Payloads are not touched. It repeats passes until one finds
  // nothing to do (remaining 0) or max_passes is reached. Errors: the provider's Unwrap/Wrap
  // errors (a key under a retired version stays unreadable: kFailedPrecondition "kek-retired"),
  // the backend's; kInvalidArgument "bad-limit" for a batch outside 1..500.
  Result<RewrapReport> RewrapDataKeys(const RewrapOptions& options);

  // CachesKeyForTesting() is whether the key cache holds the declaration's data key.
  bool CachesKeyForTesting(const std::string& declaration_id);

  keys::KeyProvider& provider() { return provider_; }
  Store& backend() { return *backend_; }

 private:
  using SharedKey = std::shared_ptr<const keys::DataKey>;
  class Snapshot;

  using KeySource = std::function<Result<DataKeyRow>(const std::string& declaration_id)>;

  // KeyFor() is the declaration's unwrapped data key (cache, else `source` — by default the
  // backend — and the provider); nullptr when it has none (legacy or shredded).
  Result<SharedKey> KeyFor(const std::string& declaration_id, const KeySource* source = nullptr);
  void Remember(const std::string& declaration_id, SharedKey key);
  void Forget(const std::string& declaration_id);

  Status SealUnit(UnitOfWork& work, std::vector<std::pair<std::string, SharedKey>>& fresh);
  Status OpenRow(DeclarationRow& row, const KeySource* source = nullptr);
  Status OpenRow(TransitionRow& row, const KeySource* source = nullptr);
  Status OpenRow(AssessmentRow& row, const KeySource* source = nullptr);
  Status OpenRow(IdempotencyRow& row, const KeySource* source = nullptr);

  const std::unique_ptr<Store> backend_;
  keys::KeyProvider& provider_;
  const EncryptingStoreOptions options_;

  std::mutex cache_mu_;
  // Most recently used first; guarded by cache_mu_.
  std::list<std::pair<std::string, SharedKey>> lru_;
  std::unordered_map<std::string, std::list<std::pair<std::string, SharedKey>>::iterator>
      cache_;  // guarded by cache_mu_
};

}  // namespace clearway::store
