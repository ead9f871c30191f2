// echo_server: the transport baseline of `make bench`. A minimal Boost.Beast HTTPS/1.1 server
// with the same TLS settings as Clearway's (TLS 1.2+, ECDHE + AEAD suites, the same
// certificate) and the same number of io threads, that answers every request with 201 and the
// request body echoed back, kept alive. clearway-load drives it exactly as it drives the API
// (--no-sign-in), so the API's throughput and latency can be read as a ratio to what TLS and
// HTTP alone cost on this machine.
//
//   build/h-bench-rel/bench/echo_server --cert var/tls/cert.pem --key var/tls/key.pem --port 0
//   -> prints "listening on https://127.0.0.1:PORT", serves until SIGINT or SIGTERM.
//
// Thread safety: each connection runs on its own strand; nothing is shared between them.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// The same TLS 1.2 suites as api/server.cc (ECDHE + AEAD only).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr size_t kMaxBodyBytes = 1024 * 1024;

class EchoConnection : public std::enable_shared_from_this<EchoConnection> {
 public:
  EchoConnection(tcp::socket socket, asio::ssl::context& tls)
      : stream_(beast::tcp_stream(std::move(socket)), tls) {}

  void Start() {
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec) self->Read();
                            });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->Answer();
                     });
  }

  void Answer() {
    auto request = parser_->release();
    response_ = {};
    response_.version(11);
    response_.result(http::status::created);
    response_.set(http::field::content_type, "application/json");
    response_.body() = std::move(request.body());
    response_.keep_alive(request.keep_alive());
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec || !self->response_.keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

class Listener {
 public:
  Listener(asio::io_context& ioc, asio::ssl::context& tls, tcp::endpoint endpoint)
      : ioc_(ioc), tls_(tls), acceptor_(asio::make_strand(ioc)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<EchoConnection>(std::move(socket), tls_)->Start();
      }
      Accept();
    });
  }

  void Close() {
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  asio::io_context& ioc_;
  asio::ssl::context& tls_;
  tcp::acceptor acceptor_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string certificate;
  std::string key;
  std::string bind = "127.0.0.1";
  uint16_t port = 0;
  int threads = 2;
  CLI::App cli{"echo_server: the minimal HTTPS echo server clearway-load is compared with"};
  cli.add_option("--cert", certificate, "Certificate chain (PEM)")->required();
  cli.add_option("--key", key, "Private key (PEM)")->required();
  cli.add_option("--bind", bind, "Address to listen on")->capture_default_str();
  cli.add_option("--port", port, "Port (0 picks a free one)")->capture_default_str();
  cli.add_option("--threads", threads, "io threads (Clearway's default is 2)")
      ->check(CLI::Range(1, 64))->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  try {
    asio::ssl::context tls(asio::ssl::context::tls_server);
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression |
                    asio::ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_options(tls.native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_cipher_list(tls.native_handle(), kTls12Ciphers);
    tls.use_certificate_chain_file(certificate);
    tls.use_private_key_file(key, asio::ssl::context::pem);

    asio::io_context ioc(threads);
    Listener listener(ioc, tls, tcp::endpoint(asio::ip::make_address(bind), port));
    listener.Accept();
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) {
      listener.Close();
      ioc.stop();
    });
    std::cout << "listening on https://" << bind << ":" << listener.port() << std::endl;
    std::vector<std::thread> pool;
    for (int idx = 1; idx < threads; ++idx) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& thread : pool) thread.join();
  } catch (const std::exception& e) {
    std::cerr << "echo_server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
