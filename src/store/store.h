// File: store/store.h
//
// The repository interface every backend implements (sqlite/ now, postgres/ later). Domain code
// sees only this header. A backend stores:
//   - declaration versions: the clear index fields queries need plus an opaque payload
//     (the canonical JSON of the version, or its envelope when an EncryptingStore
//     (store/encrypting_store.h) sits in front of the backend);
//   - data keys: each declaration's key, wrapped under a key-encryption key, and the blind
//     indexes of its sensitive exact-match values (docs/keys.md);
//   - lifecycle transitions: who moved which declaration from which status to which, when, why;
//   - idempotency records: the first response to a (principal, Idempotency-Key) pair;
//   - assessments: the duty quote and risk decision made for a declaration version when it was
//     filed or amended (what was owed and which channel, and why), written once;
//   - security events: the append-only security event log (identity/security_event.h);
//   - the ledger: one leaf per version, transition, assessment and security event
//     (store/ledger_records.h), the Merkle tree over them (a ledger::TreeStore) and the signed
//     checkpoints.
// Writes arrive as a UnitOfWork and are atomic: all of it is durable, or none of it is. The
// backend's single writer assigns the leaves their indices, so the log has no gaps and no forks.
//
//   store::UnitOfWork work;
//   work.declarations.push_back(row);
//   work.transitions.push_back(transition);
//   store::SealUnit(work);                 // salts and leaves (store/ledger_records.h)
//   CW_ASSIGN_OR_RETURN(store::CommitReceipt receipt, store.Commit(std::move(work)));
//   // durable now; receipt.leaf_indices[i] is the index of work.leaves[i]
//
// Thread safety: a Store is safe for concurrent use from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "ledger/leaf.h"
#include "ledger/merkle.h"
#include "ledger/tree_store.h"

namespace clearway::store {

// A sensitive value a declaration can be looked up by exactly: `purpose` names the index
// ("invoice-number", "container-id"), `value` is the normalised value (or, in a
// BlindIndexEntry and DeclarationFilter::blind_indexes, its keyed blind index).
struct SensitiveTerm {
  std::string purpose;
  std::string value;

  friend bool operator==(const SensitiveTerm&, const SensitiveTerm&) = default;
};

// One version of a declaration. (id, version) is unique; versions start at 1 and grow by one.
struct DeclarationRow {
  std::string id;
  int64_t version = 1;
  std::string organisation_id;   // the declarant's organisation (tenant)
  std::string declarant_id;      // the user who filed this version
  std::string office;            // customs office of declaration (e.g. "DE004700")
  std::string type;              // "import" | "export"
  std::string status;            // lifecycle status name, e.g. "accepted"
  std::string channel;           // "" until routed, then "green" | "yellow" | "red"
  std::string hs_chapters;       // comma-separated two-digit chapters of the goods, e.g. "02,84"
  Timestamp created_at{};        // when version 1 was filed
  Timestamp updated_at{};        // when this version or status was written
  std::string payload;           // canonical JSON of the declaration version (or its envelope)
  // The salt of this version's ledger commitment (store/ledger_records.h).
  ledger::CommitmentSalt salt{};
  // The salt sealed under the declaration's data key (EncryptingStore). When not empty the
  // backend stores these bytes in place of `salt`; a backend reading a stored salt that is not
  // 32 bytes long returns it here (and a zero `salt`). Erasing the data key erases the salt.
  std::string sealed_salt{};
  // Sensitive exact-match values of this version (invoice number, container ids), in clear,
  // set by the application. EncryptingStore replaces them by blind indexes
  // (UnitOfWork::blind_indexes); a backend never stores them and reads them back empty.
  std::vector<SensitiveTerm> sensitive_terms{};
};

// The blind index of one sensitive value of one declaration version (keys/key_provider.h
// BlindIndex()). Only the index is stored, never the value.
struct BlindIndexEntry {
  std::string declaration_id;
  int64_t version = 1;
  std::string purpose;
  std::string index;  // 32 lower-case hex characters
};

// A declaration's data key wrapped under a key-encryption key version: one row per declaration,
// written with its version 1. Deleting the row crypto-shreds the declaration: its payloads,
// salts, assessments and idempotency answers can no longer be decrypted.
struct DataKeyRow {
  std::string declaration_id;
  std::string kek_id;
  int64_t kek_version = 0;
  std::string wrapped;  // the provider's wrapped-key bytes
  Timestamp created_at{};
};

// Re-wrapping a stored data key under another KEK version (key rotation), as a compare-and-set:
// applied only while the stored row still holds exactly `expected_*`; otherwise skipped
// silently (the re-wrapper picks the row up again on its next pass).
struct DataKeyRewrap {
  std::string declaration_id;
  std::string expected_kek_id;
  int64_t expected_kek_version = 0;
  std::string expected_wrapped;
  std::string kek_id;
  int64_t kek_version = 0;
  std::string wrapped;
};

// How many stored data keys one KEK version wraps.
struct KekUsage {
  std::string kek_id;
  int64_t kek_version = 0;
  int64_t data_keys = 0;
};

// One lifecycle transition of a declaration.
struct TransitionRow {
  std::string declaration_id;
  int64_t sequence = 0;          // 1, 2, 3… per declaration; assigned by the caller
  int64_t version = 1;           // the declaration version the transition applies to
  std::string from_status;       // "" for the first
  std::string to_status;
  std::string channel;           // the channel after the transition ("" when none)
  std::string actor;             // user id of who did it ("system" for automatic steps)
  std::string reason;
  Timestamp at{};
  ledger::CommitmentSalt salt{};  // of this transition's commitment; see DeclarationRow::salt
  std::string sealed_salt{};      // see DeclarationRow::sealed_salt
};

// The assessment of one declaration version: its duty quote and its risk decision, as computed
// when the version was filed. Written once, in the same unit of work as the version's routing,
// and never changed (the backend refuses updates and deletes).
struct AssessmentRow {
  std::string declaration_id;
  int64_t version = 1;
  Timestamp at{};
  std::string quote;   // canonical JSON of the duty quote; "" when no quote could be made
  std::string risk;    // canonical JSON of the risk decision (channel, score, reasons, model)
  ledger::CommitmentSalt salt{};  // see DeclarationRow::salt
  std::string sealed_salt{};      // see DeclarationRow::sealed_salt
};

// One event of the security event log. Append-only: the backend refuses updates and deletes.
// `event` is identity::SecurityEventJson() of the event, byte for byte; the other fields are
// copies of its members that queries filter on.
struct SecurityEventRow {
  std::string id;          // the event's ULID
  Timestamp at{};
  std::string type;        // e.g. "login-failed"
  std::string outcome;     // "success" | "failure" | "denied"
  std::string actor;       // user id or "anonymous"
  std::string event;       // canonical JSON
  ledger::CommitmentSalt salt{};
};

// Filters for reading the security event log; empty fields do not filter.
struct SecurityEventFilter {
  std::optional<Timestamp> from;   // inclusive
  std::optional<Timestamp> to;     // exclusive
  std::string type;
  std::string actor;
  std::string outcome;
};

// The stored first answer to a POST carrying an Idempotency-Key.
struct IdempotencyRow {
  std::string principal;         // who sent it: keys are scoped to the caller
  std::string key;               // the Idempotency-Key header
  std::string request_hash;      // hex SHA-256 of method, path and canonical body
  int status_code = 0;
  std::string response_body;
  std::string resource_id;       // the declaration the request created or changed
  Timestamp created_at{};
};

// A status change of the current version without a new version (a lifecycle transition).
struct StatusUpdate {
  std::string declaration_id;
  int64_t version = 0;           // the current version, which must still be current
  std::string status;
  std::string channel;
  Timestamp updated_at{};
  // The status and channel the change was decided from. When set, they must still be current
  // (compare-and-set, like `version`), else Commit fails with kAborted and writes nothing: a
  // transition is legal only from the state it was checked against.
  std::optional<std::string> expected_status;
  std::string expected_channel;
};

// A signed checkpoint of the ledger (ledger/checkpoint.h) as the store keeps it.
struct CheckpointRow {
  uint64_t size = 0;
  ledger::Hash root{};
  std::string note;     // the signed note, as served at GET /v1/ledger/checkpoint
  Timestamp issued_at{};
};

// A witness's cosignature of a kept checkpoint (a cosignature/v1 line, ledger/note.h). The
// ledger service verifies it against the configured witness keys before it is kept.
struct CosignatureRow {
  uint64_t size = 0;        // the size of the checkpoint cosigned
  std::string witness;      // the witness key's name
  uint32_t key_id = 0;      // the witness key's id
  std::string line;         // the signature line as it is appended to the note, ending in "\n"
  Timestamp received_at{};
};

// ---- Retention (docs/keys.md "Retention and crypto-shredding") ----

// A legal hold: while it is not released, retention purges nothing it covers. Scope
// "declaration" covers one declaration, "organisation" every declaration of one organisation.
// Written once (with its ledger leaf "retention.hold"); released by a HoldReleaseRow.
struct LegalHoldRow {
  std::string id;              // a ULID
  std::string scope;           // "declaration" | "organisation"
  std::string target_id;       // the declaration or organisation id
  std::string case_reference;  // the case file it serves, e.g. "LG-2031-0042"
  std::string reason;
  std::string placed_by;       // user id
  Timestamp placed_at{};
  ledger::CommitmentSalt salt{};
};

// The release of a legal hold (ledger leaf "retention.hold-release"). One per hold.
struct HoldReleaseRow {
  std::string hold_id;
  std::string released_by;  // user id
  std::string reason;
  Timestamp released_at{};
  ledger::CommitmentSalt salt{};
};

// A hold as read back: the hold and, once released, its release.
struct LegalHold {
  LegalHoldRow hold;
  std::optional<HoldReleaseRow> release;
  bool active() const { return !release.has_value(); }
};

// A declaration a purge crypto-shreds, with the closing date its retention ran from.
struct PurgedDeclaration {
  std::string declaration_id;
  Timestamp closed_at{};
  friend bool operator==(const PurgedDeclaration&, const PurgedDeclaration&) = default;
};

// One retention purge (ledger leaf "retention.purge"): the declarations it crypto-shreds (their
// data key, every salt, payloads, assessments, idempotency answers and blind indexes are
// deleted, a tombstone stays) and the security events it deletes. Only ids and dates: the
// purge entry commits to no content.
struct PurgeRow {
  std::string id;      // a ULID
  Timestamp purged_at{};
  std::string actor;   // user id, or "system" for the scheduled job
  std::vector<PurgedDeclaration> declarations;  // sorted by id when read back
  std::vector<std::string> security_event_ids;  // sorted when read back
  ledger::CommitmentSalt salt{};
};

// A declaration that is due (or not yet due) for retention: closed, with its closing date, the
// time of the transition that gave it its final status.
struct ClosedDeclaration {
  std::string id;
  std::string organisation_id;
  std::string status;
  Timestamp closed_at{};
};

// Tombstone of a purged declaration: what GetPurgedDeclaration() returns.
struct PurgedDeclarationRow {
  std::string declaration_id;
  std::string purge_id;
  Timestamp closed_at{};
  Timestamp purged_at{};
};

// UnitOfWork is the atomic write. Expectations make it a compare-and-set: for each entry of
// expected_current_versions the declaration's latest version must be that number at commit time
// (0 = must not exist), else Commit fails with kAborted and writes nothing.
struct UnitOfWork {
  std::vector<std::pair<std::string, int64_t>> expected_current_versions;
  std::vector<DeclarationRow> declarations;   // new versions to insert
  std::vector<StatusUpdate> status_updates;   // status changes of existing versions
  std::vector<TransitionRow> transitions;
  // At most one per (declaration, version); the version must be stored (in this unit or
  // before), else kFailedPrecondition "unknown-declaration-version"; a second is
  // kAlreadyExists "duplicate-assessment".
  std::vector<AssessmentRow> assessments;
  std::vector<SecurityEventRow> security_events;  // kAlreadyExists "duplicate-security-event"
  std::optional<IdempotencyRow> idempotency;  // kAlreadyExists if (principal, key) is taken
  // Wrapped data keys of new declarations: kAlreadyExists "duplicate-data-key" when the
  // declaration has one already.
  std::vector<DataKeyRow> data_keys{};
  // Blind indexes of the new versions' sensitive values.
  std::vector<BlindIndexEntry> blind_indexes{};
  // Key rotation: re-wrapped data keys, each a compare-and-set (see DataKeyRewrap).
  std::vector<DataKeyRewrap> rewraps{};
  // Legal holds placed: kAlreadyExists "duplicate-hold" for a taken id.
  std::vector<LegalHoldRow> legal_holds{};
  // Legal holds released: kNotFound "hold-not-found", kAlreadyExists "hold-already-released".
  std::vector<HoldReleaseRow> hold_releases{};
  // A retention purge. Refused as a whole with kFailedPrecondition "legal-hold" when an active
  // hold covers one of its declarations, kAlreadyExists "already-purged" for a declaration
  // purged before, kNotFound "declaration-not-found" for one that is not stored.
  std::optional<PurgeRow> purge{};
  // One leaf per new version, then one per transition, assessment, security event, legal hold,
  // hold release and the purge, in order (SealUnit() makes them); appended to the log with the records, or not at all.
  std::vector<ledger::LeafEntry> leaves;
  // A signed checkpoint to keep. Its size must be larger than the latest kept one's and at most
  // the log's size before this unit's batch, and its root the log's root at that size.
  std::optional<CheckpointRow> checkpoint;
  // Witness cosignatures of kept checkpoints. Each names a kept checkpoint (else
  // kFailedPrecondition "unknown-checkpoint"); a witness's second cosignature of the same
  // checkpoint is ignored (its first one stays).
  std::vector<CosignatureRow> cosignatures;
};

// What a committed unit got: the log index of each of its leaves.
struct CommitReceipt {
  std::vector<uint64_t> leaf_indices;  // leaf_indices[i] is the index of work.leaves[i]
  uint64_t tree_size = 0;              // the log's size once the unit's batch committed
};

// One stored leaf of the log.
struct LeafRow {
  uint64_t index = 0;
  ledger::Hash leaf_hash{};
  std::string kind;
  std::string record_id;
  std::vector<uint8_t> entry;  // the encoded ledger::LeafEntry; leaf_hash = HashLeaf(entry)
};

// LedgerSnapshot
//
// A consistent read-only view of everything the ledger's full audit compares: leaves, tree
// nodes, records with their salts and the latest checkpoint, all as of one moment. Used by one
// thread, only inside Store::ReadLedgerSnapshot(). The visit functions stop at the first error
// a visitor returns and pass it on; backend errors pass through.
class LedgerSnapshot {
 public:
  virtual ~LedgerSnapshot() = default;
  // Every stored leaf in index order (gaps show as missing indices).
  virtual Status ForEachLeaf(const std::function<Status(const LeafRow&)>& visit) = 0;
  // Every stored tree node of level >= 1, by level then index.
  virtual Status ForEachNode(const std::function<Status(const ledger::StoredNode&)>& visit) = 0;
  // Every declaration version; `has_salt` is false when the stored salt is missing or not 32
  // bytes (row.salt is then zero).
  virtual Status ForEachVersion(
      const std::function<Status(const DeclarationRow&, bool has_salt)>& visit) = 0;
  // Every transition, as ForEachVersion().
  virtual Status ForEachTransition(
      const std::function<Status(const TransitionRow&, bool has_salt)>& visit) = 0;
  // Every assessment, as ForEachVersion().
  virtual Status ForEachAssessment(
      const std::function<Status(const AssessmentRow&, bool has_salt)>& visit) = 0;
  // Every security event, as ForEachVersion().
  virtual Status ForEachSecurityEvent(
      const std::function<Status(const SecurityEventRow&, bool has_salt)>& visit) = 0;
  // Every legal hold, as ForEachVersion().
  virtual Status ForEachLegalHold(
      const std::function<Status(const LegalHoldRow&, bool has_salt)>& visit) = 0;
  // Every hold release, as ForEachVersion().
  virtual Status ForEachHoldRelease(
      const std::function<Status(const HoldReleaseRow&, bool has_salt)>& visit) = 0;
  // Every retention purge with its declarations and security events, as ForEachVersion().
  virtual Status ForEachPurge(
      const std::function<Status(const PurgeRow&, bool has_salt)>& visit) = 0;
  virtual Result<std::optional<CheckpointRow>> LatestCheckpoint() = 0;
  // A declaration's wrapped data key as of the snapshot, read on the snapshot's own connection
  // (so that opening sealed salts needs no second connection); kNotFound "data-key-not-found".
  virtual Result<DataKeyRow> GetDataKey(const std::string& declaration_id) = 0;
};

// Filters for listing declarations; empty fields do not filter.
struct DeclarationFilter {
  std::vector<std::string> organisation_ids;   // any of these organisations (empty: all)
  std::vector<std::string> offices;   // any of these offices
  std::string status;
  std::string type;
  std::string channel;
  std::optional<Timestamp> created_from;   // inclusive
  std::optional<Timestamp> created_to;     // exclusive
  // Exact matches on sensitive values, every one required, in clear: only an EncryptingStore
  // can serve them (it turns them into blind_indexes); a bare backend refuses them with
  // kFailedPrecondition "blind-index-unavailable".
  std::vector<SensitiveTerm> sensitive{};
  // Exact matches on blind indexes (SensitiveTerm::value is the index), every one required, of
  // the latest version.
  std::vector<SensitiveTerm> blind_indexes{};
};

// Keyset pagination over (created_at, id), newest first.
struct PageRequest {
  int limit = 50;                 // 1..500
  std::string after_cursor;       // opaque; "" for the first page
};

struct DeclarationPage {
  std::vector<DeclarationRow> items;   // latest version of each declaration
  std::string next_cursor;             // "" when there is no further page
};

struct SecurityEventPage {
  std::vector<SecurityEventRow> items;  // newest first
  std::string next_cursor;              // "" when there is no further page
};

class Store {
 public:
  virtual ~Store() = default;

  // Commit() makes the unit of work durable (fsync'd per the backend's durability settings)
  // before returning, and returns the log indices its leaves got. Concurrent commits may be
  // batched into one transaction (group commit); each unit still succeeds or fails on its own,
  // and a unit that fails appends no leaf.
  // Errors: kAborted (an expected version did not match), kAlreadyExists (duplicate id/version
  // or idempotency key), kUnavailable (the store is closing), kInternal.
  // Backends also refuse a unit that breaks the store's invariants: kInvalidArgument
  // ("version-gap": a new version that is not latest + 1), kFailedPrecondition
  // ("unknown-declaration-version": a transition for a version that does not exist),
  // kInternal "ledger-leaf-mismatch" (leaves that are not exactly the unit's records, see
  // CheckUnitLeaves()), and for a checkpoint kAlreadyExists "stale-checkpoint" (not newer than
  // the latest kept) or kFailedPrecondition "checkpoint-mismatch" (size or root not the log's).
  virtual Result<CommitReceipt> Commit(UnitOfWork work) = 0;

  // GetDeclaration() returns the given version, or the latest when version is nullopt.
  // kNotFound if there is no such declaration or version; kNotFound "declaration-purged" when
  // retention purged it (ListVersions() too).
  virtual Result<DeclarationRow> GetDeclaration(const std::string& id,
                                                std::optional<int64_t> version) = 0;

  // ListVersions() returns every version of a declaration, oldest first (kNotFound if none).
  virtual Result<std::vector<DeclarationRow>> ListVersions(const std::string& id) = 0;

  // ListDeclarations() returns the latest version of each matching declaration, newest first.
  // kInvalidArgument ("bad-cursor", "bad-limit") for a cursor it did not issue or a bad limit.
  virtual Result<DeclarationPage> ListDeclarations(const DeclarationFilter& filter,
                                                   const PageRequest& page) = 0;

  // ListTransitions() returns a declaration's transitions in sequence order (empty if none).
  virtual Result<std::vector<TransitionRow>> ListTransitions(const std::string& id) = 0;

  // GetIdempotency() returns the stored first answer, or kNotFound.
  virtual Result<IdempotencyRow> GetIdempotency(const std::string& principal,
                                                const std::string& key) = 0;

  // GetAssessment() returns the assessment of a declaration version; kNotFound
  // "assessment-not-found" when there is none.
  virtual Result<AssessmentRow> GetAssessment(const std::string& declaration_id,
                                              int64_t version) = 0;

  // ListSecurityEvents() returns matching security events, newest first, `page.limit` at a
  // time (keyset pagination over (at, id); cursors as for declarations).
  // kInvalidArgument "bad-cursor", "bad-limit".
  virtual Result<SecurityEventPage> ListSecurityEvents(const SecurityEventFilter& filter,
                                                       const PageRequest& page) = 0;

  // CountDeclarations() counts distinct declarations (for metrics and tests).
  virtual Result<int64_t> CountDeclarations() = 0;

  // ---- Data keys (envelope encryption, docs/keys.md) ----

  // GetDataKey() returns a declaration's wrapped data key; kNotFound "data-key-not-found".
  virtual Result<DataKeyRow> GetDataKey(const std::string& declaration_id) = 0;

  // ListDataKeysToRewrap() returns up to `limit` (1..500) data keys not wrapped under
  // (kek_id, kek_version), ordered by declaration id, starting after `after_declaration_id`.
  virtual Result<std::vector<DataKeyRow>> ListDataKeysToRewrap(const std::string& kek_id,
                                                               int64_t kek_version,
                                                               const std::string& after_id,
                                                               int limit) = 0;

  // CountDataKeysByKek() says how many data keys each KEK version wraps (versions wrapping
  // none are absent), ordered by key id and version.
  virtual Result<std::vector<KekUsage>> CountDataKeysByKek() = 0;

  // ---- Retention ----

  // ListLegalHolds() returns every legal hold (released ones only when `include_released`),
  // oldest first.
  virtual Result<std::vector<LegalHold>> ListLegalHolds(bool include_released) = 0;

  // GetLegalHold() returns one hold; kNotFound "hold-not-found".
  virtual Result<LegalHold> GetLegalHold(const std::string& id) = 0;

  // ListClosedDeclarations() returns up to `limit` (1..500) declarations whose latest status is
  // one of `final_statuses` and whose closing date is before `closed_before`, ordered by
  // (closing date, id) and starting strictly after `after` when given.
  virtual Result<std::vector<ClosedDeclaration>> ListClosedDeclarations(
      const std::vector<std::string>& final_statuses, Timestamp closed_before,
      const std::optional<std::pair<Timestamp, std::string>>& after, int limit) = 0;

  // GetPurgedDeclaration() returns the tombstone of a purged declaration; kNotFound
  // "not-purged" when it was not purged.
  virtual Result<PurgedDeclarationRow> GetPurgedDeclaration(const std::string& id) = 0;

  // ListPurges() returns every purge, oldest first, with its declarations and events.
  virtual Result<std::vector<PurgeRow>> ListPurges() = 0;

  // ---- The ledger ----

  // LedgerTree() is the log's Merkle tree for reading (a MerkleLog over it gives roots and
  // proofs in O(log n) reads). It refuses Append() with kFailedPrecondition
  // "append-through-commit": leaves enter only with their records, through Commit().
  virtual ledger::TreeStore& LedgerTree() = 0;

  // GetLeaf() returns leaf `index`; kNotFound "leaf-not-found".
  virtual Result<LeafRow> GetLeaf(uint64_t index) = 0;

  // FindLeaf() returns the leaf of a record id (store/ledger_records.h); kNotFound
  // "leaf-not-found".
  virtual Result<LeafRow> FindLeaf(const std::string& record_id) = 0;

  // LatestCheckpoint() returns the checkpoint of the largest size kept, or nullopt.
  virtual Result<std::optional<CheckpointRow>> LatestCheckpoint() = 0;

  // GetCheckpoint() returns the kept checkpoint of `size`; kNotFound "checkpoint-not-found".
  virtual Result<CheckpointRow> GetCheckpoint(uint64_t size) = 0;

  // LatestCosignedCheckpoint() returns the largest kept checkpoint that at least one witness
  // cosigned, or nullopt.
  virtual Result<std::optional<CheckpointRow>> LatestCosignedCheckpoint() = 0;

  // ListCosignatures() returns the kept cosignatures of the checkpoint of `size`, in the order
  // they were received (empty if none).
  virtual Result<std::vector<CosignatureRow>> ListCosignatures(uint64_t size) = 0;

  // ReadLedgerSnapshot() runs `read` on a consistent snapshot and returns what it returns.
  virtual Status ReadLedgerSnapshot(const std::function<Status(LedgerSnapshot&)>& read) = 0;
};

// ---- Helpers shared by backends ------------------------------------------------------------

inline constexpr int kMinPageLimit = 1;
inline constexpr int kMaxPageLimit = 500;

// PageCursor is the position a page ended at: the (created_at, id) of its last item. The next
// page starts strictly after it in (created_at DESC, id DESC) order.
struct PageCursor {
  Timestamp created_at{};
  std::string id;

  friend bool operator==(const PageCursor&, const PageCursor&) = default;
};

// EncodeCursor() returns the opaque text form of a cursor: unpadded base64url of
// "<created_at microseconds since the epoch>:<id>".
std::string EncodeCursor(const PageCursor& cursor);

// DecodeCursor() returns the cursor that EncodeCursor() made of `text`; anything it could not
// have made (bad alphabet, non-canonical form, missing id, too long) is kInvalidArgument with
// field "cursor" and reason "bad-cursor".
Result<PageCursor> DecodeCursor(std::string_view text);

// ValidatePageLimit() returns ok for kMinPageLimit..kMaxPageLimit, else kInvalidArgument with
// field "limit" and reason "bad-limit".
Status ValidatePageLimit(int limit);

// RefuseClearSensitiveFilter() is what a bare backend answers a filter with sensitive values in
// clear: kFailedPrecondition "blind-index-unavailable" (field "filter"), ok when there are none.
Status RefuseClearSensitiveFilter(const DeclarationFilter& filter);

// DataKeyNotFound() is kNotFound "data-key-not-found".
Error DataKeyNotFound();

// DeclarationPurged() is kNotFound "declaration-purged" (answered 410 Gone by the API).
Error DeclarationPurged(const std::string& id);

// HoldNotFound() is kNotFound "hold-not-found".
Error HoldNotFound(const std::string& id);

// LegalHoldBlocksPurge() is kFailedPrecondition "legal-hold".
Error LegalHoldBlocksPurge(const std::string& declaration_id);

}  // namespace clearway::store
