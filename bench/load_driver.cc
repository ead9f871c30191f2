// The load driver: one io_context per thread, each running a share of the connections; every
// connection is a small state machine (connect, handshake, then write a request, read the
// answer, record, pick the next request) on its thread. See load_driver.h.
#include "bench/load_driver.h"

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"

namespace clearway::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = LoadClockType;

constexpr auto kReconnectDelay = std::chrono::milliseconds(10);
constexpr size_t kMaxResponseBytes = 64 * 1024 * 1024;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// What every connection of the run shares.
struct Shared {
  const LoadPlan* plan = nullptr;
  tcp::resolver::results_type endpoints;
  bool host_is_ip = false;
  LoadClock clock;
  std::chrono::duration<double> interval{0};
  std::atomic<uint64_t> next{0};  // the next request number

  Clock::time_point Due(uint64_t n) const {
    return clock.start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(n));
  }
  bool open_loop() const { return plan->rate > 0; }
};

class LoadConnection : public std::enable_shared_from_this<LoadConnection> {
 public:
  LoadConnection(asio::io_context& ioc, asio::ssl::context& tls, Shared& shared, LoadResult& out)
      : ioc_(ioc), tls_(tls), shared_(shared), out_(out), timer_(ioc),
        key_prefix_(crypto::RandomToken(8) + "-") {
    const LoadPlan& plan = *shared_.plan;
    request_.version(11);
    request_.method_string(plan.method);
    request_.target(plan.target);
    const bool ipv6 = plan.host.find(':') != std::string::npos;
    request_.set(http::field::host, (ipv6 ? "[" + plan.host + "]" : plan.host) + ":" +
                                        std::to_string(plan.port));
    request_.set(http::field::user_agent, "clearway-load");
    if (plan.method == "POST") request_.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : plan.headers) request_.set(name, value);
    request_.keep_alive(true);
  }

  // Open() connects and handshakes; `done` gets the error, if any.
  void Open(std::function<void(beast::error_code)> done) {
    stream_.emplace(ioc_, tls_);
    SSL* ssl = stream_->native_handle();
    const std::string& host = shared_.plan->host;
    if (shared_.host_is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, host.c_str());
      SSL_set1_host(ssl, host.c_str());
    }
    auto& layer = beast::get_lowest_layer(*stream_);
    layer.expires_after(shared_.plan->timeout);
    layer.async_connect(shared_.endpoints, [self = shared_from_this(), done](
                                               beast::error_code ec, const tcp::endpoint&) {
      if (ec) return done(ec);
      beast::get_lowest_layer(*self->stream_).socket().set_option(tcp::no_delay(true), ec);
      beast::get_lowest_layer(*self->stream_).expires_after(self->shared_.plan->timeout);
      self->stream_->async_handshake(asio::ssl::stream_base::client,
                                     [done](beast::error_code handshake) { done(handshake); });
    });
  }

  // Next() takes the next request and sends it, or ends when the run is over.
  void Next() {
    while (true) {
      const auto now = Clock::now();
      if (!shared_.open_loop()) {
        if (now >= shared_.clock.end) return Close();
        return Send(shared_.next.fetch_add(1, std::memory_order_relaxed), now);
      }
      const uint64_t n = shared_.next.fetch_add(1, std::memory_order_relaxed);
      const auto due = shared_.Due(n);
      if (due >= shared_.clock.end) return Close();
      if (now > shared_.clock.end + kDrainLimit) {  // far behind: give up on it
        if (due >= shared_.clock.measure_from) {
          ++out_.missed;
          out_.latencies_ms.push_back(Ms(now - due));
        }
        continue;
      }
      if (due <= now) return Send(n, due);
      timer_.expires_at(due);
      timer_.async_wait([self = shared_from_this(), n, due](beast::error_code ec) {
        if (!ec) self->Send(n, due);
      });
      return;
    }
  }

 private:
  void Send(uint64_t n, Clock::time_point scheduled) {
    const LoadPlan& plan = *shared_.plan;
    number_ = n;
    scheduled_ = scheduled;
    sent_ = Clock::now();
    if (plan.idempotency_keys) request_.set("Idempotency-Key", key_prefix_ + std::to_string(n));
    if (plan.method == "POST" && plan.bodies != nullptr && !plan.bodies->empty()) {
      request_.body() = (*plan.bodies)[n % plan.bodies->size()];
    }
    request_.prepare_payload();
    beast::get_lowest_layer(*stream_).expires_after(plan.timeout);
    http::async_write(*stream_, request_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->Failed(ec.message());
                        self->Read();
                      });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxResponseBytes);
    beast::get_lowest_layer(*stream_).expires_after(shared_.plan->timeout);
    http::async_read(*stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Failed(ec.message());
                       self->Answered();
                     });
  }

  void Answered() {
    const auto done = Clock::now();
    const auto& response = parser_->get();
    const int status = static_cast<int>(response.result_int());
    if (status == shared_.plan->expect_status && done >= shared_.clock.measure_from &&
        done <= shared_.clock.end) {
      ++out_.served;
    }
    if (scheduled_ >= shared_.clock.measure_from) {
      ++out_.statuses[status];
      if (status == shared_.plan->expect_status) {
        ++out_.ok;
        out_.latencies_ms.push_back(Ms(done - scheduled_));
        if (shared_.open_loop()) out_.send_lag_ms.push_back(Ms(sent_ - scheduled_));
      } else {
        ++out_.failed;
        if (out_.first_error.empty()) {
          out_.first_error = std::to_string(status) + " " + response.body().substr(0, 200);
        }
      }
    }
    if (!response.keep_alive()) return Reopen();
    Next();
  }

  // Failed() counts a transport failure and reconnects after a short pause.
  void Failed(const std::string& what) {
    if (scheduled_ >= shared_.clock.measure_from) {
      ++out_.failed;
      if (out_.first_error.empty()) out_.first_error = "request " + std::to_string(number_) + ": " + what;
    }
    Drop();
    timer_.expires_after(kReconnectDelay);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->Reopen();
    });
  }

  void Reopen() {
    Drop();
    if (Clock::now() >= shared_.clock.end + kDrainLimit) return;
    Open([self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Failed("reconnect: " + ec.message());
      self->Next();
    });
  }

  void Drop() {
    if (!stream_) return;
    beast::error_code ignored;
    beast::get_lowest_layer(*stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(*stream_).close();
    stream_.reset();
    buffer_.clear();
  }

  // Close() ends the connection when the run is over (no close_notify: the measurement is done).
  void Close() { Drop(); }

  asio::io_context& ioc_;
  asio::ssl::context& tls_;
  Shared& shared_;
  LoadResult& out_;  // this thread's
  asio::steady_timer timer_;
  std::string key_prefix_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  uint64_t number_ = 0;
  Clock::time_point scheduled_{};
  Clock::time_point sent_{};
};

bool IsIpAddress(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

Result<LoadResult> RunLoad(const LoadPlan& plan, const std::function<void(const LoadClock&)>& started) {
  asio::ssl::context tls(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::error_code ec;
  tls.load_verify_file(plan.ca_file, ec);
  if (ec) {
    return Error::InvalidArgument("ca_file", "bad-ca-file", "cannot load the CA: " + ec.message());
  }
  Shared shared;
  shared.plan = &plan;
  shared.host_is_ip = IsIpAddress(plan.host);
  if (plan.rate > 0) shared.interval = std::chrono::duration<double>(1.0 / plan.rate);
  {
    asio::io_context resolve_ioc;
    tcp::resolver resolver(resolve_ioc);
    shared.endpoints = resolver.resolve(plan.host, std::to_string(plan.port), ec);
    if (ec) return Error::Unavailable("connect-failed", "cannot resolve " + plan.host);
  }

  const size_t threads = static_cast<size_t>(std::max(1, plan.threads));
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<LoadResult> results(threads);
  std::vector<std::vector<std::shared_ptr<LoadConnection>>> connections(threads);
  for (size_t t = 0; t < threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  for (int idx = 0; idx < plan.connections; ++idx) {
    const size_t t = static_cast<size_t>(idx) % threads;
    connections[t].push_back(std::make_shared<LoadConnection>(*contexts[t], tls, shared, results[t]));
  }

  // Every connection is opened before the clock starts.
  std::string open_error;
  for (size_t t = 0; t < threads; ++t) {
    for (auto& connection : connections[t]) {
      connection->Open([&open_error](beast::error_code open) {
        if (open && open_error.empty()) open_error = open.message();
      });
    }
    contexts[t]->run();
    contexts[t]->restart();
  }
  if (!open_error.empty()) return Error::Unavailable("connect-failed", "cannot connect: " + open_error);

  const auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  shared.clock.start = Clock::now();
  shared.clock.measure_from = shared.clock.start + seconds(plan.warmup_s);
  shared.clock.end = shared.clock.measure_from + seconds(plan.duration_s);
  std::vector<std::thread> runners;
  for (size_t t = 0; t < threads; ++t) {
    for (auto& connection : connections[t]) asio::post(*contexts[t], [connection] { connection->Next(); });
    runners.emplace_back([&contexts, t] { contexts[t]->run(); });
  }
  started(shared.clock);
  for (auto& runner : runners) runner.join();

  LoadResult out;
  out.clock = shared.clock;
  out.finished = Clock::now();
  for (auto& r : results) {
    out.latencies_ms.insert(out.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    out.send_lag_ms.insert(out.send_lag_ms.end(), r.send_lag_ms.begin(), r.send_lag_ms.end());
    out.ok += r.ok;
    out.served += r.served;
    out.failed += r.failed;
    out.missed += r.missed;
    for (const auto& [status, count] : r.statuses) out.statuses[status] += count;
    if (out.first_error.empty()) out.first_error = r.first_error;
  }
  return out;
}

}  // namespace clearway::bench
