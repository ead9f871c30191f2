// File: api/server.h
//
// Server is the HTTPS front door: HTTP/1.1 with keep-alive over TLS 1.2+ (Boost.Beast and
// Asio, OpenSSL 3). It reads and checks each request (header and body limits, media type,
// origin-form target), routes it with a Router, runs the handler (handlers may block on a
// durable commit: enough threads are kept for them, see ServerOptions), writes the response on
// the connection's strand with the request id and security headers, records metrics and
// writes one JSON access-log line.
//
//   Router router;
//   CW_RETURN_IF_ERROR(router.Add("GET", "/healthz", Healthz));
//   Metrics metrics;
//   CW_ASSIGN_OR_RETURN(auto server, Server::Start({.port = 8443,
//                                                   .certificate_pem_file = "tls.crt",
//                                                   .private_key_pem_file = "tls.key"},
//                                                  router, metrics));
//   ... server->port() ...
//   server->Stop();   // or let it go out of scope
//
// What the server answers by itself (all RFC 9457 problems, see api/problem.h):
//   400 "malformed-request" (unparsable HTTP; the connection is closed), "malformed-query",
//   "malformed-path"; 404 "route-not-found"; 405 "method-not-allowed" (+ Allow);
//   413 "body-too-large" (by Content-Length before reading the body, or while reading a
//   chunked body; the connection is closed); 415 "unsupported-media-type" (a POST/PUT/PATCH
//   body that is not application/json or application/*+json, unless the route opts out);
//   431 "header-too-large"; 500 "internal" when a handler throws (logged without the body).
// Every response carries X-Request-Id (the client's, when it is 1..64 characters of
// [A-Za-z0-9._:-], else a fresh random one), Cache-Control: no-store, X-Content-Type-Options:
// nosniff and Strict-Transport-Security: max-age=31536000; includeSubDomains, unless the
// handler set that header itself.
//
// TLS: 1.3 preferred (a client offering it gets it), 1.2 the minimum, and for 1.2 only ECDHE
// key exchange with AEAD suites (AES-GCM, ChaCha20-Poly1305); no renegotiation, no compression.
// The certificate and key are reloaded without a restart: by ReloadCertificate(), on SIGHUP
// when options.reload_on_sighup, and when the files change (checked every
// options.certificate_check_interval). New connections use the new certificate, open ones keep
// theirs; a new file that does not load (unreadable, not PEM, key not matching) leaves the
// current certificate in place and logs {"event":"tls_reload_failed","reason":…} once per
// change of the files.
//
// Access log (spdlog, info): {"event":"http_request","method":…,"route":<pattern>,"path":…,
// "status":…,"duration_ms":…,"request_id":…,"remote":…,"bytes_in":…,"bytes_out":…}. Never the
// query string, bodies or any header value (so never Authorization).
//
// Metrics: clearway_http_requests_total{method,route,status},
// clearway_http_request_duration_seconds{method,route} (histogram: from the request header
// read to the response ready to write; counted before it is written) and
// clearway_http_open_connections (gauge). `route` is the pattern, or "unmatched".
//
// Thread safety: Start() and Stop() may be called from any thread except the server's own
// io and worker threads (Stop() waits for them); ReloadCertificate() from any thread. The Router and Metrics must outlive the
// Server; the Router must not change while the server runs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/metrics.h"
#include "api/router.h"
#include "common/result.h"

namespace clearway::api {

struct ServerOptions {
  std::string bind_address = "127.0.0.1";  // an IPv4 or IPv6 literal
  uint16_t port = 0;                       // 0 picks a free port; see Server::port()
  std::string certificate_pem_file{};      // the certificate chain, leaf first
  std::string private_key_pem_file{};
  int io_threads = 2;
  // Handlers may block (on a durable commit), so they need threads of their own: this many.
  int worker_threads = 32;
  // Where handlers run. true (the default): the io_context runs io_threads + worker_threads
  // threads and a handler runs on the thread that read its request, inside the connection's
  // strand; a blocked handler holds one thread, the others serve the other connections, and a
  // request costs no hand-off between threads. false: handlers run on a separate pool of
  // worker_threads, and each request is handed to it and back (two thread wake-ups; kept to
  // measure against, see docs/performance.md).
  bool handlers_on_io_threads = true;
  size_t max_body_bytes = 1024 * 1024;  // per request; a route may override it
  size_t max_header_bytes = 16 * 1024;
  // How long the server waits for the next request on a kept-alive connection, for the rest
  // of a request, for a TLS handshake and for a write to drain.
  std::chrono::milliseconds idle_timeout{30'000};
  // How long Stop() lets in-flight requests finish before closing their connections.
  std::chrono::milliseconds shutdown_grace{10'000};
  // After this many requests a connection is closed (Connection: close); 0 = no limit.
  size_t max_requests_per_connection = 10'000;
  // How often the certificate and key files are checked for a change (inode, size, mtime) and
  // reloaded; 0 = never (ReloadCertificate() and SIGHUP still work).
  std::chrono::milliseconds certificate_check_interval{2'000};
  // Reload the certificate on SIGHUP. Installs a process-wide SIGHUP handler for the server's
  // lifetime: set it in the program that owns the process's signals (`clearway serve`).
  bool reload_on_sighup = false;
};

// Server is a running HTTPS server; it owns its threads and connections.
class Server {
 public:
  // Start() validates `options`, loads the certificate and key, binds and starts serving.
  // Errors: kInvalidArgument "bad-server-option" (zero threads or limits),
  // "bad-bind-address", "bad-certificate" (unreadable or not PEM), "bad-private-key",
  // "certificate-key-mismatch"; kUnavailable "address-in-use" when the port is taken,
  // "listen-failed" for other socket errors.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, const Router& router,
                                               Metrics& metrics);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // The destructor calls Stop().
  ~Server();

  // port() is the bound TCP port (the chosen one when options.port was 0).
  uint16_t port() const;

  // ReloadCertificate() loads the certificate and key files again; connections accepted after
  // it returns ok use them. On error the current certificate stays and the error says why:
  // kInvalidArgument "bad-certificate", "bad-private-key", "certificate-key-mismatch".
  Status ReloadCertificate();

  // Stop() stops accepting, closes idle connections, lets in-flight requests finish (each
  // answered with Connection: close) for up to shutdown_grace, then closes everything and
  // joins the threads. A handler still running after the grace period is waited for; ones
  // not yet started are dropped. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clearway::api
