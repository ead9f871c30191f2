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

// CanonicalVersionRecord() gives the canonical bytes a version's commitment covers.
std::string CanonicalVersionRecord(const DeclarationRow& row);

// CanonicalTransitionRecord() gives the canonical bytes a transition's commitment covers.
std::string CanonicalTransitionRecord(const TransitionRow& row);

std::string CanonicalAssessmentRecord(const AssessmentRow& row);
std::string CanonicalSecurityEventRecord(const SecurityEventRow& row);

// VersionLeaf() … SecurityEventLeaf() give the record's leaf entry, committed with its salt.
ledger::LeafEntry VersionLeaf(const DeclarationRow& row);
ledger::LeafEntry TransitionLeaf(const TransitionRow& row);
ledger::LeafEntry AssessmentLeaf(const AssessmentRow& row);
ledger::LeafEntry SecurityEventLeaf(const SecurityEventRow& row);

// SealUnit() gives every new record of `work` a fresh salt and sets work.leaves to their
// leaves: the versions first, then the transitions, assessments and security events, each in
// unit order.
void SealUnit(UnitOfWork& work);

// CheckUnitLeaves() returns ok when work.leaves names exactly the unit's records, in SealUnit()
// order (kinds and record ids; commitments are the caller's), each entry encodable. Otherwise
// kInternal "ledger-leaf-mismatch": a record without its leaf, a leaf without its record, or
// leaves out of order. Backends call it before they write anything.
Status CheckUnitLeaves(const UnitOfWork& work);

}  // namespace clearway::store
