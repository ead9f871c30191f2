// File: api/http_util.h
//
// Small text helpers of the HTTP layer, internal to api (the server, router and client use
// them; tests exercise them directly): request-target splitting, percent-decoding, query
// parsing, media-type checks, request-id validation and JSON string escaping for log lines.
// No regular expressions: these run on every request.
//
//   internal::Target target;
//   if (!internal::SplitTarget("/v1/x?a=1", target)) { /* 400 */ }
//
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace clearway::api::internal {

// Target is an origin-form request target split at the first '?'.
struct Target {
  std::string_view path;
  std::string_view query;
};

// SplitTarget() accepts origin-form only ("/path?query", RFC 9112 §3.2.1). Returns false for
// anything else: empty, absolute-form, "*", a fragment, or control/space characters.
bool SplitTarget(std::string_view target, Target& out);

// PercentDecode() appends the decoded `in` to `out`. With `plus_is_space` ('+' in query
// strings) a '+' becomes ' '. Returns false for a malformed escape ("%4", "%zz") or an
// escaped NUL; `out` is then unspecified.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string& out);

// ParseQuery() decodes "a=1&b=x%20y&flag" into `out` (a name without '=' gets ""); the first
// value of a repeated name wins. Returns false on a malformed escape or an empty name.
bool ParseQuery(std::string_view query, std::map<std::string, std::string, std::less<>>& out);

// MediaTypeOf() is the lower-cased "type/subtype" of a Content-Type value, without
// parameters and surrounding white space ("Application/JSON; charset=utf-8" -> "application/json").
std::string MediaTypeOf(std::string_view content_type);

// IsJsonMediaType() is true for application/json and application/*+json.
bool IsJsonMediaType(std::string_view media_type);

// kMaxRequestIdLength bounds a client-supplied X-Request-Id.
inline constexpr size_t kMaxRequestIdLength = 64;

// IsValidRequestId() is true for 1..64 characters of [A-Za-z0-9._:-].
bool IsValidRequestId(std::string_view id);

// AppendJsonString() appends `text` as a quoted, escaped JSON string (for log lines).
void AppendJsonString(std::string& out, std::string_view text);

// IsHttpToken() is true for a non-empty RFC 9110 token (method names, header names).
bool IsHttpToken(std::string_view text);

}  // namespace clearway::api::internal
