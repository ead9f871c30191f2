#include "api/auth.h"

namespace clearway::api {

app::RequestContext ContextOf(const Request& request) {
  return app::RequestContext{request.remote_address, request.request_id};
}

std::optional<std::string> SessionCookieOf(const Request& request) {
  auto cookies = request.Header("cookie");
  if (!cookies) return std::nullopt;
  std::string_view rest = *cookies;
  while (!rest.empty()) {
    size_t end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > kSessionCookie.size() && pair.substr(0, kSessionCookie.size()) == kSessionCookie &&
        pair[kSessionCookie.size()] == '=') {
      return std::string(pair.substr(kSessionCookie.size() + 1));
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return std::nullopt;
}

Result<identity::Principal> Authenticate(app::Runtime& runtime, const Request& request,
                                         std::optional<identity::TokenScope> scope) {
  std::string authorization;
  if (auto header = request.Header("authorization")) {
    authorization = std::string(*header);
  } else if (auto cookie = SessionCookieOf(request)) {
    authorization = "Bearer " + *cookie;
  } else {
    return Error::Unauthenticated("missing-credentials",
                                  "sign in (POST /v1/sessions) and send Authorization: Bearer");
  }
  CW_ASSIGN_OR_RETURN(auto caller,
                      runtime.identity().AuthenticateToken(authorization, ContextOf(request)));
  if (scope.has_value()) {
    Status allowed = identity::RequireScope(caller.second, *scope);
    if (!allowed.ok()) {
      runtime.identity().RecordDenied(caller.first, request.route_pattern, ContextOf(request));
      return std::move(allowed).error();
    }
  }
  return std::move(caller.first);
}

const Error& Denied(app::Runtime& runtime, const identity::Principal& principal,
                    const Request& request, const Error& error) {
  if (error.code == ErrorCode::kPermissionDenied) {
    runtime.identity().RecordDenied(principal, request.route_pattern, ContextOf(request));
  }
  return error;
}

}  // namespace clearway::api
