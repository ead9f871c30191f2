#include "store/postgres/migrations.h"

#include <array>
#include <string>

#include "store/postgres/locks.h"

namespace clearway::store::postgres::internal {

namespace {

// Version 1: declarations, their heads, transitions and idempotency records.
// Timestamps are BIGINT microseconds since the Unix epoch (UTC), as on SQLite, so that every
// value round-trips exactly and `clearway store copy` moves them unchanged. Identifiers that
// lists order by are COLLATE "C": byte order, as on SQLite, whatever the database's locale.
constexpr const char* kV1 = R"sql(
CREATE TABLE declarations (
  id              TEXT   COLLATE "C" NOT NULL,
  version         BIGINT NOT NULL CHECK (version >= 1),
  organisation_id TEXT   NOT NULL,
  declarant_id    TEXT   NOT NULL,
  office          TEXT   NOT NULL,
  type            TEXT   NOT NULL,
  status          TEXT   NOT NULL,
  channel         TEXT   NOT NULL,
  hs_chapters     TEXT   NOT NULL,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  payload         BYTEA  NOT NULL,
  PRIMARY KEY (id, version)
);

-- One row per declaration: its latest version and the fields lists filter on.
CREATE TABLE declaration_heads (
  id              TEXT   COLLATE "C" NOT NULL PRIMARY KEY,
  version         BIGINT NOT NULL,
  organisation_id TEXT   NOT NULL,
  office          TEXT   NOT NULL,
  type            TEXT   NOT NULL,
  status          TEXT   NOT NULL,
  channel         TEXT   NOT NULL,
  created_at      BIGINT NOT NULL,
  FOREIGN KEY (id, version) REFERENCES declarations (id, version)
);
CREATE INDEX heads_by_created ON declaration_heads (created_at DESC, id DESC);
CREATE INDEX heads_by_organisation ON declaration_heads (organisation_id, created_at DESC, id DESC);
CREATE INDEX heads_by_office ON declaration_heads (office, created_at DESC, id DESC);
CREATE INDEX heads_by_status ON declaration_heads (status, created_at DESC, id DESC);

CREATE TABLE transitions (
  declaration_id TEXT   COLLATE "C" NOT NULL,
  sequence       BIGINT NOT NULL CHECK (sequence >= 1),
  version        BIGINT NOT NULL,
  from_status    TEXT   NOT NULL,
  to_status      TEXT   NOT NULL,
  channel        TEXT   NOT NULL,
  actor          TEXT   NOT NULL,
  reason         TEXT   NOT NULL,
  at             BIGINT NOT NULL,
  PRIMARY KEY (declaration_id, sequence),
  FOREIGN KEY (declaration_id, version) REFERENCES declarations (id, version)
);

CREATE TABLE idempotency (
  principal     TEXT    NOT NULL,
  key           TEXT    NOT NULL,
  request_hash  TEXT    NOT NULL,
  status_code   INTEGER NOT NULL,
  response_body BYTEA   NOT NULL,
  resource_id   TEXT    NOT NULL,
  created_at    BIGINT  NOT NULL,
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_by_created ON idempotency (created_at);
)sql";

// Version 2: the ledger (salts beside the records; leaves, complete subtrees, checkpoints).
// SQLite's version 2 also enters older records into the ledger; a PostgreSQL database is
// always created at version 2 or later, so it never holds records without their leaves.
constexpr const char* kV2 = R"sql(
ALTER TABLE declarations ADD COLUMN salt BYTEA;
ALTER TABLE transitions ADD COLUMN salt BYTEA;

CREATE TABLE ledger_leaves (
  idx       BIGINT NOT NULL PRIMARY KEY CHECK (idx >= 0),
  leaf_hash BYTEA  NOT NULL CHECK (octet_length(leaf_hash) = 32),
  kind      TEXT   NOT NULL,
  record_id TEXT   NOT NULL UNIQUE,
  entry     BYTEA  NOT NULL
);

CREATE TABLE ledger_nodes (
  level INTEGER NOT NULL CHECK (level >= 1),
  idx   BIGINT  NOT NULL CHECK (idx >= 0),
  hash  BYTEA   NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (level, idx)
);

CREATE TABLE ledger_checkpoints (
  size      BIGINT NOT NULL PRIMARY KEY CHECK (size >= 0),
  root      BYTEA  NOT NULL CHECK (octet_length(root) = 32),
  note      TEXT   NOT NULL,
  issued_at BIGINT NOT NULL
);
)sql";

// Version 3: witnesses' cosignatures of kept checkpoints. `seq` keeps the order they were
// received in (SQLite's rowid).
constexpr const char* kV3 = R"sql(
CREATE TABLE ledger_cosignatures (
  seq         BIGINT  GENERATED ALWAYS AS IDENTITY,
  size        BIGINT  NOT NULL REFERENCES ledger_checkpoints (size),
  witness     TEXT    NOT NULL,
  key_id      BIGINT  NOT NULL,
  line        TEXT    NOT NULL,
  received_at BIGINT  NOT NULL,
  PRIMARY KEY (size, witness, key_id)
);
CREATE INDEX cosignatures_by_seq ON ledger_cosignatures (size, seq);
)sql";

// Version 4: assessments (the duty quote and risk decision of each filed version) and the
// append-only security event log. Both are written once: triggers refuse UPDATE and DELETE.
constexpr const char* kV4 = R"sql(
CREATE TABLE assessments (
  declaration_id TEXT   COLLATE "C" NOT NULL,
  version        BIGINT NOT NULL,
  at             BIGINT NOT NULL,
  quote          BYTEA  NOT NULL,
  risk           BYTEA  NOT NULL,
  salt           BYTEA  NOT NULL,
  PRIMARY KEY (declaration_id, version),
  FOREIGN KEY (declaration_id, version) REFERENCES declarations (id, version)
);

CREATE TABLE security_events (
  id      TEXT   COLLATE "C" NOT NULL PRIMARY KEY,
  at      BIGINT NOT NULL,
  type    TEXT   NOT NULL,
  outcome TEXT   NOT NULL,
  actor   TEXT   NOT NULL,
  event   BYTEA  NOT NULL,
  salt    BYTEA  NOT NULL
);
CREATE INDEX security_events_by_at ON security_events (at DESC, id DESC);
CREATE INDEX security_events_by_actor ON security_events (actor, at DESC, id DESC);
CREATE INDEX security_events_by_type ON security_events (type, at DESC, id DESC);

CREATE FUNCTION clearway_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are written once', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER assessments_written_once BEFORE UPDATE OR DELETE ON assessments
  FOR EACH ROW EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER security_events_append_only BEFORE UPDATE OR DELETE ON security_events
  FOR EACH ROW EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER assessments_no_truncate BEFORE TRUNCATE ON assessments
  FOR EACH STATEMENT EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER security_events_no_truncate BEFORE TRUNCATE ON security_events
  FOR EACH STATEMENT EXECUTE FUNCTION clearway_refuse_change();
)sql";

// Version 5: envelope encryption at rest (docs/keys.md), as SQLite's version 5: each
// declaration's wrapped data key, and the blind indexes of its versions' sensitive values.
// Shredding a declaration is deleting its data_keys row, so no foreign key ties the row.
constexpr const char* kV5 = R"sql(
CREATE TABLE data_keys (
  declaration_id TEXT   COLLATE "C" NOT NULL PRIMARY KEY,
  kek_id         TEXT   COLLATE "C" NOT NULL,
  kek_version    BIGINT NOT NULL CHECK (kek_version >= 1),
  wrapped        BYTEA  NOT NULL,
  created_at     BIGINT NOT NULL
);
CREATE INDEX data_keys_by_kek ON data_keys (kek_id, kek_version, declaration_id);

CREATE TABLE declaration_blind_indexes (
  purpose        TEXT   NOT NULL,
  idx            TEXT   NOT NULL,
  declaration_id TEXT   COLLATE "C" NOT NULL,
  version        BIGINT NOT NULL,
  PRIMARY KEY (purpose, idx, declaration_id, version),
  FOREIGN KEY (declaration_id, version) REFERENCES declarations (id, version)
);
)sql";

// Version 6: retention, as SQLite's version 6 (docs/formats/store-schema.md). Legal holds,
// their releases, purges and tombstones are written once. The write-once triggers of
// assessments and security events now let a DELETE through only for a row whose tombstone
// (purged_declarations, purged_security_events) the purge wrote first in the same
// transaction; data keys, blind indexes and idempotency answers get the same DELETE guard.
// UPDATE and TRUNCATE stay refused.
constexpr const char* kV6 = R"sql(
CREATE TABLE legal_holds (
  id             TEXT   COLLATE "C" NOT NULL PRIMARY KEY,
  scope          TEXT   NOT NULL CHECK (scope IN ('declaration', 'organisation')),
  target_id      TEXT   COLLATE "C" NOT NULL,
  case_reference TEXT   NOT NULL,
  reason         TEXT   NOT NULL,
  placed_by      TEXT   NOT NULL,
  placed_at      BIGINT NOT NULL,
  salt           BYTEA  NOT NULL
);
CREATE INDEX legal_holds_by_target ON legal_holds (scope, target_id);
CREATE TABLE legal_hold_releases (
  hold_id     TEXT   COLLATE "C" NOT NULL PRIMARY KEY REFERENCES legal_holds (id),
  released_by TEXT   NOT NULL,
  reason      TEXT   NOT NULL,
  released_at BIGINT NOT NULL,
  salt        BYTEA  NOT NULL
);
CREATE TABLE retention_purges (
  id        TEXT   COLLATE "C" NOT NULL PRIMARY KEY,
  purged_at BIGINT NOT NULL,
  actor     TEXT   NOT NULL,
  salt      BYTEA  NOT NULL
);
CREATE TABLE purged_declarations (
  declaration_id TEXT   COLLATE "C" NOT NULL PRIMARY KEY,
  purge_id       TEXT   COLLATE "C" NOT NULL REFERENCES retention_purges (id),
  closed_at      BIGINT NOT NULL
);
CREATE INDEX purged_declarations_by_purge ON purged_declarations (purge_id);
CREATE TABLE purged_security_events (
  event_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  purge_id TEXT COLLATE "C" NOT NULL REFERENCES retention_purges (id)
);
CREATE INDEX purged_security_events_by_purge ON purged_security_events (purge_id);

CREATE TRIGGER legal_holds_written_once BEFORE UPDATE OR DELETE ON legal_holds
  FOR EACH ROW EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER legal_hold_releases_written_once BEFORE UPDATE OR DELETE ON legal_hold_releases
  FOR EACH ROW EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER retention_purges_written_once BEFORE UPDATE OR DELETE ON retention_purges
  FOR EACH ROW EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER purged_declarations_written_once BEFORE UPDATE OR DELETE ON purged_declarations
  FOR EACH ROW EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER purged_security_events_written_once
  BEFORE UPDATE OR DELETE ON purged_security_events
  FOR EACH ROW EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER legal_holds_no_truncate BEFORE TRUNCATE ON legal_holds
  FOR EACH STATEMENT EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER legal_hold_releases_no_truncate BEFORE TRUNCATE ON legal_hold_releases
  FOR EACH STATEMENT EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER retention_purges_no_truncate BEFORE TRUNCATE ON retention_purges
  FOR EACH STATEMENT EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER purged_declarations_no_truncate BEFORE TRUNCATE ON purged_declarations
  FOR EACH STATEMENT EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER purged_security_events_no_truncate BEFORE TRUNCATE ON purged_security_events
  FOR EACH STATEMENT EXECUTE FUNCTION clearway_refuse_change();

-- clearway_purged_only(column, tombstone): a DELETE passes only when the row's `column` names
-- a declaration (tombstone 'declaration') or event ('security-event') already tombstoned.
CREATE FUNCTION clearway_purged_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key TEXT := to_jsonb(OLD) ->> TG_ARGV[0];
BEGIN
  IF TG_ARGV[1] = 'declaration' AND
     EXISTS (SELECT 1 FROM purged_declarations WHERE declaration_id = key) THEN
    RETURN OLD;
  END IF;
  IF TG_ARGV[1] = 'security-event' AND
     EXISTS (SELECT 1 FROM purged_security_events WHERE event_id = key) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% rows are removed only by a retention purge', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
DROP TRIGGER assessments_written_once ON assessments;
CREATE TRIGGER assessments_written_once BEFORE UPDATE ON assessments
  FOR EACH ROW EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER assessments_purged_only BEFORE DELETE ON assessments
  FOR EACH ROW EXECUTE FUNCTION clearway_purged_only('declaration_id', 'declaration');
DROP TRIGGER security_events_append_only ON security_events;
CREATE TRIGGER security_events_append_only BEFORE UPDATE ON security_events
  FOR EACH ROW EXECUTE FUNCTION clearway_refuse_change();
CREATE TRIGGER security_events_purged_only BEFORE DELETE ON security_events
  FOR EACH ROW EXECUTE FUNCTION clearway_purged_only('id', 'security-event');
CREATE TRIGGER data_keys_purged_only BEFORE DELETE ON data_keys
  FOR EACH ROW EXECUTE FUNCTION clearway_purged_only('declaration_id', 'declaration');
CREATE TRIGGER blind_indexes_purged_only BEFORE DELETE ON declaration_blind_indexes
  FOR EACH ROW EXECUTE FUNCTION clearway_purged_only('declaration_id', 'declaration');
CREATE TRIGGER idempotency_purged_only BEFORE DELETE ON idempotency
  FOR EACH ROW EXECUTE FUNCTION clearway_purged_only('resource_id', 'declaration');
CREATE TRIGGER data_keys_no_truncate BEFORE TRUNCATE ON data_keys
  FOR EACH STATEMENT EXECUTE FUNCTION clearway_refuse_change();
)sql";

const std::array<const char*, 6> kMigrations = {kV1, kV2, kV3, kV4, kV5, kV6};

Error SchemaTooNew(int64_t found) {
  return Error::FailedPrecondition("schema-too-new",
                                   "the database has schema version " + std::to_string(found) +
                                       " but this build knows only up to " +
                                       std::to_string(kMigrations.size()) + "; upgrade Clearway");
}

Result<int64_t> ApplyMissing(PgConnection& db, Timestamp now) {
  CW_ASSIGN_OR_RETURN(PgRows locked, db.Run("SELECT pg_advisory_xact_lock($1, $2)",
                                            PgParams().Int(kLockClass).Int(kMigrationLock)));
  static_cast<void>(locked);
  CW_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
              "  version BIGINT NOT NULL PRIMARY KEY,"
              "  applied_at BIGINT NOT NULL)"));
  CW_ASSIGN_OR_RETURN(PgRows rows,
                      db.RunOnce("SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations"));
  const int64_t current = rows.Int(0, 0);
  const auto newest = static_cast<int64_t>(kMigrations.size());
  if (current > newest) return SchemaTooNew(current);
  for (int64_t version = current + 1; version <= newest; ++version) {
    CW_RETURN_IF_ERROR(db.Exec(kMigrations[static_cast<size_t>(version - 1)]));
    CW_ASSIGN_OR_RETURN(PgRows inserted,
                        db.RunOnce("INSERT INTO schema_migrations (version, applied_at)"
                                   " VALUES ($1, $2)",
                                   PgParams().Int(version).Time(now)));
    static_cast<void>(inserted);
  }
  return newest;
}

}  // namespace

size_t MigrationCount() { return kMigrations.size(); }

Result<int64_t> ApplyMigrations(PgConnection& db, Timestamp now) {
  CW_RETURN_IF_ERROR(db.Exec("BEGIN"));
  Result<int64_t> applied = ApplyMissing(db, now);
  if (!applied.ok()) {
    db.Exec("ROLLBACK").IgnoreError();  // the original error is the one worth reporting
    return applied;
  }
  Status committed = db.Exec("COMMIT");
  if (!committed.ok()) return std::move(committed).error();
  return applied;
}

Result<int64_t> SchemaVersionOf(PgConnection& db) {
  CW_ASSIGN_OR_RETURN(PgRows exists,
                      db.RunOnce("SELECT to_regclass('schema_migrations') IS NOT NULL"));
  if (exists.Int(0, 0) == 0) return int64_t{0};
  CW_ASSIGN_OR_RETURN(PgRows rows,
                      db.RunOnce("SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations"));
  return rows.Int(0, 0);
}

}  // namespace clearway::store::postgres::internal
