#include "identity/sqlite/schema.h"

#include <array>
#include <string>

namespace clearway::identity::sqlite::internal {

namespace {

// Version 1. Timestamps are INTEGER microseconds since the Unix epoch (UTC). Tokens are keyed
// by the SHA-256 of the token text: the token itself is never stored. Secrets of second factors
// are stored as they are until issue 5 encrypts them at rest.
constexpr const char* kV1 = R"sql(
CREATE TABLE organisations (
  id          TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('trader', 'broker', 'customs', 'partner')),
  require_mfa INTEGER NOT NULL CHECK (require_mfa IN (0, 1)),
  created_at  INTEGER NOT NULL
);

CREATE TABLE delegations (
  id         INTEGER NOT NULL PRIMARY KEY,
  trader_id  TEXT    NOT NULL REFERENCES organisations (id),
  broker_id  TEXT    NOT NULL REFERENCES organisations (id),
  valid_from INTEGER NOT NULL,
  valid_to   INTEGER CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX delegations_by_broker ON delegations (broker_id, trader_id, valid_from);

CREATE TABLE users (
  username        TEXT    NOT NULL PRIMARY KEY,
  organisation_id TEXT    NOT NULL REFERENCES organisations (id),
  role            TEXT    NOT NULL,
  service_account INTEGER NOT NULL CHECK (service_account IN (0, 1)),
  disabled        INTEGER NOT NULL CHECK (disabled IN (0, 1)),
  password_hash   TEXT    NOT NULL,
  totp_secret     BLOB,
  totp_algorithm  TEXT,
  totp_confirmed  INTEGER,
  totp_last_step  INTEGER,
  created_at      INTEGER NOT NULL,
  CHECK ((totp_secret IS NULL) = (totp_last_step IS NULL))
);
CREATE INDEX users_by_organisation ON users (organisation_id, username);

CREATE TABLE user_offices (
  username TEXT    NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  idx      INTEGER NOT NULL CHECK (idx >= 0),
  office   TEXT    NOT NULL,
  PRIMARY KEY (username, idx)
) WITHOUT ROWID;

CREATE TABLE recovery_codes (
  username TEXT    NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  idx      INTEGER NOT NULL CHECK (idx >= 0),
  hash     BLOB    NOT NULL CHECK (length(hash) = 32),
  used     INTEGER NOT NULL CHECK (used IN (0, 1)),
  PRIMARY KEY (username, idx)
) WITHOUT ROWID;

CREATE TABLE tokens (
  hash                BLOB    NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
  user_id             TEXT    NOT NULL,
  kind                TEXT    NOT NULL CHECK (kind IN ('session', 'api')),
  scopes              TEXT    NOT NULL,
  issued_at           INTEGER NOT NULL,
  expires_at          INTEGER NOT NULL,
  absolute_expires_at INTEGER NOT NULL,
  revoked             INTEGER NOT NULL CHECK (revoked IN (0, 1))
) WITHOUT ROWID;
CREATE INDEX tokens_by_user ON tokens (user_id);
)sql";

constexpr std::array<const char*, 1> kMigrations = {kV1};

}  // namespace

Status Migrate(Db& db, Timestamp now) {
  CW_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  CW_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
              "  version INTEGER NOT NULL PRIMARY KEY,"
              "  applied_at INTEGER NOT NULL)"));
  int64_t current = 0;
  {
    CW_ASSIGN_OR_RETURN(Query q, db.Prepare("SELECT COALESCE(MAX(version), 0) FROM "
                                            "schema_migrations"));
    CW_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) current = q.Int(0);
  }
  const auto newest = static_cast<int64_t>(kMigrations.size());
  if (current > newest) {
    return Error::FailedPrecondition(
        "schema-too-new", "the identity database has schema version " + std::to_string(current) +
                              " but this build knows only up to " + std::to_string(newest) +
                              "; upgrade Clearway");
  }
  for (int64_t version = current + 1; version <= newest; ++version) {
    CW_RETURN_IF_ERROR(db.Exec(kMigrations[static_cast<size_t>(version - 1)]));
    CW_ASSIGN_OR_RETURN(
        Query record,
        db.Prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)"));
    record.Bind(1, version);
    record.Bind(2, now);
    CW_RETURN_IF_ERROR(record.Run());
  }
  return tx.Commit();
}

}  // namespace clearway::identity::sqlite::internal
