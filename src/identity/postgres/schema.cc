#include "identity/postgres/schema.h"

#include <array>
#include <string>

#include "store/postgres/locks.h"
#include "store/postgres/module_schema.h"

namespace clearway::identity::postgres::internal {

namespace {

using store::postgres::internal::PgConnection;

// Version 1, SQLite's version 1 (identity/sqlite/schema.cc). Tokens are keyed by the SHA-256 of
// the token text: the token itself is never stored.
constexpr const char* kV1 = R"sql(
CREATE TABLE identity_organisations (
  id          TEXT    COLLATE "C" NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('trader', 'broker', 'customs', 'partner')),
  require_mfa BOOLEAN NOT NULL,
  created_at  BIGINT  NOT NULL
);

CREATE TABLE identity_delegations (
  id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trader_id  TEXT    COLLATE "C" NOT NULL REFERENCES identity_organisations (id),
  broker_id  TEXT    COLLATE "C" NOT NULL REFERENCES identity_organisations (id),
  valid_from BIGINT  NOT NULL,
  valid_to   BIGINT  CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX identity_delegations_by_broker
  ON identity_delegations (broker_id, trader_id, valid_from);

CREATE TABLE identity_users (
  username        TEXT    COLLATE "C" NOT NULL PRIMARY KEY,
  organisation_id TEXT    COLLATE "C" NOT NULL REFERENCES identity_organisations (id),
  role            TEXT    NOT NULL,
  service_account BOOLEAN NOT NULL,
  disabled        BOOLEAN NOT NULL,
  password_hash   TEXT    NOT NULL,
  totp_secret     BYTEA,
  totp_algorithm  TEXT,
  totp_confirmed  BOOLEAN,
  totp_last_step  BIGINT,
  created_at      BIGINT  NOT NULL,
  CHECK ((totp_secret IS NULL) = (totp_last_step IS NULL))
);
CREATE INDEX identity_users_by_organisation ON identity_users (organisation_id, username);

CREATE TABLE identity_user_offices (
  username TEXT   COLLATE "C" NOT NULL REFERENCES identity_users (username) ON DELETE CASCADE,
  idx      BIGINT NOT NULL CHECK (idx >= 0),
  office   TEXT   NOT NULL,
  PRIMARY KEY (username, idx)
);

CREATE TABLE identity_recovery_codes (
  username TEXT    COLLATE "C" NOT NULL REFERENCES identity_users (username) ON DELETE CASCADE,
  idx      BIGINT  NOT NULL CHECK (idx >= 0),
  hash     BYTEA   NOT NULL CHECK (length(hash) = 32),
  used     BOOLEAN NOT NULL,
  PRIMARY KEY (username, idx)
);

CREATE TABLE identity_tokens (
  hash                BYTEA   NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
  user_id             TEXT    COLLATE "C" NOT NULL,
  kind                TEXT    NOT NULL CHECK (kind IN ('session', 'api')),
  scopes              TEXT    NOT NULL,
  issued_at           BIGINT  NOT NULL,
  expires_at          BIGINT  NOT NULL,
  absolute_expires_at BIGINT  NOT NULL,
  revoked             BOOLEAN NOT NULL
);
CREATE INDEX identity_tokens_by_user ON identity_tokens (user_id);
)sql";

const std::array<const char*, 1> kMigrations = {kV1};

}  // namespace

int64_t IdentityMigrationCount() { return static_cast<int64_t>(kMigrations.size()); }

const store::postgres::internal::ModuleMigrations& IdentityMigrations() {
  static const store::postgres::internal::ModuleMigrations migrations = {
      "identity_schema_migrations", store::postgres::internal::kIdentityMigrationLock,
      kMigrations, "the identity tables"};
  return migrations;
}

}  // namespace clearway::identity::postgres::internal
