// RFC 9457 problem details and the one ErrorCode -> HTTP status mapping.
#include "api/problem.h"

#include <boost/json.hpp>

namespace clearway::api {

namespace {
constexpr std::string_view kInternalDetail =
    "The server could not complete the request. Nothing about the cause is shown here; "
    "quote the request id (X-Request-Id) when reporting it.";

boost::json::object FieldProblemJson(const FieldProblem& problem) {
  boost::json::object entry;
  entry["field"] = problem.field;
  entry["reason"] = problem.reason;
  entry["message"] = problem.message;
  if (!problem.hint.empty()) entry["hint"] = problem.hint;
  return entry;
}

std::string LookupHint(const HintLookup& hints, std::string_view reason) {
  if (!hints || reason.empty()) return {};
  return hints(reason);
}

std::string_view CodeTitle(const Error& error, int status) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return status == 422 ? "Validation failed" : "Invalid request";
    case ErrorCode::kAlreadyExists:
      return "Already exists";
    case ErrorCode::kFailedPrecondition:
      return "Not allowed in the current state";
    case ErrorCode::kAborted:
      return "Conflicting change";
    default:
      return StatusTitle(status);
  }
}
}  // namespace

Response ProblemResponse(ProblemDetails problem) {
  if (problem.title.empty()) problem.title = std::string(StatusTitle(problem.status));
  if (problem.hint.empty()) {
    std::string_view hint = BuiltinHint(problem.reason);
    problem.hint = std::string(hint.empty() ? StatusHint(problem.status) : hint);
  }
  boost::json::object body;
  std::string type(kProblemTypeBase);
  type += problem.reason.empty() ? std::string_view("about-blank") : problem.reason;
  body["type"] = std::move(type);
  body["title"] = problem.title;
  body["status"] = problem.status;
  if (!problem.detail.empty()) body["detail"] = problem.detail;
  if (!problem.instance.empty()) body["instance"] = problem.instance;
  body["reason"] = problem.reason;
  body["hint"] = problem.hint;
  if (!problem.errors.empty()) {
    boost::json::array errors;
    errors.reserve(problem.errors.size());
    for (const FieldProblem& entry : problem.errors) errors.emplace_back(FieldProblemJson(entry));
    body["errors"] = std::move(errors);
  }
  Response response;
  response.status = problem.status;
  response.content_type = std::string(kProblemContentType);
  response.body = boost::json::serialize(body);
  response.headers = std::move(problem.headers);
  return response;
}

Response Problem(int status, std::string_view reason, std::string title, std::string detail,
                 std::vector<FieldProblem> errors, std::string hint) {
  ProblemDetails problem;
  problem.status = status;
  problem.reason = std::string(reason);
  problem.title = std::move(title);
  problem.detail = std::move(detail);
  problem.errors = std::move(errors);
  problem.hint = std::move(hint);
  return ProblemResponse(std::move(problem));
}

int HttpStatusFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return error.reason == "validation-failed" ? 422 : 400;
    case ErrorCode::kNotFound:
      // A declaration retention purged is gone for good, not merely unknown.
      return error.reason == "declaration-purged" ? 410 : 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kAborted:
      return 409;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kResourceExhausted:
      return error.reason == "body-too-large" ? 413 : 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDataLoss:
      return 500;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response ProblemFromError(const Error& error, const HintLookup& hints, std::string instance) {
  ProblemDetails problem;
  problem.status = HttpStatusFor(error);
  problem.instance = std::move(instance);
  if (problem.status == 500) {
    // Internal and data-loss errors may name files, keys or library state: none of it goes
    // out. The caller logs the Error under the request id.
    problem.reason = "internal";
    problem.title = std::string(StatusTitle(500));
    problem.detail = std::string(kInternalDetail);
    problem.hint = LookupHint(hints, problem.reason);
    return ProblemResponse(std::move(problem));
  }
  problem.reason = error.reason;
  problem.title = std::string(CodeTitle(error, problem.status));
  problem.detail = error.message;
  problem.hint = LookupHint(hints, error.reason);
  if (!error.details.empty()) {
    problem.errors.reserve(error.details.size());
    for (const Error& detail : error.details) {
      problem.errors.push_back(FieldProblem{detail.field_path, detail.reason, detail.message,
                                            LookupHint(hints, detail.reason)});
    }
  } else if (!error.field_path.empty()) {
    problem.errors.push_back(
        FieldProblem{error.field_path, error.reason, error.message, problem.hint});
  }
  if (problem.status == 401) {
    problem.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"clearway\"");
  }
  return ProblemResponse(std::move(problem));
}

std::string_view BuiltinHint(std::string_view reason) {
  if (reason == "route-not-found") {
    return "No endpoint has this path; check it against the OpenAPI document.";
  }
  if (reason == "method-not-allowed") return "Use one of the methods listed in the Allow header.";
  if (reason == "body-too-large") {
    return "Send a smaller request body; the limit is stated in 'detail'.";
  }
  if (reason == "unsupported-media-type") {
    return "Send the body as JSON with the header 'Content-Type: application/json'.";
  }
  if (reason == "header-too-large") return "Send fewer or shorter header fields.";
  if (reason == "malformed-request") return "Send a well-formed HTTP/1.1 request.";
  if (reason == "malformed-query") {
    return "Percent-encode query parameter names and values (RFC 3986).";
  }
  if (reason == "malformed-path") return "Percent-encode path segments (RFC 3986).";
  if (reason == "validation-failed") {
    return "Fix each entry of 'errors' (its 'field' is the JSON path of the input) and resend.";
  }
  if (reason == "malformed-json") return "Send one well-formed JSON value as the body.";
  if (reason == "internal") {
    return "Retry later; if it persists, report the X-Request-Id of the response.";
  }
  return {};
}

std::string_view StatusHint(int status) {
  switch (status) {
    case 400:
      return "Correct the request as 'detail' describes, then send it again.";
    case 401:
      return "Sign in, or send a valid bearer token in the Authorization header.";
    case 403:
      return "Your role or organisation may not do this; ask an administrator.";
    case 404:
      return "Check the identifier and the path.";
    case 405:
      return "Use one of the methods listed in the Allow header.";
    case 409:
      return "Fetch the current state of the resource, then retry if still needed.";
    case 413:
      return "Send a smaller request body.";
    case 415:
      return "Send the body with a supported Content-Type.";
    case 422:
      return "Fix each entry of 'errors' and resend.";
    case 429:
      return "Slow down; retry after the Retry-After delay if one is given.";
    case 431:
      return "Send fewer or shorter header fields.";
    case 503:
      return "The service is temporarily unavailable; retry with backoff.";
    default:
      break;
  }
  if (status >= 500) return "Retry later; if it persists, report the X-Request-Id of the response.";
  return "See 'detail'; report the X-Request-Id of the response if this looks wrong.";
}

std::string_view StatusTitle(int status) {
  switch (status) {
    case 400:
      return "Bad request";
    case 401:
      return "Authentication required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not found";
    case 405:
      return "Method not allowed";
    case 406:
      return "Not acceptable";
    case 408:
      return "Request timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 412:
      return "Precondition failed";
    case 413:
      return "Request body too large";
    case 415:
      return "Unsupported media type";
    case 422:
      return "Unprocessable content";
    case 428:
      return "Precondition required";
    case 429:
      return "Too many requests";
    case 431:
      return "Request header fields too large";
    case 500:
      return "Internal error";
    case 501:
      return "Not implemented";
    case 502:
      return "Bad gateway";
    case 503:
      return "Service unavailable";
    case 504:
      return "Gateway timeout";
    default:
      return status >= 500 ? "Server error" : "Request failed";
  }
}

}  // namespace clearway::api
