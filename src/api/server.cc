// Server: TLS context, acceptor, io threads, worker pool and graceful stop.
#include "api/server.h"

#include <future>
#include <thread>
#include <utility>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include "api/connection.h"

namespace clearway::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {
// TLS 1.2 suites with forward secrecy and AEAD only (Mozilla "intermediate"); TLS 1.3
// suites are OpenSSL's defaults, all of which are good.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

Status ValidateOptions(const ServerOptions& options) {
  if (options.io_threads < 1 || options.worker_threads < 1 || options.max_body_bytes == 0 ||
      options.max_header_bytes < 1024 || options.max_header_bytes > (1u << 30) ||
      options.idle_timeout.count() <= 0 || options.shutdown_grace.count() < 0) {
    return Error::InvalidArgument("", "bad-server-option",
                                  "threads, limits and timeouts must be positive");
  }
  return OkStatus();
}
}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router, Metrics& metrics)
      : ioc_(options.io_threads),
        acceptor_(asio::make_strand(ioc_)),
        accept_retry_(acceptor_.get_executor()),
        workers_(static_cast<size_t>(options.worker_threads)) {
    context_.largest_body_limit = router.LargestBodyLimit(options.max_body_bytes);
    context_.options = std::move(options);
    context_.router = &router;
    context_.tls = &tls_;
    context_.workers = &workers_;
    context_.requests = &metrics.AddCounter("clearway_http_requests_total",
                                            "HTTP requests answered, by method, route and status.",
                                            {"method", "route", "status"});
    context_.durations = &metrics.AddHistogram(
        "clearway_http_request_duration_seconds",
        "Time from a request's header to its response, by method and route.", {"method", "route"});
    context_.open_connections = std::make_shared<std::atomic<int64_t>>(0);
    // The callback owns the counter, so it stays valid after this server is gone.
    metrics.AddGauge("clearway_http_open_connections", "Open client connections.",
                     [open = context_.open_connections] {
                       return static_cast<double>(open->load(std::memory_order_relaxed));
                     });
  }

  ~Impl() { Stop(); }

  Status ConfigureTls() {
    const ServerOptions& options = context_.options;
    tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression |
                     asio::ssl::context::single_dh_use);
    SSL_CTX* ctx = tls_.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
      return Error::Internal("tls-setup", "cannot set the TLS 1.2 cipher list");
    }
    beast::error_code ec;
    tls_.use_certificate_chain_file(options.certificate_pem_file, ec);
    if (ec) {
      return Error::InvalidArgument("certificate_pem_file", "bad-certificate",
                                    "cannot load the certificate chain: " + ec.message());
    }
    tls_.use_private_key_file(options.private_key_pem_file, asio::ssl::context::pem, ec);
    if (ec && ec.category() == asio::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
      return Error::InvalidArgument("private_key_pem_file", "certificate-key-mismatch",
                                    "the private key does not match the certificate");
    }
    if (ec) {
      // Not the key's content, only that it could not be used.
      return Error::InvalidArgument("private_key_pem_file", "bad-private-key",
                                    "cannot load the private key");
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      return Error::InvalidArgument("private_key_pem_file", "certificate-key-mismatch",
                                    "the private key does not match the certificate");
    }
    return OkStatus();
  }

  Status Listen() {
    const ServerOptions& options = context_.options;
    beast::error_code ec;
    auto address = asio::ip::make_address(options.bind_address, ec);
    if (ec) {
      return Error::InvalidArgument("bind_address", "bad-bind-address",
                                    "not an IP address: " + options.bind_address);
    }
    tcp::endpoint endpoint(address, options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (ec == asio::error::address_in_use) {
      return Error::Unavailable("address-in-use", "port " + std::to_string(options.port) + " on " +
                                                      options.bind_address + " is in use");
    }
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Error::Unavailable("listen-failed", "cannot listen: " + ec.message());
    port_ = acceptor_.local_endpoint(ec).port();
    return OkStatus();
  }

  void Run() {
    running_ = true;
    asio::dispatch(acceptor_.get_executor(), [this] { Accept(); });
    for (int idx = 0; idx < context_.options.io_threads; ++idx) {
      threads_.emplace_back([this] { RunIo(); });
    }
    spdlog::info(R"({{"event":"server_started","address":"{}","port":{}}})",
                 context_.options.bind_address, port_);
  }

  void Stop() {
    std::scoped_lock lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    if (!running_) {  // Start() failed before serving: no io threads to talk to
      workers_.stop();
      workers_.join();
      return;
    }
    auto closed = std::make_shared<std::promise<void>>();
    asio::post(acceptor_.get_executor(), [this, closed] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
      closed->set_value();
    });
    closed->get_future().wait_for(std::chrono::seconds(5));
    context_.registry.BeginStop();
    auto deadline = std::chrono::steady_clock::now() + context_.options.shutdown_grace;
    if (!context_.registry.WaitEmpty(deadline)) {
      spdlog::warn(R"({{"event":"server_stop_forced","connections":{}}})",
                   context_.registry.size());
    }
    ioc_.stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    // Handlers already running finish; ones not yet started are dropped (nothing of them
    // has happened, and their connections are gone).
    workers_.stop();
    workers_.join();
    spdlog::info(R"({{"event":"server_stopped","port":{}}})", port_);
  }

  uint16_t port() const { return port_; }

 private:
  void RunIo() {
    while (true) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        // Completion handlers do not throw by design; keep serving if one does (bad_alloc).
        spdlog::error(R"({{"event":"io_thread_exception","exception":"{}"}})", typeid(e).name());
      }
    }
  }

  void Accept() {
    acceptor_.async_accept(
        asio::make_strand(ioc_),
        [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: back off instead of spinning.
      spdlog::warn(R"({{"event":"accept_failed","error":"{}"}})", ec.message());
      accept_retry_.expires_after(kAcceptRetryDelay);
      accept_retry_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open()) Accept();
      });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<internal::Connection>(std::move(socket), context_)->Start();
    Accept();
  }

  // Declaration order is destruction order reversed: the io_context goes before the
  // registry and TLS context that pending connections use; the acceptor and the worker
  // pool (whose queued tasks hold connections) go before the io_context.
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  internal::ServerContext context_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  asio::thread_pool workers_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::mutex stop_mu_;
  bool running_ = false;
  bool stopped_ = false;
};

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, const Router& router,
                                              Metrics& metrics) {
  CW_RETURN_IF_ERROR(ValidateOptions(options));
  auto impl = std::make_unique<Impl>(std::move(options), router, metrics);
  CW_RETURN_IF_ERROR(impl->ConfigureTls());
  CW_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_) impl_->Stop();
}

uint16_t Server::port() const { return impl_->port(); }

void Server::Stop() { impl_->Stop(); }

}  // namespace clearway::api
