// File: api/test_server.h
//
// Header-only helpers for the api tests (the test glob takes *_test.cc only): a temporary
// directory with self-signed certificates and a raw TLS connection for sending bytes no
// well-behaved client would send. Every blocking step has a generous deadline so a bug
// fails a test instead of hanging it; no test asserts on timing.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <openssl/ssl.h>
#include <unistd.h>

#include "common/result.h"
#include "crypto/crypto.h"

namespace clearway::api::testing {

inline constexpr auto kDeadline = std::chrono::seconds(20);

// TempDir is a fresh directory removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("clearway-api-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// CertificateFiles are a self-signed certificate and its key written as PEM files.
struct CertificateFiles {
  std::string certificate_file;
  std::string key_file;
};

// WriteSelfSignedCertificate() makes a certificate (SANs localhost, 127.0.0.1, ::1) in `dir`.
inline Result<CertificateFiles> WriteSelfSignedCertificate(const std::filesystem::path& dir,
                                                           const std::string& name) {
  CW_ASSIGN_OR_RETURN(auto certificate, crypto::MakeSelfSignedCertificate(name, 2));
  CertificateFiles files{(dir / (name + ".crt")).string(), (dir / (name + ".key")).string()};
  WriteFile(files.certificate_file, certificate.certificate_pem);
  WriteFile(files.key_file, certificate.private_key_pem);
  return files;
}

// ParseJsonBody() parses a response body as a JSON object; an empty object when it is not.
inline boost::json::object ParseJsonBody(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return {};
  return value.as_object();
}

// Str() is a JSON string's text, or "<not a string>" (for comparisons in expectations).
inline std::string Str(const boost::json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : std::string("<not a string>");
}

// RawTlsConnection sends arbitrary bytes over TLS; it does not verify the server (the tests
// of verification use HttpsClient).
class RawTlsConnection {
 public:
  using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

  // Connect() is false when TCP or the TLS handshake fails; `max_tls_version` caps the
  // client's protocol version (0 = library default).
  bool Connect(uint16_t port, int max_tls_version = 0) {
    namespace asio = boost::asio;
    if (max_tls_version != 0) {
      SSL_CTX_set_min_proto_version(tls_.native_handle(), 0);
      SSL_CTX_set_max_proto_version(tls_.native_handle(), max_tls_version);
      SSL_CTX_set_security_level(tls_.native_handle(), 0);
    }
    tls_.set_verify_mode(asio::ssl::verify_none);
    stream_.emplace(ioc_, tls_);
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    auto ec = Run(
        [&](auto done) { boost::beast::get_lowest_layer(*stream_).async_connect(endpoint, done); });
    if (ec) return false;
    ec = Run([&](auto done) { stream_->async_handshake(asio::ssl::stream_base::client, done); });
    return !ec;
  }

  bool Write(const std::string& bytes) {
    auto ec = Run([&](auto done) {
      boost::asio::async_write(*stream_, boost::asio::buffer(bytes),
                               [done](boost::beast::error_code e, size_t) { done(e); });
    });
    return !ec;
  }

  std::optional<HttpResponse> ReadResponse() {
    HttpResponse response;
    auto ec = Run([&](auto done) {
      boost::beast::http::async_read(*stream_, buffer_, response,
                                     [done](boost::beast::error_code e, size_t) { done(e); });
    });
    if (ec) return std::nullopt;
    return response;
  }

  // ReadInterimStatus() reads a 1xx response header (for Expect: 100-continue).
  std::optional<int> ReadInterimStatus() {
    boost::beast::http::response_parser<boost::beast::http::empty_body> parser;
    auto ec = Run([&](auto done) {
      boost::beast::http::async_read_header(
          *stream_, buffer_, parser, [done](boost::beast::error_code e, size_t) { done(e); });
    });
    if (ec) return std::nullopt;
    return static_cast<int>(parser.get().result_int());
  }

  // ReadUntilClosed() is true when the server ends the connection (close_notify, FIN or
  // reset) within the deadline, discarding what arrives before.
  bool ReadUntilClosed() {
    std::array<char, 4096> scratch;
    while (true) {
      auto ec = Run([&](auto done) {
        stream_->async_read_some(boost::asio::buffer(scratch),
                                 [done](boost::beast::error_code e, size_t) { done(e); });
      });
      if (ec == boost::beast::error::timeout) return false;
      if (ec) return true;
    }
  }

 private:
  // Run() starts one asynchronous operation and runs it to completion within kDeadline.
  template <class Start>
  boost::beast::error_code Run(Start start) {
    boost::beast::error_code result = boost::asio::error::would_block;
    boost::beast::get_lowest_layer(*stream_).expires_after(kDeadline);
    start([&result](boost::beast::error_code e) { result = e; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  boost::asio::io_context ioc_;
  boost::asio::ssl::context tls_{boost::asio::ssl::context::tls_client};
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace clearway::api::testing
