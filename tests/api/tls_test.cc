// The server's TLS: certificate and key reloaded without a restart (on demand, on SIGHUP and
// when the files change), a bad new file keeping the old certificate, old protocol versions and
// non-AEAD TLS 1.2 suites refused, TLS 1.3 preferred, and HSTS on every response.
#include <csignal>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/client.h"
#include "api/server.h"
#include "api/test_server.h"
#include "testing/matchers.h"

namespace clearway::api {
namespace {

using ::clearway::api::testing::CertificateFiles;
using ::clearway::api::testing::kDeadline;
using ::clearway::api::testing::RawTlsConnection;
using ::clearway::api::testing::TempDir;
using ::clearway::api::testing::WriteFile;
using ::clearway::api::testing::WriteSelfSignedCertificate;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using ::testing::Optional;

constexpr std::string_view kHsts = "max-age=31536000; includeSubDomains";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Replace() puts `from`'s certificate and key in place of the served files, by rename (the way
// certificate tools install new files).
void Replace(const CertificateFiles& served, const CertificateFiles& from) {
  WriteFile(served.certificate_file + ".new", ReadAll(from.certificate_file));
  WriteFile(served.key_file + ".new", ReadAll(from.key_file));
  std::filesystem::rename(served.key_file + ".new", served.key_file);
  std::filesystem::rename(served.certificate_file + ".new", served.certificate_file);
}

// A TLS client with a chosen protocol range and TLS 1.2 cipher list, verifying nothing: it
// asks what the server agrees to, not whom it talks to.
struct Handshake {
  bool ok = false;
  int version = 0;          // TLS1_2_VERSION, TLS1_3_VERSION, ...
  std::string cipher;       // the negotiated suite's OpenSSL name
};

Handshake TryHandshake(uint16_t port, int min_version, int max_version,
                       const char* tls12_ciphers = nullptr) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  SSL_CTX* ctx = tls.native_handle();
  SSL_CTX_set_security_level(ctx, 0);  // let the client offer what the server must refuse
  SSL_CTX_set_min_proto_version(ctx, min_version);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  if (tls12_ciphers != nullptr) SSL_CTX_set_cipher_list(ctx, tls12_ciphers);
  tls.set_verify_mode(asio::ssl::verify_none);
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream(ioc, tls);
  boost::beast::get_lowest_layer(stream).expires_after(kDeadline);
  boost::beast::error_code result = asio::error::would_block;
  boost::beast::get_lowest_layer(stream).async_connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
      [&](boost::beast::error_code ec) {
        if (ec) {
          result = ec;
          return;
        }
        stream.async_handshake(asio::ssl::stream_base::client,
                               [&](boost::beast::error_code handshake) { result = handshake; });
      });
  ioc.run();
  Handshake out;
  out.ok = !result;
  if (out.ok) {
    out.version = SSL_version(stream.native_handle());
    out.cipher = SSL_get_cipher_name(stream.native_handle());
  }
  return out;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = WriteSelfSignedCertificate(dir_.path(), "a");
    auto b = WriteSelfSignedCertificate(dir_.path(), "b");
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    a_ = *a;
    b_ = *b;
    // The server reads its own copies, which the tests replace.
    served_ = {(dir_.path() / "served.crt").string(), (dir_.path() / "served.key").string()};
    Replace(served_, a_);
    ASSERT_THAT(router_.Add("GET", "/v1/ping", [](const Request&) {
                  return TextResponse(200, "pong");
                }),
                IsOk());
  }

  void StartServer(ServerOptions options) {
    options.certificate_pem_file = served_.certificate_file;
    options.private_key_pem_file = served_.key_file;
    auto server = Server::Start(std::move(options), router_, metrics_);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(server).value();
  }

  // Open() connects trusting only `ca`'s certificate.
  Result<std::unique_ptr<HttpsClient>> Open(const CertificateFiles& ca) {
    return HttpsClient::Open(
        {.host = "127.0.0.1", .port = server_->port(), .ca_file = ca.certificate_file});
  }

  // Ping() is true when a request on `client` gets its answer.
  static bool Ping(HttpsClient& client) {
    auto response = client.Request("GET", "/v1/ping");
    return response.ok() && response->status == 200 && response->body == "pong";
  }

  TempDir dir_;
  CertificateFiles a_;
  CertificateFiles b_;
  CertificateFiles served_;
  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;  // last: stopped before the router and metrics go
};

ServerOptions NoWatch() {
  ServerOptions options;
  options.certificate_check_interval = std::chrono::milliseconds(0);
  return options;
}

TEST_F(TlsTest, ReloadServesTheNewCertificateOnNewConnections) {
  StartServer(NoWatch());
  auto before = Open(a_);
  ASSERT_THAT(before, IsOk());
  ASSERT_TRUE(Ping(**before));

  Replace(served_, b_);
  ASSERT_THAT(server_->ReloadCertificate(), IsOk());

  auto trusting_b = Open(b_);
  ASSERT_THAT(trusting_b, IsOk());
  EXPECT_TRUE(Ping(**trusting_b));
  EXPECT_THAT(Open(a_), HasReason("server-certificate-untrusted"));
  // A connection made before the reload keeps its session.
  EXPECT_TRUE(Ping(**before));
  EXPECT_EQ((*before)->reconnects(), 0u);
}

TEST_F(TlsTest, ChangedFilesAreReloadedWithoutBeingAsked) {
  ServerOptions options;
  options.certificate_check_interval = std::chrono::milliseconds(20);
  StartServer(options);
  ASSERT_THAT(Open(a_), IsOk());

  Replace(served_, b_);
  // The watcher picks the change up within a few intervals; the deadline only bounds a bug.
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  bool served_b = false;
  while (!served_b && std::chrono::steady_clock::now() < deadline) {
    served_b = Open(b_).ok();
    if (!served_b) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served_b);
  EXPECT_THAT(Open(a_), HasReason("server-certificate-untrusted"));
}

TEST_F(TlsTest, SighupReloads) {
  ServerOptions options = NoWatch();
  options.reload_on_sighup = true;
  StartServer(options);
  ASSERT_THAT(Open(a_), IsOk());

  Replace(served_, b_);
  ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  bool served_b = false;
  while (!served_b && std::chrono::steady_clock::now() < deadline) {
    served_b = Open(b_).ok();
    if (!served_b) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served_b);
}

TEST_F(TlsTest, UnreadableNewCertificateKeepsTheOldOne) {
  StartServer(NoWatch());
  WriteFile(served_.certificate_file, "-----BEGIN CERTIFICATE-----\nnot base64\n");
  EXPECT_THAT(server_->ReloadCertificate(), HasReason("bad-certificate"));
  auto client = Open(a_);
  ASSERT_THAT(client, IsOk());
  EXPECT_TRUE(Ping(**client));
}

TEST_F(TlsTest, MissingKeyKeepsTheOldOne) {
  StartServer(NoWatch());
  std::filesystem::remove(served_.key_file);
  EXPECT_THAT(server_->ReloadCertificate(), HasReason("bad-private-key"));
  auto client = Open(a_);
  ASSERT_THAT(client, IsOk());
  EXPECT_TRUE(Ping(**client));
}

TEST_F(TlsTest, KeyOfAnotherCertificateKeepsTheOldOne) {
  StartServer(NoWatch());
  // B's certificate with A's key: half of an update, or a wrong file.
  WriteFile(served_.certificate_file, ReadAll(b_.certificate_file));
  EXPECT_THAT(server_->ReloadCertificate(), HasReason("certificate-key-mismatch"));
  auto client = Open(a_);
  ASSERT_THAT(client, IsOk());
  EXPECT_TRUE(Ping(**client));
  EXPECT_THAT(Open(b_), HasReason("server-certificate-untrusted"));
}

TEST_F(TlsTest, WatcherKeepsServingThroughABadFileAndTakesTheNextGoodOne) {
  ServerOptions options;
  options.certificate_check_interval = std::chrono::milliseconds(20);
  StartServer(options);
  WriteFile(served_.certificate_file, "garbage");
  // Several intervals pass over the bad file; the old certificate is still served.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto still_a = Open(a_);
  ASSERT_THAT(still_a, IsOk());
  EXPECT_TRUE(Ping(**still_a));

  Replace(served_, b_);
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  bool served_b = false;
  while (!served_b && std::chrono::steady_clock::now() < deadline) {
    served_b = Open(b_).ok();
    if (!served_b) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served_b);
}

TEST_F(TlsTest, NegativeCheckIntervalIsRefused) {
  ServerOptions options;
  options.certificate_check_interval = std::chrono::milliseconds(-1);
  options.certificate_pem_file = served_.certificate_file;
  options.private_key_pem_file = served_.key_file;
  EXPECT_THAT(Server::Start(options, router_, metrics_), HasReason("bad-server-option"));
}

TEST_F(TlsTest, Tls13IsPreferred) {
  StartServer(NoWatch());
  Handshake any = TryHandshake(server_->port(), TLS1_VERSION, TLS1_3_VERSION);
  ASSERT_TRUE(any.ok);
  EXPECT_EQ(any.version, TLS1_3_VERSION);
}

TEST_F(TlsTest, OldProtocolVersionsAreRefused) {
  StartServer(NoWatch());
  EXPECT_FALSE(TryHandshake(server_->port(), TLS1_1_VERSION, TLS1_1_VERSION).ok);
  EXPECT_FALSE(TryHandshake(server_->port(), TLS1_VERSION, TLS1_VERSION).ok);
  Handshake tls12 = TryHandshake(server_->port(), TLS1_2_VERSION, TLS1_2_VERSION);
  ASSERT_TRUE(tls12.ok);
  EXPECT_EQ(tls12.version, TLS1_2_VERSION);
}

TEST_F(TlsTest, Tls12WithoutAeadOrForwardSecrecyIsRefused) {
  StartServer(NoWatch());
  const uint16_t port = server_->port();
  // CBC with HMAC (ECDHE, not AEAD), and static-key suites: each alone is refused.
  for (const char* suite : {"ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384",
                            "ECDHE-ECDSA-AES128-SHA", "AES128-GCM-SHA256", "AES256-SHA256"}) {
    EXPECT_FALSE(TryHandshake(port, TLS1_2_VERSION, TLS1_2_VERSION, suite).ok) << suite;
  }
  // The AEAD suites with ECDHE are accepted (the certificate's key is ECDSA P-256).
  for (const char* suite : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                            "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
    Handshake accepted = TryHandshake(port, TLS1_2_VERSION, TLS1_2_VERSION, suite);
    EXPECT_TRUE(accepted.ok) << suite;
    EXPECT_EQ(accepted.cipher, suite);
  }
}

TEST_F(TlsTest, HstsOnEveryResponse) {
  StartServer(NoWatch());
  auto client = Open(a_);
  ASSERT_THAT(client, IsOk());
  for (std::string target : {"/v1/ping", "/v1/missing", "/v1/ping?bad=%zz"}) {
    auto response = (*client)->Request("GET", target);
    ASSERT_THAT(response, IsOk());
    EXPECT_THAT(response->Header("strict-transport-security"), Optional(kHsts)) << target;
  }
  // And on what the server answers before any route: unparsable HTTP.
  RawTlsConnection raw;
  ASSERT_TRUE(raw.Connect(server_->port()));
  ASSERT_TRUE(raw.Write("NOT HTTP\r\n\r\n"));
  auto garbage = raw.ReadResponse();
  ASSERT_TRUE(garbage.has_value());
  EXPECT_EQ(garbage->result_int(), 400u);
  EXPECT_EQ((*garbage)[boost::beast::http::field::strict_transport_security], kHsts);
}

}  // namespace
}  // namespace clearway::api
