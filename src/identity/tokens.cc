#include "identity/tokens.h"

#include <algorithm>
#include <utility>

#include "crypto/crypto.h"

namespace clearway::identity {
namespace {

constexpr std::pair<TokenScope, std::string_view> kScopeNames[] = {
    {TokenScope::kDeclarationsRead, "declarations:read"},
    {TokenScope::kDeclarationsWrite, "declarations:write"},
    {TokenScope::kLedgerRead, "ledger:read"},
    {TokenScope::kTariffRead, "tariff:read"},
    {TokenScope::kTariffWrite, "tariff:write"},
    {TokenScope::kRiskRead, "risk:read"},
    {TokenScope::kRiskWrite, "risk:write"},
    {TokenScope::kExchangeWrite, "exchange:write"},
    {TokenScope::kSecurityEventsRead, "security-events:read"},
    {TokenScope::kRetentionRead, "retention:read"},
    {TokenScope::kRetentionWrite, "retention:write"},
};

Error Invalid() { return Error::Unauthenticated("token-invalid", "the token is not valid"); }
Error Unknown() { return Error::NotFound("token-unknown", "no such token"); }

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// KindOfWellFormed() is the kind a token's prefix names, or an error when the text cannot be
// one of our tokens (so nothing malformed ever reaches the store).
Result<TokenKind> KindOfWellFormed(std::string_view token) {
  TokenKind kind;
  if (token.starts_with(kSessionTokenPrefix)) {
    kind = TokenKind::kSession;
  } else if (token.starts_with(kApiTokenPrefix)) {
    kind = TokenKind::kApi;
  } else {
    return Invalid();
  }
  const std::string_view body = token.substr(kSessionTokenPrefix.size());
  if (body.size() != kTokenBodyLength || !std::all_of(body.begin(), body.end(), IsBase64UrlChar)) {
    return Invalid();
  }
  return kind;
}

IssuedToken Issue(std::string_view user_id, TokenKind kind, Timestamp now) {
  IssuedToken issued;
  issued.token = std::string(kind == TokenKind::kSession ? kSessionTokenPrefix : kApiTokenPrefix) +
                 crypto::RandomToken(kTokenRandomBytes);
  issued.record.hash = HashToken(issued.token);
  issued.record.user_id = std::string(user_id);
  issued.record.kind = kind;
  issued.record.issued_at = now;
  return issued;
}

}  // namespace

std::string_view TokenScopeName(TokenScope scope) {
  for (const auto& [value, name] : kScopeNames) {
    if (value == scope) return name;
  }
  return "unknown";
}

Result<std::vector<TokenScope>> ParseTokenScopes(std::string_view text) {
  std::vector<TokenScope> scopes;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    const std::string_view name = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (name.empty()) continue;
    const auto* found = std::find_if(std::begin(kScopeNames), std::end(kScopeNames),
                                     [name](const auto& entry) { return entry.second == name; });
    if (found == std::end(kScopeNames)) {
      return Error::InvalidArgument("scopes", "token-unknown-scope", "unknown scope");
    }
    scopes.push_back(found->first);
  }
  if (scopes.empty()) {
    return Error::InvalidArgument("scopes", "token-no-scope", "an API token needs a scope");
  }
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  return scopes;
}

std::string FormatTokenScopes(const std::vector<TokenScope>& scopes) {
  std::string out;
  for (TokenScope scope : scopes) {
    if (!out.empty()) out += ' ';
    out += TokenScopeName(scope);
  }
  return out;
}

IssuedToken IssueSessionToken(std::string_view user_id, Timestamp now,
                              const SessionLifetime& lifetime) {
  IssuedToken issued = Issue(user_id, TokenKind::kSession, now);
  issued.record.absolute_expires_at = now + lifetime.absolute;
  issued.record.expires_at = std::min(now + lifetime.idle, issued.record.absolute_expires_at);
  return issued;
}

Result<IssuedToken> IssueApiToken(std::string_view user_id, std::vector<TokenScope> scopes,
                                  Timestamp now, std::chrono::seconds lifetime) {
  if (scopes.empty()) {
    return Error::InvalidArgument("scopes", "token-no-scope", "an API token needs a scope");
  }
  if (lifetime <= std::chrono::seconds::zero() || lifetime > kMaxApiTokenLifetime) {
    return Error::InvalidArgument("lifetime", "token-bad-lifetime",
                                  "an API token lives between 1 second and 366 days");
  }
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  IssuedToken issued = Issue(user_id, TokenKind::kApi, now);
  issued.record.scopes = std::move(scopes);
  issued.record.expires_at = now + lifetime;
  issued.record.absolute_expires_at = issued.record.expires_at;
  return issued;
}

TokenHash HashToken(std::string_view token) { return crypto::Sha256(token); }

std::string TokenId(const TokenHash& hash) { return crypto::ToHex(hash); }

Status CheckToken(std::string_view presented, const TokenRecord& record, Timestamp now) {
  Result<TokenKind> kind = KindOfWellFormed(presented);
  if (!kind.ok()) return std::move(kind).error();
  const TokenHash hash = HashToken(presented);
  if (!crypto::ConstantTimeEqual(hash, record.hash) || *kind != record.kind) return Invalid();
  if (record.revoked) return Error::Unauthenticated("token-revoked", "the token was revoked");
  if (now >= record.expires_at || now >= record.absolute_expires_at) {
    return Error::Unauthenticated("token-expired", "the token has expired");
  }
  return OkStatus();
}

Status RequireScope(const TokenRecord& record, TokenScope scope) {
  if (record.kind == TokenKind::kSession) return OkStatus();
  if (std::binary_search(record.scopes.begin(), record.scopes.end(), scope)) return OkStatus();
  return Error::PermissionDenied("token-scope-missing", "the token does not allow this");
}

Result<TokenRecord> RefreshSession(const TokenRecord& record, Timestamp now,
                                   const SessionLifetime& lifetime) {
  if (record.kind != TokenKind::kSession) {
    return Error::FailedPrecondition("token-not-refreshable", "API tokens cannot be refreshed");
  }
  if (record.revoked) return Error::Unauthenticated("token-revoked", "the token was revoked");
  if (now >= record.expires_at || now >= record.absolute_expires_at) {
    return Error::Unauthenticated("token-expired", "the token has expired");
  }
  TokenRecord refreshed = record;
  refreshed.expires_at = std::min(now + lifetime.idle, record.absolute_expires_at);
  return refreshed;
}

Status InMemoryTokenStore::Put(const TokenRecord& record) {
  std::scoped_lock lock(mu_);
  if (!records_.emplace(record.hash, record).second) {
    return Error::AlreadyExists("token-exists", "a token with this hash exists");
  }
  return OkStatus();
}

// The map is searched by the hash of the token, not the token: timing may reveal how much of a
// guessed hash matches a stored one, which says nothing about any token (SHA-256 preimages).
Result<TokenRecord> InMemoryTokenStore::FindByHash(const TokenHash& hash) const {
  std::scoped_lock lock(mu_);
  auto it = records_.find(hash);
  if (it == records_.end()) return Unknown();
  return it->second;
}

Status InMemoryTokenStore::SetExpiry(const TokenHash& hash, Timestamp expires_at) {
  std::scoped_lock lock(mu_);
  auto it = records_.find(hash);
  if (it == records_.end()) return Unknown();
  it->second.expires_at = expires_at;
  return OkStatus();
}

Status InMemoryTokenStore::Revoke(const TokenHash& hash) {
  std::scoped_lock lock(mu_);
  auto it = records_.find(hash);
  if (it == records_.end()) return Unknown();
  it->second.revoked = true;
  return OkStatus();
}

Result<size_t> InMemoryTokenStore::RevokeAllForUser(std::string_view user_id) {
  std::scoped_lock lock(mu_);
  size_t revoked = 0;
  for (auto& [hash, record] : records_) {
    if (record.user_id == user_id && !record.revoked) {
      record.revoked = true;
      ++revoked;
    }
  }
  return revoked;
}

Result<size_t> InMemoryTokenStore::PurgeSessions(Timestamp ended_before, bool dry_run) {
  std::scoped_lock lock(mu_);
  size_t purged = 0;
  for (auto it = records_.begin(); it != records_.end();) {
    const TokenRecord& record = it->second;
    if (record.kind != TokenKind::kSession || record.expires_at >= ended_before) {
      ++it;
      continue;
    }
    ++purged;
    it = dry_run ? std::next(it) : records_.erase(it);
  }
  return purged;
}

size_t InMemoryTokenStore::size() const {
  std::scoped_lock lock(mu_);
  return records_.size();
}

Result<TokenRecord> AuthenticateToken(const TokenStore& store, std::string_view presented,
                                      Timestamp now) {
  if (!KindOfWellFormed(presented).ok()) return Invalid();
  Result<TokenRecord> record = store.FindByHash(HashToken(presented));
  if (!record.ok()) {
    if (record.error().code == ErrorCode::kNotFound) return Invalid();
    return std::move(record).error();
  }
  CW_RETURN_IF_ERROR(CheckToken(presented, *record, now));
  return record;
}

Result<TokenRecord> RefreshSessionToken(TokenStore& store, std::string_view presented,
                                        Timestamp now, const SessionLifetime& lifetime) {
  CW_ASSIGN_OR_RETURN(TokenRecord record, AuthenticateToken(store, presented, now));
  CW_ASSIGN_OR_RETURN(TokenRecord refreshed, RefreshSession(record, now, lifetime));
  CW_RETURN_IF_ERROR(store.SetExpiry(refreshed.hash, refreshed.expires_at));
  return refreshed;
}

}  // namespace clearway::identity
