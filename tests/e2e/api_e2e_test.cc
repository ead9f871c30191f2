// End-to-end tests of the /v1 API: a real server over TLS on loopback, real clients.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "api/openapi.h"
#include "app/samples.h"
#include "server_fixture.h"

namespace clearway::e2e {
namespace {

std::string NordBody(uint64_t seed = 1) {
  app::SampleSpec spec;
  spec.declarant = app::Nordfleisch();
  spec.importer = app::Nordfleisch();
  spec.seed = seed;
  return boost::json::serialize(app::MakeSampleDeclaration(spec));
}

constexpr const char* kClerk = "nordfleisch.clerk";
constexpr const char* kOfficer = "officer.hamburg";

class ApiTest : public ServerFixture {
 protected:
  // These tests drive the lifecycle by hand: the engine only recommends (risk_e2e_test covers
  // routing at filing).
  void Configure(app::Config& config) override {
    config.risk.routing = app::RoutingMode::kRecommend;
  }

  std::string File(api::HttpsClient& client, uint64_t seed = 1) {
    auto response = Send(client, kClerk, "POST", "/v1/declarations", NordBody(seed));
    EXPECT_EQ(response.status, 201) << response.body;
    auto body = Json(response);
    return body.contains("id") ? std::string(body["id"].as_string()) : "";
  }
};

TEST_F(ApiTest, FileFetchAndListOverHttps) {
  auto client = Client();
  ASSERT_NE(client, nullptr);
  auto created = Send(*client, kClerk, "POST", "/v1/declarations", NordBody());
  ASSERT_EQ(created.status, 201) << created.body;
  auto body = Json(created);
  std::string id(body["id"].as_string());
  EXPECT_EQ(created.Header("location"), "/v1/declarations/" + id);
  EXPECT_EQ(body["status"].as_string(), "accepted");
  EXPECT_EQ(body["wcoResponseCode"].as_string(), "01");
  EXPECT_EQ(body["history"].as_array().size(), 2u);

  auto fetched = Send(*client, kClerk, "GET", "/v1/declarations/" + id);
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.Header("etag"), "\"1\"");
  auto resource = Json(fetched);
  EXPECT_EQ(resource["declaration"].as_object()["office"].as_string(), "DE004700");
  EXPECT_EQ(resource["allowedActions"].as_array().size(), 2u);   // amend, invalidate

  auto listed = Send(*client, kClerk, "GET", "/v1/declarations?status=accepted");
  ASSERT_EQ(listed.status, 200);
  auto items = Json(listed)["items"].as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].as_object().at("id").as_string(), id);
}

TEST_F(ApiTest, ValidationProblemsListEveryFieldWithHints) {
  auto client = Client();
  auto doc = ParseJson(NordBody()).value();
  doc.as_object()["goodsItems"].as_array()[0].as_object()["origin"] = "XX";
  doc.as_object()["invoice"].as_object()["total"] = 12.5;
  auto response = Send(*client, kClerk, "POST", "/v1/declarations", boost::json::serialize(doc));
  ASSERT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
  auto problem = Json(response);
  EXPECT_EQ(problem["reason"].as_string(), "validation-failed");
  std::set<std::string> fields;
  for (const auto& e : problem["errors"].as_array()) {
    const auto& o = e.as_object();
    fields.insert(std::string(o.at("field").as_string()) + ":" + std::string(o.at("reason").as_string()));
    EXPECT_FALSE(o.at("hint").as_string().empty());
  }
  EXPECT_TRUE(fields.count("goodsItems[0].origin:unknown-country")) << response.body;
  EXPECT_TRUE(fields.count("invoice.total:money-must-be-decimal-string")) << response.body;
  EXPECT_EQ(Count(), 0);
}

TEST_F(ApiTest, MalformedJsonSaysWhere) {
  auto client = Client();
  auto response = Send(*client, kClerk, "POST", "/v1/declarations", "{\"type\": \"import\",\n \"office\": }");
  ASSERT_EQ(response.status, 400);
  auto problem = Json(response);
  EXPECT_EQ(problem["reason"].as_string(), "malformed-json");
  EXPECT_NE(std::string(problem["detail"].as_string()).find("line 2"), std::string::npos);
  EXPECT_EQ(Count(), 0);
}

TEST_F(ApiTest, OversizedAndWrongMediaTypeAreRefusedAndChangeNothing) {
  auto client = Client();
  // The server answers 413 as soon as it sees Content-Length and closes without reading the
  // rest; a client still writing may see the connection reset before it reads the answer
  // (tests/api/server_test.cc checks the 413 itself on a raw socket). Either way: refused.
  std::string huge(2 * 1024 * 1024, ' ');
  auto big = client->Request("POST", "/v1/declarations", huge,
                             {{"Authorization", AuthFor(kClerk)}});
  if (big.ok()) {
    EXPECT_EQ(big->status, 413);
    EXPECT_EQ(Json(*big)["reason"].as_string(), "body-too-large");
  } else {
    EXPECT_EQ(big.error().code, ErrorCode::kUnavailable) << big.error();
  }
  auto client2 = Client();
  auto text = Send(*client2, kClerk, "POST", "/v1/declarations", NordBody(),
                   {{"Content-Type", "text/plain"}});
  EXPECT_EQ(text.status, 415);
  EXPECT_EQ(Json(text)["reason"].as_string(), "unsupported-media-type");
  EXPECT_EQ(Count(), 0);
}

TEST_F(ApiTest, CredentialsAreRequiredAndChecked) {
  auto client = Client();
  auto none = Send(*client, "", "GET", "/v1/declarations");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(std::string(none.Header("www-authenticate").value_or("")).find("Bearer"),
            std::string::npos);
  // HTTP Basic is not accepted: every caller signs in for a token.
  auto basic = Send(*client, "", "GET", "/v1/declarations", "",
                    {{"Authorization", "Basic " + crypto::Base64Encode(std::string(kClerk) + ":" +
                                                                       PasswordOf(kClerk))}});
  EXPECT_EQ(basic.status, 401);
  EXPECT_EQ(Json(basic)["reason"].as_string(), "missing-credentials");
  auto forged = Send(*client, "", "GET", "/v1/declarations", "",
                     {{"Authorization", "Bearer cws_" + std::string(43, 'A')}});
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(Json(forged)["reason"].as_string(), "token-invalid");
  // A wrong password and an unknown user get the same answer.
  auto wrong = Send(*client, "", "POST", "/v1/sessions",
                    R"({"username":"nordfleisch.clerk","password":"nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(Json(wrong)["reason"].as_string(), "bad-credentials");
  auto unknown = Send(*client, "", "POST", "/v1/sessions", R"({"username":"ghost","password":"nope"})");
  EXPECT_EQ(Json(unknown)["reason"].as_string(), "bad-credentials");
  EXPECT_EQ(Json(unknown)["detail"], Json(wrong)["detail"]);
  // Public routes need no credentials.
  EXPECT_EQ(Send(*client, "", "GET", "/healthz").status, 200);
  EXPECT_EQ(Send(*client, "", "GET", "/v1/openapi.json").status, 200);
}

TEST_F(ApiTest, OtherTenantsAndOfficesAreRefused) {
  auto client = Client();
  std::string id = File(*client);
  auto other = Send(*client, "lyon.clerk", "GET", "/v1/declarations/" + id);
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(Json(other)["reason"].as_string(), "forbidden");
  auto officer = Send(*client, "officer.lyon", "POST", "/v1/declarations/" + id + "/decisions",
                      R"({"action":"route_green"})");
  EXPECT_EQ(officer.status, 403);
  auto auditor = Send(*client, "auditor", "GET", "/v1/declarations/" + id);
  EXPECT_EQ(auditor.status, 200);
  auto auditor_write = Send(*client, "auditor", "POST", "/v1/declarations", NordBody(3));
  EXPECT_EQ(auditor_write.status, 403);
  EXPECT_TRUE(Json(Send(*client, "lyon.clerk", "GET", "/v1/declarations"))["items"].as_array().empty());
  EXPECT_EQ(Count(), 1);
}

TEST_F(ApiTest, IdempotencyKeyReplaysAndRefusesReuse) {
  auto client = Client();
  std::vector<std::pair<std::string, std::string>> key{{"Idempotency-Key", "order-42"}};
  auto first = Send(*client, kClerk, "POST", "/v1/declarations", NordBody(1), key);
  ASSERT_EQ(first.status, 201);
  auto again = Send(*client, kClerk, "POST", "/v1/declarations", NordBody(1), key);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  auto reused = Send(*client, kClerk, "POST", "/v1/declarations", NordBody(2), key);
  EXPECT_EQ(reused.status, 422);
  EXPECT_EQ(Json(reused)["reason"].as_string(), "idempotency-key-reused");
  auto bad_key = Send(*client, kClerk, "POST", "/v1/declarations", NordBody(3),
                      {{"Idempotency-Key", std::string(300, 'k')}});
  EXPECT_EQ(bad_key.status, 400);
  EXPECT_EQ(Count(), 1);
}

TEST_F(ApiTest, ConcurrentSubmissionsAreAllDurableOnce) {
  constexpr int kThreads = 8;
  constexpr int kEach = 10;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = Client();
      if (client == nullptr) return;
      for (int i = 0; i < kEach; ++i) {
        auto r = Send(*client, kClerk, "POST", "/v1/declarations",
                      NordBody(static_cast<uint64_t>(t * 100 + i)),
                      {{"Idempotency-Key", "k-" + std::to_string(t) + "-" + std::to_string(i)}});
        if (r.status == 201) ids[static_cast<size_t>(t)].push_back(std::string(Json(r)["id"].as_string()));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(Count(), kThreads * kEach);
}

TEST_F(ApiTest, OfficerDecisionsFollowTheLifecycle) {
  auto client = Client();
  std::string id = File(*client);
  std::string path = "/v1/declarations/" + id + "/decisions";
  auto red = Send(*client, kOfficer, "POST", path, R"({"action":"route_red","reason":"scan"})");
  ASSERT_EQ(red.status, 200) << red.body;
  EXPECT_EQ(Json(red)["channel"].as_string(), "red");
  EXPECT_EQ(Json(red)["wcoResponseCode"].as_string(), "05");
  auto hold_no_reason = Send(*client, kOfficer, "POST", path, R"({"action":"hold"})");
  EXPECT_EQ(hold_no_reason.status, 400);
  EXPECT_EQ(Json(hold_no_reason)["reason"].as_string(), "reason-required");
  auto release = Send(*client, kOfficer, "POST", path, R"({"action":"release"})");
  ASSERT_EQ(release.status, 200);
  EXPECT_EQ(Json(release)["status"].as_string(), "released");
  auto late = Send(*client, kOfficer, "POST", path, R"({"action":"seize","reason":"x"})");
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(Json(late)["reason"].as_string(), "illegal-transition");
  auto bogus = Send(*client, kOfficer, "POST", path, R"({"action":"explode"})");
  EXPECT_EQ(bogus.status, 400);
  auto extra = Send(*client, kOfficer, "POST", path, R"({"action":"release","color":"red"})");
  EXPECT_EQ(extra.status, 400);
  auto history = Json(Send(*client, kClerk, "GET", "/v1/declarations/" + id))["history"].as_array();
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[2].as_object().at("actor").as_string(), kOfficer);
  // Routing red against the engine's recommendation keeps the officer's reason and names the
  // channel it overrides.
  EXPECT_EQ(std::string(history[2].as_object().at("reason").as_string()).rfind("scan", 0), 0u);
}

TEST_F(ApiTest, AmendWithStaleIfMatchConflicts) {
  auto client = Client();
  std::string id = File(*client);
  auto ok = Send(*client, kClerk, "PUT", "/v1/declarations/" + id, NordBody(5), {{"If-Match", "\"1\""}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json(ok)["version"].as_int64(), 2);
  auto stale = Send(*client, kClerk, "PUT", "/v1/declarations/" + id, NordBody(6), {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(Json(stale)["reason"].as_string(), "version-mismatch");
  auto versions = Json(Send(*client, kClerk, "GET", "/v1/declarations/" + id + "/versions"));
  EXPECT_EQ(versions["items"].as_array().size(), 2u);
  auto v1 = Send(*client, kClerk, "GET", "/v1/declarations/" + id + "?version=1");
  EXPECT_EQ(Json(v1)["version"].as_int64(), 1);
}

TEST_F(ApiTest, NotFoundsAreProblems) {
  auto client = Client();
  auto missing = Send(*client, kClerk, "GET", "/v1/declarations/01JAAAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json(missing)["reason"].as_string(), "declaration-not-found");
  auto route = Send(*client, kClerk, "GET", "/v1/nothing-here");
  EXPECT_EQ(route.status, 404);
  EXPECT_EQ(Json(route)["reason"].as_string(), "route-not-found");
  auto method = Send(*client, kClerk, "DELETE", "/v1/declarations");
  EXPECT_EQ(method.status, 405);
}

TEST_F(ApiTest, ListPaginatesWithCursors) {
  auto client = Client();
  for (uint64_t i = 0; i < 7; ++i) File(*client, i + 10);
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    std::string target = "/v1/declarations?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor);
    auto page = Json(Send(*client, kClerk, "GET", target));
    for (const auto& item : page["items"].as_array()) {
      seen.insert(std::string(item.as_object().at("id").as_string()));
    }
    cursor = page["nextCursor"].is_string() ? std::string(page["nextCursor"].as_string()) : "";
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(pages, 3);
  auto bad = Send(*client, kClerk, "GET", "/v1/declarations?cursor=garbage");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json(bad)["reason"].as_string(), "bad-cursor");
}

TEST_F(ApiTest, OpenApiDocumentMatchesTheRoutes) {
  std::set<std::pair<std::string, std::string>> routes;
  for (const auto& [method, pattern] : router_.Routes()) routes.emplace(method, pattern);
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& path : api::OpenApiDocument().as_object().at("paths").as_object()) {
    for (const auto& op : path.value().as_object()) {
      std::string method(op.key());
      for (auto& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.emplace(method, std::string(path.key()));
    }
  }
  EXPECT_EQ(routes, documented);
}

TEST_F(ApiTest, HealthAndMetrics) {
  auto client = Client();
  File(*client);
  auto health = Send(*client, "", "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  auto metrics = Send(*client, "", "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("clearway_declarations"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("/v1/declarations"), std::string::npos);
}

}  // namespace
}  // namespace clearway::e2e
