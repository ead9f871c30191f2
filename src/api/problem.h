// File: api/problem.h
//
// RFC 9457 problem details: every error response of the API is an application/problem+json
// object, and ErrorCode is mapped to an HTTP status here and only here.
//
//   {"type": "https://clearway.example/problems/unknown-country", "title": "Validation failed",
//    "status": 422, "detail": "…", "instance": "/v1/declarations", "reason": "validation-failed",
//    "hint": "…", "errors": [{"field": "goodsItems[2].origin", "reason": "unknown-country",
//                              "message": "…", "hint": "…"}]}
//
// `type` is the absolute URI kProblemTypeBase + reason: absolute so that a problem keeps its
// identity whatever host served it (RFC 9457 §3.1.1 discourages relative type URIs). `reason`
// repeats the stable kebab-case identifier for clients that do not want to parse URIs. Every
// problem carries a `hint` telling the caller how to fix it: from the caller's HintLookup
// when it knows the reason, else a built-in hint for the server's own reasons, else a hint
// for the status.
//
//   return ProblemFromError(result.error(), hints);   // in a handler
//   return Problem(404, "declaration-not-found", "Not found", "No declaration with this id.");
//
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http.h"
#include "common/error.h"

namespace clearway::api {

inline constexpr std::string_view kProblemTypeBase = "https://clearway.example/problems/";

// FieldProblem is one entry of `errors`: the JSON path of the offending input, the stable
// reason and a human message; `hint` is omitted from the JSON when empty.
struct FieldProblem {
  std::string field{};
  std::string reason{};
  std::string message{};
  std::string hint{};
};

// ProblemDetails is the full problem; `instance` (the request path, say) and `headers`
// (such as WWW-Authenticate) are optional.
struct ProblemDetails {
  int status = 500;
  std::string reason{};
  std::string title{};
  std::string detail{};
  std::string instance{};
  std::string hint{};
  std::vector<FieldProblem> errors{};
  std::vector<std::pair<std::string, std::string>> headers{};
};

// HintLookup returns the fix hint for a reason, or "" when it has none.
using HintLookup = std::function<std::string(std::string_view reason)>;

// ProblemResponse() renders `problem` as an application/problem+json Response. An empty
// hint is filled from BuiltinHint(reason), else StatusHint(status); an empty title from
// StatusTitle(status).
Response ProblemResponse(ProblemDetails problem);

// Problem() is ProblemResponse() for the common fields.
Response Problem(int status, std::string_view reason, std::string title, std::string detail,
                 std::vector<FieldProblem> errors = {}, std::string hint = "");

// HttpStatusFor() maps an Error to its HTTP status: kInvalidArgument 400 (422 when the
// reason is "validation-failed"), kNotFound 404, kAlreadyExists/kFailedPrecondition/kAborted
// 409, kPermissionDenied 403, kUnauthenticated 401, kResourceExhausted 429 (413 when the
// reason is "body-too-large"), kUnavailable 503, kDataLoss/kInternal 500.
int HttpStatusFor(const Error& error);

// ProblemFromError() renders an Error as a problem with status HttpStatusFor(error).
// The error's details become `errors` (or, with no details but a field path, the error
// itself does). 401 carries `WWW-Authenticate: Bearer realm="clearway"`. kInternal and
// kDataLoss become a generic 500 with reason "internal" that says nothing of the cause:
// the caller logs the Error itself. Hints come from `hints` first (also for each entry of
// `errors`), then as in ProblemResponse().
Response ProblemFromError(const Error& error, const HintLookup& hints = {},
                          std::string instance = "");

// BuiltinHint() is the hint for the reasons the HTTP layer itself produces
// ("route-not-found", "method-not-allowed", "body-too-large", …), or "" for others.
std::string_view BuiltinHint(std::string_view reason);

// StatusHint() is a generic hint for an HTTP status; never empty.
std::string_view StatusHint(int status);

// StatusTitle() is a short title for an HTTP status ("Not found"); never empty.
std::string_view StatusTitle(int status);

}  // namespace clearway::api
