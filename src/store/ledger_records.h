// File: store/ledger_records.h
//
// How the store's records enter the ledger (ledger/leaf.h, docs/formats/ledger.md §1). Every
// declaration version and every lifecycle transition is one leaf, appended in the same unit of
// work as the record itself:
//
//   record                 leaf kind                  record id
//   declaration version    "declaration.version"      "<declaration id>@v<version>"
//   transition             "declaration.transition"   "<declaration id>#<sequence>"
//   assessment             "declaration.assessment"   "<declaration id>@v<version>/assessment"
//   security event         "security.event"           "security/<event id>"
//   legal hold             "retention.hold"           "retention/hold/<hold id>"
//   hold release           "retention.hold-release"   "retention/hold/<hold id>/release"
//   retention purge        "retention.purge"          "retention/purge/<purge id>"
//
// and commitment = ComputeCommitment(salt, canonical record bytes), where the salt is 32 fresh
// random bytes kept beside the record (DeclarationRow::salt, TransitionRow::salt). The canonical
// bytes are the canonical JSON (keys sorted, compact; common/json.h) of:
//
//   version     {"createdAt": µs, "declarantId", "hsChapters", "id", "kind", "office",
//                "organisationId", "payload": "<payload text>", "type", "version"}
//   transition  {"actor", "at": µs, "channel", "declarationId", "from", "kind", "reason",
//                "sequence", "to", "version"}
//   assessment  {"at": µs, "declarationId", "kind", "quote": "<quote text>",
//                "risk": "<risk text>", "version"}
//   security event  {"event": "<SecurityEventJson text>", "id", "kind"}
//   legal hold  {"caseReference", "id", "kind", "placedAt": µs, "placedBy", "reason", "scope",
//                "targetId"}
//   hold release  {"holdId", "kind", "reason", "releasedAt": µs, "releasedBy"}
//   purge       {"actor", "at": µs, "declarations": [{"closedAt": µs, "id"}, …] (by id),
//                "id", "kind", "securityEvents": ["<event id>", …] (sorted)}
//
// A purge removes the records its declarations' and events' leaves commit to; the leaves stay,
// and the audit matches them to the purge (DeclarationOfRecord()).
//
// A version's status, channel and updated_at are left out: they change in place, and every
// change is a transition with a leaf of its own. The leaf holds no personal data: only the kind,
// the opaque id and the commitment.
//
//   store::UnitOfWork work;
//   work.declarations.push_back(row);
//   work.transitions.push_back(transition);
//   store::SealUnit(work);                 // fresh salts, then one leaf per record, in order
//   CW_ASSIGN_OR_RETURN(store::CommitReceipt receipt, store.Commit(std::move(work)));
//
// The same functions serve the writer, the SQLite backfill of records older than the ledger and
// the full audit, so all three compute identical leaves. Everything here is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "ledger/leaf.h"
#include "store/store.h"

namespace clearway::store {

// VersionRecordId() is "<declaration id>@v<version>".
std::string VersionRecordId(std::string_view declaration_id, int64_t version);

// TransitionRecordId() is "<declaration id>#<sequence>".
std::string TransitionRecordId(std::string_view declaration_id, int64_t sequence);

// AssessmentRecordId() is "<declaration id>@v<version>/assessment".
std::string AssessmentRecordId(std::string_view declaration_id, int64_t version);

// SecurityEventRecordId() is "security/<event id>".
std::string SecurityEventRecordId(std::string_view event_id);

// LegalHoldRecordId() is "retention/hold/<hold id>"; HoldReleaseRecordId() appends "/release".
std::string LegalHoldRecordId(std::string_view hold_id);
std::string HoldReleaseRecordId(std::string_view hold_id);
// PurgeRecordId() is "retention/purge/<purge id>".
std::string PurgeRecordId(std::string_view purge_id);

// DeclarationOfRecord() is the declaration id a version, transition or assessment record id
// belongs to, or "" for any other record.
std::string DeclarationOfRecord(std::string_view record_id);

// SecurityEventOfRecord() is the event id of a security event record id, or "".
std::string SecurityEventOfRecord(std::string_view record_id);

// CanonicalVersionRecord() gives the canonical bytes a version's commitment covers.
std::string CanonicalVersionRecord(const DeclarationRow& row);

// CanonicalTransitionRecord() gives the canonical bytes a transition's commitment covers.
std::string CanonicalTransitionRecord(const TransitionRow& row);

std::string CanonicalAssessmentRecord(const AssessmentRow& row);
std::string CanonicalSecurityEventRecord(const SecurityEventRow& row);
std::string CanonicalLegalHoldRecord(const LegalHoldRow& row);
std::string CanonicalHoldReleaseRecord(const HoldReleaseRow& row);
std::string CanonicalPurgeRecord(const PurgeRow& row);

// VersionLeaf() … SecurityEventLeaf() give the record's leaf entry, committed with its salt.
ledger::LeafEntry VersionLeaf(const DeclarationRow& row);
ledger::LeafEntry TransitionLeaf(const TransitionRow& row);
ledger::LeafEntry AssessmentLeaf(const AssessmentRow& row);
ledger::LeafEntry SecurityEventLeaf(const SecurityEventRow& row);
ledger::LeafEntry LegalHoldLeaf(const LegalHoldRow& row);
ledger::LeafEntry HoldReleaseLeaf(const HoldReleaseRow& row);
ledger::LeafEntry PurgeLeaf(const PurgeRow& row);

// SealUnit() gives every new record of `work` a fresh salt and sets work.leaves to their
// leaves: the versions first, then the transitions, assessments, security events, legal holds,
// hold releases and the purge, each in unit order.
void SealUnit(UnitOfWork& work);

// CheckUnitLeaves() returns ok when work.leaves names exactly the unit's records, in SealUnit()
// order (kinds and record ids; commitments are the caller's), each entry encodable. Otherwise
// kInternal "ledger-leaf-mismatch": a record without its leaf, a leaf without its record, or
// leaves out of order. Backends call it before they write anything.
Status CheckUnitLeaves(const UnitOfWork& work);

}  // namespace clearway::store
