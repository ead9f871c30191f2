// Socket-free pieces of a server connection; see connection_util.h.
#include "api/connection_util.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <span>

#include <spdlog/spdlog.h>

#include "api/http_util.h"
#include "crypto/crypto.h"

namespace clearway::api::internal {

namespace http = boost::beast::http;

namespace {
constexpr std::string_view kStrictTransportSecurity = "max-age=31536000; includeSubDomains";

bool IsSafeHeaderValue(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool IsServerOwnedHeader(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kOwned = {
      "content-length", "transfer-encoding", "connection", "content-type", "date",
      "x-request-id",   "keep-alive",        "upgrade",    "trailer"};
  for (std::string_view owned : kOwned) {
    if (EqualsIgnoreCase(name, owned)) return true;
  }
  return false;
}
}  // namespace

bool MethodChecksMediaType(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

bool AcceptsMediaType(const RouteOptions& options, std::string_view content_type) {
  const std::string media_type = MediaTypeOf(content_type);
  if (options.content_types.empty()) return IsJsonMediaType(media_type);
  for (const std::string& accepted : options.content_types) {
    if (EqualsIgnoreCase(accepted, media_type)) return true;
  }
  return false;
}

std::string_view MetricMethod(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",   "HEAD",   "POST",   "PUT",
                                                             "PATCH", "DELETE", "OPTIONS"};
  for (std::string_view known : kKnown) {
    if (known == method) return known;
  }
  return "OTHER";
}

std::string_view HttpDate() {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached_second = -1;
  thread_local std::array<char, 40> text{};
  thread_local size_t length = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    const int written =
        std::snprintf(text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                      kDays[static_cast<size_t>(utc.tm_wday) % kDays.size()], utc.tm_mday,
                      kMonths[static_cast<size_t>(utc.tm_mon) % kMonths.size()], utc.tm_year + 1900,
                      utc.tm_hour, utc.tm_min, utc.tm_sec);
    length = written > 0 ? static_cast<size_t>(written) : 0;
    cached_second = now;
  }
  return {text.data(), length};
}

std::string NewRequestId() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.";
  thread_local std::array<uint8_t, 12> state{};
  thread_local uint32_t counter = 0;
  if (counter == 0) crypto::RandomBytes(std::span<uint8_t>(state.data(), 8));
  ++counter;
  for (size_t idx = 0; idx < 4; ++idx) {
    state[8 + idx] = static_cast<uint8_t>(counter >> (24 - 8 * idx));
  }
  std::string id(16, '\0');
  for (size_t group = 0; group < 4; ++group) {  // 3 bytes -> 4 characters, no padding
    const uint32_t bits = static_cast<uint32_t>(state[3 * group]) << 16 |
                          static_cast<uint32_t>(state[3 * group + 1]) << 8 |
                          static_cast<uint32_t>(state[3 * group + 2]);
    for (size_t pos = 0; pos < 4; ++pos) {
      id[4 * group + pos] = kAlphabet[(bits >> (18 - 6 * pos)) & 0x3f];
    }
  }
  return id;
}

http::response<http::string_body> BuildResponse(Response response, std::string_view request_id,
                                                bool keep_alive) {
  http::response<http::string_body> wire;
  wire.version(11);
  wire.result(static_cast<unsigned>(response.status));
  if (!response.content_type.empty() && IsSafeHeaderValue(response.content_type)) {
    wire.set(http::field::content_type, response.content_type);
  }
  for (const auto& [name, value] : response.headers) {
    if (!IsHttpToken(name) || !IsSafeHeaderValue(value) || IsServerOwnedHeader(name)) {
      spdlog::warn(R"({{"event":"response_header_dropped","status":{}}})", response.status);
      continue;
    }
    wire.insert(name, value);
  }
  wire.set(http::field::date, HttpDate());
  wire.set("X-Request-Id", request_id);
  if (wire.find(http::field::cache_control) == wire.end()) {
    wire.set(http::field::cache_control, "no-store");
  }
  if (wire.find("X-Content-Type-Options") == wire.end()) {
    wire.set("X-Content-Type-Options", "nosniff");
  }
  if (wire.find(http::field::strict_transport_security) == wire.end()) {
    wire.set(http::field::strict_transport_security, kStrictTransportSecurity);
  }
  const int status = response.status;
  if (status < 200 || status == 204 || status == 304) {
    response.body.clear();
  }
  wire.body() = std::move(response.body);
  wire.keep_alive(keep_alive);
  wire.prepare_payload();
  return wire;
}

}  // namespace clearway::api::internal
