#include "identity/security_event.h"

#include <algorithm>
#include <array>
#include <utility>

#include "common/ids.h"
#include "common/json.h"
#include "crypto/crypto.h"

namespace clearway::identity {
namespace {

constexpr std::pair<SecurityEventType, std::string_view> kTypeNames[] = {
    {SecurityEventType::kLoginSucceeded, "login-succeeded"},
    {SecurityEventType::kLoginFailed, "login-failed"},
    {SecurityEventType::kMfaFailed, "mfa-failed"},
    {SecurityEventType::kMfaEnrolled, "mfa-enrolled"},
    {SecurityEventType::kRecoveryCodeUsed, "recovery-code-used"},
    {SecurityEventType::kLockedOut, "locked-out"},
    {SecurityEventType::kTokenIssued, "token-issued"},
    {SecurityEventType::kTokenRefreshed, "token-refreshed"},
    {SecurityEventType::kTokenRevoked, "token-revoked"},
    {SecurityEventType::kLoggedOut, "logged-out"},
    {SecurityEventType::kPermissionDenied, "permission-denied"},
    {SecurityEventType::kRoleChanged, "role-changed"},
    {SecurityEventType::kUserCreated, "user-created"},
    {SecurityEventType::kUserDisabled, "user-disabled"},
    {SecurityEventType::kPasswordChanged, "password-changed"},
    {SecurityEventType::kUserEnabled, "user-enabled"},
};

constexpr std::pair<SecurityOutcome, std::string_view> kOutcomeNames[] = {
    {SecurityOutcome::kSuccess, "success"},
    {SecurityOutcome::kFailure, "failure"},
    {SecurityOutcome::kDenied, "denied"},
};

// Substrings of detail keys that name a credential. Matching substrings (not whole keys) errs
// on the side of refusing: "new_password", "totp_code" and "session_token" are all caught.
constexpr std::string_view kSecretKeyWords[] = {
    "password", "passwd",   "passphrase", "secret",  "token",
    "otp",      "recovery", "credential", "cookie",  "authorization",
    "apikey",   "api_key",  "private",    "session", "pin",
};

constexpr size_t kMaxKeyLength = 40;

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

// CleanText() is true for text that may go into an event: bounded, no control characters, and
// nothing that looks like one of our bearer tokens.
bool CleanText(std::string_view text) {
  if (text.size() > kMaxSecurityEventField) return false;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return text.find("cws_") == std::string_view::npos && text.find("cwa_") == std::string_view::npos;
}

Error Malformed(std::string message) {
  return Error::InvalidArgument("", "security-event-malformed", std::move(message));
}

Result<std::string> StringField(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    return Malformed("missing or non-string \"" + std::string(key) + "\"");
  }
  return std::string(value->as_string());
}

}  // namespace

std::string_view SecurityEventTypeName(SecurityEventType type) {
  for (const auto& [value, name] : kTypeNames) {
    if (value == type) return name;
  }
  return "unknown";
}

Result<SecurityEventType> ParseSecurityEventType(std::string_view name) {
  for (const auto& [value, known] : kTypeNames) {
    if (known == name) return value;
  }
  return Error::InvalidArgument("type", "security-event-bad-type", "unknown security event type");
}

std::string_view SecurityOutcomeName(SecurityOutcome outcome) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (value == outcome) return name;
  }
  return "unknown";
}

Result<SecurityOutcome> ParseSecurityOutcome(std::string_view name) {
  for (const auto& [value, known] : kOutcomeNames) {
    if (known == name) return value;
  }
  return Error::InvalidArgument("outcome", "security-event-bad-outcome", "unknown outcome");
}

Status SecurityEventDetails::Set(std::string_view key, std::string_view value) {
  const std::string field = "details." + std::string(key.substr(0, kMaxKeyLength));
  if (key.empty() || key.size() > kMaxKeyLength ||
      !std::all_of(key.begin(), key.end(), IsKeyChar)) {
    return Error::InvalidArgument(field, "security-event-bad-key",
                                  "detail keys are 1 to 40 of a-z 0-9 _ . -");
  }
  for (std::string_view word : kSecretKeyWords) {
    if (key.find(word) != std::string_view::npos) {
      return Error::InvalidArgument(field, "security-event-secret-key",
                                    "security events never carry credentials");
    }
  }
  if (!CleanText(value)) {
    return Error::InvalidArgument(field, "security-event-bad-value",
                                  "detail values are short printable text without credentials");
  }
  if (!entries_.contains(std::string(key)) && entries_.size() >= kMaxSecurityEventDetails) {
    return Error::InvalidArgument(field, "security-event-too-many-details",
                                  "at most 16 details per event");
  }
  entries_[std::string(key)] = std::string(value);
  return OkStatus();
}

std::string NewSecurityEventId(Timestamp at) {
  std::array<uint8_t, 10> randomness{};
  crypto::RandomBytes(randomness);
  return MakeUlid(at, randomness);
}

Status ValidateSecurityEvent(const SecurityEvent& event) {
  if (!IsUlid(event.id)) {
    return Error::InvalidArgument("id", "security-event-bad-id", "event id must be a ULID");
  }
  if (event.actor.empty()) {
    return Error::InvalidArgument("actor", "security-event-bad-actor",
                                  "actor is a user id or \"anonymous\"");
  }
  const std::pair<std::string_view, const std::string*> fields[] = {
      {"actor", &event.actor},
      {"subject", &event.subject},
      {"source_address", &event.source_address},
      {"request_id", &event.request_id},
  };
  for (const auto& [name, text] : fields) {
    if (!CleanText(*text)) {
      return Error::InvalidArgument(std::string(name), "security-event-bad-field",
                                    "event fields are short printable text without credentials");
    }
  }
  return OkStatus();
}

std::string SecurityEventJson(const SecurityEvent& event) {
  boost::json::object details;
  for (const auto& [key, value] : event.details.entries()) details[key] = value;
  boost::json::object object;
  object["v"] = 1;
  object["id"] = event.id;
  object["time"] = FormatTimestamp(event.time);
  object["type"] = SecurityEventTypeName(event.type);
  object["outcome"] = SecurityOutcomeName(event.outcome);
  object["actor"] = event.actor;
  object["subject"] = event.subject;
  object["source_address"] = event.source_address;
  object["request_id"] = event.request_id;
  object["details"] = std::move(details);
  return CanonicalJson(object);
}

Result<SecurityEvent> ParseSecurityEventJson(std::string_view json) {
  CW_ASSIGN_OR_RETURN(boost::json::value value, ParseJson(json));
  if (!value.is_object()) return Malformed("a security event is a JSON object");
  const boost::json::object& object = value.as_object();
  if (object.size() != 10) return Malformed("a security event has exactly ten keys");
  const boost::json::value* version = object.if_contains("v");
  if (version == nullptr || !version->is_int64() || version->as_int64() != 1) {
    return Malformed("unsupported security event version");
  }
  SecurityEvent event;
  CW_ASSIGN_OR_RETURN(event.id, StringField(object, "id"));
  CW_ASSIGN_OR_RETURN(std::string time, StringField(object, "time"));
  CW_ASSIGN_OR_RETURN(event.time, ParseTimestamp(time));
  CW_ASSIGN_OR_RETURN(std::string type, StringField(object, "type"));
  CW_ASSIGN_OR_RETURN(event.type, ParseSecurityEventType(type));
  CW_ASSIGN_OR_RETURN(std::string outcome, StringField(object, "outcome"));
  CW_ASSIGN_OR_RETURN(event.outcome, ParseSecurityOutcome(outcome));
  CW_ASSIGN_OR_RETURN(event.actor, StringField(object, "actor"));
  CW_ASSIGN_OR_RETURN(event.subject, StringField(object, "subject"));
  CW_ASSIGN_OR_RETURN(event.source_address, StringField(object, "source_address"));
  CW_ASSIGN_OR_RETURN(event.request_id, StringField(object, "request_id"));
  const boost::json::value* details = object.if_contains("details");
  if (details == nullptr || !details->is_object()) return Malformed("details must be an object");
  for (const auto& entry : details->as_object()) {
    if (!entry.value().is_string()) return Malformed("detail values are strings");
    CW_RETURN_IF_ERROR(event.details.Set(entry.key(), entry.value().as_string()));
  }
  CW_RETURN_IF_ERROR(ValidateSecurityEvent(event));
  // Only the canonical spelling is accepted, so one event has one text (and one commitment):
  // this also refuses duplicate keys, white space and other key orders.
  if (SecurityEventJson(event) != json) return Malformed("not in canonical form");
  return event;
}

Status InMemorySecurityEventSink::Record(const SecurityEvent& event) {
  CW_RETURN_IF_ERROR(ValidateSecurityEvent(event));
  std::scoped_lock lock(mu_);
  events_.push_back(event);
  return OkStatus();
}

std::vector<SecurityEvent> InMemorySecurityEventSink::events() const {
  std::scoped_lock lock(mu_);
  return events_;
}

}  // namespace clearway::identity
