// File: api/http.h
//
// The plain values the HTTP layer hands to handlers and takes back from them. Handlers never
// see Beast or sockets: a Request is a decoded, size-checked HTTP request, a Response is what
// to send. The server (api/server.h) adds the request id, security headers and framing.
//
//   Handler get_receipt = [](const Request& request) {
//     const std::string& id = request.path_params.at("id");
//     if (auto key = request.Header("idempotency-key")) { ... }
//     return JsonResponse(200, boost::json::object{{"id", id}});
//   };
//
// Thread safety: plain values; a Handler may be called from many worker threads at once.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

namespace clearway::api {

// Request
//
// One decoded HTTP request. `path` is the raw request path (no query), `query` holds the
// percent-decoded query parameters (the first value wins when a name repeats), `headers` the
// header fields with lower-case names in arrival order, `path_params` the `{name}` segments
// of the matched route, percent-decoded. `route_pattern` is the matched route's pattern
// ("/v1/declarations/{id}"), empty when no route matched.
struct Request {
  std::string method{};
  std::string path{};
  std::map<std::string, std::string, std::less<>> query{};
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  std::string remote_address{};
  std::string request_id{};
  std::map<std::string, std::string, std::less<>> path_params{};
  std::string route_pattern{};

  // Header() finds a header field by case-insensitive name. Returns its value (a view into
  // this Request) or nullopt when absent; with repeated fields, the first one.
  std::optional<std::string_view> Header(std::string_view name) const;

  // PathParam()/QueryParam() return the value, or nullopt when absent.
  std::optional<std::string_view> PathParam(std::string_view name) const;
  std::optional<std::string_view> QueryParam(std::string_view name) const;
};

// Response
//
// What a handler returns. `content_type` is sent as Content-Type unless empty; `headers` are
// extra fields (the server adds Content-Length, X-Request-Id and the security headers itself).
struct Response {
  int status = 200;
  std::string content_type{};
  std::string body{};
  std::vector<std::pair<std::string, std::string>> headers{};

  // Header() finds an extra header by case-insensitive name (tests and middleware use it).
  std::optional<std::string_view> Header(std::string_view name) const;
};

// Handler answers one request. It may block (for example on a durable commit): the server
// runs handlers on a worker pool. A handler should return problems (api/problem.h) for
// expected failures; an exception becomes a generic 500.
using Handler = std::function<Response(const Request&)>;

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

// JsonResponse() serialises `value` compactly with Content-Type application/json.
Response JsonResponse(int status, const boost::json::value& value);

// TextResponse() sends `body` as is with the given content type (text/plain by default).
Response TextResponse(int status, std::string body,
                      std::string content_type = std::string(kTextContentType));

// EqualsIgnoreCase() compares ASCII text without regard to case (header names, tokens).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace clearway::api
