// The HTTPS server end to end: a real server on 127.0.0.1 (port 0) with a self-signed
// certificate, driven by HttpsClient and by a raw TLS socket for malformed traffic.
#include "api/server.h"

#include <future>
#include <stdexcept>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/client.h"
#include "api/problem.h"
#include "api/test_server.h"
#include "testing/matchers.h"

namespace clearway::api {
namespace {

using ::clearway::api::testing::CertificateFiles;
using ::clearway::api::testing::ParseJsonBody;
using ::clearway::api::testing::RawTlsConnection;
using ::clearway::api::testing::Str;
using ::clearway::api::testing::TempDir;
using ::clearway::api::testing::WriteSelfSignedCertificate;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto files = WriteSelfSignedCertificate(dir_.path(), "server");
    ASSERT_THAT(files, IsOk());
    files_ = *files;
    ASSERT_THAT(router_.Add("GET", "/v1/items/{id}",
                            [](const Request& request) {
                              boost::json::object body{{"id", *request.PathParam("id")},
                                                       {"route", request.route_pattern}};
                              if (auto q = request.QueryParam("q")) body["q"] = *q;
                              return JsonResponse(200, body);
                            }),
                IsOk());
    ASSERT_THAT(router_.Add("DELETE", "/v1/items/{id}",
                            [](const Request&) {
                              return Response{204, "", "", {}};
                            }),
                IsOk());
    ASSERT_THAT(router_.Add("GET", "/v1/items/search",
                            [](const Request&) { return TextResponse(200, "search"); }),
                IsOk());
    ASSERT_THAT(router_.Add("POST", "/v1/items",
                            [](const Request& request) {
                              return JsonResponse(201, {{"bytes", request.body.size()},
                                                        {"type", *request.Header("content-type")}});
                            }),
                IsOk());
    ASSERT_THAT(router_.Add(
                    "POST", "/v1/raw",
                    [](const Request& request) { return TextResponse(200, request.body); },
                    RouteOptions{.any_content_type = true}),
                IsOk());
    ASSERT_THAT(router_.Add("GET", "/v1/whoami",
                            [](const Request& request) {
                              return JsonResponse(
                                  200, {{"request_id", request.request_id},
                                        {"remote", request.remote_address},
                                        {"x_test", request.Header("X-Test").value_or("")}});
                            }),
                IsOk());
    ASSERT_THAT(router_.Add("GET", "/v1/boom",
                            [](const Request&) -> Response {
                              throw std::runtime_error("secret-detail-4711");
                            }),
                IsOk());
  }

  void StartServer(ServerOptions options = {}) {
    options.certificate_pem_file = files_.certificate_file;
    options.private_key_pem_file = files_.key_file;
    auto server = Server::Start(std::move(options), router_, metrics_);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(server).value();
  }

  std::unique_ptr<HttpsClient> Connect() {
    auto client = HttpsClient::Open(
        {.host = "127.0.0.1", .port = server_->port(), .ca_file = files_.certificate_file});
    EXPECT_THAT(client, IsOk());
    return client.ok() ? std::move(client).value() : nullptr;
  }

  std::unique_ptr<RawTlsConnection> Raw() {
    auto raw = std::make_unique<RawTlsConnection>();
    EXPECT_TRUE(raw->Connect(server_->port()));
    return raw;
  }

  TempDir dir_;
  CertificateFiles files_;
  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;  // last: stopped before the router and metrics go
};

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  for (int idx = 0; idx < 100; ++idx) {
    auto response = client->Request("GET", "/v1/items/" + std::to_string(idx));
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(Str(ParseJsonBody(response->body)["id"]), std::to_string(idx));
  }
  EXPECT_EQ(client->reconnects(), 0u);
}

TEST_F(ServerTest, PathParametersAndQueryAreDecoded) {
  StartServer();
  auto client = Connect();
  auto response = client->Request("GET", "/v1/items/a%20b%2Fc?q=x%2By+z&other=1");
  ASSERT_THAT(response, IsOk());
  auto body = ParseJsonBody(response->body);
  EXPECT_EQ(body["id"], "a b/c");
  EXPECT_EQ(body["q"], "x+y z");
  EXPECT_EQ(body["route"], "/v1/items/{id}");
  EXPECT_EQ(response->Header("content-type"), "application/json");
}

TEST_F(ServerTest, LiteralSegmentWinsOverParameter) {
  StartServer();
  auto response = Connect()->Request("GET", "/v1/items/search");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->body, "search");
}

TEST_F(ServerTest, UnknownPathIsNotFoundProblem) {
  StartServer();
  auto client = Connect();
  auto response = client->Request("GET", "/v1/nothing/here?secret=1");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  auto body = ParseJsonBody(response->body);
  EXPECT_EQ(body["type"], "https://clearway.example/problems/route-not-found");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["reason"], "route-not-found");
  EXPECT_EQ(body["instance"], "/v1/nothing/here");
  EXPECT_FALSE(body["hint"].as_string().empty());
  // The connection stays usable after a problem without a body.
  EXPECT_THAT(client->Request("GET", "/v1/items/1"), IsOk());
  EXPECT_EQ(client->reconnects(), 0u);
}

TEST_F(ServerTest, WrongMethodIsMethodNotAllowedWithAllow) {
  StartServer();
  auto response = Connect()->Request("PUT", "/v1/items/7", "{}");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->Header("allow"), "GET, DELETE");
  auto body = ParseJsonBody(response->body);
  EXPECT_EQ(body["reason"], "method-not-allowed");
  EXPECT_EQ(body["status"], 405);
}

TEST_F(ServerTest, NoContentResponseHasNoBody) {
  StartServer();
  auto response = Connect()->Request("DELETE", "/v1/items/7");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 204);
  EXPECT_EQ(response->body, "");
}

TEST_F(ServerTest, ContentLengthAboveLimitIsRefusedBeforeTheBody) {
  StartServer();
  auto raw = Raw();
  ASSERT_TRUE(
      raw->Write("POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: 10000000\r\n\r\n"));
  auto response = raw->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 413u);
  EXPECT_EQ(ParseJsonBody(response->body())["reason"], "body-too-large");
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(raw->ReadUntilClosed());
}

TEST_F(ServerTest, ChunkedBodyAboveLimitIsRefused) {
  StartServer({.max_body_bytes = 1024});
  auto raw = Raw();
  std::string chunk(600, ' ');
  ASSERT_TRUE(
      raw->Write("POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n258\r\n" +
                 chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto response = raw->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 413u);
  EXPECT_EQ(ParseJsonBody(response->body())["reason"], "body-too-large");
  EXPECT_TRUE(raw->ReadUntilClosed());
}

TEST_F(ServerTest, BodyAtTheLimitIsAccepted) {
  StartServer({.max_body_bytes = 1024});
  auto client = Connect();
  std::string body = "\"" + std::string(1022, 'x') + "\"";
  auto response = client->Request("POST", "/v1/items", body);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(ParseJsonBody(response->body)["bytes"], 1024);
  auto too_big = client->Request("POST", "/v1/items", body + " ");
  ASSERT_THAT(too_big, IsOk());
  EXPECT_EQ(too_big->status, 413);
}

TEST_F(ServerTest, RouteCanRaiseItsBodyLimit) {
  ASSERT_THAT(
      router_.Add(
          "POST", "/v1/bulk", [](const Request& r) { return JsonResponse(200, r.body.size()); },
          RouteOptions{.max_body_bytes = 4096}),
      IsOk());
  StartServer({.max_body_bytes = 1024});
  auto client = Connect();
  std::string body = "\"" + std::string(3000, 'x') + "\"";
  auto bulk = client->Request("POST", "/v1/bulk", body);
  ASSERT_THAT(bulk, IsOk());
  EXPECT_EQ(bulk->status, 200);
  auto items = client->Request("POST", "/v1/items", body);
  ASSERT_THAT(items, IsOk());
  EXPECT_EQ(items->status, 413);
}

TEST_F(ServerTest, NonJsonBodyIsUnsupportedMediaType) {
  StartServer();
  auto client = Connect();
  auto text = client->Request("POST", "/v1/items", "hello", {{"Content-Type", "text/plain"}});
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(text->status, 415);
  EXPECT_EQ(ParseJsonBody(text->body)["reason"], "unsupported-media-type");

  for (std::string type :
       {"application/json", "Application/JSON; charset=utf-8", "application/merge-patch+json"}) {
    client = Connect();
    auto ok = client->Request("POST", "/v1/items", "{}", {{"Content-Type", type}});
    ASSERT_THAT(ok, IsOk());
    EXPECT_EQ(ok->status, 201) << type;
  }
  auto opted_out = Connect()->Request("POST", "/v1/raw", "UNB+UNOC", {{"Content-Type", "x/y"}});
  ASSERT_THAT(opted_out, IsOk());
  EXPECT_EQ(opted_out->status, 200);
  EXPECT_EQ(opted_out->body, "UNB+UNOC");
}

TEST_F(ServerTest, BodyWithoutContentTypeIsUnsupportedMediaType) {
  StartServer();
  auto raw = Raw();
  ASSERT_TRUE(raw->Write("POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));
  auto response = raw->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 415u);
}

TEST_F(ServerTest, GarbageIsBadRequestAndCloses) {
  StartServer();
  auto raw = Raw();
  ASSERT_TRUE(raw->Write("THIS IS NOT HTTP\r\n\r\n"));
  auto response = raw->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_EQ(ParseJsonBody(response->body())["reason"], "malformed-request");
  EXPECT_TRUE(raw->ReadUntilClosed());
}

TEST_F(ServerTest, AbsoluteFormTargetIsBadRequest) {
  StartServer();
  auto raw = Raw();
  ASSERT_TRUE(raw->Write("GET https://elsewhere/v1/items/1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto response = raw->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_EQ(ParseJsonBody(response->body())["reason"], "malformed-request");
}

TEST_F(ServerTest, OversizedHeaderIsRefused) {
  StartServer({.max_header_bytes = 2048});
  auto raw = Raw();
  ASSERT_TRUE(raw->Write("GET /v1/items/1 HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') +
                         "\r\n\r\n"));
  auto response = raw->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 431u);
  EXPECT_EQ(ParseJsonBody(response->body())["reason"], "header-too-large");
}

TEST_F(ServerTest, MalformedQueryIsBadRequest) {
  StartServer();
  auto response = Connect()->Request("GET", "/v1/items/1?q=%zz");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(ParseJsonBody(response->body)["reason"], "malformed-query");
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
  StartServer();
  auto raw = Raw();
  ASSERT_TRUE(
      raw->Write("POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_THAT(raw->ReadInterimStatus(), Optional(100));
  ASSERT_TRUE(raw->Write("{}"));
  auto response = raw->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result_int(), 201u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  auto raw = Raw();
  ASSERT_TRUE(
      raw->Write("GET /v1/items/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                 "GET /v1/items/2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (std::string id : {"1", "2"}) {
    auto response = raw->ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(Str(ParseJsonBody(response->body())["id"]), id);
  }
}

TEST_F(ServerTest, RequestIdIsEchoedWhenValidAndGeneratedOtherwise) {
  StartServer();
  auto client = Connect();
  auto echoed = client->Request("GET", "/v1/whoami", "", {{"X-Request-Id", "trace-42.a_b:c"}});
  ASSERT_THAT(echoed, IsOk());
  EXPECT_EQ(echoed->Header("x-request-id"), "trace-42.a_b:c");
  EXPECT_EQ(ParseJsonBody(echoed->body)["request_id"], "trace-42.a_b:c");

  for (std::string bad : {std::string("has space"), std::string(65, 'a'), std::string("a\"b")}) {
    auto replaced = client->Request("GET", "/v1/whoami", "", {{"X-Request-Id", bad}});
    ASSERT_THAT(replaced, IsOk());
    ASSERT_TRUE(replaced->Header("x-request-id").has_value());
    EXPECT_NE(*replaced->Header("x-request-id"), bad);
    EXPECT_EQ(replaced->Header("x-request-id")->size(), 16u);
  }
  auto first = client->Request("GET", "/v1/whoami");
  auto second = client->Request("GET", "/v1/nowhere");
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(Str(ParseJsonBody(first->body)["request_id"]), *first->Header("x-request-id"));
  EXPECT_NE(*first->Header("x-request-id"), *second->Header("x-request-id"));
  EXPECT_EQ(ParseJsonBody(first->body)["remote"], "127.0.0.1");
}

TEST_F(ServerTest, SecurityHeadersOnEveryResponse) {
  StartServer();
  auto client = Connect();
  for (std::string target : {"/v1/items/1", "/v1/missing", "/v1/boom"}) {
    auto response = client->Request("GET", target);
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->Header("cache-control"), "no-store") << target;
    EXPECT_EQ(response->Header("x-content-type-options"), "nosniff") << target;
    EXPECT_THAT(response->Header("strict-transport-security"), Optional(HasSubstr("max-age=")))
        << target;
    EXPECT_TRUE(response->Header("date").has_value()) << target;
    EXPECT_FALSE(response->Header("server").has_value()) << target;
  }
}

TEST_F(ServerTest, HandlerExceptionIsGenericServerError) {
  StartServer();
  auto client = Connect();
  auto response = client->Request("GET", "/v1/boom");
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 500);
  EXPECT_THAT(response->body, Not(HasSubstr("secret-detail-4711")));
  EXPECT_THAT(response->body, Not(HasSubstr("runtime_error")));
  auto body = ParseJsonBody(response->body);
  EXPECT_EQ(body["reason"], "internal");
  EXPECT_EQ(body["status"], 500);
  // The connection survives.
  auto after = client->Request("GET", "/v1/items/1");
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->status, 200);
}

TEST_F(ServerTest, MetricsCountRequestsByRouteAndStatus) {
  StartServer();
  auto client = Connect();
  for (int idx = 0; idx < 3; ++idx) ASSERT_THAT(client->Request("GET", "/v1/items/9"), IsOk());
  ASSERT_THAT(client->Request("GET", "/v1/unknown/9"), IsOk());
  client.reset();
  std::string text = metrics_.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE clearway_http_requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("clearway_http_requests_total{method=\"GET\",route=\"/v1/items/"
                              "{id}\",status=\"200\"} 3\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "clearway_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("clearway_http_request_duration_seconds_count{method=\"GET\","
                              "route=\"/v1/items/{id}\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE clearway_http_open_connections gauge\n"));
}

TEST_F(ServerTest, ConcurrentClientsAllSucceed) {
  StartServer();
  constexpr int kThreads = 8;
  constexpr int kRequests = 50;
  std::vector<std::future<int>> results;
  for (int thread_idx = 0; thread_idx < kThreads; ++thread_idx) {
    results.push_back(std::async(std::launch::async, [this, thread_idx] {
      auto client = HttpsClient::Open(
          {.host = "127.0.0.1", .port = server_->port(), .ca_file = files_.certificate_file});
      if (!client.ok()) return 0;
      int succeeded = 0;
      for (int request_idx = 0; request_idx < kRequests; ++request_idx) {
        std::string id = std::to_string(thread_idx) + "-" + std::to_string(request_idx);
        auto response = (*client)->Request("GET", "/v1/items/" + id);
        if (response.ok() && response->status == 200 &&
            Str(ParseJsonBody(response->body)["id"]) == id) {
          ++succeeded;
        }
      }
      return succeeded;
    }));
  }
  for (auto& result : results) EXPECT_EQ(result.get(), kRequests);
}

TEST_F(ServerTest, StopWithIdleConnectionsReturns) {
  StartServer();
  std::vector<std::unique_ptr<HttpsClient>> idle;
  for (int idx = 0; idx < 3; ++idx) {
    idle.push_back(Connect());
    ASSERT_THAT(idle.back()->Request("GET", "/v1/items/1"), IsOk());
  }
  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  // The server is gone: the client notices the closed connection and cannot reconnect.
  EXPECT_THAT(idle.front()->Request("GET", "/v1/items/1"), HasReason("connect-failed"));
  server_->Stop();  // idempotent
}

TEST_F(ServerTest, StopLetsInFlightRequestFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_THAT(router_.Add("POST", "/v1/slow",
                          [&entered, released](const Request&) {
                            entered.set_value();
                            released.wait_for(std::chrono::seconds(30));
                            return JsonResponse(200, "done");
                          }),
              IsOk());
  StartServer();
  auto client = Connect();
  auto response = std::async(std::launch::async,
                             [&client] { return client->Request("POST", "/v1/slow", "{}"); });
  ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  auto stopped = std::async(std::launch::async, [this] { server_->Stop(); });
  release.set_value();
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  auto result = response.get();
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "\"done\"");
  // Whether the answer said Connection: close depends on which came first, the release or
  // the stop request; either way the server is gone now.
  EXPECT_THAT(client->Request("GET", "/v1/items/1"), HasReason("connect-failed"));
}

TEST_F(ServerTest, StartRefusesATakenPort) {
  StartServer();
  auto second = Server::Start({.port = server_->port(),
                               .certificate_pem_file = files_.certificate_file,
                               .private_key_pem_file = files_.key_file},
                              router_, metrics_);
  EXPECT_THAT(second, HasReason("address-in-use"));
}

TEST_F(ServerTest, StartRefusesBadCertificatesAndOptions) {
  testing::WriteFile(dir_.path() / "garbage.pem", "not a certificate");
  auto other = WriteSelfSignedCertificate(dir_.path(), "other");
  ASSERT_THAT(other, IsOk());
  ServerOptions options{.certificate_pem_file = (dir_.path() / "garbage.pem").string(),
                        .private_key_pem_file = files_.key_file};
  EXPECT_THAT(Server::Start(options, router_, metrics_), HasReason("bad-certificate"));
  options.certificate_pem_file = (dir_.path() / "missing.pem").string();
  EXPECT_THAT(Server::Start(options, router_, metrics_), HasReason("bad-certificate"));
  options.certificate_pem_file = files_.certificate_file;
  options.private_key_pem_file = (dir_.path() / "garbage.pem").string();
  EXPECT_THAT(Server::Start(options, router_, metrics_), HasReason("bad-private-key"));
  options.private_key_pem_file = other->key_file;
  EXPECT_THAT(Server::Start(options, router_, metrics_), HasReason("certificate-key-mismatch"));
  options.private_key_pem_file = files_.key_file;
  options.bind_address = "not-an-ip";
  EXPECT_THAT(Server::Start(options, router_, metrics_), HasReason("bad-bind-address"));
  options.bind_address = "127.0.0.1";
  options.worker_threads = 0;
  EXPECT_THAT(Server::Start(options, router_, metrics_), HasReason("bad-server-option"));
}

TEST_F(ServerTest, OldTlsVersionsAreRefused) {
  StartServer();
  RawTlsConnection tls11;
  EXPECT_FALSE(tls11.Connect(server_->port(), TLS1_1_VERSION));
  RawTlsConnection tls12;
  EXPECT_TRUE(tls12.Connect(server_->port(), TLS1_2_VERSION));
}

TEST_F(ServerTest, ConnectionClosesAfterMaxRequests) {
  StartServer({.max_requests_per_connection = 2});
  auto client = Connect();
  for (int idx = 0; idx < 5; ++idx) {
    auto response = client->Request("GET", "/v1/items/1");
    ASSERT_THAT(response, IsOk());
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_EQ(client->reconnects(), 2u);  // connections: requests 1-2, 3-4, 5
}

}  // namespace
}  // namespace clearway::api
