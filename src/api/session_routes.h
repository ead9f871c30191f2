// File: api/session_routes.h
//
// Sign-in, sessions, second-factor enrolment and API tokens over HTTPS (app/identity_service.h):
//
//   POST   /v1/sessions                     {"username", "password", "totp"?, "recovery_code"?}
//                                           -> 201 {"token", "token_type": "Bearer",
//                                           "expires_at", "absolute_expires_at", "user"}, and
//                                           the session cookie (Secure; HttpOnly; SameSite=Strict)
//   GET    /v1/sessions/current             the caller: {"user", "token_kind", "expires_at"}
//   DELETE /v1/sessions/current             sign out: the token is revoked -> 204
//   POST   /v1/mfa/enrolment                a fresh TOTP secret: {"secret", "otpauth_uri",
//                                           "qr_svg"}
//   POST   /v1/mfa/enrolment/confirm        {"totp"} -> {"recovery_codes": [...]} (shown once)
//   POST   /v1/users/{username}/revoke-sessions   administrators -> {"revoked": n}
//   POST   /v1/api-tokens                   administrators: {"service_account", "scopes":
//                                           "declarations:read …", "lifetime_days"} -> 201
//                                           {"token", "expires_at", "scopes"}
//
// A refused sign-in is 401 (bad-credentials, mfa-required, mfa-invalid), 403
// (mfa-enrolment-required) or 429 with Retry-After (backoff, locked-out).
//
//   api::RegisterSessionRoutes(router, runtime);
#pragma once

#include "api/router.h"
#include "app/runtime.h"

namespace clearway::api {

// RegisterSessionRoutes() adds the routes above; `runtime` must outlive the router.
void RegisterSessionRoutes(Router& router, app::Runtime& runtime);

}  // namespace clearway::api
