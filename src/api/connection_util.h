// File: api/connection_util.h
//
// Internal to api: the pieces of a server connection that need no socket, kept apart so
// tests can check them directly: which methods have their media type checked, whether a
// route accepts a Content-Type, the method label of metrics, the Date header, request ids,
// and turning a handler's Response into the Beast response with the security headers.
//
//   auto wire = internal::BuildResponse(std::move(response), request_id, /*keep_alive=*/true);
//
// Thread safety: pure functions (HttpDate() and NewRequestId() keep per-thread state).
#pragma once

#include <string_view>

#include <boost/beast/http.hpp>

#include "api/http.h"
#include "api/router.h"

namespace clearway::api::internal {

// MethodChecksMediaType() is true for POST, PUT and PATCH.
bool MethodChecksMediaType(std::string_view method);

// AcceptsMediaType() is true when `content_type` (a header value, parameters allowed) is
// JSON, or one of options.content_types when that list is not empty.
bool AcceptsMediaType(const RouteOptions& options, std::string_view content_type);

// MetricMethod() keeps metric label values bounded: a standard method, else "OTHER".
std::string_view MetricMethod(std::string_view method);

// HttpDate() is the current time as an IMF-fixdate (RFC 9110 §5.6.7).
std::string_view HttpDate();

// NewRequestId() is a fresh request id: 16 characters of [A-Za-z0-9.-] (6 bits each, so a
// valid client-supplied id too) encoding 8 random bytes drawn once per thread and a 32-bit
// per-thread counter (the random part is drawn again when the counter wraps). Unique without a system call per request; an id is a correlation handle,
// not a secret, so that the next one of a thread is guessable does not matter.
std::string NewRequestId();

// BuildResponse() makes the HTTP/1.1 response: status, Content-Type, the handler's headers
// (a header with a name that is not a token, a value with CR/LF/NUL, or a name the server
// owns — Content-Length, Transfer-Encoding, Connection, Content-Type, Date, X-Request-Id — is
// dropped with a warning), then Date, X-Request-Id, and Cache-Control: no-store,
// X-Content-Type-Options: nosniff, Strict-Transport-Security unless the handler set them.
// 1xx/204/304 responses lose any body.
boost::beast::http::response<boost::beast::http::string_body> BuildResponse(
    Response response, std::string_view request_id, bool keep_alive);

}  // namespace clearway::api::internal
