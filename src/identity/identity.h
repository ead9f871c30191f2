// File: identity/identity.h
//
// Who is calling and what they may do. A Principal is the authenticated caller carried through
// every request; Policy is the one authorisation policy every route checks; Authenticator
// verifies credentials against a UserDirectory.
//
// This is the first cut of the identity capability: users come from configuration (the demo
// generates them), passwords are Argon2id hashes, and requests authenticate with HTTP Basic
// over TLS. Sessions, MFA and stored users replace the directory later without changing
// Principal or Policy.
//
//   identity::Authenticator auth(directory);
//   CW_ASSIGN_OR_RETURN(auto principal, auth.AuthenticateBasic(header_value));
//   CW_RETURN_IF_ERROR(identity::Policy::CanRead(principal, row_scope));
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace clearway::identity {

enum class Role {
  kDeclarant,      // a trader's employee: files for its own organisation
  kBroker,         // a customs broker: files for the organisations that delegated to it
  kOfficer,        // works the control queue of its offices
  kRiskAnalyst,
  kTariffManager,
  kAuditor,        // reads everything it needs, never writes
  kAdministrator,
};

std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view name);

// Principal is an authenticated caller. Immutable once made; cheap to copy.
struct Principal {
  std::string user_id;                   // the username
  std::string organisation_id;           // EORI-style id of the caller's organisation
  Role role = Role::kDeclarant;
  std::vector<std::string> offices;      // officers: the customs offices they work
  std::vector<std::string> represented;  // brokers: organisations that delegated to it
};

// A user known to the directory. password_hash is an Argon2id PHC string.
struct UserRecord {
  Principal principal;
  std::string password_hash;
  bool disabled = false;
};

// UserDirectory finds users by name. Thread-safe.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  virtual std::optional<UserRecord> Find(std::string_view username) const = 0;
};

// StaticUserDirectory is a fixed list of users (from configuration).
class StaticUserDirectory final : public UserDirectory {
 public:
  explicit StaticUserDirectory(std::vector<UserRecord> users);
  std::optional<UserRecord> Find(std::string_view username) const override;
  size_t size() const { return users_.size(); }

 private:
  std::map<std::string, UserRecord, std::less<>> users_;
};

// Authenticator checks credentials. Unknown user and wrong password give the same error
// (kUnauthenticated "bad-credentials") after the same Argon2id work, so callers cannot
// enumerate users. A successful verification is remembered (keyed by a salted SHA-256 of the
// password, compared in constant time) so keep-alive clients do not pay Argon2id per request.
// Thread-safe.
class Authenticator {
 public:
  explicit Authenticator(const UserDirectory& directory);

  // AuthenticateBasic() takes an Authorization header value "Basic base64(user:pass)".
  // Errors: kUnauthenticated "missing-credentials" (empty/other scheme), "bad-credentials".
  Result<Principal> AuthenticateBasic(std::string_view authorization_header);

  // AuthenticatePassword() checks a username and password.
  Result<Principal> AuthenticatePassword(std::string_view username, std::string_view password);

 private:
  const UserDirectory& directory_;
  std::string dummy_hash_;   // verified against when the user is unknown (equal timing)
  std::string cache_salt_;
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> verified_;   // username -> salted digest
};

// The parts of a declaration that access decisions look at.
struct DeclarationScope {
  std::string organisation_id;   // the declarant organisation
  std::string office;            // customs office of declaration
};

// Policy is the single authorisation policy. Each check returns ok or kPermissionDenied
// ("forbidden", with a message that reveals nothing about the resource).
class Policy {
 public:
  // May the principal see this declaration at all?
  static Status CanRead(const Principal& p, const DeclarationScope& scope);
  // May the principal file or amend/invalidate declarations for this organisation?
  static Status CanFile(const Principal& p, std::string_view organisation_id);
  // May the principal take an officer decision (route, release, hold, seize, reject)?
  static Status CanDecide(const Principal& p, const DeclarationScope& scope);
  // Offices/organisations a principal's list queries are restricted to; nullopt = all.
  static std::optional<std::vector<std::string>> VisibleOrganisations(const Principal& p);
  static std::optional<std::vector<std::string>> VisibleOffices(const Principal& p);
};

}  // namespace clearway::identity
