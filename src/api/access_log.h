// File: api/access_log.h
//
// Internal to api: the one-line JSON access log record the server writes per request.
// It names the route pattern and the path (never the query string), the status, timing,
// request id, peer address and byte counts: never a body or a header value.
//
//   spdlog::info(internal::AccessLogLine({.method = "GET", .route = "/v1/x/{id}", ...}));
//
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace clearway::api::internal {

struct AccessLogEntry {
  std::string_view method{};
  std::string_view route{};  // the matched pattern, or "unmatched"
  std::string_view path{};   // without the query; cut to kMaxLoggedPath bytes
  int status = 0;
  double duration_ms = 0;
  std::string_view request_id{};
  std::string_view remote{};
  size_t bytes_in = 0;   // request body bytes
  size_t bytes_out = 0;  // response bytes on the wire
};

inline constexpr size_t kMaxLoggedPath = 256;

// AccessLogLine() renders `entry` as one compact JSON object with "event":"http_request".
std::string AccessLogLine(const AccessLogEntry& entry);

}  // namespace clearway::api::internal
