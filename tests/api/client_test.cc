// HttpsClient: URL parsing, certificate verification, reconnection and refusals.
#include "api/client.h"

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/server.h"
#include "api/test_server.h"
#include "testing/matchers.h"

namespace clearway::api {
namespace {

using ::clearway::api::testing::CertificateFiles;
using ::clearway::api::testing::TempDir;
using ::clearway::api::testing::WriteSelfSignedCertificate;
using ::clearway::testing::HasCode;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using ::testing::HasSubstr;

TEST(ParseHttpsUrlTest, ParsesHostPortAndBasePath) {
  auto url = ParseHttpsUrl("https://127.0.0.1:8443/base");
  ASSERT_THAT(url, IsOk());
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->base_path, "/base");

  auto plain = ParseHttpsUrl("HTTPS://customs.example.org/");
  ASSERT_THAT(plain, IsOk());
  EXPECT_EQ(plain->host, "customs.example.org");
  EXPECT_EQ(plain->port, 443);
  EXPECT_EQ(plain->base_path, "");

  auto v6 = ParseHttpsUrl("https://[::1]:9000/a/b//");
  ASSERT_THAT(v6, IsOk());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  EXPECT_EQ(v6->base_path, "/a/b");
}

TEST(ParseHttpsUrlTest, RefusesWhatItCannotUse) {
  EXPECT_THAT(ParseHttpsUrl("http://127.0.0.1:8443"), HasReason("unsupported-scheme"));
  EXPECT_THAT(ParseHttpsUrl("127.0.0.1:8443"), HasReason("unsupported-scheme"));
  EXPECT_THAT(ParseHttpsUrl("https://"), HasReason("bad-url"));
  EXPECT_THAT(ParseHttpsUrl("https://:8443/"), HasReason("bad-url"));
  EXPECT_THAT(ParseHttpsUrl("https://user:pw@host/"), HasReason("bad-url"));
  EXPECT_THAT(ParseHttpsUrl("https://host/base?x=1"), HasReason("bad-url"));
  EXPECT_THAT(ParseHttpsUrl("https://host/#frag"), HasReason("bad-url"));
  EXPECT_THAT(ParseHttpsUrl("https://ho st/"), HasReason("bad-url"));
  EXPECT_THAT(ParseHttpsUrl("https://[::1/"), HasReason("bad-url"));
  EXPECT_THAT(ParseHttpsUrl("https://host:0/"), HasReason("bad-port"));
  EXPECT_THAT(ParseHttpsUrl("https://host:65536/"), HasReason("bad-port"));
  EXPECT_THAT(ParseHttpsUrl("https://host:80a/"), HasReason("bad-port"));
  EXPECT_THAT(ParseHttpsUrl("https://host:/"), HasReason("bad-port"));
  EXPECT_THAT(ParseHttpsUrl("http://x"), HasCode(ErrorCode::kInvalidArgument));
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto files = WriteSelfSignedCertificate(dir_.path(), "server");
    ASSERT_THAT(files, IsOk());
    files_ = *files;
    auto stranger = WriteSelfSignedCertificate(dir_.path(), "stranger");
    ASSERT_THAT(stranger, IsOk());
    stranger_ = *stranger;
    ASSERT_THAT(
        router_.Add("GET", "/v1/ping", [](const Request&) { return TextResponse(200, "pong"); }),
        IsOk());
    ASSERT_THAT(router_.Add("POST", "/v1/echo",
                            [](const Request& request) {
                              return TextResponse(200, request.body,
                                                  std::string(*request.Header("content-type")));
                            }),
                IsOk());
    ASSERT_THAT(
        router_.Add("GET", "/v1/large",
                    [](const Request&) { return TextResponse(200, std::string(100, 'x')); }),
        IsOk());
  }

  void StartServer(ServerOptions options = {}) {
    options.certificate_pem_file = files_.certificate_file;
    options.private_key_pem_file = files_.key_file;
    auto server = Server::Start(std::move(options), router_, metrics_);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(server).value();
  }

  TempDir dir_;
  CertificateFiles files_;
  CertificateFiles stranger_;
  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
};

TEST_F(ClientTest, VerifiesTheServerByIpAddressAndByName) {
  StartServer();
  for (std::string host : {"127.0.0.1", "localhost"}) {
    auto client = HttpsClient::Open(
        {.host = host, .port = server_->port(), .ca_file = files_.certificate_file});
    ASSERT_THAT(client, IsOk()) << host;
    auto response = (*client)->Request("GET", "/v1/ping");
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->body, "pong");
  }
}

TEST_F(ClientTest, RefusesAServerCertificateNotSignedByTheCa) {
  StartServer();
  auto client = HttpsClient::Open(
      {.host = "127.0.0.1", .port = server_->port(), .ca_file = stranger_.certificate_file});
  EXPECT_THAT(client, HasCode(ErrorCode::kUnauthenticated));
  EXPECT_THAT(client, HasReason("server-certificate-untrusted"));
}

TEST_F(ClientTest, RefusesACertificateThatDoesNotNameTheHost) {
  // 127.0.0.2 is loopback on Linux but not among the certificate's addresses.
  StartServer({.bind_address = "127.0.0.2"});
  auto client = HttpsClient::Open(
      {.host = "127.0.0.2", .port = server_->port(), .ca_file = files_.certificate_file});
  EXPECT_THAT(client, HasReason("server-certificate-untrusted"));
}

TEST_F(ClientTest, InsecureSkipVerifyIsAnExplicitOptIn) {
  StartServer();
  auto client = HttpsClient::Open(
      {.host = "127.0.0.1", .port = server_->port(), .insecure_skip_verify = true});
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT((*client)->Request("GET", "/v1/ping"), IsOk());
  EXPECT_THAT(HttpsClient::Open({.host = "127.0.0.1", .port = server_->port()}),
              HasReason("bad-client-option"));
}

TEST_F(ClientTest, RefusesAnUnreadableCa) {
  StartServer();
  testing::WriteFile(dir_.path() / "garbage.pem", "no certificate here");
  EXPECT_THAT(HttpsClient::Open({.host = "127.0.0.1",
                                 .port = server_->port(),
                                 .ca_file = (dir_.path() / "garbage.pem").string()}),
              HasReason("bad-ca-file"));
  EXPECT_THAT(HttpsClient::Open({.host = "127.0.0.1",
                                 .port = server_->port(),
                                 .ca_file = (dir_.path() / "missing.pem").string()}),
              HasReason("bad-ca-file"));
}

TEST_F(ClientTest, ConnectionRefusedIsUnavailable) {
  StartServer();
  uint16_t port = server_->port();
  server_->Stop();
  auto client =
      HttpsClient::Open({.host = "127.0.0.1", .port = port, .ca_file = files_.certificate_file});
  EXPECT_THAT(client, HasCode(ErrorCode::kUnavailable));
  EXPECT_THAT(client, HasReason("connect-failed"));
}

TEST_F(ClientTest, ReconnectsWhenTheServerClosedTheIdleConnection) {
  StartServer({.idle_timeout = std::chrono::milliseconds(500)});
  auto client = HttpsClient::Open(
      {.host = "127.0.0.1", .port = server_->port(), .ca_file = files_.certificate_file});
  ASSERT_THAT(client, IsOk());
  ASSERT_THAT((*client)->Request("GET", "/v1/ping"), IsOk());
  const size_t reconnects_before = (*client)->reconnects();  // 1 on a very slow machine
  // Wait (bounded) until the server has dropped the idle connection.
  for (int idx = 0; idx < 2000 && metrics_.Render().find("clearway_http_open_connections 0\n") ==
                                      std::string::npos;
       ++idx) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_THAT(metrics_.Render(), HasSubstr("clearway_http_open_connections 0\n"));
  // A POST without an Idempotency-Key is safe too: the client sees the close before sending.
  auto response = (*client)->Request("POST", "/v1/echo", "{}");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ((*client)->reconnects(), reconnects_before + 1);
}

TEST_F(ClientTest, SendsJsonByDefaultAndGivenHeaders) {
  StartServer();
  auto client = HttpsClient::Open(
      {.host = "127.0.0.1", .port = server_->port(), .ca_file = files_.certificate_file});
  ASSERT_THAT(client, IsOk());
  auto json = (*client)->Request("POST", "/v1/echo", R"({"a":1})");
  ASSERT_THAT(json, IsOk());
  EXPECT_EQ(json->Header("Content-Type"), "application/json");
  EXPECT_EQ(json->body, R"({"a":1})");
  auto typed =
      (*client)->Request("POST", "/v1/echo", "{}", {{"Content-Type", "application/problem+json"}});
  ASSERT_THAT(typed, IsOk());
  EXPECT_EQ(typed->Header("content-type"), "application/problem+json");
}

TEST_F(ClientTest, RefusesBadTargetsAndHeadersBeforeSending) {
  StartServer();
  auto client = HttpsClient::Open(
      {.host = "127.0.0.1", .port = server_->port(), .ca_file = files_.certificate_file});
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT((*client)->Request("GET", "v1/ping"), HasReason("bad-request-target"));
  EXPECT_THAT((*client)->Request("GET", "/v1/ping now"), HasReason("bad-request-target"));
  EXPECT_THAT((*client)->Request("GE T", "/v1/ping"), HasReason("bad-request-target"));
  EXPECT_THAT((*client)->Request("GET", "/v1/ping", "", {{"X-Evil", "a\r\nInjected: 1"}}),
              HasReason("bad-header"));
  EXPECT_THAT((*client)->Request("GET", "/v1/ping", "", {{"Bad Name", "v"}}),
              HasReason("bad-header"));
  EXPECT_THAT((*client)->Request("GET", "/v1/ping"), IsOk());
}

TEST_F(ClientTest, RefusesAResponseAboveItsLimit) {
  StartServer();
  auto client = HttpsClient::Open({.host = "127.0.0.1",
                                   .port = server_->port(),
                                   .ca_file = files_.certificate_file,
                                   .max_response_bytes = 10});
  ASSERT_THAT(client, IsOk());
  EXPECT_THAT((*client)->Request("GET", "/v1/large"), HasReason("response-too-large"));
  EXPECT_THAT((*client)->Request("GET", "/v1/ping"), IsOk());  // reconnects
}

}  // namespace
}  // namespace clearway::api
