#include "identity/directory.h"

#include <algorithm>
#include <array>
#include <utility>

namespace clearway::identity {

namespace {

constexpr std::array<std::pair<OrganisationKind, std::string_view>, 4> kKindNames = {{
    {OrganisationKind::kTrader, "trader"},
    {OrganisationKind::kBroker, "broker"},
    {OrganisationKind::kCustomsAdministration, "customs"},
    {OrganisationKind::kPartnerAdministration, "partner"},
}};

constexpr size_t kMinUsernameLength = 3;
constexpr size_t kMaxUsernameLength = 64;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Delegations are valid over [valid_from, valid_to): the end is exclusive, like every
// deadline in Clearway.
bool ValidAt(const Delegation& delegation, Timestamp now) {
  if (now < delegation.valid_from) return false;
  return !delegation.valid_to.has_value() || now < *delegation.valid_to;
}

}  // namespace

std::string_view OrganisationKindName(OrganisationKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "trader";
}

Result<OrganisationKind> ParseOrganisationKind(std::string_view name) {
  for (const auto& [kind, n] : kKindNames) {
    if (n == name) return kind;
  }
  return Error::InvalidArgument("kind", "unknown-organisation-kind",
                                "organisation kind must be one of trader, broker, customs, partner");
}

bool MfaRequired(const StoredUser& user, const Organisation& organisation) {
  switch (user.role) {
    case Role::kDeclarant:
    case Role::kBroker:
      return organisation.require_mfa;
    case Role::kOfficer:
    case Role::kRiskAnalyst:
    case Role::kTariffManager:
    case Role::kAuditor:
    case Role::kAdministrator:
    case Role::kPartner:  // service accounts only: they never sign in
      return true;
  }
  return true;  // an unknown role value: fail closed
}

Result<Principal> PrincipalOf(const IdentityStore& store, const StoredUser& user, Timestamp now) {
  Principal principal;
  principal.user_id = user.username;
  principal.organisation_id = user.organisation_id;
  principal.role = user.role;
  principal.offices = user.offices;
  // Only the broker role acts for other organisations (Policy reads `represented` for it alone),
  // so other users never carry delegations even when their organisation is a broker.
  if (user.role == Role::kBroker) {
    CW_ASSIGN_OR_RETURN(std::vector<Delegation> delegations,
                        store.DelegationsTo(user.organisation_id));
    for (const Delegation& delegation : delegations) {
      if (ValidAt(delegation, now)) principal.represented.push_back(delegation.trader_id);
    }
    std::sort(principal.represented.begin(), principal.represented.end());
    principal.represented.erase(
        std::unique(principal.represented.begin(), principal.represented.end()),
        principal.represented.end());
  }
  return principal;
}

bool IsValidUsername(std::string_view username) {
  if (username.size() < kMinUsernameLength || username.size() > kMaxUsernameLength) return false;
  if (!IsLowerAlnum(username.front())) return false;
  return std::all_of(username.begin(), username.end(),
                     [](char c) { return IsLowerAlnum(c) || c == '.' || c == '-' || c == '_'; });
}

}  // namespace clearway::identity
