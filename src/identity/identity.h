// File: identity/identity.h
//
// Who is calling and what they may do. A Principal is the authenticated caller carried through
// every request (made from the directory, identity/directory.h, when a session or API token is
// presented: app/identity_service.h); Policy is the one authorisation policy every route
// checks. UserRecord is a user as the configuration file writes it (a bootstrap).
//
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
  kPartner,        // a partner administration's service account: reads the exchange subset of
                   // the declarations lodged at the offices its agreement covers (`offices`)
};

std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view name);

// Principal is an authenticated caller. Immutable once made; cheap to copy.
struct Principal {
  std::string user_id;                   // the username
  std::string organisation_id;           // EORI-style id of the caller's organisation
  Role role = Role::kDeclarant;
  std::vector<std::string> offices;      // officers: the customs offices they work; partners:
                                         // the offices their exchange agreement covers
  std::vector<std::string> represented;  // brokers: organisations that delegated to it
};

// A user written in the configuration ([[users]]). password_hash is an Argon2id PHC string.
struct UserRecord {
  Principal principal;
  std::string password_hash;
  bool disabled = false;
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
  // May the principal see this declaration at all? What it then sees of it is its data view
  // (app/data_views.h): risk analysts read every declaration pseudonymised, partners the
  // exchange subset of those lodged at their offices.
  static Status CanRead(const Principal& p, const DeclarationScope& scope);
  // May the principal file or amend/invalidate declarations for this organisation?
  static Status CanFile(const Principal& p, std::string_view organisation_id);
  // May the principal take an officer decision (route, release, hold, seize, reject)?
  static Status CanDecide(const Principal& p, const DeclarationScope& scope);
  // May the principal read the security event log? Auditors and administrators.
  static Status CanReadSecurityEvents(const Principal& p);
  // May the principal place and release legal holds and run retention? Administrators.
  static Status CanManageRetention(const Principal& p);
  // May the principal read legal holds and the retention plan? Administrators and auditors.
  static Status CanReadRetention(const Principal& p);
  // Offices/organisations a principal's list queries are restricted to; nullopt = all.
  static std::optional<std::vector<std::string>> VisibleOrganisations(const Principal& p);
  static std::optional<std::vector<std::string>> VisibleOffices(const Principal& p);
};

}  // namespace clearway::identity
