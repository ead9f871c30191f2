// File: identity/directory.h
//
// The identity directory: organisations (traders, brokers, customs administrations, partner
// administrations), the delegations traders give brokers, users and service accounts with their
// roles, password hashes and second factors, and (through TokenStore) their session and API
// tokens. IdentityStore is the interface; the SQLite backend lives in identity/sqlite and keeps
// its own database file (DATA_DIR/identity.db); InMemoryIdentityStore serves tests.
//
//   CW_RETURN_IF_ERROR(store.AddOrganisation({"DE987654321000001", "Nordfleisch Import AG",
//                                             OrganisationKind::kTrader}));
//   CW_RETURN_IF_ERROR(store.AddUser(user));
//   CW_ASSIGN_OR_RETURN(StoredUser found, store.GetUser("nordfleisch.clerk"));
//   CW_ASSIGN_OR_RETURN(Principal who, PrincipalOf(store, found, clock.Now()));
//
// Guarantees: usernames are unique; every user belongs to an organisation that exists;
// AdvanceTotpStep() and ConsumeRecoveryCode() are compare-and-set, so a code is accepted once
// even when two sign-ins race. No method logs or returns a secret it was not given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "identity/identity.h"
#include "identity/recovery_codes.h"
#include "identity/tokens.h"
#include "identity/totp.h"

namespace clearway::identity {

enum class OrganisationKind {
  kTrader,                  // imports or exports; its declarants file for it
  kBroker,                  // files for traders that delegated to it
  kCustomsAdministration,   // this node's administration: officers, analysts, managers...
  kPartnerAdministration,   // another country's administration (service accounts only)
};

std::string_view OrganisationKindName(OrganisationKind kind);  // "trader", "broker", ...
// ParseOrganisationKind(): kInvalidArgument "unknown-organisation-kind".
Result<OrganisationKind> ParseOrganisationKind(std::string_view name);

struct Organisation {
  std::string id;    // EORI for traders and brokers; an administration's own code otherwise
  std::string name;
  OrganisationKind kind = OrganisationKind::kTrader;
  bool require_mfa = false;  // declarants and brokers of this organisation must use MFA
  Timestamp created_at{};
};

// A trader's delegation to a broker, valid over [valid_from, valid_to).
struct Delegation {
  std::string trader_id;
  std::string broker_id;
  Timestamp valid_from{};
  std::optional<Timestamp> valid_to;  // nullopt = until revoked
};

// A user's TOTP second factor. `confirmed` becomes true when the user proves, with a first
// code, that the authenticator app holds the secret; only then is it asked for at sign-in.
struct TotpFactor {
  std::vector<uint8_t> secret;  // raw bytes (encrypted at rest with issue 5)
  TotpAlgorithm algorithm = TotpAlgorithm::kSha1;
  bool confirmed = false;
  int64_t last_used_step = -1;  // the last accepted time step; codes at or before it are replays
};

struct StoredUser {
  std::string username;          // unique; lower-case letters, digits, '.', '-', '_'
  std::string organisation_id;
  Role role = Role::kDeclarant;
  std::vector<std::string> offices;  // officers: the customs offices they work
  bool service_account = false;      // machines and partner administrations: API tokens only
  bool disabled = false;
  std::string password_hash;         // Argon2id PHC string; "" for service accounts
  std::optional<TotpFactor> totp;
  std::vector<StoredRecoveryCode> recovery_codes;
  Timestamp created_at{};
};

// Does this user have to pass a second factor? Officers, analysts, tariff managers, auditors
// and administrators always; declarants and brokers when their organisation requires it.
bool MfaRequired(const StoredUser& user, const Organisation& organisation);

// IdentityStore
//
// Thread-safe. Errors common to every method: kUnavailable "identity-store-failed" when the
// backend cannot be read or written.
class IdentityStore : public TokenStore {
 public:
  // AddOrganisation(): kAlreadyExists "organisation-exists".
  virtual Status AddOrganisation(const Organisation& organisation) = 0;
  // GetOrganisation(): kNotFound "organisation-not-found".
  virtual Result<Organisation> GetOrganisation(std::string_view id) const = 0;
  virtual Result<std::vector<Organisation>> ListOrganisations() const = 0;

  // AddDelegation(): kNotFound "organisation-not-found" unless the trader (kind trader) and the
  // broker (kind broker) exist; kInvalidArgument "bad-delegation" if valid_to <= valid_from.
  virtual Status AddDelegation(const Delegation& delegation) = 0;
  // DelegationsTo() lists the delegations given to a broker, ended ones included.
  virtual Result<std::vector<Delegation>> DelegationsTo(std::string_view broker_id) const = 0;

  // AddUser(): kAlreadyExists "user-exists"; kNotFound "organisation-not-found".
  virtual Status AddUser(const StoredUser& user) = 0;
  // GetUser(): kNotFound "user-not-found".
  virtual Result<StoredUser> GetUser(std::string_view username) const = 0;
  // ListUsers() lists the users of one organisation, or all when `organisation_id` is empty,
  // by username.
  virtual Result<std::vector<StoredUser>> ListUsers(std::string_view organisation_id) const = 0;

  // The setters below return kNotFound "user-not-found" for an unknown username.
  virtual Status SetDisabled(std::string_view username, bool disabled) = 0;
  virtual Status SetPasswordHash(std::string_view username, const std::string& hash) = 0;
  virtual Status SetRole(std::string_view username, Role role,
                         const std::vector<std::string>& offices) = 0;
  // SetTotp() replaces (or with nullopt removes) the user's TOTP factor.
  virtual Status SetTotp(std::string_view username, const std::optional<TotpFactor>& totp) = 0;
  // ConfirmTotp() marks the factor confirmed and records `step` as used. kFailedPrecondition
  // "mfa-not-enrolled" when the user has no factor.
  virtual Status ConfirmTotp(std::string_view username, int64_t step) = 0;
  // AdvanceTotpStep() records `step` as used if it is later than the stored last_used_step;
  // kAborted "totp-replayed" otherwise (another sign-in used this code or a later one first);
  // kFailedPrecondition "mfa-not-enrolled".
  virtual Status AdvanceTotpStep(std::string_view username, int64_t step) = 0;
  // SetRecoveryCodes() replaces the user's recovery codes.
  virtual Status SetRecoveryCodes(std::string_view username,
                                  const std::vector<StoredRecoveryCode>& codes) = 0;
  // ConsumeRecoveryCode() marks code `index` used if it is not; kAborted "recovery-code-used"
  // if it already was; kInvalidArgument "recovery-code-invalid" for an index out of range.
  virtual Status ConsumeRecoveryCode(std::string_view username, size_t index) = 0;
};

// PrincipalOf() makes the Principal of a user: its organisation, role, offices and, for a
// broker's users, the traders whose delegation to the broker is valid at `now`. Errors of
// the store (DelegationsTo()).
Result<Principal> PrincipalOf(const IdentityStore& store, const StoredUser& user, Timestamp now);

// IsValidUsername(): 3..64 characters of [a-z0-9._-], starting with a letter or digit.
bool IsValidUsername(std::string_view username);

}  // namespace clearway::identity
