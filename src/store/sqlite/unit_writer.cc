#include "store/sqlite/unit_writer.h"

#include <string>
#include <string_view>

#include "store/sqlite/ledger_tables.h"

namespace clearway::store::sqlite::internal {

namespace {

constexpr const char* kSelectHeadVersion = "SELECT version FROM declaration_heads WHERE id = ?";

constexpr const char* kInsertDeclaration =
    "INSERT INTO declarations (id, version, organisation_id, declarant_id, office, type, status,"
    " channel, hs_chapters, created_at, updated_at, payload, salt)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

// A new head keeps created_at of version 1 forever, so a declaration never moves in the
// (created_at, id) listing order and cursors stay valid across amendments.
constexpr const char* kInsertHead =
    "INSERT INTO declaration_heads (id, version, organisation_id, office, type, status, channel,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kAdvanceHead =
    "UPDATE declaration_heads SET version = ?, organisation_id = ?, office = ?, type = ?,"
    " status = ?, channel = ? WHERE id = ?";

constexpr const char* kUpdateHeadStatus =
    "UPDATE declaration_heads SET status = ?, channel = ? WHERE id = ? AND version = ?"
    " AND (? = 0 OR (status = ? AND channel = ?))";
constexpr const char* kUpdateVersionStatus =
    "UPDATE declarations SET status = ?, channel = ?, updated_at = ? WHERE id = ? AND version = ?";

constexpr const char* kInsertTransition =
    "INSERT INTO transitions (declaration_id, sequence, version, from_status, to_status, channel,"
    " actor, reason, at, salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

constexpr const char* kInsertAssessment =
    "INSERT INTO assessments (declaration_id, version, at, quote, risk, salt)"
    " VALUES (?, ?, ?, ?, ?, ?)";

constexpr const char* kInsertSecurityEvent =
    "INSERT INTO security_events (id, at, type, outcome, actor, event, salt)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)";

constexpr const char* kInsertIdempotency =
    "INSERT INTO idempotency (principal, key, request_hash, status_code, response_body,"
    " resource_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

constexpr const char* kInsertDataKey =
    "INSERT INTO data_keys (declaration_id, kek_id, kek_version, wrapped, created_at)"
    " VALUES (?, ?, ?, ?, ?)";
constexpr const char* kInsertBlindIndex =
    "INSERT OR IGNORE INTO declaration_blind_indexes (purpose, idx, declaration_id, version)"
    " VALUES (?, ?, ?, ?)";
constexpr const char* kRewrapDataKey =
    "UPDATE data_keys SET kek_id = ?, kek_version = ?, wrapped = ? WHERE declaration_id = ?"
    " AND kek_id = ? AND kek_version = ? AND wrapped = ?";

// SaltBytes() is what a row's salt column holds: the sealed salt when there is one.
std::string_view SaltBytes(const ledger::CommitmentSalt& salt, const std::string& sealed) {
  if (!sealed.empty()) return sealed;
  return {reinterpret_cast<const char*>(salt.data()), salt.size()};
}

// CurrentVersion() is the latest stored version of a declaration, 0 when there is none.
Result<int64_t> CurrentVersion(Connection& db, const std::string& id) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kSelectHeadVersion));
  stmt.BindText(1, id);
  CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  return has_row ? stmt.ColumnInt(0) : int64_t{0};
}

Error VersionConflict(const std::string& id, int64_t current, int64_t expected) {
  return Error::Aborted("version-conflict", "declaration " + id + " is at version " +
                                                std::to_string(current) + ", expected " +
                                                std::to_string(expected));
}

Status CheckExpectations(Connection& db, const UnitOfWork& work) {
  for (const auto& [id, expected] : work.expected_current_versions) {
    CW_ASSIGN_OR_RETURN(int64_t current, CurrentVersion(db, id));
    if (current != expected) return VersionConflict(id, current, expected);
  }
  return OkStatus();
}

Status InsertDeclaration(Connection& db, const DeclarationRow& row, size_t index) {
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
  {
    CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertDeclaration));
    stmt.BindText(1, row.id);
    stmt.BindInt(2, row.version);
    stmt.BindText(3, row.organisation_id);
    stmt.BindText(4, row.declarant_id);
    stmt.BindText(5, row.office);
    stmt.BindText(6, row.type);
    stmt.BindText(7, row.status);
    stmt.BindText(8, row.channel);
    stmt.BindText(9, row.hs_chapters);
    stmt.BindTime(10, row.created_at);
    stmt.BindTime(11, row.updated_at);
    stmt.BindBlobView(12, row.payload);
    stmt.BindBlob(13, SaltBytes(row.salt, row.sealed_salt));
    Status inserted = stmt.Run();
    if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
      return Error::AlreadyExists("duplicate-version", "declaration version already exists");
    }
    CW_RETURN_IF_ERROR(inserted);
  }
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(current == 0 ? kInsertHead : kAdvanceHead));
  if (current == 0) {
    stmt.BindText(1, row.id);
    stmt.BindInt(2, row.version);
    stmt.BindText(3, row.organisation_id);
    stmt.BindText(4, row.office);
    stmt.BindText(5, row.type);
    stmt.BindText(6, row.status);
    stmt.BindText(7, row.channel);
    stmt.BindTime(8, row.created_at);
  } else {
    stmt.BindInt(1, row.version);
    stmt.BindText(2, row.organisation_id);
    stmt.BindText(3, row.office);
    stmt.BindText(4, row.type);
    stmt.BindText(5, row.status);
    stmt.BindText(6, row.channel);
    stmt.BindText(7, row.id);
  }
  return stmt.Run();
}

Status ApplyStatusUpdate(Connection& db, const StatusUpdate& update) {
  {
    CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kUpdateHeadStatus));
    stmt.BindText(1, update.status);
    stmt.BindText(2, update.channel);
    stmt.BindText(3, update.declaration_id);
    stmt.BindInt(4, update.version);
    stmt.BindInt(5, update.expected_status.has_value() ? 1 : 0);
    stmt.BindText(6, update.expected_status.value_or(""));
    stmt.BindText(7, update.expected_channel);
    CW_RETURN_IF_ERROR(stmt.Run());
  }
  if (sqlite3_changes(db.get()) != 1) {
    CW_ASSIGN_OR_RETURN(int64_t current, CurrentVersion(db, update.declaration_id));
    if (current == update.version) {
      return Error::Aborted("status-conflict", "declaration " + update.declaration_id +
                                                   " is no longer in the status it was decided from");
    }
    return VersionConflict(update.declaration_id, current, update.version);
  }
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kUpdateVersionStatus));
  stmt.BindText(1, update.status);
  stmt.BindText(2, update.channel);
  stmt.BindTime(3, update.updated_at);
  stmt.BindText(4, update.declaration_id);
  stmt.BindInt(5, update.version);
  return stmt.Run();
}

Status InsertTransition(Connection& db, const TransitionRow& row) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertTransition));
  stmt.BindText(1, row.declaration_id);
  stmt.BindInt(2, row.sequence);
  stmt.BindInt(3, row.version);
  stmt.BindText(4, row.from_status);
  stmt.BindText(5, row.to_status);
  stmt.BindText(6, row.channel);
  stmt.BindText(7, row.actor);
  stmt.BindText(8, row.reason);
  stmt.BindTime(9, row.at);
  stmt.BindBlob(10, SaltBytes(row.salt, row.sealed_salt));
  Status inserted = stmt.Run();
  if (inserted.ok()) return inserted;
  if (IsUniqueViolation(stmt.extended_rc())) {
    return Error::AlreadyExists("duplicate-transition", "declaration " + row.declaration_id +
                                                            " already has transition " +
                                                            std::to_string(row.sequence));
  }
  if (stmt.extended_rc() == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return Error::FailedPrecondition("unknown-declaration-version",
                                     "transition for declaration " + row.declaration_id +
                                         " version " + std::to_string(row.version) +
                                         ", which is not stored");
  }
  return inserted;
}

Status InsertAssessment(Connection& db, const AssessmentRow& row) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertAssessment));
  stmt.BindText(1, row.declaration_id);
  stmt.BindInt(2, row.version);
  stmt.BindTime(3, row.at);
  stmt.BindBlobView(4, row.quote);
  stmt.BindBlobView(5, row.risk);
  stmt.BindBlob(6, SaltBytes(row.salt, row.sealed_salt));
  Status inserted = stmt.Run();
  if (inserted.ok()) return inserted;
  if (IsUniqueViolation(stmt.extended_rc())) {
    return Error::AlreadyExists("duplicate-assessment",
                                "declaration " + row.declaration_id + " version " +
                                    std::to_string(row.version) + " is already assessed");
  }
  if (stmt.extended_rc() == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return Error::FailedPrecondition("unknown-declaration-version",
                                     "assessment for declaration " + row.declaration_id +
                                         " version " + std::to_string(row.version) +
                                         ", which is not stored");
  }
  return inserted;
}

Status InsertSecurityEvent(Connection& db, const SecurityEventRow& row) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertSecurityEvent));
  stmt.BindText(1, row.id);
  stmt.BindTime(2, row.at);
  stmt.BindText(3, row.type);
  stmt.BindText(4, row.outcome);
  stmt.BindText(5, row.actor);
  stmt.BindBlob(6, row.event);
  stmt.BindBlob(7, SaltBytes(row.salt, {}));
  Status inserted = stmt.Run();
  if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
    return Error::AlreadyExists("duplicate-security-event",
                                "security event " + row.id + " is already recorded");
  }
  return inserted;
}

Status InsertIdempotency(Connection& db, const IdempotencyRow& row) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertIdempotency));
  stmt.BindText(1, row.principal);
  stmt.BindText(2, row.key);
  stmt.BindText(3, row.request_hash);
  stmt.BindInt(4, row.status_code);
  stmt.BindBlobView(5, row.response_body);
  stmt.BindText(6, row.resource_id);
  stmt.BindTime(7, row.created_at);
  Status inserted = stmt.Run();
  if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
    // The key itself is the client's; it is not echoed into logs or messages.
    return Error::AlreadyExists("duplicate-idempotency-key",
                                "this Idempotency-Key was already used by the caller");
  }
  return inserted;
}

Status InsertDataKey(Connection& db, const DataKeyRow& row) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertDataKey));
  stmt.BindText(1, row.declaration_id);
  stmt.BindText(2, row.kek_id);
  stmt.BindInt(3, row.kek_version);
  stmt.BindBlob(4, row.wrapped);
  stmt.BindTime(5, row.created_at);
  Status inserted = stmt.Run();
  if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
    return Error::AlreadyExists("duplicate-data-key",
                                "declaration " + row.declaration_id + " has a data key already");
  }
  return inserted;
}

Status InsertBlindIndex(Connection& db, const BlindIndexEntry& entry) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kInsertBlindIndex));
  stmt.BindText(1, entry.purpose);
  stmt.BindText(2, entry.index);
  stmt.BindText(3, entry.declaration_id);
  stmt.BindInt(4, entry.version);
  Status inserted = stmt.Run();
  if (!inserted.ok() && stmt.extended_rc() == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return Error::FailedPrecondition("unknown-declaration-version",
                                     "blind index for declaration " + entry.declaration_id +
                                         " version " + std::to_string(entry.version) +
                                         ", which is not stored");
  }
  return inserted;
}

// A re-wrap that finds the row changed does nothing: see DataKeyRewrap.
Status ApplyRewrap(Connection& db, const DataKeyRewrap& rewrap) {
  CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kRewrapDataKey));
  stmt.BindText(1, rewrap.kek_id);
  stmt.BindInt(2, rewrap.kek_version);
  stmt.BindBlob(3, rewrap.wrapped);
  stmt.BindText(4, rewrap.declaration_id);
  stmt.BindText(5, rewrap.expected_kek_id);
  stmt.BindInt(6, rewrap.expected_kek_version);
  stmt.BindBlob(7, rewrap.expected_wrapped);
  return stmt.Run();
}

std::string_view SaltOf(const ledger::CommitmentSalt& salt) {
  return {reinterpret_cast<const char*>(salt.data()), salt.size()};
}

Status InsertLegalHold(Connection& db, const LegalHoldRow& row) {
  CW_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("INSERT INTO legal_holds (id, scope, target_id, case_reference, reason,"
                 " placed_by, placed_at, salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.BindText(1, row.id);
  stmt.BindText(2, row.scope);
  stmt.BindText(3, row.target_id);
  stmt.BindText(4, row.case_reference);
  stmt.BindText(5, row.reason);
  stmt.BindText(6, row.placed_by);
  stmt.BindTime(7, row.placed_at);
  stmt.BindBlob(8, SaltOf(row.salt));
  Status inserted = stmt.Run();
  if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
    return Error::AlreadyExists("duplicate-hold", "legal hold " + row.id + " exists already");
  }
  return inserted;
}

Status InsertHoldRelease(Connection& db, const HoldReleaseRow& row) {
  {
    CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT 1 FROM legal_holds WHERE id = ?"));
    stmt.BindText(1, row.hold_id);
    CW_ASSIGN_OR_RETURN(bool exists, stmt.Step());
    if (!exists) return HoldNotFound(row.hold_id);
  }
  CW_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("INSERT INTO legal_hold_releases (hold_id, released_by, reason,"
                                 " released_at, salt) VALUES (?, ?, ?, ?, ?)"));
  stmt.BindText(1, row.hold_id);
  stmt.BindText(2, row.released_by);
  stmt.BindText(3, row.reason);
  stmt.BindTime(4, row.released_at);
  stmt.BindBlob(5, SaltOf(row.salt));
  Status inserted = stmt.Run();
  if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
    return Error::AlreadyExists("hold-already-released",
                                "legal hold " + row.hold_id + " is released already");
  }
  return inserted;
}

// CheckPurgeable() refuses a declaration that is not stored, already purged or under an
// active legal hold (its own, or its organisation's): checked inside the purge's transaction,
// so a hold placed after the plan was made still stops the purge.
Status CheckPurgeable(Connection& db, const std::string& id) {
  {
    CW_ASSIGN_OR_RETURN(Statement stmt,
                        db.Prepare("SELECT 1 FROM purged_declarations WHERE declaration_id = ?"));
    stmt.BindText(1, id);
    CW_ASSIGN_OR_RETURN(bool purged, stmt.Step());
    if (purged) {
      return Error::AlreadyExists("already-purged", "declaration " + id + " is purged already");
    }
  }
  std::string organisation;
  {
    CW_ASSIGN_OR_RETURN(Statement stmt,
                        db.Prepare("SELECT organisation_id FROM declaration_heads WHERE id = ?"));
    stmt.BindText(1, id);
    CW_ASSIGN_OR_RETURN(bool exists, stmt.Step());
    if (!exists) {
      return Error::NotFound("declaration-not-found", "declaration " + id + " is not stored");
    }
    organisation = stmt.ColumnText(0);
  }
  CW_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT 1 FROM legal_holds h WHERE NOT EXISTS (SELECT 1 FROM"
                 " legal_hold_releases r WHERE r.hold_id = h.id) AND ((h.scope = 'declaration'"
                 " AND h.target_id = ?) OR (h.scope = 'organisation' AND h.target_id = ?))"));
  stmt.BindText(1, id);
  stmt.BindText(2, organisation);
  CW_ASSIGN_OR_RETURN(bool held, stmt.Step());
  if (held) return LegalHoldBlocksPurge(id);
  return OkStatus();
}

// The DELETEs of one purged declaration, children before parents (foreign keys). The
// append-only triggers let them through because the tombstone is already written.
constexpr const char* kPurgeDeclarationSql[] = {
    "DELETE FROM declaration_blind_indexes WHERE declaration_id = ?",
    "DELETE FROM assessments WHERE declaration_id = ?",
    "DELETE FROM transitions WHERE declaration_id = ?",
    "DELETE FROM idempotency WHERE resource_id = ?",
    "DELETE FROM declaration_heads WHERE id = ?",
    "DELETE FROM declarations WHERE id = ?",
    "DELETE FROM data_keys WHERE declaration_id = ?",
};

Status ApplyPurge(Connection& db, const PurgeRow& purge) {
  for (const PurgedDeclaration& declaration : purge.declarations) {
    CW_RETURN_IF_ERROR(CheckPurgeable(db, declaration.declaration_id));
  }
  {
    CW_ASSIGN_OR_RETURN(Statement stmt,
                        db.Prepare("INSERT INTO retention_purges (id, purged_at, actor, salt)"
                                   " VALUES (?, ?, ?, ?)"));
    stmt.BindText(1, purge.id);
    stmt.BindTime(2, purge.purged_at);
    stmt.BindText(3, purge.actor);
    stmt.BindBlob(4, SaltOf(purge.salt));
    Status inserted = stmt.Run();
    if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
      return Error::AlreadyExists("duplicate-purge", "purge " + purge.id + " exists already");
    }
    CW_RETURN_IF_ERROR(inserted);
  }
  for (const PurgedDeclaration& declaration : purge.declarations) {
    {
      CW_ASSIGN_OR_RETURN(Statement stmt,
                          db.Prepare("INSERT INTO purged_declarations (declaration_id, purge_id,"
                                     " closed_at) VALUES (?, ?, ?)"));
      stmt.BindText(1, declaration.declaration_id);
      stmt.BindText(2, purge.id);
      stmt.BindTime(3, declaration.closed_at);
      Status inserted = stmt.Run();
      if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
        return Error::AlreadyExists("already-purged", "declaration " +
                                                          declaration.declaration_id +
                                                          " is listed twice in the purge");
      }
      CW_RETURN_IF_ERROR(inserted);
    }
    for (const char* sql : kPurgeDeclarationSql) {
      CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
      stmt.BindText(1, declaration.declaration_id);
      CW_RETURN_IF_ERROR(stmt.Run());
    }
  }
  for (const std::string& event_id : purge.security_event_ids) {
    {
      CW_ASSIGN_OR_RETURN(Statement stmt,
                          db.Prepare("INSERT INTO purged_security_events (event_id, purge_id)"
                                     " VALUES (?, ?)"));
      stmt.BindText(1, event_id);
      stmt.BindText(2, purge.id);
      Status inserted = stmt.Run();
      if (!inserted.ok() && IsUniqueViolation(stmt.extended_rc())) {
        return Error::AlreadyExists("already-purged",
                                    "security event " + event_id + " is purged already");
      }
      CW_RETURN_IF_ERROR(inserted);
    }
    CW_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("DELETE FROM security_events WHERE id = ?"));
    stmt.BindText(1, event_id);
    CW_RETURN_IF_ERROR(stmt.Run());
    if (sqlite3_changes(db.get()) != 1) {
      return Error::NotFound("security-event-not-found",
                             "security event " + event_id + " is not stored");
    }
  }
  return OkStatus();
}

}  // namespace

Status ApplyUnit(Connection& db, const UnitOfWork& work) {
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

}  // namespace clearway::store::sqlite::internal
