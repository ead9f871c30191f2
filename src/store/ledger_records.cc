#include "store/ledger_records.h"

#include <algorithm>

#include <boost/json.hpp>

#include "common/json.h"

namespace clearway::store {

namespace {

int64_t Micros(Timestamp t) { return t.time_since_epoch().count(); }

Error Mismatch(std::string message) {
  return Error::Internal("ledger-leaf-mismatch", std::move(message));
}

}  // namespace

std::string VersionRecordId(std::string_view declaration_id, int64_t version) {
  return std::string(declaration_id) + "@v" + std::to_string(version);
}

std::string TransitionRecordId(std::string_view declaration_id, int64_t sequence) {
  return std::string(declaration_id) + "#" + std::to_string(sequence);
}

std::string AssessmentRecordId(std::string_view declaration_id, int64_t version) {
  return VersionRecordId(declaration_id, version) + "/assessment";
}

std::string SecurityEventRecordId(std::string_view event_id) {
  return "security/" + std::string(event_id);
}

std::string LegalHoldRecordId(std::string_view hold_id) {
  return "retention/hold/" + std::string(hold_id);
}

std::string HoldReleaseRecordId(std::string_view hold_id) {
  return LegalHoldRecordId(hold_id) + "/release";
}

std::string PurgeRecordId(std::string_view purge_id) {
  return "retention/purge/" + std::string(purge_id);
}

std::string DeclarationOfRecord(std::string_view record_id) {
  // Declaration ids never hold '@', '#' or '/', so the first '@' or '#' ends the id; the other
  // kinds all start with a word and a '/'.
  if (record_id.find('/') != std::string_view::npos &&
      record_id.find('@') == std::string_view::npos) {
    return "";
  }
  const size_t end = record_id.find_first_of("@#");
  if (end == std::string_view::npos || end == 0) return "";
  return std::string(record_id.substr(0, end));
}

std::string SecurityEventOfRecord(std::string_view record_id) {
  constexpr std::string_view kPrefix = "security/";
  if (record_id.substr(0, kPrefix.size()) != kPrefix) return "";
  return std::string(record_id.substr(kPrefix.size()));
}

std::string CanonicalVersionRecord(const DeclarationRow& row) {
  // The payload enters as a JSON string, byte for byte, so that any change to it (even one
  // that keeps it equivalent JSON) changes the commitment, and a payload that is not JSON at
  // all can still be committed to and checked.
  boost::json::object record{{"kind", ledger::kKindDeclarationVersion},
                             {"id", row.id},
                             {"version", row.version},
                             {"organisationId", row.organisation_id},
                             {"declarantId", row.declarant_id},
                             {"office", row.office},
                             {"type", row.type},
                             {"hsChapters", row.hs_chapters},
                             {"createdAt", Micros(row.created_at)},
                             {"payload", row.payload}};
  return CanonicalJson(record);
}

std::string CanonicalTransitionRecord(const TransitionRow& row) {
  boost::json::object record{{"kind", ledger::kKindDeclarationTransition},
                             {"declarationId", row.declaration_id},
                             {"sequence", row.sequence},
                             {"version", row.version},
                             {"from", row.from_status},
                             {"to", row.to_status},
                             {"channel", row.channel},
                             {"actor", row.actor},
                             {"reason", row.reason},
                             {"at", Micros(row.at)}};
  return CanonicalJson(record);
}

std::string CanonicalAssessmentRecord(const AssessmentRow& row) {
  boost::json::object record{{"kind", ledger::kKindDeclarationAssessment},
                             {"declarationId", row.declaration_id},
                             {"version", row.version},
                             {"at", Micros(row.at)},
                             {"quote", row.quote},
                             {"risk", row.risk}};
  return CanonicalJson(record);
}

std::string CanonicalSecurityEventRecord(const SecurityEventRow& row) {
  // The event's own canonical JSON holds its type, time, actor and outcome; the copies kept
  // beside it for queries are not committed separately (the audit checks they agree).
  boost::json::object record{
      {"kind", ledger::kKindSecurityEvent}, {"id", row.id}, {"event", row.event}};
  return CanonicalJson(record);
}

std::string CanonicalLegalHoldRecord(const LegalHoldRow& row) {
  boost::json::object record{{"kind", ledger::kKindLegalHold},
                             {"id", row.id},
                             {"scope", row.scope},
                             {"targetId", row.target_id},
                             {"caseReference", row.case_reference},
                             {"reason", row.reason},
                             {"placedBy", row.placed_by},
                             {"placedAt", Micros(row.placed_at)}};
  return CanonicalJson(record);
}

std::string CanonicalHoldReleaseRecord(const HoldReleaseRow& row) {
  boost::json::object record{{"kind", ledger::kKindHoldRelease},
                             {"holdId", row.hold_id},
                             {"releasedBy", row.released_by},
                             {"reason", row.reason},
                             {"releasedAt", Micros(row.released_at)}};
  return CanonicalJson(record);
}

std::string CanonicalPurgeRecord(const PurgeRow& row) {
  std::vector<PurgedDeclaration> declarations = row.declarations;
  std::sort(declarations.begin(), declarations.end(),
            [](const PurgedDeclaration& a, const PurgedDeclaration& b) {
              return a.declaration_id < b.declaration_id;
            });
  boost::json::array purged;
  for (const PurgedDeclaration& declaration : declarations) {
    purged.push_back(boost::json::object{{"id", declaration.declaration_id},
                                         {"closedAt", Micros(declaration.closed_at)}});
  }
  std::vector<std::string> events = row.security_event_ids;
  std::sort(events.begin(), events.end());
  boost::json::array event_ids;
  for (const std::string& id : events) event_ids.push_back(boost::json::value(id));
  boost::json::object record{{"kind", ledger::kKindRetentionPurge},
                             {"id", row.id},
                             {"at", Micros(row.purged_at)},
                             {"actor", row.actor},
                             {"declarations", std::move(purged)},
                             {"securityEvents", std::move(event_ids)}};
  return CanonicalJson(record);
}

ledger::LeafEntry VersionLeaf(const DeclarationRow& row) {
  return ledger::LeafEntry{std::string(ledger::kKindDeclarationVersion),
                           VersionRecordId(row.id, row.version),
                           ledger::ComputeCommitment(row.salt, CanonicalVersionRecord(row))};
}

ledger::LeafEntry TransitionLeaf(const TransitionRow& row) {
  return ledger::LeafEntry{std::string(ledger::kKindDeclarationTransition),
                           TransitionRecordId(row.declaration_id, row.sequence),
                           ledger::ComputeCommitment(row.salt, CanonicalTransitionRecord(row))};
}

ledger::LeafEntry AssessmentLeaf(const AssessmentRow& row) {
  return ledger::LeafEntry{std::string(ledger::kKindDeclarationAssessment),
                           AssessmentRecordId(row.declaration_id, row.version),
                           ledger::ComputeCommitment(row.salt, CanonicalAssessmentRecord(row))};
}

ledger::LeafEntry SecurityEventLeaf(const SecurityEventRow& row) {
  return ledger::LeafEntry{std::string(ledger::kKindSecurityEvent), SecurityEventRecordId(row.id),
                           ledger::ComputeCommitment(row.salt, CanonicalSecurityEventRecord(row))};
}

ledger::LeafEntry LegalHoldLeaf(const LegalHoldRow& row) {
  return ledger::LeafEntry{std::string(ledger::kKindLegalHold), LegalHoldRecordId(row.id),
                           ledger::ComputeCommitment(row.salt, CanonicalLegalHoldRecord(row))};
}

ledger::LeafEntry HoldReleaseLeaf(const HoldReleaseRow& row) {
  return ledger::LeafEntry{std::string(ledger::kKindHoldRelease), HoldReleaseRecordId(row.hold_id),
                           ledger::ComputeCommitment(row.salt, CanonicalHoldReleaseRecord(row))};
}

ledger::LeafEntry PurgeLeaf(const PurgeRow& row) {
  return ledger::LeafEntry{std::string(ledger::kKindRetentionPurge), PurgeRecordId(row.id),
                           ledger::ComputeCommitment(row.salt, CanonicalPurgeRecord(row))};
}

namespace {

size_t RecordCount(const UnitOfWork& work) {
  return work.declarations.size() + work.transitions.size() + work.assessments.size() +
         work.security_events.size() + work.legal_holds.size() + work.hold_releases.size() +
         (work.purge.has_value() ? 1 : 0);
}

}  // namespace

void SealUnit(UnitOfWork& work) {
  work.leaves.clear();
  work.leaves.reserve(RecordCount(work));
  for (DeclarationRow& row : work.declarations) {
    row.salt = ledger::NewCommitmentSalt();
    work.leaves.push_back(VersionLeaf(row));
  }
  for (TransitionRow& row : work.transitions) {
    row.salt = ledger::NewCommitmentSalt();
    work.leaves.push_back(TransitionLeaf(row));
  }
  for (AssessmentRow& row : work.assessments) {
    row.salt = ledger::NewCommitmentSalt();
    work.leaves.push_back(AssessmentLeaf(row));
  }
  for (SecurityEventRow& row : work.security_events) {
    row.salt = ledger::NewCommitmentSalt();
    work.leaves.push_back(SecurityEventLeaf(row));
  }
  for (LegalHoldRow& row : work.legal_holds) {
    row.salt = ledger::NewCommitmentSalt();
    work.leaves.push_back(LegalHoldLeaf(row));
  }
  for (HoldReleaseRow& row : work.hold_releases) {
    row.salt = ledger::NewCommitmentSalt();
    work.leaves.push_back(HoldReleaseLeaf(row));
  }
  if (work.purge.has_value()) {
    work.purge->salt = ledger::NewCommitmentSalt();
    work.leaves.push_back(PurgeLeaf(*work.purge));
  }
}

Status CheckUnitLeaves(const UnitOfWork& work) {
  const size_t expected = RecordCount(work);
  if (work.leaves.size() != expected) {
    return Mismatch("the unit has " + std::to_string(expected) + " records but " +
                    std::to_string(work.leaves.size()) + " ledger leaves");
  }
  size_t position = 0;
  auto check = [&](std::string_view kind, const std::string& record_id) -> Status {
    const ledger::LeafEntry& leaf = work.leaves[position++];
    if (leaf.kind != kind || leaf.record_id != record_id) {
      return Mismatch("leaf " + std::to_string(position - 1) + " should be " + std::string(kind) +
                      " " + record_id);
    }
    Result<std::vector<uint8_t>> encoded = ledger::EncodeLeafEntry(leaf);
    if (!encoded.ok()) return Mismatch("leaf for " + record_id + ": " + encoded.error().message);
    return OkStatus();
  };
  for (const DeclarationRow& row : work.declarations) {
    CW_RETURN_IF_ERROR(
        check(ledger::kKindDeclarationVersion, VersionRecordId(row.id, row.version)));
  }
  for (const TransitionRow& row : work.transitions) {
    CW_RETURN_IF_ERROR(check(ledger::kKindDeclarationTransition,
                             TransitionRecordId(row.declaration_id, row.sequence)));
  }
  for (const AssessmentRow& row : work.assessments) {
    CW_RETURN_IF_ERROR(check(ledger::kKindDeclarationAssessment,
                             AssessmentRecordId(row.declaration_id, row.version)));
  }
  for (const SecurityEventRow& row : work.security_events) {
    CW_RETURN_IF_ERROR(check(ledger::kKindSecurityEvent, SecurityEventRecordId(row.id)));
  }
  for (const LegalHoldRow& row : work.legal_holds) {
    CW_RETURN_IF_ERROR(check(ledger::kKindLegalHold, LegalHoldRecordId(row.id)));
  }
  for (const HoldReleaseRow& row : work.hold_releases) {
    CW_RETURN_IF_ERROR(check(ledger::kKindHoldRelease, HoldReleaseRecordId(row.hold_id)));
  }
  if (work.purge.has_value()) {
    CW_RETURN_IF_ERROR(check(ledger::kKindRetentionPurge, PurgeRecordId(work.purge->id)));
  }
  return OkStatus();
}

}  // namespace clearway::store
