// ParseHttpsUrl() and ClientResponse::Header(); see client.h.
#include <charconv>

#include "api/client.h"
#include "api/http.h"

namespace clearway::api {

namespace {
bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

Error BadUrl(std::string message) {
  return Error::InvalidArgument("url", "bad-url", std::move(message));
}
}  // namespace

std::optional<std::string_view> ClientResponse::Header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (EqualsIgnoreCase(field, name)) return std::string_view(value);
  }
  return std::nullopt;
}

Result<HttpsUrl> ParseHttpsUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.size() < kScheme.size() || !EqualsIgnoreCase(url.substr(0, kScheme.size()), kScheme)) {
    return Error::InvalidArgument("url", "unsupported-scheme", "the URL must start with https://");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return BadUrl("the URL must not have a query or fragment");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return BadUrl("the URL must not carry user information");
  }

  HttpsUrl parsed;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return BadUrl("malformed IPv6 host");
    std::string_view host = authority.substr(1, close - 1);
    for (char c : host) {
      bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                c == ':' || c == '.';
      if (!ok) return BadUrl("malformed IPv6 host");
    }
    parsed.host = std::string(host);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return BadUrl("unexpected text after the IPv6 host");
      port_text = after.substr(1);
      if (port_text.empty()) return Error::InvalidArgument("url", "bad-port", "empty port");
    }
  } else {
    size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (host.empty()) return BadUrl("the URL has no host");
    for (char c : host) {
      if (!IsHostChar(c)) return BadUrl("the host has characters a host name cannot have");
    }
    parsed.host = std::string(host);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Error::InvalidArgument("url", "bad-port", "empty port");
    }
  }
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return Error::InvalidArgument("url", "bad-port", "the port must be 1..65535");
    }
    parsed.port = static_cast<uint16_t>(value);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  parsed.base_path = std::string(path);
  return parsed;
}

}  // namespace clearway::api
