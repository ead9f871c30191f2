#include "identity/in_memory_directory.h"

#include <algorithm>
#include <tuple>

namespace clearway::identity {

namespace {

Error OrganisationNotFound(std::string_view id) {
  return Error::NotFound("organisation-not-found", "no organisation " + std::string(id));
}

Error UserNotFound() { return Error::NotFound("user-not-found", "no such user"); }

Error NotEnrolled() {
  return Error::FailedPrecondition("mfa-not-enrolled", "the user has no TOTP factor");
}

}  // namespace

Status InMemoryIdentityStore::AddOrganisation(const Organisation& organisation) {
  std::scoped_lock lock(mu_);
  if (!organisations_.emplace(organisation.id, organisation).second) {
    return Error::AlreadyExists("organisation-exists",
                                "organisation " + organisation.id + " exists");
  }
  return OkStatus();
}

Result<Organisation> InMemoryIdentityStore::GetOrganisation(std::string_view id) const {
  std::scoped_lock lock(mu_);
  auto it = organisations_.find(id);
  if (it == organisations_.end()) return OrganisationNotFound(id);
  return it->second;
}

Result<std::vector<Organisation>> InMemoryIdentityStore::ListOrganisations() const {
  std::scoped_lock lock(mu_);
  std::vector<Organisation> out;
  out.reserve(organisations_.size());
  for (const auto& [id, organisation] : organisations_) out.push_back(organisation);
  return out;
}

Status InMemoryIdentityStore::AddDelegation(const Delegation& delegation) {
  if (delegation.valid_to.has_value() && *delegation.valid_to <= delegation.valid_from) {
    return Error::InvalidArgument("valid_to", "bad-delegation",
                                  "a delegation must end after it starts");
  }
  std::scoped_lock lock(mu_);
  auto trader = organisations_.find(delegation.trader_id);
  if (trader == organisations_.end() || trader->second.kind != OrganisationKind::kTrader) {
    return OrganisationNotFound(delegation.trader_id);
  }
  auto broker = organisations_.find(delegation.broker_id);
  if (broker == organisations_.end() || broker->second.kind != OrganisationKind::kBroker) {
    return OrganisationNotFound(delegation.broker_id);
  }
  delegations_.push_back(delegation);
  return OkStatus();
}

Result<std::vector<Delegation>> InMemoryIdentityStore::DelegationsTo(
    std::string_view broker_id) const {
  std::scoped_lock lock(mu_);
  std::vector<Delegation> out;
  for (const Delegation& delegation : delegations_) {
    if (delegation.broker_id == broker_id) out.push_back(delegation);
  }
  // The order the SQLite backend gives: by trader, then start.
  std::stable_sort(out.begin(), out.end(), [](const Delegation& a, const Delegation& b) {
    return std::tie(a.trader_id, a.valid_from) < std::tie(b.trader_id, b.valid_from);
  });
  return out;
}

Status InMemoryIdentityStore::AddUser(const StoredUser& user) {
  std::scoped_lock lock(mu_);
  if (users_.contains(user.username)) {
    return Error::AlreadyExists("user-exists", "user " + user.username + " exists");
  }
  if (!organisations_.contains(user.organisation_id)) {
    return OrganisationNotFound(user.organisation_id);
  }
  users_.emplace(user.username, user);
  return OkStatus();
}

Result<StoredUser> InMemoryIdentityStore::GetUser(std::string_view username) const {
  std::scoped_lock lock(mu_);
  auto it = users_.find(username);
  if (it == users_.end()) return UserNotFound();
  return it->second;
}

Result<std::vector<StoredUser>> InMemoryIdentityStore::ListUsers(
    std::string_view organisation_id) const {
  std::scoped_lock lock(mu_);
  std::vector<StoredUser> out;
  for (const auto& [name, user] : users_) {
    if (organisation_id.empty() || user.organisation_id == organisation_id) out.push_back(user);
  }
  return out;
}

Result<StoredUser*> InMemoryIdentityStore::UserLocked(std::string_view username) {
  auto it = users_.find(username);
  if (it == users_.end()) return UserNotFound();
  return &it->second;
}

Status InMemoryIdentityStore::SetDisabled(std::string_view username, bool disabled) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(StoredUser * user, UserLocked(username));
  user->disabled = disabled;
  return OkStatus();
}

Status InMemoryIdentityStore::SetPasswordHash(std::string_view username, const std::string& hash) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(StoredUser * user, UserLocked(username));
  user->password_hash = hash;
  return OkStatus();
}

Status InMemoryIdentityStore::SetRole(std::string_view username, Role role,
                                      const std::vector<std::string>& offices) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(StoredUser * user, UserLocked(username));
  user->role = role;
  user->offices = offices;
  return OkStatus();
}

Status InMemoryIdentityStore::SetTotp(std::string_view username,
                                      const std::optional<TotpFactor>& totp) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(StoredUser * user, UserLocked(username));
  user->totp = totp;
  return OkStatus();
}

Status InMemoryIdentityStore::ConfirmTotp(std::string_view username, int64_t step) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(StoredUser * user, UserLocked(username));
  if (!user->totp.has_value()) return NotEnrolled();
  user->totp->confirmed = true;
  // Never moves backwards: a step once used stays used.
  user->totp->last_used_step = std::max(user->totp->last_used_step, step);
  return OkStatus();
}

Status InMemoryIdentityStore::AdvanceTotpStep(std::string_view username, int64_t step) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(StoredUser * user, UserLocked(username));
  if (!user->totp.has_value()) return NotEnrolled();
  if (step <= user->totp->last_used_step) {
    return Error::Aborted("totp-replayed", "this code, or a later one, was already used");
  }
  user->totp->last_used_step = step;
  return OkStatus();
}

Status InMemoryIdentityStore::SetRecoveryCodes(std::string_view username,
                                               const std::vector<StoredRecoveryCode>& codes) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(StoredUser * user, UserLocked(username));
  user->recovery_codes = codes;
  return OkStatus();
}

Status InMemoryIdentityStore::ConsumeRecoveryCode(std::string_view username, size_t index) {
  std::scoped_lock lock(mu_);
  CW_ASSIGN_OR_RETURN(StoredUser * user, UserLocked(username));
  if (index >= user->recovery_codes.size()) {
    return Error::InvalidArgument("recovery_code", "recovery-code-invalid",
                                  "no such recovery code");
  }
  StoredRecoveryCode& code = user->recovery_codes[index];
  if (code.used) return Error::Aborted("recovery-code-used", "this recovery code was used");
  code.used = true;
  return OkStatus();
}

Status InMemoryIdentityStore::Put(const TokenRecord& record) { return tokens_.Put(record); }

Result<TokenRecord> InMemoryIdentityStore::FindByHash(const TokenHash& hash) const {
  return tokens_.FindByHash(hash);
}

Status InMemoryIdentityStore::SetExpiry(const TokenHash& hash, Timestamp expires_at) {
  return tokens_.SetExpiry(hash, expires_at);
}

Status InMemoryIdentityStore::Revoke(const TokenHash& hash) { return tokens_.Revoke(hash); }

Result<size_t> InMemoryIdentityStore::RevokeAllForUser(std::string_view user_id) {
  return tokens_.RevokeAllForUser(user_id);
}

Result<size_t> InMemoryIdentityStore::PurgeSessions(Timestamp ended_before, bool dry_run) {
  return tokens_.PurgeSessions(ended_before, dry_run);
}

}  // namespace clearway::identity
