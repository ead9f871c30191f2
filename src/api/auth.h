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

#include <boost/json.hpp>

#include "api/http.h"
#include "api/route_util.h"
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

// Guarded() is a handler that authenticates with `scope`, runs `body(request, principal)` (a
// Result<boost::json::value>) and renders its answer with `status`, or its error as a problem;
// a refusal is recorded as a security event (Denied()).
template <class Body>
Handler Guarded(app::Runtime& runtime, identity::TokenScope scope, int status, Body body) {
  return [&runtime, scope, status, body](const Request& request) -> Response {
    auto principal = Authenticate(runtime, request, scope);
    if (!principal.ok()) return ErrorResponse(principal.error(), request);
    Result<boost::json::value> answer = body(request, *principal);
    if (!answer.ok()) {
      return ErrorResponse(Denied(runtime, *principal, request, answer.error()), request);
    }
    return JsonResponse(status, *answer);
  };
}

}  // namespace clearway::api
