// File: identity/postgres/postgres_identity_store.h
//
// PostgresIdentityStore is the IdentityStore (and TokenStore) kept in a PostgreSQL database,
// normally the one the PostgreSQL store uses (docs/store-postgres.md), so that every node
// sharing that database sees the same organisations, delegations, users, second factors,
// recovery codes and session and API tokens: a token issued by one node is valid on all.
// Its tables carry an `identity_` prefix and its own version table
// (identity_schema_migrations), so they live beside the store's tables without touching them
// (identity/postgres/schema.h).
//
//   PostgresIdentityOptions options;
//   options.url = "postgres://clearway@db.example/clearway";
//   CW_ASSIGN_OR_RETURN(auto directory, PostgresIdentityStore::Open(options));
//   CW_ASSIGN_OR_RETURN(StoredUser user, directory->GetUser("nordfleisch.clerk"));
//
// Guarantees (as SqliteIdentityStore): AdvanceTotpStep() and ConsumeRecoveryCode() are one
// conditional UPDATE each, checked by the number of rows it changed. PostgreSQL's row lock makes
// a racing UPDATE on another connection (another node) wait and then re-check its condition
// against the committed row, so a step or a recovery code is accepted exactly once across every
// node. Tokens are keyed by their SHA-256 hash; no token text is stored. TOTP secrets and
// password hashes are stored as given (encryption at rest comes with issue 5).
//
// Errors: besides those IdentityStore documents, kUnavailable "identity-store-failed" when the
// database cannot be reached, read or written; kDataLoss "identity-store-corrupt" for a stored
// value this build cannot read; kInvalidArgument "unsupported-text" for text PostgreSQL cannot
// hold (a NUL byte, invalid UTF-8). Messages never carry the password of the URL.
//
// Thread safety: thread-safe; a small pool of connections, each lent to one call at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identity/directory.h"

namespace clearway::store::postgres::internal {
class ConnectionPool;
}  // namespace clearway::store::postgres::internal

namespace clearway::identity::postgres {

struct PostgresIdentityOptions {
  std::string url;  // postgres://… or postgresql://…
  // Shown to operators in pg_stat_activity.
  std::string application_name = "clearway-identity";
  int connections = 4;  // 1..64; every request reads a token and its user
};

class PostgresIdentityStore final : public IdentityStore {
 public:
  // Open() connects, then applies missing migrations (in one transaction, under an advisory
  // lock, so that nodes starting together migrate once). Errors: kInvalidArgument
  // "bad-identity-store-option" (field url or connections), kUnavailable
  // "identity-store-failed" (cannot connect), kFailedPrecondition "schema-too-new".
  static Result<std::unique_ptr<PostgresIdentityStore>> Open(
      const PostgresIdentityOptions& options);

  // SchemaVersion() is the newest identity schema version this build knows.
  static int64_t SchemaVersion();

  PostgresIdentityStore(const PostgresIdentityStore&) = delete;
  PostgresIdentityStore& operator=(const PostgresIdentityStore&) = delete;
  ~PostgresIdentityStore() override;

  Status AddOrganisation(const Organisation& organisation) override;
  Result<Organisation> GetOrganisation(std::string_view id) const override;
  Result<std::vector<Organisation>> ListOrganisations() const override;

  Status AddDelegation(const Delegation& delegation) override;
  Result<std::vector<Delegation>> DelegationsTo(std::string_view broker_id) const override;

  Status AddUser(const StoredUser& user) override;
  Result<StoredUser> GetUser(std::string_view username) const override;
  Result<std::vector<StoredUser>> ListUsers(std::string_view organisation_id) const override;

  Status SetDisabled(std::string_view username, bool disabled) override;
  Status SetPasswordHash(std::string_view username, const std::string& hash) override;
  Status SetRole(std::string_view username, Role role,
                 const std::vector<std::string>& offices) override;
  Status SetTotp(std::string_view username, const std::optional<TotpFactor>& totp) override;
  Status ConfirmTotp(std::string_view username, int64_t step) override;
  Status AdvanceTotpStep(std::string_view username, int64_t step) override;
  Status SetRecoveryCodes(std::string_view username,
                          const std::vector<StoredRecoveryCode>& codes) override;
  Status ConsumeRecoveryCode(std::string_view username, size_t index) override;

  Status Put(const TokenRecord& record) override;
  Result<TokenRecord> FindByHash(const TokenHash& hash) const override;
  Status SetExpiry(const TokenHash& hash, Timestamp expires_at) override;
  Status Revoke(const TokenHash& hash) override;
  Result<size_t> RevokeAllForUser(std::string_view user_id) override;
  Result<size_t> PurgeSessions(Timestamp ended_before, bool dry_run) override;

 private:
  explicit PostgresIdentityStore(std::unique_ptr<store::postgres::internal::ConnectionPool> pool);

  // Thread-safe itself; const readers borrow connections from it too.
  std::unique_ptr<store::postgres::internal::ConnectionPool> pool_;
};

}  // namespace clearway::identity::postgres
