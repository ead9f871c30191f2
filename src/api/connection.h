// File: api/connection.h
//
// Internal to api: one accepted TLS connection of the Server and the state the server shares
// with all of them. A Connection reads requests one at a time (pipelined requests wait in
// its buffer), runs each handler (inline in its strand, or on the worker pool and back) and
// writes the answer on its strand. Users of api never include this header; see api/server.h for the behaviour.
//
// Lifetime: a Connection is owned by the asynchronous operations in flight on it (hence
// shared_ptr); it ends when the last completes. The ServerContext outlives every Connection
// (Server::Impl destroys the io_context, and with it any pending operation, first). Each
// Connection shares ownership of the TLS context it was accepted with, so a certificate reload
// never pulls it from under an open connection.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "api/http.h"
#include "api/metrics.h"
#include "api/router.h"
#include "api/server.h"

namespace clearway::api::internal {

class Connection;

// ConnectionRegistry tracks live connections so Stop() can reach and wait for them.
class ConnectionRegistry {
 public:
  // Add() records `connection`; returns its id, or 0 when the registry is stopping (the
  // caller then closes the connection at once).
  uint64_t Add(const std::shared_ptr<Connection>& connection);
  void Remove(uint64_t id);
  // BeginStop() refuses new connections and asks every live one to stop.
  void BeginStop();
  // WaitEmpty() waits until no connection is left or `deadline` passes; true when empty.
  bool WaitEmpty(std::chrono::steady_clock::time_point deadline);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable empty_;
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> live_;
};

// ServerContext is what every connection of one server shares; owned by Server::Impl.
struct ServerContext {
  // CurrentTls() is the TLS context new connections use; SetTls() replaces it (a certificate
  // reload). A connection keeps the context it started with for its whole life.
  std::shared_ptr<boost::asio::ssl::context> CurrentTls() const {
    std::scoped_lock lock(tls_mu);
    return tls;
  }
  void SetTls(std::shared_ptr<boost::asio::ssl::context> context) {
    std::scoped_lock lock(tls_mu);
    tls = std::move(context);
  }

  ServerOptions options;
  const Router* router = nullptr;
  mutable std::mutex tls_mu;
  std::shared_ptr<boost::asio::ssl::context> tls;  // guarded by tls_mu
  boost::asio::thread_pool* workers = nullptr;  // null: handlers run inline, on the io thread
  CounterFamily* requests = nullptr;     // clearway_http_requests_total
  HistogramFamily* durations = nullptr;  // clearway_http_request_duration_seconds
  std::shared_ptr<std::atomic<int64_t>> open_connections;
  ConnectionRegistry registry;
  size_t largest_body_limit = 0;  // max of the server's and every route's max_body_bytes
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, ServerContext& server);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Start() registers the connection and begins the TLS handshake.
  void Start();
  // RequestStop() asks the connection to close when idle, or after its current response.
  void RequestStop();

 private:
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  enum class State { kHandshake, kIdle, kBusy, kClosing };

  void OnHandshake(boost::beast::error_code ec);
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec, size_t bytes);
  void AfterHeader();
  void ReadBody();
  void OnContinueSent(boost::beast::error_code ec, size_t bytes);
  void OnBody(boost::beast::error_code ec, size_t bytes);
  void Dispatch();
  void Reject(int status, std::string_view reason, std::string detail, bool close);
  void WriteResponse(Response response, bool close);
  void OnWrite(bool close, boost::beast::error_code ec, size_t bytes);
  void Record();
  void Log(size_t bytes_out);
  void ShutdownTls();
  void CloseSocket();

  ServerContext& server_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // outlives stream_, which uses it
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  std::optional<boost::beast::http::response<boost::beast::http::empty_body>> continue_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  std::string remote_address_;
  uint64_t registry_id_ = 0;
  size_t requests_served_ = 0;
  State state_ = State::kHandshake;
  bool stopping_ = false;
  bool counted_ = false;

  // The request in progress: filled from the header, moved to the worker with the body and
  // moved back (without the body) with the response, for the log line.
  Request request_;
  std::chrono::steady_clock::time_point started_;
  const Route* route_ = nullptr;
  bool keep_alive_ = false;
  size_t bytes_in_ = 0;
  int status_ = 0;
  double elapsed_seconds_ = 0;
};

}  // namespace clearway::api::internal
