#include "store/sqlite/migrations.h"

#include <array>
#include <string>

#include "store/sqlite/ledger_tables.h"

namespace clearway::store::sqlite::internal {

namespace {

// Version 1: declarations, their heads, transitions and idempotency records.
// Timestamps are INTEGER microseconds since the Unix epoch (UTC).
constexpr const char* kV1 = R"sql(
CREATE TABLE declarations (
  id              TEXT    NOT NULL,
  version         INTEGER NOT NULL CHECK (version >= 1),
  organisation_id TEXT    NOT NULL,
  declarant_id    TEXT    NOT NULL,
  office          TEXT    NOT NULL,
  type            TEXT    NOT NULL,
  status          TEXT    NOT NULL,
  channel         TEXT    NOT NULL,
  hs_chapters     TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  payload         BLOB    NOT NULL,
  PRIMARY KEY (id, version)
);

-- One row per declaration: its latest version and the fields lists filter on. Listing scans
-- these small rows through the (…, created_at DESC, id DESC) indexes, then joins the version.
CREATE TABLE declaration_heads (
  id              TEXT    NOT NULL PRIMARY KEY,
  version         INTEGER NOT NULL,
  organisation_id TEXT    NOT NULL,
  office          TEXT    NOT NULL,
  type            TEXT    NOT NULL,
  status          TEXT    NOT NULL,
  channel         TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  FOREIGN KEY (id, version) REFERENCES declarations (id, version)
) WITHOUT ROWID;
CREATE INDEX heads_by_created ON declaration_heads (created_at DESC, id DESC);
CREATE INDEX heads_by_organisation ON declaration_heads (organisation_id, created_at DESC, id DESC);
CREATE INDEX heads_by_office ON declaration_heads (office, created_at DESC, id DESC);
CREATE INDEX heads_by_status ON declaration_heads (status, created_at DESC, id DESC);

CREATE TABLE transitions (
  declaration_id TEXT    NOT NULL,
  sequence       INTEGER NOT NULL CHECK (sequence >= 1),
  version        INTEGER NOT NULL,
  from_status    TEXT    NOT NULL,
  to_status      TEXT    NOT NULL,
  channel        TEXT    NOT NULL,
  actor          TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  at             INTEGER NOT NULL,
  PRIMARY KEY (declaration_id, sequence),
  FOREIGN KEY (declaration_id, version) REFERENCES declarations (id, version)
) WITHOUT ROWID;

CREATE TABLE idempotency (
  principal     TEXT    NOT NULL,
  key           TEXT    NOT NULL,
  request_hash  TEXT    NOT NULL,
  status_code   INTEGER NOT NULL,
  response_body BLOB    NOT NULL,
  resource_id   TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_by_created ON idempotency (created_at);
)sql";

// Version 2: the ledger. Each version and transition gets the salt of its commitment; the log
// keeps its leaves (level 0 of the tree), the complete subtrees above them and the signed
// checkpoints. Records written before the ledger existed are entered into it by BackfillLedger()
// in the same transaction, so that every record has its leaf from then on.
constexpr const char* kV2 = R"sql(
ALTER TABLE declarations ADD COLUMN salt BLOB;
ALTER TABLE transitions ADD COLUMN salt BLOB;

CREATE TABLE ledger_leaves (
  idx       INTEGER NOT NULL PRIMARY KEY CHECK (idx >= 0),
  leaf_hash BLOB    NOT NULL CHECK (length(leaf_hash) = 32),
  kind      TEXT    NOT NULL,
  record_id TEXT    NOT NULL UNIQUE,
  entry     BLOB    NOT NULL
);

CREATE TABLE ledger_nodes (
  level INTEGER NOT NULL CHECK (level >= 1),
  idx   INTEGER NOT NULL CHECK (idx >= 0),
  hash  BLOB    NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE ledger_checkpoints (
  size      INTEGER NOT NULL PRIMARY KEY CHECK (size >= 0),
  root      BLOB    NOT NULL CHECK (length(root) = 32),
  note      TEXT    NOT NULL,
  issued_at INTEGER NOT NULL
);
)sql";

// Version 3: witnesses' cosignatures of kept checkpoints (c2sp.org/tlog-cosignature).
constexpr const char* kV3 = R"sql(
CREATE TABLE ledger_cosignatures (
  size        INTEGER NOT NULL REFERENCES ledger_checkpoints (size),
  witness     TEXT    NOT NULL,
  key_id      INTEGER NOT NULL,
  line        TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (size, witness, key_id)
);
)sql";

// Version 4: assessments (the duty quote and risk decision of each filed version) and the
// append-only security event log. Both are written once and never changed: triggers refuse
// UPDATE and DELETE (retention will purge through a migration-defined path, not by hand).
constexpr const char* kV4 = R"sql(
CREATE TABLE assessments (
  declaration_id TEXT    NOT NULL,
  version        INTEGER NOT NULL,
  at             INTEGER NOT NULL,
  quote          BLOB    NOT NULL,
  risk           BLOB    NOT NULL,
  salt           BLOB    NOT NULL,
  PRIMARY KEY (declaration_id, version),
  FOREIGN KEY (declaration_id, version) REFERENCES declarations (id, version)
) WITHOUT ROWID;
CREATE TRIGGER assessments_no_update BEFORE UPDATE ON assessments
  BEGIN SELECT RAISE(ABORT, 'assessments are written once'); END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
  BEGIN SELECT RAISE(ABORT, 'assessments are written once'); END;

CREATE TABLE security_events (
  id      TEXT    NOT NULL PRIMARY KEY,
  at      INTEGER NOT NULL,
  type    TEXT    NOT NULL,
  outcome TEXT    NOT NULL,
  actor   TEXT    NOT NULL,
  event   BLOB    NOT NULL,
  salt    BLOB    NOT NULL
) WITHOUT ROWID;
CREATE INDEX security_events_by_at ON security_events (at DESC, id DESC);
CREATE INDEX security_events_by_actor ON security_events (actor, at DESC, id DESC);
CREATE INDEX security_events_by_type ON security_events (type, at DESC, id DESC);
CREATE TRIGGER security_events_no_update BEFORE UPDATE ON security_events
  BEGIN SELECT RAISE(ABORT, 'the security event log is append-only'); END;
CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events
  BEGIN SELECT RAISE(ABORT, 'the security event log is append-only'); END;
)sql";

// Version 5: envelope encryption at rest (docs/keys.md). Each declaration's data key, wrapped
// under a key-encryption key version, and the blind indexes of its versions' sensitive values.
// Payloads, salts, assessments and idempotency answers written from now on hold envelopes
// sealed under that key; rows written before stay as they were. Shredding a declaration is
// deleting its data_keys row, so no foreign key ties the row to anything.
constexpr const char* kV5 = R"sql(
CREATE TABLE data_keys (
  declaration_id TEXT    NOT NULL PRIMARY KEY,
  kek_id         TEXT    NOT NULL,
  kek_version    INTEGER NOT NULL CHECK (kek_version >= 1),
  wrapped        BLOB    NOT NULL,
  created_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX data_keys_by_kek ON data_keys (kek_id, kek_version, declaration_id);

CREATE TABLE declaration_blind_indexes (
  purpose        TEXT    NOT NULL,
  idx            TEXT    NOT NULL,
  declaration_id TEXT    NOT NULL,
  version        INTEGER NOT NULL,
  PRIMARY KEY (purpose, idx, declaration_id, version),
  FOREIGN KEY (declaration_id, version) REFERENCES declarations (id, version)
) WITHOUT ROWID;
)sql";

// Version 6: retention (docs/keys.md "Retention and crypto-shredding"). Legal holds and their
// releases, retention purges and the tombstones of what they removed; all written once. The
// append-only triggers now let exactly the purge path through: a row of a declaration (or a
// security event) may be deleted only once its tombstone is written, which the store does in
// the same transaction as the purge entry and its ledger leaf. Any other DELETE, and every
// UPDATE of the write-once tables, is still refused; data keys, blind indexes and idempotency
// answers get the same DELETE guard. (Declaration versions and transitions have no triggers:
// a deletion by hand there is what the ledger audit reports.)
constexpr const char* kV6 = R"sql(
CREATE TABLE legal_holds (
  id             TEXT    NOT NULL PRIMARY KEY,
  scope          TEXT    NOT NULL CHECK (scope IN ('declaration', 'organisation')),
  target_id      TEXT    NOT NULL,
  case_reference TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  placed_by      TEXT    NOT NULL,
  placed_at      INTEGER NOT NULL,
  salt           BLOB    NOT NULL
) WITHOUT ROWID;
CREATE INDEX legal_holds_by_target ON legal_holds (scope, target_id);
CREATE TABLE legal_hold_releases (
  hold_id     TEXT    NOT NULL PRIMARY KEY REFERENCES legal_holds (id),
  released_by TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  released_at INTEGER NOT NULL,
  salt        BLOB    NOT NULL
) WITHOUT ROWID;

CREATE TABLE retention_purges (
  id        TEXT    NOT NULL PRIMARY KEY,
  purged_at INTEGER NOT NULL,
  actor     TEXT    NOT NULL,
  salt      BLOB    NOT NULL
) WITHOUT ROWID;
CREATE TABLE purged_declarations (
  declaration_id TEXT    NOT NULL PRIMARY KEY,
  purge_id       TEXT    NOT NULL REFERENCES retention_purges (id),
  closed_at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX purged_declarations_by_purge ON purged_declarations (purge_id);
CREATE TABLE purged_security_events (
  event_id TEXT NOT NULL PRIMARY KEY,
  purge_id TEXT NOT NULL REFERENCES retention_purges (id)
) WITHOUT ROWID;
CREATE INDEX purged_security_events_by_purge ON purged_security_events (purge_id);

CREATE TRIGGER legal_holds_no_update BEFORE UPDATE ON legal_holds
  BEGIN SELECT RAISE(ABORT, 'legal holds are written once'); END;
CREATE TRIGGER legal_holds_no_delete BEFORE DELETE ON legal_holds
  BEGIN SELECT RAISE(ABORT, 'legal holds are written once'); END;
CREATE TRIGGER legal_hold_releases_no_update BEFORE UPDATE ON legal_hold_releases
  BEGIN SELECT RAISE(ABORT, 'hold releases are written once'); END;
CREATE TRIGGER legal_hold_releases_no_delete BEFORE DELETE ON legal_hold_releases
  BEGIN SELECT RAISE(ABORT, 'hold releases are written once'); END;
CREATE TRIGGER retention_purges_no_update BEFORE UPDATE ON retention_purges
  BEGIN SELECT RAISE(ABORT, 'retention purges are written once'); END;
CREATE TRIGGER retention_purges_no_delete BEFORE DELETE ON retention_purges
  BEGIN SELECT RAISE(ABORT, 'retention purges are written once'); END;
CREATE TRIGGER purged_declarations_no_update BEFORE UPDATE ON purged_declarations
  BEGIN SELECT RAISE(ABORT, 'purge tombstones are written once'); END;
CREATE TRIGGER purged_declarations_no_delete BEFORE DELETE ON purged_declarations
  BEGIN SELECT RAISE(ABORT, 'purge tombstones are written once'); END;
CREATE TRIGGER purged_security_events_no_update BEFORE UPDATE ON purged_security_events
  BEGIN SELECT RAISE(ABORT, 'purge tombstones are written once'); END;
CREATE TRIGGER purged_security_events_no_delete BEFORE DELETE ON purged_security_events
  BEGIN SELECT RAISE(ABORT, 'purge tombstones are written once'); END;

DROP TRIGGER assessments_no_delete;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
  WHEN NOT EXISTS (SELECT 1 FROM purged_declarations p
                   WHERE p.declaration_id = OLD.declaration_id)
  BEGIN SELECT RAISE(ABORT, 'assessments are written once'); END;
DROP TRIGGER security_events_no_delete;
CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events
  WHEN NOT EXISTS (SELECT 1 FROM purged_security_events p WHERE p.event_id = OLD.id)
  BEGIN SELECT RAISE(ABORT, 'the security event log is append-only'); END;
CREATE TRIGGER data_keys_no_delete BEFORE DELETE ON data_keys
  WHEN NOT EXISTS (SELECT 1 FROM purged_declarations p
                   WHERE p.declaration_id = OLD.declaration_id)
  BEGIN SELECT RAISE(ABORT, 'data keys are destroyed only by a retention purge'); END;
CREATE TRIGGER blind_indexes_no_delete BEFORE DELETE ON declaration_blind_indexes
  WHEN NOT EXISTS (SELECT 1 FROM purged_declarations p
                   WHERE p.declaration_id = OLD.declaration_id)
  BEGIN SELECT RAISE(ABORT, 'blind indexes are removed only by a retention purge'); END;
CREATE TRIGGER idempotency_no_delete BEFORE DELETE ON idempotency
  WHEN NOT EXISTS (SELECT 1 FROM purged_declarations p
                   WHERE p.declaration_id = OLD.resource_id)
  BEGIN SELECT RAISE(ABORT, 'idempotency answers are removed only by a retention purge'); END;
)sql";

struct Migration {
  const char* sql;
  Status (*after)(Connection& db);  // C++ work in the same transaction, or nullptr
};

const std::array<Migration, 6> kMigrations = {
    Migration{kV1, nullptr}, Migration{kV2, &BackfillLedger}, Migration{kV3, nullptr},
    Migration{kV4, nullptr}, Migration{kV5, nullptr},         Migration{kV6, nullptr}};

Error SchemaTooNew(int64_t found) {
  return Error::FailedPrecondition("schema-too-new",
                                   "the database has schema version " + std::to_string(found) +
                                       " but this build knows only up to " +
                                       std::to_string(kMigrations.size()) + "; upgrade Clearway");
}

Result<int64_t> ApplyMissing(Connection& db, Timestamp now) {
  CW_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
              "  version INTEGER NOT NULL PRIMARY KEY,"
              "  applied_at INTEGER NOT NULL)"));
  int64_t current = 0;
  {
    CW_ASSIGN_OR_RETURN(Statement stmt,
                        db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    CW_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (has_row) current = stmt.ColumnInt(0);
  }
  const auto newest = static_cast<int64_t>(kMigrations.size());
  if (current > newest) return SchemaTooNew(current);
  for (int64_t version = current + 1; version <= newest; ++version) {
    const Migration& migration = kMigrations[static_cast<size_t>(version - 1)];
    CW_RETURN_IF_ERROR(db.Exec(migration.sql));
    if (migration.after != nullptr) CW_RETURN_IF_ERROR(migration.after(db));
    CW_ASSIGN_OR_RETURN(
        Statement stmt,
        db.Prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"));
    stmt.BindInt(1, version);
    stmt.BindTime(2, now);
    CW_RETURN_IF_ERROR(stmt.Run());
  }
  return newest;
}

}  // namespace

size_t MigrationCount() { return kMigrations.size(); }

Result<int64_t> ApplyMigrations(Connection& db, Timestamp now) {
  // IMMEDIATE takes the write lock up front, so two processes opening a fresh file at once
  // cannot both decide to run migration 1.
  CW_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Result<int64_t> applied = ApplyMissing(db, now);
  if (!applied.ok()) {
    db.Exec("ROLLBACK").IgnoreError();  // the original error is the one worth reporting
    return applied;
  }
  Status committed = db.Exec("COMMIT");
  if (!committed.ok()) {
    db.Exec("ROLLBACK").IgnoreError();  // a failed COMMIT may leave the transaction open
    return std::move(committed).error();
  }
  return applied;
}

}  // namespace clearway::store::sqlite::internal
