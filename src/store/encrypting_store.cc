#include "store/encrypting_store.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>
#include <utility>

#include "keys/envelope.h"
#include "store/ledger_records.h"

namespace clearway::store {

namespace {

using keys::DataKey;

// Declaration versions are 1, 2, 3…; the store refuses anything else, and no declaration is
// amended four billion times, so a version that does not fit the envelope's 32 bits is a bug.
uint32_t Version32(int64_t version) {
  CW_CHECK(version >= 0 && version <= std::numeric_limits<uint32_t>::max());
  return static_cast<uint32_t>(version);
}

std::vector<uint8_t> FieldAd(std::string_view field, std::string_view id, int64_t version) {
  return keys::AssociatedData(std::string(field) + ":" + std::string(id), Version32(version));
}

std::vector<uint8_t> IdempotencyAd(const IdempotencyRow& row) {
  // NUL cannot occur in a user id, an Idempotency-Key header or a declaration id, so the
  // three parts cannot be shifted into one another.
  std::string label = "idempotency:" + row.resource_id;
  label += '\0';
  label += row.principal;
  label += '\0';
  label += row.key;
  return keys::AssociatedData(label, 0);
}

bool IsEnvelope(std::string_view stored) {
  return !stored.empty() &&
         static_cast<uint8_t>(stored.front()) == keys::kEnvelopeFormatXChaCha20Poly1305;
}

std::string SealText(const DataKey& key, std::string_view plain, const std::vector<uint8_t>& ad) {
  std::vector<uint8_t> sealed = keys::Seal(key, keys::AsBytes(plain), ad);
  return std::string(sealed.begin(), sealed.end());
}

Result<std::string> OpenText(const DataKey& key, std::string_view sealed,
                             const std::vector<uint8_t>& ad) {
  CW_ASSIGN_OR_RETURN(std::vector<uint8_t> plain, keys::Open(key, keys::AsBytes(sealed), ad));
  return std::string(plain.begin(), plain.end());
}

std::string SealSalt(const DataKey& key, const ledger::CommitmentSalt& salt,
                     std::string_view record_id, int64_t version) {
  std::string_view plain(reinterpret_cast<const char*>(salt.data()), salt.size());
  return SealText(key, plain, FieldAd("salt", record_id, version));
}

Status OpenSalt(const DataKey& key, std::string& sealed, ledger::CommitmentSalt& salt,
                std::string_view record_id, int64_t version) {
  CW_ASSIGN_OR_RETURN(std::string plain, OpenText(key, sealed, FieldAd("salt", record_id, version)));
  if (plain.size() != salt.size()) {
    return Error::DataLoss("decrypt-failed", "a sealed salt does not hold a salt");
  }
  std::copy(plain.begin(), plain.end(), salt.begin());
  sealed.clear();
  return OkStatus();
}

Error DataKeyMissing() {
  return Error::DataLoss("data-key-missing",
                         "the record is encrypted but its declaration has no data key");
}

// KeyUnavailable() keeps a key that failed to open (kDataLoss "unwrap-failed") and bad input
// as they are, and turns a provider that cannot serve (retired or unknown version, key file
// unreadable or replaced, token down) into kUnavailable "key-unavailable", naming the cause:
// to a caller it is the server's trouble, not a missing or conflicting resource.
Error KeyUnavailable(Error cause) {
  if (cause.code == ErrorCode::kDataLoss || cause.code == ErrorCode::kInvalidArgument) {
    return cause;
  }
  return Error::Unavailable("key-unavailable",
                            "the key-encryption key cannot be used (" + cause.reason + ")");
}

template <class T>
Result<T> OrKeyUnavailable(Result<T> result) {
  if (result.ok()) return result;
  return KeyUnavailable(std::move(result).error());
}

keys::WrappedKey WrappedOf(const DataKeyRow& row) {
  keys::WrappedKey wrapped;
  wrapped.kek = keys::KekRef{row.kek_id, Version32(row.kek_version)};
  wrapped.bytes.assign(row.wrapped.begin(), row.wrapped.end());
  return wrapped;
}

}  // namespace

std::string NormaliseSensitiveValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// ---- Snapshot: the backend's ledger snapshot with salts and payloads opened ---------------

class EncryptingStore::Snapshot final : public LedgerSnapshot {
 public:
  Snapshot(EncryptingStore& outer, LedgerSnapshot& inner)
      : outer_(outer),
        inner_(inner),
        source_([this](const std::string& id) { return inner_.GetDataKey(id); }) {}

  Status ForEachLeaf(const std::function<Status(const LeafRow&)>& visit) override {
    return inner_.ForEachLeaf(visit);
  }
  Status ForEachNode(const std::function<Status(const ledger::StoredNode&)>& visit) override {
    return inner_.ForEachNode(visit);
  }
  // A record that does not open is passed on with has_salt false: the audit then reports it
  // as unverifiable instead of stopping. Provider failures (KeyFor) stop the walk.
  Status ForEachVersion(
      const std::function<Status(const DeclarationRow&, bool has_salt)>& visit) override {
    return inner_.ForEachVersion([&](const DeclarationRow& stored, bool has_salt) -> Status {
      DeclarationRow row = stored;
      CW_ASSIGN_OR_RETURN(bool opened, Opened(row));
      return visit(row, opened && (has_salt || !stored.sealed_salt.empty()));
    });
  }
  Status ForEachTransition(
      const std::function<Status(const TransitionRow&, bool has_salt)>& visit) override {
    return inner_.ForEachTransition([&](const TransitionRow& stored, bool has_salt) -> Status {
      TransitionRow row = stored;
      CW_ASSIGN_OR_RETURN(bool opened, Opened(row));
      return visit(row, opened && (has_salt || !stored.sealed_salt.empty()));
    });
  }
  Status ForEachAssessment(
      const std::function<Status(const AssessmentRow&, bool has_salt)>& visit) override {
    return inner_.ForEachAssessment([&](const AssessmentRow& stored, bool has_salt) -> Status {
      AssessmentRow row = stored;
      CW_ASSIGN_OR_RETURN(bool opened, Opened(row));
      return visit(row, opened && (has_salt || !stored.sealed_salt.empty()));
    });
  }
  Status ForEachSecurityEvent(
      const std::function<Status(const SecurityEventRow&, bool has_salt)>& visit) override {
    return inner_.ForEachSecurityEvent(visit);
  }
  Status ForEachLegalHold(
      const std::function<Status(const LegalHoldRow&, bool)>& visit) override {
    return inner_.ForEachLegalHold(visit);
  }
  Status ForEachHoldRelease(
      const std::function<Status(const HoldReleaseRow&, bool)>& visit) override {
    return inner_.ForEachHoldRelease(visit);
  }
  Status ForEachPurge(const std::function<Status(const PurgeRow&, bool)>& visit) override {
    return inner_.ForEachPurge(visit);
  }
  Result<std::optional<CheckpointRow>> LatestCheckpoint() override {
    return inner_.LatestCheckpoint();
  }
  Result<DataKeyRow> GetDataKey(const std::string& declaration_id) override {
    return inner_.GetDataKey(declaration_id);
  }

 private:
  // Opened() is true when the row opened (or held nothing sealed), false when a sealed field
  // failed to open; provider errors are returned.
  template <class Row>
  Result<bool> Opened(Row& row) {
    // Keys are read on the snapshot's connection: the backend's pool may have no other.
    Status opened = outer_.OpenRow(row, &source_);
    if (opened.ok()) return true;
    const ErrorCode code = opened.error().code;
    if (code == ErrorCode::kDataLoss || code == ErrorCode::kInvalidArgument) return false;
    return std::move(opened).error();
  }

  EncryptingStore& outer_;
  LedgerSnapshot& inner_;
  const KeySource source_;
};

// ---- EncryptingStore ------------------------------------------------------------------------

EncryptingStore::EncryptingStore(std::unique_ptr<Store> backend, keys::KeyProvider& provider,
                                 EncryptingStoreOptions options)
    : backend_(std::move(backend)), provider_(provider), options_(options) {
  CW_CHECK(backend_ != nullptr);
  CW_CHECK(options_.key_cache_entries >= 1);
}

EncryptingStore::~EncryptingStore() = default;

Result<EncryptingStore::SharedKey> EncryptingStore::KeyFor(const std::string& declaration_id,
                                                           const KeySource* source) {
  {
    std::scoped_lock lock(cache_mu_);
    auto found = cache_.find(declaration_id);
    if (found != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, found->second);
      return found->second->second;
    }
  }
  Result<DataKeyRow> stored =
      source != nullptr ? (*source)(declaration_id) : backend_->GetDataKey(declaration_id);
  if (!stored.ok()) {
    if (stored.error().code == ErrorCode::kNotFound) return SharedKey();
    return std::move(stored).error();
  }
  CW_ASSIGN_OR_RETURN(DataKey key, OrKeyUnavailable(provider_.Unwrap(WrappedOf(*stored))));
  SharedKey shared = std::make_shared<const DataKey>(std::move(key));
  Remember(declaration_id, shared);
  return shared;
}

void EncryptingStore::Remember(const std::string& declaration_id, SharedKey key) {
  std::scoped_lock lock(cache_mu_);
  auto found = cache_.find(declaration_id);
  if (found != cache_.end()) {
    found->second->second = std::move(key);
    lru_.splice(lru_.begin(), lru_, found->second);
    return;
  }
  lru_.emplace_front(declaration_id, std::move(key));
  cache_.emplace(declaration_id, lru_.begin());
  while (lru_.size() > options_.key_cache_entries) {
    // The DataKey wipes its guarded memory when the last reference goes.
    cache_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

Status EncryptingStore::SealUnit(UnitOfWork& work,
                                 std::vector<std::pair<std::string, SharedKey>>& fresh) {
  std::set<std::string> ids;
  std::set<std::string> new_ids;
  for (const DeclarationRow& row : work.declarations) {
    ids.insert(row.id);
    if (row.version == 1) new_ids.insert(row.id);
  }
  for (const TransitionRow& row : work.transitions) ids.insert(row.declaration_id);
  for (const AssessmentRow& row : work.assessments) ids.insert(row.declaration_id);
  if (work.idempotency.has_value() && !work.idempotency->resource_id.empty()) {
    ids.insert(work.idempotency->resource_id);
  }
  std::unordered_map<std::string, SharedKey> key_of;
  for (const std::string& id : ids) {
    SharedKey key;
    if (new_ids.count(id) == 0) {
      CW_ASSIGN_OR_RETURN(key, KeyFor(id));
    }
    if (key == nullptr) {
      // Version 1, or a declaration stored before encryption: it gets its key now.
      CW_ASSIGN_OR_RETURN(DataKey made, keys::GenerateDataKey());
      CW_ASSIGN_OR_RETURN(keys::WrappedKey wrapped, OrKeyUnavailable(provider_.Wrap(made)));
      DataKeyRow row;
      row.declaration_id = id;
      row.kek_id = wrapped.kek.key_id;
      row.kek_version = wrapped.kek.version;
      row.wrapped.assign(wrapped.bytes.begin(), wrapped.bytes.end());
      row.created_at = Timestamp{};
      for (const DeclarationRow& version : work.declarations) {
        if (version.id == id) row.created_at = version.updated_at;
      }
      work.data_keys.push_back(std::move(row));
      key = std::make_shared<const DataKey>(std::move(made));
      fresh.emplace_back(id, key);
    }
    key_of.emplace(id, std::move(key));
  }

  for (DeclarationRow& row : work.declarations) {
    const DataKey& key = *key_of.at(row.id);
    for (const SensitiveTerm& term : row.sensitive_terms) {
      std::string value = NormaliseSensitiveValue(term.value);
      if (value.empty()) continue;
      CW_ASSIGN_OR_RETURN(std::string index,
                          OrKeyUnavailable(provider_.BlindIndex(term.purpose, value)));
      work.blind_indexes.push_back(BlindIndexEntry{row.id, row.version, term.purpose, index});
    }
    row.sensitive_terms.clear();
    row.payload = SealText(key, row.payload, keys::AssociatedData(row.id, Version32(row.version)));
    row.sealed_salt = SealSalt(key, row.salt, VersionRecordId(row.id, row.version), row.version);
  }
  for (TransitionRow& row : work.transitions) {
    const DataKey& key = *key_of.at(row.declaration_id);
    row.sealed_salt =
        SealSalt(key, row.salt, TransitionRecordId(row.declaration_id, row.sequence), row.version);
  }
  for (AssessmentRow& row : work.assessments) {
    const DataKey& key = *key_of.at(row.declaration_id);
    row.quote = SealText(key, row.quote, FieldAd("quote", row.declaration_id, row.version));
    row.risk = SealText(key, row.risk, FieldAd("risk", row.declaration_id, row.version));
    row.sealed_salt = SealSalt(key, row.salt, AssessmentRecordId(row.declaration_id, row.version),
                               row.version);
  }
  if (work.idempotency.has_value() && !work.idempotency->resource_id.empty()) {
    IdempotencyRow& row = *work.idempotency;
    row.response_body = SealText(*key_of.at(row.resource_id), row.response_body, IdempotencyAd(row));
  }
  return OkStatus();
}

Result<CommitReceipt> EncryptingStore::Commit(UnitOfWork work) {
  std::vector<std::pair<std::string, SharedKey>> fresh;
  CW_RETURN_IF_ERROR(SealUnit(work, fresh));
  std::vector<std::string> shredded;
  if (work.purge.has_value()) {
    for (const PurgedDeclaration& purged : work.purge->declarations) {
      shredded.push_back(purged.declaration_id);
    }
  }
  CW_ASSIGN_OR_RETURN(CommitReceipt receipt, backend_->Commit(std::move(work)));
  // Only keys that are now stored enter the cache: a refused unit's key was never kept.
  for (auto& [id, key] : fresh) Remember(id, std::move(key));
  // A purged declaration's key is destroyed in the store; the copy in memory goes too.
  for (const std::string& id : shredded) Forget(id);
  return receipt;
}

void EncryptingStore::Forget(const std::string& declaration_id) {
  std::scoped_lock lock(cache_mu_);
  auto found = cache_.find(declaration_id);
  if (found == cache_.end()) return;
  // The DataKey wipes its guarded memory when the last reference goes.
  lru_.erase(found->second);
  cache_.erase(found);
}

bool EncryptingStore::CachesKeyForTesting(const std::string& declaration_id) {
  std::scoped_lock lock(cache_mu_);
  return cache_.count(declaration_id) > 0;
}

Status EncryptingStore::OpenRow(DeclarationRow& row, const KeySource* source) {
  if (!IsEnvelope(row.payload) && row.sealed_salt.empty()) return OkStatus();  // before encryption
  CW_ASSIGN_OR_RETURN(SharedKey key, KeyFor(row.id, source));
  if (key == nullptr) return DataKeyMissing();
  if (IsEnvelope(row.payload)) {
    CW_ASSIGN_OR_RETURN(row.payload,
                        OpenText(*key, row.payload,
                                 keys::AssociatedData(row.id, Version32(row.version))));
  }
  if (!row.sealed_salt.empty()) {
    CW_RETURN_IF_ERROR(OpenSalt(*key, row.sealed_salt, row.salt,
                                VersionRecordId(row.id, row.version), row.version));
  }
  return OkStatus();
}

Status EncryptingStore::OpenRow(TransitionRow& row, const KeySource* source) {
  if (row.sealed_salt.empty()) return OkStatus();
  CW_ASSIGN_OR_RETURN(SharedKey key, KeyFor(row.declaration_id, source));
  if (key == nullptr) return DataKeyMissing();
  return OpenSalt(*key, row.sealed_salt, row.salt,
                  TransitionRecordId(row.declaration_id, row.sequence), row.version);
}

Status EncryptingStore::OpenRow(AssessmentRow& row, const KeySource* source) {
  if (!IsEnvelope(row.risk) && row.sealed_salt.empty()) return OkStatus();
  CW_ASSIGN_OR_RETURN(SharedKey key, KeyFor(row.declaration_id, source));
  if (key == nullptr) return DataKeyMissing();
  // An empty quote ("no quote could be made") is sealed too, so both are envelopes.
  CW_ASSIGN_OR_RETURN(row.quote,
                      OpenText(*key, row.quote, FieldAd("quote", row.declaration_id, row.version)));
  CW_ASSIGN_OR_RETURN(row.risk,
                      OpenText(*key, row.risk, FieldAd("risk", row.declaration_id, row.version)));
  if (!row.sealed_salt.empty()) {
    CW_RETURN_IF_ERROR(OpenSalt(*key, row.sealed_salt, row.salt,
                                AssessmentRecordId(row.declaration_id, row.version), row.version));
  }
  return OkStatus();
}

Status EncryptingStore::OpenRow(IdempotencyRow& row, const KeySource* source) {
  if (!IsEnvelope(row.response_body) || row.resource_id.empty()) return OkStatus();
  CW_ASSIGN_OR_RETURN(SharedKey key, KeyFor(row.resource_id, source));
  if (key == nullptr) return DataKeyMissing();
  CW_ASSIGN_OR_RETURN(row.response_body, OpenText(*key, row.response_body, IdempotencyAd(row)));
  return OkStatus();
}

Result<DeclarationRow> EncryptingStore::GetDeclaration(const std::string& id,
                                                       std::optional<int64_t> version) {
  CW_ASSIGN_OR_RETURN(DeclarationRow row, backend_->GetDeclaration(id, version));
  CW_RETURN_IF_ERROR(OpenRow(row));
  return row;
}

Result<std::vector<DeclarationRow>> EncryptingStore::ListVersions(const std::string& id) {
  CW_ASSIGN_OR_RETURN(std::vector<DeclarationRow> rows, backend_->ListVersions(id));
  for (DeclarationRow& row : rows) CW_RETURN_IF_ERROR(OpenRow(row));
  return rows;
}

Result<DeclarationPage> EncryptingStore::ListDeclarations(const DeclarationFilter& filter,
                                                          const PageRequest& page) {
  DeclarationFilter blinded = filter;
  blinded.sensitive.clear();
  for (const SensitiveTerm& term : filter.sensitive) {
    CW_ASSIGN_OR_RETURN(std::string index,
                        OrKeyUnavailable(provider_.BlindIndex(
                            term.purpose, NormaliseSensitiveValue(term.value))));
    blinded.blind_indexes.push_back(SensitiveTerm{term.purpose, std::move(index)});
  }
  CW_ASSIGN_OR_RETURN(DeclarationPage result, backend_->ListDeclarations(blinded, page));
  for (DeclarationRow& row : result.items) CW_RETURN_IF_ERROR(OpenRow(row));
  return result;
}

Result<std::vector<TransitionRow>> EncryptingStore::ListTransitions(const std::string& id) {
  CW_ASSIGN_OR_RETURN(std::vector<TransitionRow> rows, backend_->ListTransitions(id));
  for (TransitionRow& row : rows) CW_RETURN_IF_ERROR(OpenRow(row));
  return rows;
}

Result<IdempotencyRow> EncryptingStore::GetIdempotency(const std::string& principal,
                                                       const std::string& key) {
  CW_ASSIGN_OR_RETURN(IdempotencyRow row, backend_->GetIdempotency(principal, key));
  CW_RETURN_IF_ERROR(OpenRow(row));
  return row;
}

Result<AssessmentRow> EncryptingStore::GetAssessment(const std::string& declaration_id,
                                                     int64_t version) {
  CW_ASSIGN_OR_RETURN(AssessmentRow row, backend_->GetAssessment(declaration_id, version));
  CW_RETURN_IF_ERROR(OpenRow(row));
  return row;
}

Result<SecurityEventPage> EncryptingStore::ListSecurityEvents(const SecurityEventFilter& filter,
                                                              const PageRequest& page) {
  return backend_->ListSecurityEvents(filter, page);
}

Result<int64_t> EncryptingStore::CountDeclarations() { return backend_->CountDeclarations(); }

Result<DataKeyRow> EncryptingStore::GetDataKey(const std::string& declaration_id) {
  return backend_->GetDataKey(declaration_id);
}

Result<std::vector<DataKeyRow>> EncryptingStore::ListDataKeysToRewrap(const std::string& kek_id,
                                                                      int64_t kek_version,
                                                                      const std::string& after_id,
                                                                      int limit) {
  return backend_->ListDataKeysToRewrap(kek_id, kek_version, after_id, limit);
}

Result<std::vector<KekUsage>> EncryptingStore::CountDataKeysByKek() {
  return backend_->CountDataKeysByKek();
}

Result<std::vector<LegalHold>> EncryptingStore::ListLegalHolds(bool include_released) {
  return backend_->ListLegalHolds(include_released);
}
Result<LegalHold> EncryptingStore::GetLegalHold(const std::string& id) {
  return backend_->GetLegalHold(id);
}
Result<std::vector<ClosedDeclaration>> EncryptingStore::ListClosedDeclarations(
    const std::vector<std::string>& final_statuses, Timestamp closed_before,
    const std::optional<std::pair<Timestamp, std::string>>& after, int limit) {
  return backend_->ListClosedDeclarations(final_statuses, closed_before, after, limit);
}
Result<PurgedDeclarationRow> EncryptingStore::GetPurgedDeclaration(const std::string& id) {
  return backend_->GetPurgedDeclaration(id);
}
Result<std::vector<PurgeRow>> EncryptingStore::ListPurges() { return backend_->ListPurges(); }

ledger::TreeStore& EncryptingStore::LedgerTree() { return backend_->LedgerTree(); }
Result<LeafRow> EncryptingStore::GetLeaf(uint64_t index) { return backend_->GetLeaf(index); }
Result<LeafRow> EncryptingStore::FindLeaf(const std::string& record_id) {
  return backend_->FindLeaf(record_id);
}
Result<std::optional<CheckpointRow>> EncryptingStore::LatestCheckpoint() {
  return backend_->LatestCheckpoint();
}
Result<CheckpointRow> EncryptingStore::GetCheckpoint(uint64_t size) {
  return backend_->GetCheckpoint(size);
}
Result<std::optional<CheckpointRow>> EncryptingStore::LatestCosignedCheckpoint() {
  return backend_->LatestCosignedCheckpoint();
}
Result<std::vector<CosignatureRow>> EncryptingStore::ListCosignatures(uint64_t size) {
  return backend_->ListCosignatures(size);
}

Status EncryptingStore::ReadLedgerSnapshot(const std::function<Status(LedgerSnapshot&)>& read) {
  return backend_->ReadLedgerSnapshot([&](LedgerSnapshot& inner) -> Status {
    Snapshot snapshot(*this, inner);
    return read(snapshot);
  });
}

Result<RewrapReport> EncryptingStore::RewrapDataKeys(const RewrapOptions& options) {
  CW_RETURN_IF_ERROR(ValidatePageLimit(options.batch));
  RewrapReport report;
  for (int pass = 0; pass < std::max(options.max_passes, 1); ++pass) {
    // Read Current() each pass: a rotation during the walk moves the target along.
    CW_ASSIGN_OR_RETURN(report.current, provider_.Current());
    const keys::KekRef& current = report.current;
    int64_t found = 0;
    std::string after;
    while (true) {
      CW_ASSIGN_OR_RETURN(std::vector<DataKeyRow> rows,
                          backend_->ListDataKeysToRewrap(current.key_id, current.version, after,
                                                         options.batch));
      if (rows.empty()) break;
      UnitOfWork unit;
      for (const DataKeyRow& row : rows) {
        CW_ASSIGN_OR_RETURN(DataKey key, provider_.Unwrap(WrappedOf(row)));
        CW_ASSIGN_OR_RETURN(keys::WrappedKey wrapped, provider_.Wrap(key));
        DataKeyRewrap rewrap;
        rewrap.declaration_id = row.declaration_id;
        rewrap.expected_kek_id = row.kek_id;
        rewrap.expected_kek_version = row.kek_version;
        rewrap.expected_wrapped = row.wrapped;
        rewrap.kek_id = wrapped.kek.key_id;
        rewrap.kek_version = wrapped.kek.version;
        rewrap.wrapped.assign(wrapped.bytes.begin(), wrapped.bytes.end());
        unit.rewraps.push_back(std::move(rewrap));
      }
      after = rows.back().declaration_id;
      found += static_cast<int64_t>(rows.size());
      CW_ASSIGN_OR_RETURN(CommitReceipt receipt, backend_->Commit(std::move(unit)));
      static_cast<void>(receipt);
    }
    report.rewrapped += found;
    if (found == 0) break;
  }
  CW_ASSIGN_OR_RETURN(std::vector<KekUsage> usage, backend_->CountDataKeysByKek());
  report.remaining = 0;
  for (const KekUsage& kek : usage) {
    if (kek.kek_id != report.current.key_id ||
        kek.kek_version != static_cast<int64_t>(report.current.version)) {
      report.remaining += kek.data_keys;
    }
  }
  return report;
}

}  // namespace clearway::store
