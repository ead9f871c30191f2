#include "api/route_util.h"

#include <charconv>
#include <string>

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

Result<int64_t> IntegerParam(const Request& request, std::string_view name, int64_t min,
                             int64_t max, int64_t fallback) {
  std::optional<std::string_view> text = request.QueryParam(name);
  if (!text.has_value()) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return Error::InvalidArgument(std::string(name), "bad-parameter",
                                  std::string(name) + " must be a whole number from " +
                                      std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

Result<std::optional<Timestamp>> TimestampParam(const Request& request, std::string_view name) {
  std::optional<std::string_view> text = request.QueryParam(name);
  if (!text.has_value()) return std::optional<Timestamp>();
  Result<Timestamp> parsed = ParseTimestamp(*text);
  if (!parsed.ok()) {
    Error error = std::move(parsed).error();
    error.field_path = std::string(name);
    return error;
  }
  return std::optional<Timestamp>(*parsed);
}

}  // namespace clearway::api
