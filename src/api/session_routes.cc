#include "api/session_routes.h"

#include <chrono>
#include <string>

#include "api/auth.h"
#include "api/route_util.h"
#include "common/json.h"

namespace clearway::api {

namespace {

namespace json = boost::json;

constexpr size_t kMaxSignInBody = 4096;

void AddRoute(Router& router, std::string_view method, std::string_view pattern, Handler handler,
              RouteOptions options = {}) {
  Status added = router.Add(method, pattern, std::move(handler), std::move(options));
  CW_CHECK(added.ok());
}

RouteOptions SmallBody() {
  RouteOptions options;
  options.max_body_bytes = kMaxSignInBody;
  return options;
}

// StringFields() reads a JSON object of string fields, refusing unknown or non-string ones.
Result<std::map<std::string, std::string>> StringFields(
    const Request& request, std::initializer_list<std::string_view> allowed) {
  if (request.body.empty()) return Error::InvalidArgument("", "empty-body", "send a JSON object");
  CW_ASSIGN_OR_RETURN(json::value body, ParseJson(request.body));
  if (!body.is_object()) {
    return Error::InvalidArgument("", "wrong-type", "the body must be a JSON object");
  }
  std::map<std::string, std::string> out;
  for (const auto& field : body.get_object()) {
    const std::string key(field.key());
    bool known = false;
    for (std::string_view name : allowed) known = known || name == key;
    if (!known) return Error::InvalidArgument(key, "unknown-field", key + " is not a field here");
    if (!field.value().is_string()) {
      return Error::InvalidArgument(key, "wrong-type", key + " must be a string");
    }
    out[key] = std::string(field.value().get_string());
  }
  return out;
}

json::object UserJson(const identity::Principal& p) {
  json::array offices, represented;
  for (const auto& office : p.offices) offices.emplace_back(office);
  for (const auto& org : p.represented) represented.emplace_back(org);
  return {{"username", p.user_id},
          {"organisation", p.organisation_id},
          {"role", identity::RoleName(p.role)},
          {"offices", std::move(offices)},
          {"represented", std::move(represented)}};
}

std::string Cookie(const std::string& token, std::chrono::seconds max_age) {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; Max-Age=" +
         std::to_string(max_age.count()) + "; Secure; HttpOnly; SameSite=Strict";
}

}  // namespace

void RegisterSessionRoutes(Router& router, app::Runtime& runtime) {
  app::IdentityService& identity = runtime.identity();

  AddRoute(router, "POST", "/v1/sessions", [&identity, &runtime](const Request& request) {
    auto fields = StringFields(request, {"username", "password", "totp", "recovery_code"});
    if (!fields.ok()) return ErrorResponse(fields.error(), request);
    app::SignInRequest sign_in{(*fields)["username"], (*fields)["password"], (*fields)["totp"],
                               (*fields)["recovery_code"]};
    if (sign_in.username.empty() || sign_in.password.empty()) {
      return ErrorResponse(Error::InvalidArgument(sign_in.username.empty() ? "username" : "password",
                                                  "missing-field", "username and password are required"),
                           request);
    }
    auto signed_in = identity.SignIn(sign_in, ContextOf(request));
    if (!signed_in.ok()) {
      Response refused = ErrorResponse(signed_in.error(), request);
      if (signed_in.error().code == ErrorCode::kResourceExhausted) {
        auto gate = identity.lockout().Check(sign_in.username, request.remote_address);
        refused.headers.emplace_back("Retry-After",
                                     std::to_string(std::max<int64_t>(1, gate.retry_after.count())));
      }
      return refused;
    }
    const identity::TokenRecord& record = signed_in->token.record;
    Response response = JsonResponse(
        201, json::object{{"token", signed_in->token.token},
                          {"token_type", "Bearer"},
                          {"expires_at", FormatTimestamp(record.expires_at)},
                          {"absolute_expires_at", FormatTimestamp(record.absolute_expires_at)},
                          {"user", UserJson(signed_in->principal)}});
    response.headers.emplace_back(
        "Set-Cookie",
        Cookie(signed_in->token.token, std::chrono::duration_cast<std::chrono::seconds>(
                                           record.absolute_expires_at - record.issued_at)));
    response.headers.emplace_back("Cache-Control", "no-store");
    (void)runtime;
    return response;
  }, SmallBody());

  AddRoute(router, "GET", "/v1/sessions/current", [&identity](const Request& request) {
    std::string authorization;
    if (auto header = request.Header("authorization")) authorization = std::string(*header);
    else if (auto cookie = SessionCookieOf(request)) authorization = "Bearer " + *cookie;
    auto caller = identity.AuthenticateToken(authorization, ContextOf(request));
    if (!caller.ok()) return ErrorResponse(caller.error(), request);
    const identity::TokenRecord& record = caller->second;
    return JsonResponse(
        200, json::object{{"user", UserJson(caller->first)},
                          {"token_kind", record.kind == identity::TokenKind::kSession ? "session"
                                                                                      : "api"},
                          {"expires_at", FormatTimestamp(record.expires_at)},
                          {"scopes", identity::FormatTokenScopes(record.scopes)}});
  });

  AddRoute(router, "DELETE", "/v1/sessions/current", [&identity](const Request& request) {
    std::string authorization;
    if (auto header = request.Header("authorization")) authorization = std::string(*header);
    else if (auto cookie = SessionCookieOf(request)) authorization = "Bearer " + *cookie;
    Status out = identity.SignOut(authorization, ContextOf(request));
    if (!out.ok()) return ErrorResponse(out.error(), request);
    Response response;
    response.status = 204;
    response.headers.emplace_back("Set-Cookie", Cookie("", std::chrono::seconds(0)));
    return response;
  });

  AddRoute(router, "POST", "/v1/mfa/enrolment", [&identity, &runtime](const Request& request) {
    auto caller = Authenticate(runtime, request);
    if (!caller.ok()) return ErrorResponse(caller.error(), request);
    auto offer = identity.BeginMfaEnrolment(*caller, ContextOf(request));
    if (!offer.ok()) return ErrorResponse(offer.error(), request);
    Response response = JsonResponse(201, json::object{{"secret", offer->secret_base32},
                                                       {"otpauth_uri", offer->otpauth_uri},
                                                       {"qr_svg", offer->qr_svg}});
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  }, SmallBody());

  AddRoute(router, "POST", "/v1/mfa/enrolment/confirm",
           [&identity, &runtime](const Request& request) {
             auto caller = Authenticate(runtime, request);
             if (!caller.ok()) return ErrorResponse(caller.error(), request);
             auto fields = StringFields(request, {"totp"});
             if (!fields.ok()) return ErrorResponse(fields.error(), request);
             auto codes = identity.ConfirmMfaEnrolment(*caller, (*fields)["totp"],
                                                       ContextOf(request));
             if (!codes.ok()) return ErrorResponse(codes.error(), request);
             json::array list;
             for (const auto& code : *codes) list.emplace_back(code);
             Response response = JsonResponse(200, json::object{{"recovery_codes", list}});
             response.headers.emplace_back("Cache-Control", "no-store");
             return response;
           },
           SmallBody());

  AddRoute(router, "POST", "/v1/users/{username}/revoke-sessions",
           [&identity, &runtime](const Request& request) {
             auto caller = Authenticate(runtime, request);
             if (!caller.ok()) return ErrorResponse(caller.error(), request);
             auto revoked = identity.RevokeSessions(*caller, *request.PathParam("username"),
                                                    ContextOf(request));
             if (!revoked.ok()) return ErrorResponse(revoked.error(), request);
             return JsonResponse(200, json::object{{"revoked", *revoked}});
           },
           SmallBody());

  AddRoute(router, "POST", "/v1/api-tokens", [&identity, &runtime](const Request& request) {
    auto caller = Authenticate(runtime, request);
    if (!caller.ok()) return ErrorResponse(caller.error(), request);
    auto fields = StringFields(request, {"service_account", "scopes", "lifetime_days"});
    if (!fields.ok()) return ErrorResponse(fields.error(), request);
    auto scopes = identity::ParseTokenScopes((*fields)["scopes"]);
    if (!scopes.ok()) return ErrorResponse(scopes.error(), request);
    int64_t days = 90;
    if (const std::string& text = (*fields)["lifetime_days"]; !text.empty()) {
      try {
        size_t used = 0;
        days = std::stoll(text, &used);
        if (used != text.size()) days = -1;
      } catch (const std::exception&) {
        days = -1;
      }
      if (days < 1 || days > 366) {
        return ErrorResponse(Error::InvalidArgument("lifetime_days", "bad-parameter",
                                                    "lifetime_days must be 1..366"),
                             request);
      }
    }
    auto issued = identity.IssueApiToken(*caller, (*fields)["service_account"], *scopes,
                                         std::chrono::hours(24 * days), ContextOf(request));
    if (!issued.ok()) return ErrorResponse(issued.error(), request);
    Response response = JsonResponse(
        201, json::object{{"token", issued->token},
                          {"expires_at", FormatTimestamp(issued->record.expires_at)},
                          {"scopes", identity::FormatTokenScopes(issued->record.scopes)}});
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  }, SmallBody());
}

}  // namespace clearway::api
