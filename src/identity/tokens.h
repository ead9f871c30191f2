// File: identity/tokens.h
//
// Bearer tokens: session tokens (people, after sign-in) and API tokens (machines, with scopes).
// A token is "cws_" (session) or "cwa_" (API) followed by 32 random bytes as unpadded base64url
// (43 characters); the prefix lets secret scanners recognise a leaked one. Only SHA-256 of the
// whole token text is stored: the hash is the lookup key, so a copy of the store cannot be
// replayed as credentials.
//
//   IssuedToken issued = IssueSessionToken("alice", clock.Now());
//   CW_RETURN_IF_ERROR(store.Put(issued.record));
//   respond_with(issued.token);                                  // shown once, never stored
//   ...
//   CW_ASSIGN_OR_RETURN(TokenRecord who, AuthenticateToken(store, bearer, clock.Now()));
//   CW_RETURN_IF_ERROR(RequireScope(who, TokenScope::kDeclarationsWrite));
//
// Sessions expire after 15 minutes without a refresh and 12 hours after issue whatever
// happens (SessionLifetime); a refresh moves the idle deadline, never past the absolute one.
// API tokens have a fixed expiry (at most 366 days) and cannot be refreshed. Deadlines are
// exclusive: a token is expired at exactly expires_at.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace clearway::identity {

enum class TokenKind { kSession, kApi };

inline constexpr std::string_view kSessionTokenPrefix = "cws_";
inline constexpr std::string_view kApiTokenPrefix = "cwa_";
inline constexpr size_t kTokenRandomBytes = 32;  // 256 bits
inline constexpr size_t kTokenBodyLength = 43;   // base64url of 32 bytes, unpadded

// What an API token may do. Session tokens carry no scopes: the role policy decides for them.
enum class TokenScope {
  kDeclarationsRead,    // "declarations:read"
  kDeclarationsWrite,   // "declarations:write"
  kLedgerRead,          // "ledger:read"
  kTariffRead,          // "tariff:read"
  kTariffWrite,         // "tariff:write"
  kRiskRead,            // "risk:read"
  kRiskWrite,           // "risk:write"
  kExchangeWrite,       // "exchange:write" (partner administrations)
  kSecurityEventsRead,  // "security-events:read"
  kRetentionRead,       // "retention:read" (legal holds, the retention plan)
  kRetentionWrite,      // "retention:write" (place and release holds, run retention)
};

std::string_view TokenScopeName(TokenScope scope);

// ParseTokenScopes() reads a space-separated list (OAuth 2.0 style, RFC 6749 §3.3) into a
// sorted list without duplicates. Errors kInvalidArgument field "scopes": "token-unknown-scope"
// (any name not above; nothing is silently dropped), "token-no-scope" (empty list).
Result<std::vector<TokenScope>> ParseTokenScopes(std::string_view text);

// FormatTokenScopes() is the space-separated form ParseTokenScopes() reads.
std::string FormatTokenScopes(const std::vector<TokenScope>& scopes);

using TokenHash = std::array<uint8_t, 32>;

struct SessionLifetime {
  std::chrono::seconds idle = std::chrono::minutes(15);
  std::chrono::seconds absolute = std::chrono::hours(12);
};

inline constexpr std::chrono::seconds kMaxApiTokenLifetime = std::chrono::days(366);

// TokenRecord is what the store keeps about one token; it holds no secret.
struct TokenRecord {
  TokenHash hash{};  // SHA-256 of the token text; the primary key
  std::string user_id;
  TokenKind kind = TokenKind::kSession;
  std::vector<TokenScope> scopes;  // API tokens only; sorted, unique
  Timestamp issued_at;
  Timestamp expires_at;           // session: idle deadline, moved by refresh; API: fixed
  Timestamp absolute_expires_at;  // session: issued_at + absolute; API: equals expires_at
  bool revoked = false;

  friend bool operator==(const TokenRecord&, const TokenRecord&) = default;
};

// IssuedToken is a new token and its record. `token` goes to the client once.
struct IssuedToken {
  std::string token;
  TokenRecord record;
};

// IssueSessionToken() makes a session token for `user_id` at `now`.
IssuedToken IssueSessionToken(std::string_view user_id, Timestamp now,
                              const SessionLifetime& lifetime = {});

// IssueApiToken() makes an API token. Errors kInvalidArgument: "token-no-scope" (no scopes),
// "token-bad-lifetime" (lifetime not in (0, kMaxApiTokenLifetime]).
Result<IssuedToken> IssueApiToken(std::string_view user_id, std::vector<TokenScope> scopes,
                                  Timestamp now, std::chrono::seconds lifetime);

// HashToken() is SHA-256 of the token text, prefix included.
TokenHash HashToken(std::string_view token);

// TokenId() is the lower-case hex of the hash: safe to log and to name a token in events.
std::string TokenId(const TokenHash& hash);

// CheckToken()
//
// Checks a presented token against the record found for it. Ok if the hash matches (compared
// in constant time), it is not revoked and now < expires_at. Errors, all kUnauthenticated:
// "token-invalid" (malformed or hash differs), "token-revoked", "token-expired". The hash is
// checked first, so only a holder of the token learns that it was revoked or expired.
Status CheckToken(std::string_view presented, const TokenRecord& record, Timestamp now);

// RequireScope() is ok for session tokens (the role policy decides) and for API tokens that
// carry `scope`; kPermissionDenied "token-scope-missing" otherwise.
Status RequireScope(const TokenRecord& record, TokenScope scope);

// RefreshSession() returns the record with expires_at = min(now + idle, absolute_expires_at).
// Errors: kFailedPrecondition "token-not-refreshable" (API token); kUnauthenticated
// "token-revoked", "token-expired" (idle or absolute deadline already passed).
Result<TokenRecord> RefreshSession(const TokenRecord& record, Timestamp now,
                                   const SessionLifetime& lifetime = {});

// TokenStore
//
// Where token records live. Implementations are thread-safe. The SQLite one lives in the store
// module; InMemoryTokenStore below is for tests and the demo.
class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // Put() adds a record. kAlreadyExists "token-exists" if the hash is already there.
  virtual Status Put(const TokenRecord& record) = 0;
  // FindByHash() returns the record, revoked or expired ones included. kNotFound "token-unknown".
  virtual Result<TokenRecord> FindByHash(const TokenHash& hash) const = 0;
  // SetExpiry() stores a refreshed idle deadline. kNotFound "token-unknown".
  virtual Status SetExpiry(const TokenHash& hash, Timestamp expires_at) = 0;
  // Revoke() marks one token revoked (idempotent). kNotFound "token-unknown".
  virtual Status Revoke(const TokenHash& hash) = 0;
  // RevokeAllForUser() revokes every token of a user and returns how many were newly revoked.
  virtual Result<size_t> RevokeAllForUser(std::string_view user_id) = 0;
  // PurgeSessions() deletes (or, with `dry_run`, only counts) the session records whose end
  // is before `ended_before` and returns how many. A session ends at its idle deadline
  // (expires_at), or earlier when revoked; revocation keeps no time, so the deadline is the
  // bound retention counts from. API tokens are never touched.
  virtual Result<size_t> PurgeSessions(Timestamp ended_before, bool dry_run) = 0;
};

// InMemoryTokenStore keeps records in a map under a mutex. Thread-safe.
class InMemoryTokenStore final : public TokenStore {
 public:
  Status Put(const TokenRecord& record) override;
  Result<TokenRecord> FindByHash(const TokenHash& hash) const override;
  Status SetExpiry(const TokenHash& hash, Timestamp expires_at) override;
  Status Revoke(const TokenHash& hash) override;
  Result<size_t> RevokeAllForUser(std::string_view user_id) override;
  Result<size_t> PurgeSessions(Timestamp ended_before, bool dry_run) override;
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<TokenHash, TokenRecord> records_;  // guarded by mu_
};

// AuthenticateToken()
//
// What the request path calls with the bearer token: checks the format, finds the record by
// hash and runs CheckToken(). Returns the record. Errors kUnauthenticated "token-invalid"
// (malformed, or no such token), "token-revoked", "token-expired"; other store errors (e.g.
// kUnavailable) are passed through.
Result<TokenRecord> AuthenticateToken(const TokenStore& store, std::string_view presented,
                                      Timestamp now);

// RefreshSessionToken() authenticates a session token, extends it with RefreshSession() and
// saves the new deadline. Returns the updated record; errors as the two functions.
Result<TokenRecord> RefreshSessionToken(TokenStore& store, std::string_view presented,
                                        Timestamp now, const SessionLifetime& lifetime = {});

}  // namespace clearway::identity
