#include "app/identity_service.h"

#include <utility>

#include "crypto/crypto.h"
#include "identity/mfa_enrolment.h"
#include "identity/recovery_codes.h"
#include "identity/totp.h"

namespace clearway::app {

namespace {

using identity::SecurityEventType;
using identity::SecurityOutcome;

Error BadCredentials() {
  return Error::Unauthenticated("bad-credentials", "the username or password is not right");
}

Error MfaInvalid() {
  return Error::Unauthenticated("mfa-invalid",
                                "the second-factor code is not right, or was used already");
}

Error Forbidden() {
  return Error::PermissionDenied("forbidden", "you are not allowed to do this");
}

bool IsAdministrator(const identity::Principal& p) {
  return p.role == identity::Role::kAdministrator;
}

}  // namespace

IdentityService::IdentityService(identity::IdentityStore& directory, const Clock& clock,
                                 identity::SecurityEventSink& events,
                                 IdentityServiceOptions options)
    : directory_(directory),
      clock_(clock),
      events_(events),
      options_(std::move(options)),
      lockout_(clock, options_.lockout),
      dummy_hash_(crypto::HashPassword(crypto::RandomToken(24)).value()) {}

void IdentityService::Record(SecurityEventType type, SecurityOutcome outcome,
                             std::string_view actor, std::string_view subject,
                             const RequestContext& context, std::string_view reason) {
  identity::SecurityEvent event;
  event.time = clock_.Now();
  event.id = identity::NewSecurityEventId(event.time);
  event.type = type;
  event.outcome = outcome;
  event.actor = actor.empty() ? std::string(identity::kAnonymousActor) : std::string(actor);
  event.subject = std::string(subject.substr(0, identity::kMaxSecurityEventField));
  event.source_address = context.source_address;
  event.request_id = context.request_id;
  if (!reason.empty()) (void)event.details.Set("reason", reason);
  // A sink failure must not turn a refusal into an acceptance or the other way round; the
  // sink reports its own failures (metrics, logs).
  (void)events_.Record(event);
}

// ---- Sign-in -------------------------------------------------------------------------------

Result<SignedIn> IdentityService::SignIn(const SignInRequest& request,
                                         const RequestContext& context) {
  const std::string& source = context.source_address;
  identity::LockoutDecision gate = lockout_.Check(request.username, source);
  if (!gate.allowed()) {
    Record(SecurityEventType::kLoginFailed, SecurityOutcome::kDenied, "", request.username,
           context, gate.state == identity::LockoutState::kLockedOut ? "locked-out" : "backoff");
    Error refused = gate.AsStatus().error();
    refused.message = "too many failed sign-ins: try again in " +
                      std::to_string(gate.retry_after.count()) + " s";
    return refused;
  }

  auto fail = [&](Error error, SecurityEventType type, std::string_view reason) -> Error {
    identity::LockoutDecision after = lockout_.RecordFailure(request.username, source);
    Record(type, SecurityOutcome::kFailure, "", request.username, context, reason);
    if (after.state == identity::LockoutState::kLockedOut) {
      Record(SecurityEventType::kLockedOut, SecurityOutcome::kDenied, "", request.username,
             context);
    }
    return error;
  };

  Result<identity::StoredUser> found = directory_.GetUser(request.username);
  if (!found.ok() && found.error().code != ErrorCode::kNotFound) return std::move(found).error();
  const bool usable = found.ok() && !found->disabled && !found->service_account &&
                      !found->password_hash.empty();
  // The same Argon2id work whether or not the user exists.
  const bool password_ok =
      crypto::VerifyPassword(usable ? found->password_hash : dummy_hash_, request.password) &&
      usable;
  if (!password_ok) {
    return fail(BadCredentials(), SecurityEventType::kLoginFailed,
                found.ok() ? (found->disabled ? "disabled" : "password") : "unknown-user");
  }
  const identity::StoredUser& user = *found;
  CW_ASSIGN_OR_RETURN(identity::Organisation organisation,
                      directory_.GetOrganisation(user.organisation_id));
  const bool enrolled = user.totp.has_value() && user.totp->confirmed;
  if (identity::MfaRequired(user, organisation) && !enrolled) {
    Record(SecurityEventType::kLoginFailed, SecurityOutcome::kDenied, user.username,
           user.username, context, "mfa-enrolment-required");
    return Error::PermissionDenied(
        "mfa-enrolment-required",
        "this account must use a second factor and has none: ask an administrator to enrol it");
  }
  if (enrolled) {
    Status second = CheckSecondFactor(user, request, context);
    if (!second.ok()) {
      if (second.error().reason == "mfa-required") return std::move(second).error();
      return fail(std::move(second).error(), SecurityEventType::kMfaFailed, "code");
    }
  }

  lockout_.RecordSuccess(request.username, source);
  identity::IssuedToken issued =
      identity::IssueSessionToken(user.username, clock_.Now(), options_.session);
  CW_RETURN_IF_ERROR(directory_.Put(issued.record));
  CW_ASSIGN_OR_RETURN(identity::Principal principal,
                      identity::PrincipalOf(directory_, user, clock_.Now()));
  Record(SecurityEventType::kLoginSucceeded, SecurityOutcome::kSuccess, user.username,
         user.username, context);
  Record(SecurityEventType::kTokenIssued, SecurityOutcome::kSuccess, user.username,
         identity::TokenId(issued.record.hash), context, "session");
  return SignedIn{std::move(issued), std::move(principal)};
}

Status IdentityService::CheckSecondFactor(const identity::StoredUser& user,
                                          const SignInRequest& request,
                                          const RequestContext& context) {
  if (request.totp.empty() && request.recovery_code.empty()) {
    return Error::Unauthenticated("mfa-required",
                                  "send the current code of your authenticator app as totp");
  }
  if (!request.totp.empty()) {
    CW_ASSIGN_OR_RETURN(identity::Totp totp,
                        identity::Totp::New(user.totp->secret, {user.totp->algorithm, 6}));
    Result<identity::TotpStep> step =
        totp.Verify(request.totp, clock_.Now(), user.totp->last_used_step);
    if (!step.ok()) return MfaInvalid();
    Status advanced = directory_.AdvanceTotpStep(user.username, *step);
    if (!advanced.ok()) {
      if (advanced.error().code == ErrorCode::kAborted) return MfaInvalid();  // raced a replay
      return advanced;
    }
    return OkStatus();
  }
  Result<size_t> index =
      identity::MatchRecoveryCode(user.username, request.recovery_code, user.recovery_codes);
  if (!index.ok()) return MfaInvalid();
  Status consumed = directory_.ConsumeRecoveryCode(user.username, *index);
  if (!consumed.ok()) {
    if (consumed.error().code == ErrorCode::kAborted) return MfaInvalid();
    return consumed;
  }
  Record(SecurityEventType::kRecoveryCodeUsed, SecurityOutcome::kSuccess, user.username,
         user.username, context);
  return OkStatus();
}

// ---- Tokens --------------------------------------------------------------------------------

Result<std::pair<identity::Principal, identity::TokenRecord>> IdentityService::AuthenticateToken(
    std::string_view authorization, const RequestContext& context) {
  (void)context;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      authorization.substr(0, kBearer.size()) != kBearer) {
    return Error::Unauthenticated("missing-credentials",
                                  "sign in (POST /v1/sessions) and send Authorization: Bearer");
  }
  const Timestamp now = clock_.Now();
  CW_ASSIGN_OR_RETURN(identity::TokenRecord record,
                      identity::AuthenticateToken(directory_, authorization.substr(kBearer.size()),
                                                  now));
  Result<identity::StoredUser> user = directory_.GetUser(record.user_id);
  if (!user.ok() || user->disabled) {
    return Error::Unauthenticated("token-revoked", "this token's account is disabled");
  }
  // Slide an active session's idle deadline, writing at most once per half idle window.
  if (record.kind == identity::TokenKind::kSession &&
      record.expires_at - now < options_.session.idle / 2 &&
      record.expires_at < record.absolute_expires_at) {
    Result<identity::TokenRecord> refreshed =
        identity::RefreshSession(record, now, options_.session);
    if (refreshed.ok() && directory_.SetExpiry(record.hash, refreshed->expires_at).ok()) {
      record = *std::move(refreshed);
    }
  }
  CW_ASSIGN_OR_RETURN(identity::Principal principal, identity::PrincipalOf(directory_, *user, now));
  return std::make_pair(std::move(principal), std::move(record));
}

Result<identity::Principal> IdentityService::Authenticate(std::string_view authorization,
                                                          const RequestContext& context) {
  CW_ASSIGN_OR_RETURN(auto authenticated, AuthenticateToken(authorization, context));
  return std::move(authenticated.first);
}

Status IdentityService::SignOut(std::string_view authorization, const RequestContext& context) {
  CW_ASSIGN_OR_RETURN(auto authenticated, AuthenticateToken(authorization, context));
  CW_RETURN_IF_ERROR(directory_.Revoke(authenticated.second.hash));
  Record(SecurityEventType::kLoggedOut, SecurityOutcome::kSuccess, authenticated.first.user_id,
         identity::TokenId(authenticated.second.hash), context);
  return OkStatus();
}

Result<size_t> IdentityService::RevokeSessions(const identity::Principal& actor,
                                               std::string_view username,
                                               const RequestContext& context) {
  if (!IsAdministrator(actor)) {
    RecordDenied(actor, "revoke-sessions", context);
    return Forbidden();
  }
  CW_ASSIGN_OR_RETURN(identity::StoredUser subject, directory_.GetUser(username));
  CW_ASSIGN_OR_RETURN(size_t revoked, directory_.RevokeAllForUser(username));
  Record(SecurityEventType::kTokenRevoked, SecurityOutcome::kSuccess, actor.user_id,
         subject.username, context, "administrator");
  return revoked;
}

Result<identity::IssuedToken> IdentityService::IssueApiToken(
    const identity::Principal& actor, std::string_view service_account,
    std::vector<identity::TokenScope> scopes, std::chrono::seconds lifetime,
    const RequestContext& context) {
  if (!IsAdministrator(actor)) {
    RecordDenied(actor, "issue-api-token", context);
    return Forbidden();
  }
  CW_ASSIGN_OR_RETURN(identity::StoredUser account, directory_.GetUser(service_account));
  if (!account.service_account || account.disabled) {
    return Error::FailedPrecondition("not-a-service-account",
                                     "API tokens are for enabled service accounts");
  }
  CW_ASSIGN_OR_RETURN(identity::IssuedToken issued,
                      identity::IssueApiToken(account.username, std::move(scopes), clock_.Now(),
                                              lifetime));
  CW_RETURN_IF_ERROR(directory_.Put(issued.record));
  Record(SecurityEventType::kTokenIssued, SecurityOutcome::kSuccess, actor.user_id,
         identity::TokenId(issued.record.hash), context, "api");
  return issued;
}

// ---- MFA enrolment -------------------------------------------------------------------------

Result<MfaEnrolmentOffer> IdentityService::Offer(const identity::StoredUser& user,
                                                 const identity::TotpFactor& factor) const {
  identity::TotpEnrolment enrolment{options_.issuer, user.username, factor.secret,
                                    {factor.algorithm, 6}};
  MfaEnrolmentOffer offer;
  offer.secret_base32 = identity::Base32Encode(factor.secret);
  CW_ASSIGN_OR_RETURN(offer.otpauth_uri, identity::MakeOtpauthUri(enrolment));
  CW_ASSIGN_OR_RETURN(identity::QrCode qr, identity::EncodeQrCode(offer.otpauth_uri));
  offer.qr_svg = identity::RenderQrSvg(qr);
  return offer;
}

Result<MfaEnrolmentOffer> IdentityService::BeginMfaEnrolment(const identity::Principal& actor,
                                                             const RequestContext& context) {
  (void)context;
  CW_ASSIGN_OR_RETURN(identity::StoredUser user, directory_.GetUser(actor.user_id));
  if (user.totp.has_value() && user.totp->confirmed) {
    return Error::FailedPrecondition("mfa-already-enrolled",
                                     "this account has a second factor already");
  }
  identity::TotpFactor factor;
  factor.secret = identity::GenerateTotpSecret(factor.algorithm);
  CW_RETURN_IF_ERROR(directory_.SetTotp(user.username, factor));
  return Offer(user, factor);
}

Result<std::vector<std::string>> IdentityService::ConfirmMfaEnrolment(
    const identity::Principal& actor, std::string_view code, const RequestContext& context) {
  CW_ASSIGN_OR_RETURN(identity::StoredUser user, directory_.GetUser(actor.user_id));
  if (!user.totp.has_value()) {
    return Error::FailedPrecondition("mfa-not-enrolled", "begin the enrolment first");
  }
  CW_ASSIGN_OR_RETURN(identity::Totp totp,
                      identity::Totp::New(user.totp->secret, {user.totp->algorithm, 6}));
  Result<identity::TotpStep> step = totp.Verify(code, clock_.Now(), user.totp->last_used_step);
  if (!step.ok()) {
    Record(SecurityEventType::kMfaFailed, SecurityOutcome::kFailure, user.username,
           user.username, context, "enrolment");
    return MfaInvalid();
  }
  CW_RETURN_IF_ERROR(directory_.ConfirmTotp(user.username, *step));
  CW_ASSIGN_OR_RETURN(identity::RecoveryCodeSet codes,
                      identity::GenerateRecoveryCodes(user.username));
  CW_RETURN_IF_ERROR(directory_.SetRecoveryCodes(user.username, codes.stored));
  Record(SecurityEventType::kMfaEnrolled, SecurityOutcome::kSuccess, user.username,
         user.username, context);
  return codes.codes;
}

Result<std::pair<MfaEnrolmentOffer, std::vector<std::string>>> IdentityService::EnrolOffline(
    std::string_view username) {
  CW_ASSIGN_OR_RETURN(identity::StoredUser user, directory_.GetUser(username));
  identity::TotpFactor factor;
  factor.secret = identity::GenerateTotpSecret(factor.algorithm);
  factor.confirmed = true;
  CW_RETURN_IF_ERROR(directory_.SetTotp(user.username, factor));
  CW_ASSIGN_OR_RETURN(identity::RecoveryCodeSet codes,
                      identity::GenerateRecoveryCodes(user.username));
  CW_RETURN_IF_ERROR(directory_.SetRecoveryCodes(user.username, codes.stored));
  Record(SecurityEventType::kMfaEnrolled, SecurityOutcome::kSuccess, "administrator",
         user.username, RequestContext{}, "offline");
  CW_ASSIGN_OR_RETURN(MfaEnrolmentOffer offer, Offer(user, factor));
  return std::make_pair(std::move(offer), std::move(codes.codes));
}

void IdentityService::RecordDenied(const identity::Principal& actor, std::string_view what,
                                   const RequestContext& context) {
  Record(SecurityEventType::kPermissionDenied, SecurityOutcome::kDenied, actor.user_id, what,
         context);
}

}  // namespace clearway::app
