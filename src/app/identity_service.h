// File: app/identity_service.h
//
// Sign-in, sessions, second factors and API tokens: the identity use cases over the directory
// (identity/directory.h), the brute-force tracker (identity/lockout.h) and the security event
// sink (identity/security_event.h). The HTTP routes and the CLI are thin edges over it.
//
//   IdentityService identity(directory, clock, events);
//   CW_ASSIGN_OR_RETURN(SignedIn in, identity.SignIn({"officer.hamburg", password, "123456"},
//                                                    {"203.0.113.7", request_id}));
//   // in.token.token goes to the client once; it comes back as "Authorization: Bearer ..."
//   CW_ASSIGN_OR_RETURN(Principal who, identity.Authenticate(header, context));
//
// Sign-in answers an unknown user, a disabled one, a service account and a wrong password the
// same way ("bad-credentials"), after the same Argon2id work. Every outcome that matters to
// security (signed in, failed, MFA failed, locked out, token issued, revoked, permission
// denied, MFA enrolled) is recorded as a security event with the request id and source
// address, never with a password, code or token.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "identity/directory.h"
#include "identity/identity.h"
#include "identity/lockout.h"
#include "identity/security_event.h"
#include "identity/tokens.h"

namespace clearway::app {

// Where a request came from, for security events.
struct RequestContext {
  std::string source_address;
  std::string request_id;
};

struct SignInRequest {
  std::string username;
  std::string password;
  std::string totp;           // the current code of the user's authenticator, or ""
  std::string recovery_code;  // instead of a TOTP code, once per code
};

struct SignedIn {
  identity::IssuedToken token;  // token.token is shown to the client once
  identity::Principal principal;
};

// What a user needs to add the second factor to an authenticator app.
struct MfaEnrolmentOffer {
  std::string secret_base32;
  std::string otpauth_uri;
  std::string qr_svg;
};

struct IdentityServiceOptions {
  identity::SessionLifetime session;
  identity::LockoutOptions lockout;
  std::string issuer = "Clearway";  // shown in authenticator apps
};

class IdentityService {
 public:
  // `directory`, `clock` and `events` must outlive the service.
  IdentityService(identity::IdentityStore& directory, const Clock& clock,
                  identity::SecurityEventSink& events, IdentityServiceOptions options = {});

  // SignIn() checks the password and, when the user must use MFA (identity::MfaRequired) or
  // has enrolled, a TOTP code or a recovery code; then issues a session token. Failures:
  //   kResourceExhausted "backoff" / "locked-out" (lockout().Check() gives the retry delay);
  //   kUnauthenticated "bad-credentials"  unknown user, disabled, service account, password;
  //   kUnauthenticated "mfa-required"     the password is right; send a totp code;
  //   kUnauthenticated "mfa-invalid"      the code is wrong, replayed or already used;
  //   kPermissionDenied "mfa-enrolment-required"  MFA is mandatory but the user has none: an
  //                                       administrator enrols it (`clearway mfa enroll`).
  Result<SignedIn> SignIn(const SignInRequest& request, const RequestContext& context);

  // Authenticate() takes an Authorization header "Bearer <token>" and returns the principal.
  // A session close to its idle deadline is refreshed on the way. Failures: kUnauthenticated
  // "missing-credentials", "token-invalid", "token-expired", "token-revoked" (also for a user
  // since disabled); directory errors.
  Result<identity::Principal> Authenticate(std::string_view authorization,
                                           const RequestContext& context);

  // AuthenticateToken() is Authenticate() that also returns the token's record (for scopes).
  Result<std::pair<identity::Principal, identity::TokenRecord>> AuthenticateToken(
      std::string_view authorization, const RequestContext& context);

  // SignOut() revokes the presented session or API token. Errors of Authenticate().
  Status SignOut(std::string_view authorization, const RequestContext& context);

  // RevokeSessions() revokes every token of `username`; administrators only (kPermissionDenied
  // "forbidden"); kNotFound "user-not-found". Returns how many were revoked.
  Result<size_t> RevokeSessions(const identity::Principal& actor, std::string_view username,
                                const RequestContext& context);

  // IssueApiToken() gives a service account of the actor's organisation (or any, for an
  // administrator) an API token with `scopes` for `lifetime`. kPermissionDenied "forbidden"
  // unless the actor is an administrator; kFailedPrecondition "not-a-service-account";
  // errors of identity::IssueApiToken().
  Result<identity::IssuedToken> IssueApiToken(const identity::Principal& actor,
                                              std::string_view service_account,
                                              std::vector<identity::TokenScope> scopes,
                                              std::chrono::seconds lifetime,
                                              const RequestContext& context);

  // BeginMfaEnrolment() gives the signed-in user a fresh, unconfirmed TOTP secret (replacing
  // an unconfirmed one; kFailedPrecondition "mfa-already-enrolled" for a confirmed one).
  Result<MfaEnrolmentOffer> BeginMfaEnrolment(const identity::Principal& actor,
                                              const RequestContext& context);

  // ConfirmMfaEnrolment() checks a first code from the app, confirms the factor and returns
  // fresh recovery codes (shown once). kFailedPrecondition "mfa-not-enrolled";
  // kUnauthenticated "mfa-invalid".
  Result<std::vector<std::string>> ConfirmMfaEnrolment(const identity::Principal& actor,
                                                       std::string_view code,
                                                       const RequestContext& context);

  // EnrolOffline() enrols `username` at once (the administrator's `clearway mfa enroll`):
  // a confirmed TOTP factor and recovery codes. Returns the offer and the codes.
  Result<std::pair<MfaEnrolmentOffer, std::vector<std::string>>> EnrolOffline(
      std::string_view username);

  // RecordDenied() records a permission-denied event for `what` (a route pattern).
  void RecordDenied(const identity::Principal& actor, std::string_view what,
                    const RequestContext& context);

  const identity::LockoutTracker& lockout() const { return lockout_; }

 private:
  void Record(identity::SecurityEventType type, identity::SecurityOutcome outcome,
              std::string_view actor, std::string_view subject, const RequestContext& context,
              std::string_view reason = {});
  Status CheckSecondFactor(const identity::StoredUser& user, const SignInRequest& request,
                           const RequestContext& context);
  Result<MfaEnrolmentOffer> Offer(const identity::StoredUser& user,
                                  const identity::TotpFactor& factor) const;

  identity::IdentityStore& directory_;
  const Clock& clock_;
  identity::SecurityEventSink& events_;
  const IdentityServiceOptions options_;
  identity::LockoutTracker lockout_;
  const std::string dummy_hash_;  // verified for unknown users: equal work, equal answers
};

}  // namespace clearway::app
