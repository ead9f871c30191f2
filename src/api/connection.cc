// One server connection: read a request, check it, run its handler (inline, or on the worker
// pool), write the answer on the strand, repeat. Every method except RequestStop() runs on the
// connection's strand (the executor of its tcp_stream).
#include "api/connection.h"

#include <array>
#include <exception>
#include <typeinfo>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/access_log.h"
#include "api/connection_util.h"
#include "api/http_util.h"
#include "api/problem.h"

namespace clearway::api::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
// A peer that does not answer our close_notify is not waited for longer than this.
constexpr std::chrono::seconds kTlsShutdownTimeout{2};

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// InvokeHandler() runs on a worker thread. An exception or an impossible status becomes a
// generic 500; the log names the route and request id, never the body or the message text
// (which might quote input).
Response InvokeHandler(const Route& route, const Request& request) {
  try {
    Response response = route.handler(request);
    if (response.status >= 200 && response.status <= 599) return response;
    spdlog::error(R"({{"event":"handler_bad_status","route":"{}","request_id":"{}","status":{}}})",
                  route.pattern, request.request_id, response.status);
  } catch (const std::exception& e) {
    spdlog::error(
        R"({{"event":"handler_exception","route":"{}","request_id":"{}","exception":"{}"}})",
        route.pattern, request.request_id, typeid(e).name());
  } catch (...) {
    spdlog::error(R"({{"event":"handler_exception","route":"{}","request_id":"{}"}})",
                  route.pattern, request.request_id);
  }
  return ProblemFromError(Error::Internal("handler-failed", ""), {}, request.path);
}
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, ServerContext& server)
    : server_(server),
      tls_(server.CurrentTls()),
      stream_(beast::tcp_stream(std::move(socket)), *tls_) {
  beast::error_code ec;
  auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
  if (!ec) remote_address_ = endpoint.address().to_string();
}

Connection::~Connection() {
  if (counted_) server_.open_connections->fetch_sub(1, std::memory_order_relaxed);
  if (registry_id_ != 0) server_.registry.Remove(registry_id_);
}

void Connection::Start() {
  registry_id_ = server_.registry.Add(shared_from_this());
  if (registry_id_ == 0) return;  // stopping: the socket closes with this object
  server_.open_connections->fetch_add(1, std::memory_order_relaxed);
  counted_ = true;
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->stopping_) return self->CloseSocket();
    beast::get_lowest_layer(self->stream_).expires_after(self->server_.options.idle_timeout);
    self->stream_.async_handshake(
        asio::ssl::stream_base::server,
        beast::bind_front_handler(&Connection::OnHandshake, self->shared_from_this()));
  });
}

void Connection::RequestStop() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    // Waiting for a handshake or the next request: nothing is lost by closing now. A busy
    // connection closes after writing its response (with Connection: close).
    if (self->state_ == State::kHandshake || self->state_ == State::kIdle) {
      beast::get_lowest_layer(self->stream_).cancel();
    }
  });
}

void Connection::OnHandshake(beast::error_code ec) {
  if (ec) return CloseSocket();  // scanners, plain HTTP, untrusted clients: nothing to say
  ReadHeader();
}

void Connection::ReadHeader() {
  if (stopping_) return CloseSocket();
  state_ = State::kIdle;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
  // The largest limit any route allows, so that a Content-Length above it is refused by the
  // parser before any body byte is read; AfterHeader() narrows it to the route's limit.
  parser_->body_limit(server_.largest_body_limit);
  beast::get_lowest_layer(stream_).expires_after(server_.options.idle_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Connection::OnHeader, shared_from_this()));
}

void Connection::OnHeader(beast::error_code ec, size_t /*bytes*/) {
  state_ = State::kBusy;
  started_ = std::chrono::steady_clock::now();
  request_ = Request{};
  route_ = nullptr;
  keep_alive_ = false;
  bytes_in_ = 0;
  if (ec == http::error::header_limit) {
    return Reject(
        431, "header-too-large",
        fmt::format("The request header exceeds {} bytes.", server_.options.max_header_bytes),
        true);
  }
  if (ec == http::error::body_limit) {
    return Reject(413, "body-too-large",
                  fmt::format("The request body exceeds {} bytes.", server_.largest_body_limit),
                  true);
  }
  if (IsHttpParseError(ec)) {
    return Reject(400, "malformed-request", "The request is not well-formed HTTP/1.1.", true);
  }
  if (ec == http::error::end_of_stream) return ShutdownTls();  // the client closed cleanly
  if (ec) return CloseSocket();  // timeout, reset, cancelled by Stop()
  AfterHeader();
}

void Connection::AfterHeader() {
  const auto& message = parser_->get();
  request_.method = std::string(message.method_string());
  keep_alive_ = message.keep_alive();
  auto id_field = message.find("X-Request-Id");
  if (id_field != message.end() && IsValidRequestId(id_field->value())) {
    request_.request_id = std::string(id_field->value());
  } else {
    request_.request_id = NewRequestId();
  }
  const bool has_body =
      parser_->chunked() || (parser_->content_length() && *parser_->content_length() > 0);

  Target target;
  if (!SplitTarget(message.target(), target)) {
    return Reject(400, "malformed-request", "The request target must be an absolute path.", true);
  }
  request_.path = std::string(target.path);
  RouteMatch match = server_.router->Match(request_.method, request_.path);
  switch (match.outcome) {
    case RouteMatch::Outcome::kNotFound:
      return WriteResponse(Router::NotFoundProblem(request_.path), has_body);
    case RouteMatch::Outcome::kMethodNotAllowed:
      return WriteResponse(Router::MethodNotAllowedProblem(match.allow, request_.path), has_body);
    case RouteMatch::Outcome::kMalformedPath:
      return WriteResponse(Router::MalformedPathProblem(request_.path), has_body);
    case RouteMatch::Outcome::kMatched:
      break;
  }
  route_ = match.route;
  request_.route_pattern = route_->pattern;
  request_.path_params = std::move(match.path_params);
  if (!ParseQuery(target.query, request_.query)) {
    return Reject(400, "malformed-query", "The query string has a malformed percent escape.",
                  has_body);
  }

  const size_t limit = route_->options.max_body_bytes.value_or(server_.options.max_body_bytes);
  if (parser_->content_length() && *parser_->content_length() > limit) {
    return Reject(413, "body-too-large", fmt::format("The request body exceeds {} bytes.", limit),
                  true);
  }
  if (has_body && MethodChecksMediaType(request_.method) && !route_->options.any_content_type &&
      !AcceptsMediaType(route_->options, message[http::field::content_type])) {
    return Reject(415, "unsupported-media-type",
                  route_->options.content_types.empty()
                      ? "The body must be JSON (Content-Type: application/json)."
                      : "The body's Content-Type is not accepted by this endpoint.",
                  true);
  }
  if (!has_body) return Dispatch();
  parser_->body_limit(limit);
  auto expect = message.find(http::field::expect);
  if (expect != message.end() && EqualsIgnoreCase(expect->value(), "100-continue")) {
    continue_.emplace(http::status::continue_, message.version());
    beast::get_lowest_layer(stream_).expires_after(server_.options.idle_timeout);
    return http::async_write(
        stream_, *continue_,
        beast::bind_front_handler(&Connection::OnContinueSent, shared_from_this()));
  }
  ReadBody();
}

void Connection::OnContinueSent(beast::error_code ec, size_t /*bytes*/) {
  if (ec) return CloseSocket();
  ReadBody();
}

void Connection::ReadBody() {
  beast::get_lowest_layer(stream_).expires_after(server_.options.idle_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Connection::OnBody, shared_from_this()));
}

void Connection::OnBody(beast::error_code ec, size_t /*bytes*/) {
  if (ec == http::error::body_limit) {
    const size_t limit = route_->options.max_body_bytes.value_or(server_.options.max_body_bytes);
    return Reject(413, "body-too-large", fmt::format("The request body exceeds {} bytes.", limit),
                  true);
  }
  if (IsHttpParseError(ec)) {
    return Reject(400, "malformed-request", "The request body is not well-formed HTTP/1.1.", true);
  }
  if (ec) return CloseSocket();
  Dispatch();
}

void Connection::Dispatch() {
  auto& message = parser_->get();
  request_.headers.reserve(static_cast<size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    request_.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request_.body = std::move(message.body());
  request_.remote_address = remote_address_;
  bytes_in_ = request_.body.size();
  if (server_.workers == nullptr) {
    // Inline: this io thread runs the handler inside the strand, and blocks with it; the
    // server keeps enough io threads for the other connections (ServerOptions).
    Response response = InvokeHandler(*route_, request_);
    request_.body = std::string();
    return WriteResponse(std::move(response), false);
  }
  // The work guard keeps the io_context running while the handler runs: with no operation
  // pending on it (the acceptor may be closed by Stop()), run() would return and the
  // response would never be written.
  asio::post(*server_.workers, [self = shared_from_this(),
                                work = asio::make_work_guard(stream_.get_executor()),
                                route = route_, request = std::move(request_)]() mutable {
    Response response = InvokeHandler(*route, request);
    request.body = std::string();  // not needed any more; do not hold it while idle
    asio::post(work.get_executor(), [self = std::move(self), request = std::move(request),
                                     response = std::move(response)]() mutable {
      self->request_ = std::move(request);
      self->WriteResponse(std::move(response), false);
    });
    work.reset();
  });
}

void Connection::Reject(int status, std::string_view reason, std::string detail, bool close) {
  ProblemDetails problem;
  problem.status = status;
  problem.reason = std::string(reason);
  problem.detail = std::move(detail);
  problem.instance = request_.path;
  WriteResponse(ProblemResponse(std::move(problem)), close);
}

void Connection::WriteResponse(Response response, bool close) {
  if (request_.request_id.empty()) request_.request_id = NewRequestId();
  ++requests_served_;
  const size_t max_requests = server_.options.max_requests_per_connection;
  close =
      close || stopping_ || !keep_alive_ || (max_requests != 0 && requests_served_ >= max_requests);
  status_ = response.status;
  response_ = BuildResponse(std::move(response), request_.request_id, !close);
  // Counted before the write starts, so a client that has its answer finds it counted.
  Record();
  state_ = State::kBusy;
  beast::get_lowest_layer(stream_).expires_after(server_.options.idle_timeout);
  http::async_write(stream_, response_,
                    beast::bind_front_handler(&Connection::OnWrite, shared_from_this(), close));
}

void Connection::OnWrite(bool close, beast::error_code ec, size_t bytes) {
  Log(bytes);
  if (ec) return CloseSocket();
  if (close) return stopping_ ? CloseSocket() : ShutdownTls();
  ReadHeader();
}

void Connection::Record() {
  const auto elapsed = std::chrono::steady_clock::now() - started_;
  elapsed_seconds_ = std::chrono::duration<double>(elapsed).count();
  const std::string_view method = MetricMethod(request_.method);
  const std::string_view route =
      route_ != nullptr ? std::string_view(route_->pattern) : "unmatched";
  const std::string status = std::to_string(status_);  // short: no heap allocation
  server_.requests->WithLabels({method, route, status}).Increment();
  server_.durations->WithLabels({method, route}).Observe(elapsed_seconds_);
}

void Connection::Log(size_t bytes_out) {
  if (!spdlog::should_log(spdlog::level::info)) return;
  const std::string_view route =
      route_ != nullptr ? std::string_view(route_->pattern) : "unmatched";
  spdlog::info(AccessLogLine(AccessLogEntry{request_.method, route, request_.path, status_,
                                            elapsed_seconds_ * 1000.0, request_.request_id,
                                            remote_address_, bytes_in_, bytes_out}));
}

void Connection::ShutdownTls() {
  state_ = State::kClosing;
  beast::get_lowest_layer(stream_).expires_after(kTlsShutdownTimeout);
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->CloseSocket(); });
}

void Connection::CloseSocket() {
  state_ = State::kClosing;
  beast::error_code ignored;
  auto& socket = beast::get_lowest_layer(stream_).socket();
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(stream_).close();
}

uint64_t ConnectionRegistry::Add(const std::shared_ptr<Connection>& connection) {
  std::scoped_lock lock(mu_);
  if (stopping_) return 0;
  uint64_t id = next_id_++;
  live_.emplace(id, connection);
  return id;
}

void ConnectionRegistry::Remove(uint64_t id) {
  std::scoped_lock lock(mu_);
  live_.erase(id);
  if (live_.empty()) empty_.notify_all();
}

void ConnectionRegistry::BeginStop() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::scoped_lock lock(mu_);
    stopping_ = true;
    live.reserve(live_.size());
    for (const auto& [id, weak] : live_) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  // Outside the lock: the last reference may be dropped here, and ~Connection calls Remove().
  for (const auto& connection : live) connection->RequestStop();
}

bool ConnectionRegistry::WaitEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return empty_.wait_until(lock, deadline, [this] { return live_.empty(); });
}

size_t ConnectionRegistry::size() const {
  std::scoped_lock lock(mu_);
  return live_.size();
}

}  // namespace clearway::api::internal
