// Server: TLS context (and its reload), acceptor, io threads, worker pool and graceful stop.
#include "api/server.h"

#include <sys/stat.h>

#include <csignal>
#include <future>
#include <optional>
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
// TLS 1.2 suites with forward secrecy and AEAD only (Mozilla "intermediate"); the TLS 1.3
// suites, all AEAD, are named too so that a system configuration cannot widen them.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

// MakeTlsContext() is a server TLS context with the certificate chain and key of the files.
Result<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const std::string& certificate_file,
                                                           const std::string& key_file) {
  auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression |
                   asio::ssl::context::single_dh_use);
  SSL_CTX* ctx = tls->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1) {
    return Error::Internal("tls-setup", "cannot set the TLS cipher suites");
  }
  beast::error_code ec;
  tls->use_certificate_chain_file(certificate_file, ec);
  if (ec) {
    return Error::InvalidArgument("certificate_pem_file", "bad-certificate",
                                  "cannot load the certificate chain: " + ec.message());
  }
  tls->use_private_key_file(key_file, asio::ssl::context::pem, ec);
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
  return tls;
}

// FileStamp identifies one version of a file: a replaced (renamed over) or rewritten file gets
// a new stamp. A missing file has the empty stamp.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = -1;
  int64_t mtime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

FileStamp StampOf(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  return {info.st_dev, info.st_ino, info.st_size,
          static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

struct CertificateStamps {
  FileStamp certificate;
  FileStamp key;
  friend bool operator==(const CertificateStamps&, const CertificateStamps&) = default;
};

Status ValidateOptions(const ServerOptions& options) {
  if (options.io_threads < 1 || options.worker_threads < 1 || options.max_body_bytes == 0 ||
      options.max_header_bytes < 1024 || options.max_header_bytes > (1u << 30) ||
      options.idle_timeout.count() <= 0 || options.shutdown_grace.count() < 0 ||
      options.certificate_check_interval.count() < 0) {
    return Error::InvalidArgument("", "bad-server-option",
                                  "threads, limits and timeouts must be positive");
  }
  return OkStatus();
}
}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router, Metrics& metrics)
      : ioc_(options.io_threads + (options.handlers_on_io_threads ? options.worker_threads : 0)),
        acceptor_(asio::make_strand(ioc_)),
        accept_retry_(acceptor_.get_executor()) {
    if (!options.handlers_on_io_threads) {
      workers_.emplace(static_cast<size_t>(options.worker_threads));
    }
    context_.largest_body_limit = router.LargestBodyLimit(options.max_body_bytes);
    context_.options = std::move(options);
    context_.router = &router;
    context_.workers = workers_ ? &*workers_ : nullptr;
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

  // EnableHangupReload() registers the SIGHUP handler (before Run()).
  void EnableHangupReload() { hangup_.emplace(acceptor_.get_executor(), SIGHUP); }

  Status ConfigureTls() {
    const ServerOptions& options = context_.options;
    const CertificateStamps stamps = CurrentStamps();
    CW_ASSIGN_OR_RETURN(auto tls,
                        MakeTlsContext(options.certificate_pem_file, options.private_key_pem_file));
    context_.SetTls(std::move(tls));
    std::scoped_lock lock(reload_mu_);
    loaded_ = stamps;
    return OkStatus();
  }

  // ReloadCertificate() loads the files again; on error the current context stays.
  Status ReloadCertificate(std::string_view trigger) {
    std::scoped_lock lock(reload_mu_);
    return ReloadLocked(trigger, CurrentStamps());
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
    asio::dispatch(acceptor_.get_executor(), [this] {
      Accept();
      if (context_.options.certificate_check_interval.count() > 0) WatchCertificate();
      if (hangup_) WaitForHangup();
    });
    const ServerOptions& options = context_.options;
    const int threads =
        options.io_threads + (options.handlers_on_io_threads ? options.worker_threads : 0);
    for (int idx = 0; idx < threads; ++idx) {
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
      if (workers_) {
        workers_->stop();
        workers_->join();
      }
      return;
    }
    auto closed = std::make_shared<std::promise<void>>();
    asio::post(acceptor_.get_executor(), [this, closed] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
      certificate_watch_.cancel();
      if (hangup_) hangup_->cancel(ignored);
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
    // Handlers already running finish (the io threads joined above ran the inline ones);
    // ones not yet started are dropped (nothing of them has happened, and their connections
    // are gone).
    if (workers_) {
      workers_->stop();
      workers_->join();
    }
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

  CertificateStamps CurrentStamps() const {
    return {StampOf(context_.options.certificate_pem_file),
            StampOf(context_.options.private_key_pem_file)};
  }

  Status ReloadLocked(std::string_view trigger, const CertificateStamps& stamps) {
    const ServerOptions& options = context_.options;
    auto tls = MakeTlsContext(options.certificate_pem_file, options.private_key_pem_file);
    if (!tls.ok()) {
      failed_ = stamps;
      spdlog::error(R"({{"event":"tls_reload_failed","trigger":"{}","reason":"{}"}})", trigger,
                    tls.error().reason);
      return std::move(tls).error();
    }
    context_.SetTls(std::move(tls).value());
    loaded_ = stamps;
    failed_.reset();
    spdlog::info(R"({{"event":"tls_reloaded","trigger":"{}"}})", trigger);
    return OkStatus();
  }

  // WatchCertificate() runs on the acceptor's strand: every check interval it reloads the
  // certificate if its files changed since the last load, trying each new version once.
  void WatchCertificate() {
    certificate_watch_.expires_after(context_.options.certificate_check_interval);
    certificate_watch_.async_wait([this](beast::error_code ec) {
      if (ec || !acceptor_.is_open()) return;
      {
        std::scoped_lock lock(reload_mu_);
        const CertificateStamps stamps = CurrentStamps();
        if (stamps != loaded_ && stamps != failed_) {
          // The error is logged and the current certificate kept: nothing more to do here.
          ReloadLocked("file-change", stamps).IgnoreError();
        }
      }
      WatchCertificate();
    });
  }

  void WaitForHangup() {
    hangup_->async_wait([this](beast::error_code ec, int) {
      if (ec || !acceptor_.is_open()) return;
      ReloadCertificate("SIGHUP").IgnoreError();  // logged either way
      WaitForHangup();
    });
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
  // registry that pending connections use (they own their TLS contexts); the acceptor, its
  // timers and the worker pool (whose queued tasks hold connections) go before the io_context.
  internal::ServerContext context_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  asio::steady_timer certificate_watch_{acceptor_.get_executor()};
  std::optional<asio::signal_set> hangup_;
  std::mutex reload_mu_;
  CertificateStamps loaded_;                 // guarded by reload_mu_: the files last loaded
  std::optional<CertificateStamps> failed_;  // guarded by reload_mu_: the last that failed
  std::optional<asio::thread_pool> workers_;  // only when !handlers_on_io_threads
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::mutex stop_mu_;
  bool running_ = false;
  bool stopped_ = false;
};

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, const Router& router,
                                              Metrics& metrics) {
  CW_RETURN_IF_ERROR(ValidateOptions(options));
  const bool reload_on_sighup = options.reload_on_sighup;
  auto impl = std::make_unique<Impl>(std::move(options), router, metrics);
  CW_RETURN_IF_ERROR(impl->ConfigureTls());
  CW_RETURN_IF_ERROR(impl->Listen());
  if (reload_on_sighup) impl->EnableHangupReload();
  impl->Run();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_) impl_->Stop();
}

uint16_t Server::port() const { return impl_->port(); }

Status Server::ReloadCertificate() { return impl_->ReloadCertificate("api"); }

void Server::Stop() { impl_->Stop(); }

}  // namespace clearway::api
