// HttpsClient: synchronous calls built on Beast's asynchronous operations, so that every
// step has a deadline (tcp_stream timeouts apply to asynchronous operations only).
#include "api/client.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>

#include "api/http.h"
#include "api/http_util.h"

namespace clearway::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
bool IsIpAddress(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

bool IsSafeHeaderValue(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool IsIdempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

// A closed connection, seen before any response byte arrived.
bool IsConnectionLost(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted;
}

Error TransportError(const beast::error_code& ec, std::string_view what) {
  if (ec == beast::error::timeout) {
    return Error::Unavailable("timeout", std::string(what) + " timed out");
  }
  return Error::Unavailable("connection-lost", std::string(what) + " failed: " + ec.message());
}
}  // namespace

class HttpsClient::Impl {
 public:
  explicit Impl(ClientOptions options) : options_(std::move(options)) {}

  Status Configure() {
    if (options_.host.empty() || options_.port == 0 || options_.timeout.count() <= 0 ||
        (options_.ca_file.empty() && options_.ca_pem.empty() && !options_.insecure_skip_verify)) {
      return Error::InvalidArgument("", "bad-client-option",
                                    "a host, a port and a CA (or insecure_skip_verify) are needed");
    }
    SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_2_VERSION);
    tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
    if (options_.insecure_skip_verify) {
      tls_.set_verify_mode(asio::ssl::verify_none);
      return OkStatus();
    }
    tls_.set_verify_mode(asio::ssl::verify_peer);
    beast::error_code ec;
    if (!options_.ca_file.empty()) tls_.load_verify_file(options_.ca_file, ec);
    if (!ec && !options_.ca_pem.empty()) {
      tls_.add_certificate_authority(asio::buffer(options_.ca_pem), ec);
    }
    if (ec) {
      return Error::InvalidArgument("ca_file", "bad-ca-file",
                                    "cannot load the CA certificate: " + ec.message());
    }
    return OkStatus();
  }

  Status Connect() {
    Reset();
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port), ec);
    if (ec) {
      return Error::Unavailable("connect-failed", "cannot resolve " + options_.host);
    }
    stream_.emplace(ioc_, tls_);
    SSL* ssl = stream_->native_handle();
    const bool is_ip = IsIpAddress(options_.host);
    if (!is_ip) SSL_set_tlsext_host_name(ssl, options_.host.c_str());
    if (!options_.insecure_skip_verify) {
      // RFC 9525: the certificate must name the host, as a DNS or an IP address SAN.
      int set = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), options_.host.c_str())
                      : SSL_set1_host(ssl, options_.host.c_str());
      if (set != 1) return Error::InvalidArgument("host", "bad-client-option", "bad host name");
    }
    auto& tcp_layer = beast::get_lowest_layer(*stream_);
    tcp_layer.expires_after(options_.timeout);
    tcp_layer.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    RunIo();
    if (ec) {
      Reset();
      if (ec == beast::error::timeout) return Error::Unavailable("timeout", "connect timed out");
      return Error::Unavailable("connect-failed", "cannot connect: " + ec.message());
    }
    tcp_layer.expires_after(options_.timeout);
    stream_->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    RunIo();
    if (ec) {
      const long verify = SSL_get_verify_result(ssl);
      Reset();
      if (verify != X509_V_OK) {
        return Error::Unauthenticated("server-certificate-untrusted",
                                      X509_verify_cert_error_string(verify));
      }
      if (ec == beast::error::timeout) return Error::Unavailable("timeout", "handshake timed out");
      return Error::Unavailable("tls-handshake-failed", "TLS handshake failed: " + ec.message());
    }
    if (connections_++ > 0) ++reconnects_;
    used_ = false;
    return OkStatus();
  }

  Result<ClientResponse> Send(std::string_view method, std::string_view target,
                              std::string_view body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
    internal::Target parts;
    if (!internal::SplitTarget(target, parts)) {
      return Error::InvalidArgument("target", "bad-request-target",
                                    "the target must be an absolute path without spaces");
    }
    if (!internal::IsHttpToken(method)) {
      return Error::InvalidArgument("method", "bad-request-target", "bad method");
    }
    http::request<http::string_body> request;
    request.version(11);
    request.method_string(method);
    request.target(target);
    request.set(http::field::host, HostHeader());
    request.set(http::field::user_agent, options_.user_agent);
    bool has_content_type = false;
    bool has_idempotency_key = false;
    for (const auto& [name, value] : headers) {
      if (!internal::IsHttpToken(name) || !IsSafeHeaderValue(value)) {
        return Error::InvalidArgument(name, "bad-header", "header name or value is malformed");
      }
      has_content_type = has_content_type || EqualsIgnoreCase(name, "content-type");
      has_idempotency_key = has_idempotency_key || EqualsIgnoreCase(name, "idempotency-key");
      request.insert(name, value);
    }
    if (!body.empty() && !has_content_type) {
      request.set(http::field::content_type, kJsonContentType);
    }
    request.body() = std::string(body);
    request.keep_alive(true);
    request.prepare_payload();
    const bool may_resend = IsIdempotent(method) || has_idempotency_key;

    for (int attempt = 0;; ++attempt) {
      // A connection that has carried a response is checked for a close by the server. A
      // fresh one is not: TLS 1.3 session tickets may still be waiting to be read on it.
      bool fresh = false;
      if (!stream_ || (used_ && PeerClosed())) {
        CW_RETURN_IF_ERROR(Connect());
        fresh = true;
      }
      // Only a connection opened before this call can be stale; one just opened failing
      // is a real failure.
      const bool reused = !fresh && attempt == 0;
      beast::error_code ec;
      beast::get_lowest_layer(*stream_).expires_after(options_.timeout);
      http::async_write(*stream_, request, [&](beast::error_code e, size_t) { ec = e; });
      RunIo();
      if (ec) {
        Reset();
        // Nothing of the request was processed if it could not be written.
        if (reused && ec != beast::error::timeout) continue;
        return TransportError(ec, "sending the request");
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(options_.max_response_bytes);
      beast::get_lowest_layer(*stream_).expires_after(options_.timeout);
      http::async_read(*stream_, buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
      RunIo();
      if (ec) {
        const bool nothing_received = !parser.got_some();
        Reset();
        if (reused && nothing_received && may_resend && IsConnectionLost(ec)) {
          continue;
        }
        if (ec == http::error::body_limit) {
          return Error::ResourceExhausted("response-too-large", "the response body is too large");
        }
        if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
            !IsConnectionLost(ec) && ec != http::error::partial_message) {
          return Error::Unavailable("malformed-response", "the response is not valid HTTP");
        }
        return TransportError(ec, "reading the response");
      }
      used_ = true;
      auto message = parser.release();
      ClientResponse response;
      response.status = static_cast<int>(message.result_int());
      for (const auto& field : message) {
        std::string name(field.name_string());
        for (char& c : name) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        response.headers.emplace_back(std::move(name), std::string(field.value()));
      }
      response.body = std::move(message.body());
      if (!message.keep_alive()) Reset();
      return response;
    }
  }

  size_t reconnects() const { return reconnects_; }

  void Reset() {
    if (stream_) {
      beast::error_code ignored;
      beast::get_lowest_layer(*stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(*stream_).close();
      RunIo();  // let cancelled timers and operations finish
    }
    stream_.reset();
    buffer_.clear();
  }

 private:
  void RunIo() {
    ioc_.restart();
    ioc_.run();
  }

  // PeerClosed() is true when an idle kept-alive connection has something to read: the
  // server's close_notify or FIN (a server sends nothing unasked), or leftover bytes.
  bool PeerClosed() {
    if (buffer_.size() > 0) return true;
    pollfd descriptor{};
    descriptor.fd = beast::get_lowest_layer(*stream_).socket().native_handle();
    descriptor.events = POLLIN;
    return ::poll(&descriptor, 1, 0) != 0;
  }

  std::string HostHeader() const {
    std::string host =
        options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
    if (options_.port != 443) host += ":" + std::to_string(options_.port);
    return host;
  }

  ClientOptions options_;
  asio::io_context ioc_{1};
  asio::ssl::context tls_{asio::ssl::context::tls_client};
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
  bool used_ = false;  // the connection has carried a response already
  size_t connections_ = 0;
  size_t reconnects_ = 0;
};

Result<std::unique_ptr<HttpsClient>> HttpsClient::Open(ClientOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  CW_RETURN_IF_ERROR(impl->Configure());
  CW_RETURN_IF_ERROR(impl->Connect());
  return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
}

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpsClient::~HttpsClient() {
  if (impl_) impl_->Reset();
}

Result<ClientResponse> HttpsClient::Request(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  return impl_->Send(method, target, body, headers);
}

size_t HttpsClient::reconnects() const { return impl_->reconnects(); }

}  // namespace clearway::api
