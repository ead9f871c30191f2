#include "app/identity_bootstrap.h"

#include <string>
#include <vector>

namespace clearway::app {

namespace {

identity::OrganisationKind KindFor(identity::Role role) {
  switch (role) {
    case identity::Role::kDeclarant:
      return identity::OrganisationKind::kTrader;
    case identity::Role::kBroker:
      return identity::OrganisationKind::kBroker;
    case identity::Role::kPartner:
      return identity::OrganisationKind::kPartnerAdministration;
    default:
      return identity::OrganisationKind::kCustomsAdministration;
  }
}

// EnsureDelegation() adds an open-ended delegation unless the broker already has one from the
// trader: a bootstrap run again (by a second node on a shared directory, or after a user of
// the broker was removed from it) does not pile up copies.
Status EnsureDelegation(identity::IdentityStore& directory, const std::string& trader,
                        const std::string& broker, Timestamp now) {
  CW_ASSIGN_OR_RETURN(std::vector<identity::Delegation> given, directory.DelegationsTo(broker));
  for (const identity::Delegation& delegation : given) {
    if (delegation.trader_id == trader && !delegation.valid_to.has_value()) return OkStatus();
  }
  return directory.AddDelegation(identity::Delegation{trader, broker, now, std::nullopt});
}

}  // namespace

Status EnsureOrganisation(identity::IdentityStore& directory, const identity::Organisation& org) {
  Status added = directory.AddOrganisation(org);
  if (!added.ok() && added.error().code != ErrorCode::kAlreadyExists) return added;
  return OkStatus();
}

Status BootstrapUsers(identity::IdentityStore& directory,
                      const std::vector<identity::UserRecord>& users, Timestamp now) {
  for (const identity::UserRecord& record : users) {
    const identity::Principal& p = record.principal;
    Result<identity::StoredUser> existing = directory.GetUser(p.user_id);
    if (existing.ok()) continue;
    if (existing.error().code != ErrorCode::kNotFound) return std::move(existing).error();
    CW_RETURN_IF_ERROR(EnsureOrganisation(
        directory, identity::Organisation{p.organisation_id, p.organisation_id, KindFor(p.role),
                                          false, now}));
    for (const std::string& trader : p.represented) {
      CW_RETURN_IF_ERROR(EnsureOrganisation(
          directory, identity::Organisation{trader, trader, identity::OrganisationKind::kTrader,
                                            false, now}));
      CW_RETURN_IF_ERROR(EnsureDelegation(directory, trader, p.organisation_id, now));
    }
    identity::StoredUser user;
    user.username = p.user_id;
    user.organisation_id = p.organisation_id;
    user.role = p.role;
    user.offices = p.offices;
    user.disabled = record.disabled;
    user.password_hash = record.password_hash;
    user.created_at = now;
    // Another node sharing the directory (PostgreSQL) may have added it a moment ago.
    Status added = directory.AddUser(user);
    if (!added.ok() && added.error().code != ErrorCode::kAlreadyExists) return added;
  }
  return OkStatus();
}

}  // namespace clearway::app
