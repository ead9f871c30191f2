// File: identity/security_event.h
//
// The security event model: what happened (sign-in, MFA, lockout, tokens, refusals, user and
// role changes), to whom, by whom, from where, and how it ended. Events go to a
// SecurityEventSink (an append-only log; the ledger commits to each event's canonical JSON).
//
//   SecurityEvent event;
//   event.id = NewSecurityEventId(clock.Now());
//   event.time = clock.Now();
//   event.type = SecurityEventType::kLoginFailed;
//   event.outcome = SecurityOutcome::kFailure;
//   event.actor = std::string(kAnonymousActor);
//   event.subject = username;   event.source_address = ip;   event.request_id = request_id;
//   CW_RETURN_IF_ERROR(event.details.Set("reason", "bad-credentials"));
//   CW_RETURN_IF_ERROR(sink.Record(event));
//
// No secrets and no personal data beyond user ids and the source address go in: details keys
// that name a credential ("password", "token", "secret", "totp", ...) are refused, and so are
// values that look like a Clearway token. Name a token by TokenId() in `subject`.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace clearway::identity {

enum class SecurityEventType {
  kLoginSucceeded,    // "login-succeeded"
  kLoginFailed,       // "login-failed"
  kMfaFailed,         // "mfa-failed"
  kMfaEnrolled,       // "mfa-enrolled"
  kRecoveryCodeUsed,  // "recovery-code-used"
  kLockedOut,         // "locked-out"
  kTokenIssued,       // "token-issued"
  kTokenRefreshed,    // "token-refreshed"
  kTokenRevoked,      // "token-revoked"
  kLoggedOut,         // "logged-out"
  kPermissionDenied,  // "permission-denied"
  kRoleChanged,       // "role-changed"
  kUserCreated,       // "user-created"
  kUserDisabled,      // "user-disabled"
  kPasswordChanged,   // "password-changed"
  kUserEnabled,       // "user-enabled"
};

std::string_view SecurityEventTypeName(SecurityEventType type);
// ParseSecurityEventType() reads a name above. kInvalidArgument "security-event-bad-type".
Result<SecurityEventType> ParseSecurityEventType(std::string_view name);

enum class SecurityOutcome { kSuccess, kFailure, kDenied };  // "success", "failure", "denied"

std::string_view SecurityOutcomeName(SecurityOutcome outcome);
// ParseSecurityOutcome() reads a name above. kInvalidArgument "security-event-bad-outcome".
Result<SecurityOutcome> ParseSecurityOutcome(std::string_view name);

inline constexpr std::string_view kAnonymousActor = "anonymous";
inline constexpr size_t kMaxSecurityEventDetails = 16;
inline constexpr size_t kMaxSecurityEventField = 256;  // bytes, any text field or detail value

// SecurityEventDetails
//
// A small string map of extra facts ("reason" -> "totp-replayed", "role" -> "auditor").
// Keys are 1..40 characters of [a-z0-9_.-]. Thread-compatible (a value type).
class SecurityEventDetails {
 public:
  // Set() adds or replaces one entry. Errors kInvalidArgument, field "details.<key>":
  //   "security-event-bad-key"     key not 1..40 of [a-z0-9_.-];
  //   "security-event-secret-key"  key names a credential (contains password, passwd, passphrase,
  //                                secret, token, otp, recovery, credential, cookie,
  //                                authorization, apikey, api_key, private, session, pin);
  //   "security-event-bad-value"   value over 256 bytes, with control characters, or holding a
  //                                Clearway token ("cws_"/"cwa_");
  //   "security-event-too-many-details"  a 17th key.
  Status Set(std::string_view key, std::string_view value);

  const std::map<std::string, std::string>& entries() const { return entries_; }

  friend bool operator==(const SecurityEventDetails&, const SecurityEventDetails&) = default;

 private:
  std::map<std::string, std::string> entries_;
};

// SecurityEvent is one entry of the security event log. A value type.
struct SecurityEvent {
  std::string id;  // ULID (NewSecurityEventId)
  Timestamp time;
  SecurityEventType type = SecurityEventType::kLoginFailed;
  SecurityOutcome outcome = SecurityOutcome::kFailure;
  std::string actor;           // the authenticated user id, or "anonymous"
  std::string subject;         // what was acted on: a user id, a TokenId, a route; may be empty
  std::string source_address;  // client IP address; empty for local CLI actions
  std::string request_id;      // empty outside a request
  SecurityEventDetails details;

  friend bool operator==(const SecurityEvent&, const SecurityEvent&) = default;
};

// NewSecurityEventId() is a fresh ULID for `at` (80 random bits from the OS CSPRNG).
std::string NewSecurityEventId(Timestamp at);

// ValidateSecurityEvent() checks an event before it is recorded. Errors kInvalidArgument:
// "security-event-bad-id" (not a ULID), "security-event-bad-actor" (empty), and
// "security-event-bad-field" (field path names it) for any text field over 256 bytes, with
// control characters, or holding a Clearway token.
Status ValidateSecurityEvent(const SecurityEvent& event);

// SecurityEventJson() is the canonical JSON of an event (common/json.h: sorted keys, compact):
// {"actor":…,"details":{…},"id":…,"outcome":…,"request_id":…,"source_address":…,
//  "subject":…,"time":"RFC 3339","type":…,"v":1}. Ledger commitments are computed over it.
std::string SecurityEventJson(const SecurityEvent& event);

// ParseSecurityEventJson() reads SecurityEventJson() output back, strictly: every key present
// with the right type, no other keys, v == 1, the details rules, ValidateSecurityEvent(), and
// the text must be exactly the canonical form (so one event has one spelling). Errors
// kInvalidArgument "security-event-malformed" ("malformed-json" for non-JSON), or the more
// specific reasons above.
Result<SecurityEvent> ParseSecurityEventJson(std::string_view json);

// SecurityEventSink
//
// Where security events go: an append-only log. Record() refuses an invalid event with the
// ValidateSecurityEvent() error and otherwise appends it; store-backed sinks may also fail
// kUnavailable. Implementations are thread-safe.
class SecurityEventSink {
 public:
  virtual ~SecurityEventSink() = default;
  virtual Status Record(const SecurityEvent& event) = 0;
};

// InMemorySecurityEventSink keeps events in memory in arrival order. Thread-safe.
class InMemorySecurityEventSink final : public SecurityEventSink {
 public:
  Status Record(const SecurityEvent& event) override;
  // events() is a snapshot copy.
  std::vector<SecurityEvent> events() const;

 private:
  mutable std::mutex mu_;
  std::vector<SecurityEvent> events_;  // guarded by mu_
};

}  // namespace clearway::identity
