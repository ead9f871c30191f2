#include "store/postgres/unit_writer.h"

#include <string>
#include <string_view>

#include "store/postgres/ledger_tables.h"

namespace clearway::store::postgres::internal {

namespace {

constexpr const char* kSelectHeadVersion = "SELECT version FROM declaration_heads WHERE id = $1";

constexpr const char* kInsertDeclaration =
    "INSERT INTO declarations (id, version, organisation_id, declarant_id, office, type, status,"
    " channel, hs_chapters, created_at, updated_at, payload, salt)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

// A new head keeps created_at of version 1 forever, so a declaration never moves in the
// (created_at, id) listing order and cursors stay valid across amendments.
constexpr const char* kInsertHead =
    "INSERT INTO declaration_heads (id, version, organisation_id, office, type, status, channel,"
    " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr const char* kAdvanceHead =
    "UPDATE declaration_heads SET version = $1, organisation_id = $2, office = $3, type = $4,"
    " status = $5, channel = $6 WHERE id = $7";

constexpr const char* kUpdateHeadStatus =
    "UPDATE declaration_heads SET status = $1, channel = $2 WHERE id = $3 AND version = $4"
    " AND ($5 = 0 OR (status = $6 AND channel = $7))";
constexpr const char* kUpdateVersionStatus =
    "UPDATE declarations SET status = $1, channel = $2, updated_at = $3"
    " WHERE id = $4 AND version = $5";

constexpr const char* kInsertTransition =
    "INSERT INTO transitions (declaration_id, sequence, version, from_status, to_status, channel,"
    " actor, reason, at, salt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

constexpr const char* kInsertAssessment =
    "INSERT INTO assessments (declaration_id, version, at, quote, risk, salt)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

constexpr const char* kInsertSecurityEvent =
    "INSERT INTO security_events (id, at, type, outcome, actor, event, salt)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";

constexpr const char* kInsertIdempotency =
    "INSERT INTO idempotency (principal, key, request_hash, status_code, response_body,"
    " resource_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

constexpr const char* kInsertDataKey =
    "INSERT INTO data_keys (declaration_id, kek_id, kek_version, wrapped, created_at)"
    " VALUES ($1, $2, $3, $4, $5)";
constexpr const char* kInsertBlindIndex =
    "INSERT INTO declaration_blind_indexes (purpose, idx, declaration_id, version)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
constexpr const char* kRewrapDataKey =
    "UPDATE data_keys SET kek_id = $1, kek_version = $2, wrapped = $3 WHERE declaration_id = $4"
    " AND kek_id = $5 AND kek_version = $6 AND wrapped = $7";

// SaltBytes() is what a row's salt column holds: the sealed salt when there is one.
std::string_view SaltBytes(const ledger::CommitmentSalt& salt, const std::string& sealed) {
  if (!sealed.empty()) return sealed;
  return {reinterpret_cast<const char*>(salt.data()), salt.size()};
}

// CurrentVersion() is the latest stored version of a declaration, 0 when there is none. The
// batch holds the append lock, so no other node changes it before this transaction ends.
Result<int64_t> CurrentVersion(PgConnection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(kSelectHeadVersion, PgParams().Text(id)));
  return rows.size() == 0 ? int64_t{0} : rows.Int(0, 0);
}

Error VersionConflict(const std::string& id, int64_t current, int64_t expected) {
  return Error::Aborted("version-conflict", "declaration " + id + " is at version " +
                                                std::to_string(current) + ", expected " +
                                                std::to_string(expected));
}

Status CheckExpectations(PgConnection& db, const UnitOfWork& work) {
  for (const auto& [id, expected] : work.expected_current_versions) {
    CW_ASSIGN_OR_RETURN(int64_t current, CurrentVersion(db, id));
    if (current != expected) return VersionConflict(id, current, expected);
  }
  return OkStatus();
}

// Run() runs a write and drops its (empty) rows.
Status Run(PgConnection& db, const char* sql, const PgParams& params) {
  CW_ASSIGN_OR_RETURN(PgRows rows, db.Run(sql, params));
  static_cast<void>(rows);
  return OkStatus();
}

Status InsertDeclaration(PgConnection& db, const DeclarationRow& row, size_t index) {
  CW_ASSIGN_OR_RETURN(int64_t current, CurrentVersion(db, row.id));
  if (row.version <= current) {
    return Error::AlreadyExists(
        "duplicate-version",
        "declaration " + row.id + " version " + std::to_string(row.version) + " already exists");
  }
  if (row.version != current + 1) {
    return Error::InvalidArgument(
        "declarations[" + std::to_string(index) + "].version", "version-gap",
        "declaration " + row.id + " is at version " + std::to_string(current) +
            "; the next version must be " + std::to_string(current + 1));
  }
  Status inserted = Run(db, kInsertDeclaration,
                        PgParams()
                            .Text(row.id)
                            .Int(row.version)
                            .Text(row.organisation_id)
                            .Text(row.declarant_id)
                            .Text(row.office)
                            .Text(row.type)
                            .Text(row.status)
                            .Text(row.channel)
                            .Text(row.hs_chapters)
                            .Time(row.created_at)
                            .Time(row.updated_at)
                            .Bytes(row.payload)
                            .Bytes(SaltBytes(row.salt, row.sealed_salt)));
  if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
    return Error::AlreadyExists("duplicate-version", "declaration version already exists");
  }
  CW_RETURN_IF_ERROR(inserted);
  if (current == 0) {
    return Run(db, kInsertHead,
               PgParams()
                   .Text(row.id)
                   .Int(row.version)
                   .Text(row.organisation_id)
                   .Text(row.office)
                   .Text(row.type)
                   .Text(row.status)
                   .Text(row.channel)
                   .Time(row.created_at));
  }
  return Run(db, kAdvanceHead,
             PgParams()
                 .Int(row.version)
                 .Text(row.organisation_id)
                 .Text(row.office)
                 .Text(row.type)
                 .Text(row.status)
                 .Text(row.channel)
                 .Text(row.id));
}

Status ApplyStatusUpdate(PgConnection& db, const StatusUpdate& update) {
  CW_ASSIGN_OR_RETURN(PgRows updated,
                      db.Run(kUpdateHeadStatus, PgParams()
                                                    .Text(update.status)
                                                    .Text(update.channel)
                                                    .Text(update.declaration_id)
                                                    .Int(update.version)
                                                    .Int(update.expected_status.has_value() ? 1 : 0)
                                                    .Text(update.expected_status.value_or(""))
                                                    .Text(update.expected_channel)));
  if (updated.affected() != 1) {
    CW_ASSIGN_OR_RETURN(int64_t current, CurrentVersion(db, update.declaration_id));
    if (current == update.version) {
      return Error::Aborted("status-conflict", "declaration " + update.declaration_id +
                                                   " is no longer in the status it was decided from");
    }
    return VersionConflict(update.declaration_id, current, update.version);
  }
  return Run(db, kUpdateVersionStatus,
             PgParams()
                 .Text(update.status)
                 .Text(update.channel)
                 .Time(update.updated_at)
                 .Text(update.declaration_id)
                 .Int(update.version));
}

Status InsertTransition(PgConnection& db, const TransitionRow& row) {
  Status inserted = Run(db, kInsertTransition,
                        PgParams()
                            .Text(row.declaration_id)
                            .Int(row.sequence)
                            .Int(row.version)
                            .Text(row.from_status)
                            .Text(row.to_status)
                            .Text(row.channel)
                            .Text(row.actor)
                            .Text(row.reason)
                            .Time(row.at)
                            .Bytes(SaltBytes(row.salt, row.sealed_salt)));
  if (inserted.ok()) return inserted;
  if (db.last_sqlstate() == kUniqueViolation) {
    return Error::AlreadyExists("duplicate-transition", "declaration " + row.declaration_id +
                                                            " already has transition " +
                                                            std::to_string(row.sequence));
  }
  if (db.last_sqlstate() == kForeignKeyViolation) {
    return Error::FailedPrecondition("unknown-declaration-version",
                                     "transition for declaration " + row.declaration_id +
                                         " version " + std::to_string(row.version) +
                                         ", which is not stored");
  }
  return inserted;
}

Status InsertAssessment(PgConnection& db, const AssessmentRow& row) {
  Status inserted = Run(db, kInsertAssessment,
                        PgParams()
                            .Text(row.declaration_id)
                            .Int(row.version)
                            .Time(row.at)
                            .Bytes(row.quote)
                            .Bytes(row.risk)
                            .Bytes(SaltBytes(row.salt, row.sealed_salt)));
  if (inserted.ok()) return inserted;
  if (db.last_sqlstate() == kUniqueViolation) {
    return Error::AlreadyExists("duplicate-assessment",
                                "declaration " + row.declaration_id + " version " +
                                    std::to_string(row.version) + " is already assessed");
  }
  if (db.last_sqlstate() == kForeignKeyViolation) {
    return Error::FailedPrecondition("unknown-declaration-version",
                                     "assessment for declaration " + row.declaration_id +
                                         " version " + std::to_string(row.version) +
                                         ", which is not stored");
  }
  return inserted;
}

Status InsertSecurityEvent(PgConnection& db, const SecurityEventRow& row) {
  Status inserted = Run(db, kInsertSecurityEvent,
                        PgParams()
                            .Text(row.id)
                            .Time(row.at)
                            .Text(row.type)
                            .Text(row.outcome)
                            .Text(row.actor)
                            .Bytes(row.event)
                            .Bytes(row.salt));
  if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
    return Error::AlreadyExists("duplicate-security-event",
                                "security event " + row.id + " is already recorded");
  }
  return inserted;
}

Status InsertIdempotency(PgConnection& db, const IdempotencyRow& row) {
  Status inserted = Run(db, kInsertIdempotency,
                        PgParams()
                            .Text(row.principal)
                            .Text(row.key)
                            .Text(row.request_hash)
                            .Int(row.status_code)
                            .Bytes(row.response_body)
                            .Text(row.resource_id)
                            .Time(row.created_at));
  if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
    // The key itself is the client's; it is not echoed into logs or messages.
    return Error::AlreadyExists("duplicate-idempotency-key",
                                "this Idempotency-Key was already used by the caller");
  }
  return inserted;
}

Status InsertDataKey(PgConnection& db, const DataKeyRow& row) {
  Status inserted = Run(db, kInsertDataKey,
                        PgParams()
                            .Text(row.declaration_id)
                            .Text(row.kek_id)
                            .Int(row.kek_version)
                            .Bytes(row.wrapped)
                            .Time(row.created_at));
  if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
    return Error::AlreadyExists("duplicate-data-key",
                                "declaration " + row.declaration_id + " has a data key already");
  }
  return inserted;
}

Status InsertBlindIndex(PgConnection& db, const BlindIndexEntry& entry) {
  Status inserted = Run(db, kInsertBlindIndex,
                        PgParams()
                            .Text(entry.purpose)
                            .Text(entry.index)
                            .Text(entry.declaration_id)
                            .Int(entry.version));
  if (!inserted.ok() && db.last_sqlstate() == kForeignKeyViolation) {
    return Error::FailedPrecondition("unknown-declaration-version",
                                     "blind index for declaration " + entry.declaration_id +
                                         " version " + std::to_string(entry.version) +
                                         ", which is not stored");
  }
  return inserted;
}

// A re-wrap that finds the row changed does nothing: see DataKeyRewrap.
Status ApplyRewrap(PgConnection& db, const DataKeyRewrap& rewrap) {
  return Run(db, kRewrapDataKey,
             PgParams()
                 .Text(rewrap.kek_id)
                 .Int(rewrap.kek_version)
                 .Bytes(rewrap.wrapped)
                 .Text(rewrap.declaration_id)
                 .Text(rewrap.expected_kek_id)
                 .Int(rewrap.expected_kek_version)
                 .Bytes(rewrap.expected_wrapped));
}

Status InsertLegalHold(PgConnection& db, const LegalHoldRow& row) {
  Status inserted = Run(db,
                        "INSERT INTO legal_holds (id, scope, target_id, case_reference, reason,"
                        " placed_by, placed_at, salt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        PgParams()
                            .Text(row.id)
                            .Text(row.scope)
                            .Text(row.target_id)
                            .Text(row.case_reference)
                            .Text(row.reason)
                            .Text(row.placed_by)
                            .Time(row.placed_at)
                            .Bytes(row.salt));
  if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
    return Error::AlreadyExists("duplicate-hold", "legal hold " + row.id + " exists already");
  }
  return inserted;
}

Status InsertHoldRelease(PgConnection& db, const HoldReleaseRow& row) {
  CW_ASSIGN_OR_RETURN(PgRows hold, db.Run("SELECT 1 FROM legal_holds WHERE id = $1",
                                          PgParams().Text(row.hold_id)));
  if (hold.size() == 0) return HoldNotFound(row.hold_id);
  Status inserted = Run(db,
                        "INSERT INTO legal_hold_releases (hold_id, released_by, reason,"
                        " released_at, salt) VALUES ($1, $2, $3, $4, $5)",
                        PgParams()
                            .Text(row.hold_id)
                            .Text(row.released_by)
                            .Text(row.reason)
                            .Time(row.released_at)
                            .Bytes(row.salt));
  if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
    return Error::AlreadyExists("hold-already-released",
                                "legal hold " + row.hold_id + " is released already");
  }
  return inserted;
}

// CheckPurgeable() is SQLite's: not stored, purged already, or held refuses the whole purge.
Status CheckPurgeable(PgConnection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(PgRows purged,
                      db.Run("SELECT 1 FROM purged_declarations WHERE declaration_id = $1",
                             PgParams().Text(id)));
  if (purged.size() > 0) {
    return Error::AlreadyExists("already-purged", "declaration " + id + " is purged already");
  }
  CW_ASSIGN_OR_RETURN(PgRows head,
                      db.Run("SELECT organisation_id FROM declaration_heads WHERE id = $1",
                             PgParams().Text(id)));
  if (head.size() == 0) {
    return Error::NotFound("declaration-not-found", "declaration " + id + " is not stored");
  }
  CW_ASSIGN_OR_RETURN(
      PgRows held,
      db.Run("SELECT 1 FROM legal_holds h WHERE NOT EXISTS (SELECT 1 FROM legal_hold_releases r"
             " WHERE r.hold_id = h.id) AND ((h.scope = 'declaration' AND h.target_id = $1) OR"
             " (h.scope = 'organisation' AND h.target_id = $2))",
             PgParams().Text(id).Text(head.Text(0, 0))));
  if (held.size() > 0) return LegalHoldBlocksPurge(id);
  return OkStatus();
}

constexpr const char* kPurgeDeclarationSql[] = {
    "DELETE FROM declaration_blind_indexes WHERE declaration_id = $1",
    "DELETE FROM assessments WHERE declaration_id = $1",
    "DELETE FROM transitions WHERE declaration_id = $1",
    "DELETE FROM idempotency WHERE resource_id = $1",
    "DELETE FROM declaration_heads WHERE id = $1",
    "DELETE FROM declarations WHERE id = $1",
    "DELETE FROM data_keys WHERE declaration_id = $1",
};

Status ApplyPurge(PgConnection& db, const PurgeRow& purge) {
  for (const PurgedDeclaration& declaration : purge.declarations) {
    CW_RETURN_IF_ERROR(CheckPurgeable(db, declaration.declaration_id));
  }
  Status inserted = Run(db,
                        "INSERT INTO retention_purges (id, purged_at, actor, salt)"
                        " VALUES ($1, $2, $3, $4)",
                        PgParams().Text(purge.id).Time(purge.purged_at).Text(purge.actor).Bytes(
                            purge.salt));
  if (!inserted.ok() && db.last_sqlstate() == kUniqueViolation) {
    return Error::AlreadyExists("duplicate-purge", "purge " + purge.id + " exists already");
  }
  CW_RETURN_IF_ERROR(inserted);
  for (const PurgedDeclaration& declaration : purge.declarations) {
    Status tombstone = Run(db,
                           "INSERT INTO purged_declarations (declaration_id, purge_id, closed_at)"
                           " VALUES ($1, $2, $3)",
                           PgParams()
                               .Text(declaration.declaration_id)
                               .Text(purge.id)
                               .Time(declaration.closed_at));
    if (!tombstone.ok() && db.last_sqlstate() == kUniqueViolation) {
      return Error::AlreadyExists("already-purged", "declaration " + declaration.declaration_id +
                                                        " is listed twice in the purge");
    }
    CW_RETURN_IF_ERROR(tombstone);
    for (const char* sql : kPurgeDeclarationSql) {
      CW_RETURN_IF_ERROR(Run(db, sql, PgParams().Text(declaration.declaration_id)));
    }
  }
  for (const std::string& event_id : purge.security_event_ids) {
    Status tombstone = Run(db,
                           "INSERT INTO purged_security_events (event_id, purge_id)"
                           " VALUES ($1, $2)",
                           PgParams().Text(event_id).Text(purge.id));
    if (!tombstone.ok() && db.last_sqlstate() == kUniqueViolation) {
      return Error::AlreadyExists("already-purged",
                                  "security event " + event_id + " is purged already");
    }
    CW_RETURN_IF_ERROR(tombstone);
    CW_ASSIGN_OR_RETURN(PgRows deleted, db.Run("DELETE FROM security_events WHERE id = $1",
                                               PgParams().Text(event_id)));
    if (deleted.affected() != 1) {
      return Error::NotFound("security-event-not-found",
                             "security event " + event_id + " is not stored");
    }
  }
  return OkStatus();
}

}  // namespace

Status ApplyUnit(PgConnection& db, const UnitOfWork& work) {
  // Expectations first: a compare-and-set that fails must write nothing, and it reads the
  // state before this unit's own writes.
  CW_RETURN_IF_ERROR(CheckExpectations(db, work));
  for (size_t idx = 0; idx < work.declarations.size(); ++idx) {
    CW_RETURN_IF_ERROR(InsertDeclaration(db, work.declarations[idx], idx));
  }
  for (const StatusUpdate& update : work.status_updates) {
    CW_RETURN_IF_ERROR(ApplyStatusUpdate(db, update));
  }
  for (const TransitionRow& transition : work.transitions) {
    CW_RETURN_IF_ERROR(InsertTransition(db, transition));
  }
  for (const AssessmentRow& assessment : work.assessments) {
    CW_RETURN_IF_ERROR(InsertAssessment(db, assessment));
  }
  for (const SecurityEventRow& event : work.security_events) {
    CW_RETURN_IF_ERROR(InsertSecurityEvent(db, event));
  }
  if (work.idempotency.has_value()) CW_RETURN_IF_ERROR(InsertIdempotency(db, *work.idempotency));
  for (const DataKeyRow& data_key : work.data_keys) CW_RETURN_IF_ERROR(InsertDataKey(db, data_key));
  for (const BlindIndexEntry& entry : work.blind_indexes) {
    CW_RETURN_IF_ERROR(InsertBlindIndex(db, entry));
  }
  for (const DataKeyRewrap& rewrap : work.rewraps) CW_RETURN_IF_ERROR(ApplyRewrap(db, rewrap));
  if (work.checkpoint.has_value()) CW_RETURN_IF_ERROR(InsertCheckpoint(db, *work.checkpoint));
  for (const CosignatureRow& cosignature : work.cosignatures) {
    CW_RETURN_IF_ERROR(InsertCosignature(db, cosignature));
  }
  for (const LegalHoldRow& hold : work.legal_holds) CW_RETURN_IF_ERROR(InsertLegalHold(db, hold));
  for (const HoldReleaseRow& release : work.hold_releases) {
    CW_RETURN_IF_ERROR(InsertHoldRelease(db, release));
  }
  if (work.purge.has_value()) CW_RETURN_IF_ERROR(ApplyPurge(db, *work.purge));
  return OkStatus();
}

}  // namespace clearway::store::postgres::internal
