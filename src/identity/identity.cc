#include "identity/identity.h"

#include <algorithm>

#include "crypto/crypto.h"

namespace clearway::identity {

namespace {

constexpr std::pair<Role, std::string_view> kRoleNames[] = {
    {Role::kDeclarant, "declarant"},         {Role::kBroker, "broker"},
    {Role::kOfficer, "officer"},             {Role::kRiskAnalyst, "risk_analyst"},
    {Role::kTariffManager, "tariff_manager"}, {Role::kAuditor, "auditor"},
    {Role::kAdministrator, "administrator"},
};

Error Forbidden() {
  return Error::PermissionDenied("forbidden", "you are not allowed to do this");
}

Error BadCredentials() {
  return Error::Unauthenticated("bad-credentials", "unknown user or wrong password");
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
                                "tariff_manager, auditor, administrator");
}

StaticUserDirectory::StaticUserDirectory(std::vector<UserRecord> users) {
  for (auto& u : users) {
    std::string name = u.principal.user_id;
    users_.emplace(std::move(name), std::move(u));
  }
}

std::optional<UserRecord> StaticUserDirectory::Find(std::string_view username) const {
  auto it = users_.find(username);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

Authenticator::Authenticator(const UserDirectory& directory)
    : directory_(directory), cache_salt_(crypto::RandomToken(32)) {
  // A real hash of a random password: verifying against it costs what a real check costs.
  dummy_hash_ = crypto::HashPassword(crypto::RandomToken(16)).value();
}

Result<Principal> Authenticator::AuthenticateBasic(std::string_view header) {
  constexpr std::string_view kScheme = "Basic ";
  if (header.size() <= kScheme.size() || header.substr(0, kScheme.size()) != kScheme) {
    return Error::Unauthenticated("missing-credentials",
                                  "send HTTP Basic credentials (Authorization: Basic ...)");
  }
  if (header.size() > 4096) return BadCredentials();
  auto decoded = crypto::Base64Decode(header.substr(kScheme.size()));
  if (!decoded.ok()) return BadCredentials();
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return BadCredentials();
  return AuthenticatePassword(std::string_view(*decoded).substr(0, colon),
                              std::string_view(*decoded).substr(colon + 1));
}

Result<Principal> Authenticator::AuthenticatePassword(std::string_view username,
                                                      std::string_view password) {
  auto user = directory_.Find(username);
  std::string digest = crypto::ToHex(crypto::Sha256(cache_salt_ + std::string(username) + '\0' +
                                                    std::string(password)));
  if (user && !user->disabled) {
    std::scoped_lock lock(mu_);
    auto it = verified_.find(username);
    if (it != verified_.end() && crypto::ConstantTimeEqual(it->second, digest)) {
      return user->principal;
    }
  }
  bool ok = crypto::VerifyPassword(user ? user->password_hash : dummy_hash_, password);
  if (!user || user->disabled || !ok) return BadCredentials();
  std::scoped_lock lock(mu_);
  verified_[std::string(username)] = digest;
  return user->principal;
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
    case Role::kAuditor:
    case Role::kAdministrator:
      return OkStatus();
    case Role::kRiskAnalyst:
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
      return std::nullopt;
    case Role::kRiskAnalyst:
    case Role::kTariffManager:
      return std::vector<std::string>{};
  }
  return std::vector<std::string>{};
}

std::optional<std::vector<std::string>> Policy::VisibleOffices(const Principal& p) {
  if (p.role == Role::kOfficer) return p.offices;
  return std::nullopt;
}

}  // namespace clearway::identity
