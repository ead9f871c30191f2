#include "identity/identity.h"

#include <algorithm>


namespace clearway::identity {

namespace {

constexpr std::pair<Role, std::string_view> kRoleNames[] = {
    {Role::kDeclarant, "declarant"},         {Role::kBroker, "broker"},
    {Role::kOfficer, "officer"},             {Role::kRiskAnalyst, "risk_analyst"},
    {Role::kTariffManager, "tariff_manager"}, {Role::kAuditor, "auditor"},
    {Role::kAdministrator, "administrator"}, {Role::kPartner, "partner"},
};

Error Forbidden() {
  return Error::PermissionDenied("forbidden", "you are not allowed to do this");
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "declarant";
}

Result<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoleNames) {
    if (n == name) return r;
  }
  return Error::InvalidArgument("role", "unknown-role",
                                "role must be one of declarant, broker, officer, risk_analyst, "
                                "tariff_manager, auditor, administrator, partner");
}

Status Policy::CanRead(const Principal& p, const DeclarationScope& scope) {
  switch (p.role) {
    case Role::kDeclarant:
      if (p.organisation_id == scope.organisation_id) return OkStatus();
      break;
    case Role::kBroker:
      if (p.organisation_id == scope.organisation_id ||
          Contains(p.represented, scope.organisation_id)) {
        return OkStatus();
      }
      break;
    case Role::kOfficer:
      if (Contains(p.offices, scope.office)) return OkStatus();
      break;
    case Role::kPartner:
      if (Contains(p.offices, scope.office)) return OkStatus();
      break;
    case Role::kAuditor:
    case Role::kAdministrator:
    case Role::kRiskAnalyst:
      return OkStatus();
    case Role::kTariffManager:
      break;
  }
  return Forbidden();
}

Status Policy::CanFile(const Principal& p, std::string_view organisation_id) {
  if (p.role == Role::kDeclarant && p.organisation_id == organisation_id) return OkStatus();
  if (p.role == Role::kBroker &&
      (p.organisation_id == organisation_id || Contains(p.represented, organisation_id))) {
    return OkStatus();
  }
  return Forbidden();
}

Status Policy::CanDecide(const Principal& p, const DeclarationScope& scope) {
  if (p.role == Role::kOfficer && Contains(p.offices, scope.office)) return OkStatus();
  return Forbidden();
}

Status Policy::CanReadSecurityEvents(const Principal& p) {
  if (p.role == Role::kAuditor || p.role == Role::kAdministrator) return OkStatus();
  return Forbidden();
}

Status Policy::CanManageRetention(const Principal& p) {
  if (p.role == Role::kAdministrator) return OkStatus();
  return Forbidden();
}

Status Policy::CanReadRetention(const Principal& p) {
  if (p.role == Role::kAuditor || p.role == Role::kAdministrator) return OkStatus();
  return Forbidden();
}

std::optional<std::vector<std::string>> Policy::VisibleOrganisations(const Principal& p) {
  switch (p.role) {
    case Role::kDeclarant:
      return std::vector<std::string>{p.organisation_id};
    case Role::kBroker: {
      std::vector<std::string> orgs = p.represented;
      orgs.push_back(p.organisation_id);
      return orgs;
    }
    case Role::kAuditor:
    case Role::kAdministrator:
    case Role::kOfficer:
    case Role::kRiskAnalyst:
    case Role::kPartner:
      return std::nullopt;
    case Role::kTariffManager:
      return std::vector<std::string>{};
  }
  return std::vector<std::string>{};
}

std::optional<std::vector<std::string>> Policy::VisibleOffices(const Principal& p) {
  if (p.role == Role::kOfficer || p.role == Role::kPartner) return p.offices;
  return std::nullopt;
}

}  // namespace clearway::identity
