#include "api/route_util.h"

#include "api/error_catalog.h"
#include "api/problem.h"

namespace clearway::api {

Response ErrorResponse(const Error& error, const Request& request) {
  if (error.code == ErrorCode::kUnauthenticated) {
    ProblemDetails problem;
    problem.status = 401;
    problem.reason = error.reason;
    problem.title = "Authentication required";
    problem.detail = error.message;
    problem.instance = request.path;
    problem.hint = ErrorHint(error.reason);
    // RFC 6750 §3: a bearer challenge; the reason tells a client whether to sign in again.
    problem.headers.emplace_back(
        "WWW-Authenticate",
        error.reason.rfind("token-", 0) == 0
            ? "Bearer realm=\"clearway\", error=\"invalid_token\""
            : "Bearer realm=\"clearway\"");
    return ProblemResponse(std::move(problem));
  }
  if (error.reason == "idempotency-key-reused") {
    // draft-ietf-httpapi-idempotency-key-header §2.7: a key reused with another payload is 422.
    return Problem(422, error.reason, "Idempotency key reused", error.message, {},
                   ErrorHint(error.reason));
  }
  return ProblemFromError(
      error, [](std::string_view reason) { return ErrorHint(reason); }, request.path);
}

}  // namespace clearway::api
