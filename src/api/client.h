// File: api/client.h
//
// HttpsClient is a small synchronous HTTPS/1.1 client over one kept-alive TLS connection,
// used by the CLI and the load generator. It verifies the server certificate against a
// given CA (with host name or IP address checks) unless verification is explicitly turned
// off, and reconnects once when the server has closed the idle connection.
//
//   CW_ASSIGN_OR_RETURN(HttpsUrl url, ParseHttpsUrl("https://127.0.0.1:8443/base"));
//   CW_ASSIGN_OR_RETURN(auto client, HttpsClient::Open({.host = url.host, .port = url.port,
//                                                       .ca_file = "ca.pem"}));
//   CW_ASSIGN_OR_RETURN(ClientResponse response,
//                       client->Request("POST", url.base_path + "/v1/declarations", body,
//                                       {{"Idempotency-Key", key}}));
//   if (response.status == 201) { ... }
//
// Thread safety: an HttpsClient is not thread-safe; use one per thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace clearway::api {

struct ClientOptions {
  std::string host{};  // a DNS name or an IP literal; checked against the certificate's SANs
  uint16_t port = 443;
  std::string ca_file{};  // PEM file of the CA(s) the server certificate must chain to
  std::string ca_pem{};   // or the PEM text itself
  // insecure_skip_verify accepts any server certificate. For local experiments only:
  // it gives up all protection against an active attacker.
  bool insecure_skip_verify = false;
  std::chrono::milliseconds timeout{30'000};  // per connect, handshake, write and read
  size_t max_response_bytes = 64 * 1024 * 1024;
  std::string user_agent = "clearway-client";
};

// ClientResponse is a complete response; header names are lower-case.
struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};

  // Header() finds a header by case-insensitive name; nullopt when absent.
  std::optional<std::string_view> Header(std::string_view name) const;
};

// HttpsUrl is a parsed "https://host[:port][/base]" URL; base_path has no trailing '/'.
struct HttpsUrl {
  std::string host{};  // without brackets for IPv6
  uint16_t port = 443;
  std::string base_path{};
};

// ParseHttpsUrl() parses "https://127.0.0.1:8443/base" -> {"127.0.0.1", 8443, "/base"}.
// Errors (kInvalidArgument): "unsupported-scheme" for anything but https, "bad-url" for a
// missing or malformed host, user info, a query or fragment, "bad-port" for a port that is
// not 1..65535.
Result<HttpsUrl> ParseHttpsUrl(std::string_view url);

class HttpsClient {
 public:
  // Open() connects and completes the TLS handshake. Errors: kInvalidArgument
  // "bad-client-option" (no host, or neither a CA nor insecure_skip_verify), "bad-ca-file"
  // (the CA cannot be read); kUnavailable "connect-failed" (resolution or TCP connect),
  // "timeout", "tls-handshake-failed"; kUnauthenticated "server-certificate-untrusted" when
  // the certificate does not chain to the CA or does not name the host.
  static Result<std::unique_ptr<HttpsClient>> Open(ClientOptions options);

  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;
  ~HttpsClient();

  // Request() sends one request and reads the whole response (any status is a success).
  // `target` is an origin-form path with optional query. A body without a Content-Type in
  // `headers` is sent as application/json. When the connection turns out to be closed by
  // the server it reconnects once (before sending; or after sending when the request is
  // idempotent or carries an Idempotency-Key and no response byte arrived).
  // Errors: kInvalidArgument "bad-request-target", "bad-header"; kUnavailable
  // "connection-lost", "timeout", "malformed-response" and Open()'s errors on reconnect;
  // kResourceExhausted "response-too-large".
  Result<ClientResponse> Request(
      std::string_view method, std::string_view target, std::string_view body = {},
      const std::vector<std::pair<std::string, std::string>>& headers = {});

  // reconnects() counts the connections opened after the first (tests and load reports).
  size_t reconnects() const;

  class Impl;

 private:
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clearway::api
