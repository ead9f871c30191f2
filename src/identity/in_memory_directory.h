// File: identity/in_memory_directory.h
//
// InMemoryIdentityStore is an IdentityStore kept in memory: for tests, and for a demo that
// needs no identity database. It keeps the same contract as the SQLite backend
// (identity/sqlite/sqlite_identity_store.h); both run the same contract tests.
//
//   InMemoryIdentityStore store;
//   CW_RETURN_IF_ERROR(store.AddOrganisation({"DE987654321000001", "Nordfleisch Import AG",
//                                             OrganisationKind::kTrader}));
//   CW_RETURN_IF_ERROR(store.AddUser(user));
//   CW_RETURN_IF_ERROR(store.AdvanceTotpStep("nordfleisch.clerk", step));  // once per step
//
// Thread safety: every method is thread-safe. The directory is guarded by one mutex, so the
// compare-and-set methods (AdvanceTotpStep, ConsumeRecoveryCode) check and write under the
// same lock; tokens are delegated to an InMemoryTokenStore with its own lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identity/directory.h"
#include "identity/tokens.h"

namespace clearway::identity {

// InMemoryIdentityStore
//
// Each method returns what IdentityStore documents for it; none returns kUnavailable.
class InMemoryIdentityStore final : public IdentityStore {
 public:
  InMemoryIdentityStore() = default;
  InMemoryIdentityStore(const InMemoryIdentityStore&) = delete;
  InMemoryIdentityStore& operator=(const InMemoryIdentityStore&) = delete;

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
  // UserLocked() finds a user; the caller holds mu_.
  Result<StoredUser*> UserLocked(std::string_view username);

  mutable std::mutex mu_;
  std::map<std::string, Organisation, std::less<>> organisations_;  // guarded by mu_
  std::vector<Delegation> delegations_;                             // guarded by mu_
  std::map<std::string, StoredUser, std::less<>> users_;            // guarded by mu_
  InMemoryTokenStore tokens_;                                       // locks itself
};

}  // namespace clearway::identity
