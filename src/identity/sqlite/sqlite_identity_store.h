// File: identity/sqlite/sqlite_identity_store.h
//
// SqliteIdentityStore is the IdentityStore (and TokenStore) kept in its own SQLite database
// file, DATA_DIR/identity.db: organisations, delegations, users with their second factors and
// recovery codes, and token records. The file is created with mode 0600, runs in WAL mode with
// foreign keys on, and carries a schema_migrations table (identity/sqlite/schema.h).
//
//   CW_ASSIGN_OR_RETURN(auto store, SqliteIdentityStore::Open(data_dir + "/identity.db"));
//   CW_RETURN_IF_ERROR(store->AddOrganisation({"DE987654321000001", "Nordfleisch Import AG",
//                                              OrganisationKind::kTrader}));
//   CW_ASSIGN_OR_RETURN(StoredUser user, store->GetUser("nordfleisch.clerk"));
//
// Guarantees: AdvanceTotpStep() and ConsumeRecoveryCode() are one conditional UPDATE each,
// checked by the number of rows it changed, so they are compare-and-set even between processes
// sharing the file (the server and the offline CLI). Tokens are keyed by their SHA-256 hash;
// no token text is stored. TOTP secrets and password hashes are stored as given (encryption at
// rest comes with issue 5).
//
// Errors: besides those IdentityStore documents, kUnavailable "identity-store-failed" when the
// database cannot be read or written (busy past the 5 s timeout included) and kDataLoss
// "identity-store-corrupt" for a file that is not an identity database or holds a value this
// build cannot read.
//
// Thread safety: thread-safe; one connection guarded by a mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identity/directory.h"

namespace clearway::identity::sqlite {

namespace internal {
class Db;
class Query;
}  // namespace internal

class SqliteIdentityStore final : public IdentityStore {
 public:
  // Open() opens or creates the database at `path` and applies missing migrations. Errors:
  // kUnavailable "identity-store-failed" (cannot create or open), kDataLoss
  // "identity-store-corrupt" (not a database), kFailedPrecondition "schema-too-new".
  static Result<std::unique_ptr<SqliteIdentityStore>> Open(const std::string& path);

  SqliteIdentityStore(const SqliteIdentityStore&) = delete;
  SqliteIdentityStore& operator=(const SqliteIdentityStore&) = delete;
  ~SqliteIdentityStore() override;

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
  explicit SqliteIdentityStore(std::unique_ptr<internal::Db> db);

  // The helpers below expect mu_ held (sqlite_users.cc).
  Result<Organisation> OrganisationLocked(std::string_view id) const;
  Result<std::vector<StoredUser>> UsersLocked(std::string_view where, std::string_view key) const;
  Status FillUserLocked(StoredUser& user) const;
  Status WriteOfficesLocked(std::string_view username, const std::vector<std::string>& offices);
  Status WriteRecoveryCodesLocked(std::string_view username,
                                  const std::vector<StoredRecoveryCode>& codes);
  Status RequireUserLocked(std::string_view username) const;
  // UpdateUserLocked() runs an UPDATE of one user row (?1 = username); user-not-found when it
  // changed nothing.
  Status UpdateUserLocked(const std::string& sql, std::string_view username,
                          const std::function<void(internal::Query&)>& bind);

  mutable std::mutex mu_;
  std::unique_ptr<internal::Db> db_;  // guarded by mu_
};

}  // namespace clearway::identity::sqlite
