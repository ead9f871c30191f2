// File: api/auth.h
//
// Who is calling: every protected route resolves its caller here, from a bearer token
// ("Authorization: Bearer cws_…" for a session, "cwa_…" for an API token) or, for a browser,
// the session cookie (Secure, HttpOnly, SameSite=Strict) that POST /v1/sessions sets. API
// tokens carry scopes: a route names the scope it needs, and a session (whose role the policy
// judges) needs none.
//
//   auto caller = api::Authenticate(runtime, request, identity::TokenScope::kDeclarationsRead);
//   if (!caller.ok()) return ErrorResponse(caller.error(), request);
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/http.h"
#include "app/identity_service.h"
#include "app/runtime.h"
#include "identity/identity.h"
#include "identity/tokens.h"

namespace clearway::api {

inline constexpr std::string_view kSessionCookie = "clearway_session";

// ContextOf() is the request's source address and id, for security events.
app::RequestContext ContextOf(const Request& request);

// SessionCookieOf() returns the session token in the Cookie header, if any.
std::optional<std::string> SessionCookieOf(const Request& request);

// Authenticate() returns the caller. Failures: kUnauthenticated "missing-credentials",
// "token-invalid", "token-expired", "token-revoked"; kPermissionDenied "token-scope-missing"
// for an API token without `scope`.
Result<identity::Principal> Authenticate(app::Runtime& runtime, const Request& request,
                                         std::optional<identity::TokenScope> scope = std::nullopt);

// Denied() records a permission-denied security event when `error` is one, and returns it.
const Error& Denied(app::Runtime& runtime, const identity::Principal& principal,
                    const Request& request, const Error& error);

}  // namespace clearway::api
