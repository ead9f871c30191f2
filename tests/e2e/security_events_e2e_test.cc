// The security event log over HTTPS: what happens at the door (a failed sign-in, a refused
// request) is readable by auditors and administrators only, filtered and paged, each event with
// its ledger record; nobody else may read it, and trying is itself an event.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "server_fixture.h"

namespace clearway::e2e {
namespace {

using Users = std::set<std::string>;

class SecurityEventsE2eTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    client_ = Client();
    ASSERT_NE(client_, nullptr);
  }

  boost::json::array Items(const std::string& user, const std::string& query) {
    auto response = Send(*client_, user, "GET", "/v1/security/events" + query);
    EXPECT_EQ(response.status, 200) << response.body;
    boost::json::object page = Json(response);
    return page.contains("items") ? page["items"].as_array() : boost::json::array{};
  }

  std::unique_ptr<api::HttpsClient> client_;
};

TEST_F(SecurityEventsE2eTest, OnlyAuditorsAndAdministratorsReadTheLog) {
  const std::vector<std::string> everyone = {
      "nordfleisch.clerk", "lyon.clerk",     "hanse.broker", "officer.hamburg", "officer.lyon",
      "risk.analyst",      "tariff.manager", "auditor",      "admin"};
  Users allowed;
  for (const std::string& user : everyone) {
    auto response = Send(*client_, user, "GET", "/v1/security/events");
    if (response.status == 200) {
      allowed.insert(user);
      continue;
    }
    EXPECT_EQ(response.status, 403) << user << ": " << response.body;
    EXPECT_EQ(std::string(Json(response)["reason"].as_string()), "forbidden") << user;
  }
  EXPECT_EQ(allowed, (Users{"auditor", "admin"}));
  // Each refusal is in the log, under the refused user's name.
  boost::json::array denied = Items("auditor", "?type=permission-denied&actor=risk.analyst");
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(std::string(denied[0].at("subject").as_string()), "/v1/security/events");
  EXPECT_EQ(std::string(denied[0].at("outcome").as_string()), "denied");
  // Without a session there is nothing to read.
  EXPECT_EQ(Send(*client_, "", "GET", "/v1/security/events").status, 401);
}

TEST_F(SecurityEventsE2eTest, FailedSignInIsReadableWithItsSourceAndLedgerRecord) {
  auto refused = client_->Request("POST", "/v1/sessions",
                                  R"({"username":"nobody.here","password":"wrong wrong wrong"})",
                                  {{"X-Request-Id", "e2e-failed-sign-in"}});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 401);

  boost::json::array failed = Items("auditor", "?type=login-failed");
  ASSERT_EQ(failed.size(), 1u);
  const boost::json::object& event = failed[0].as_object();
  EXPECT_EQ(std::string(event.at("subject").as_string()), "nobody.here");
  EXPECT_EQ(std::string(event.at("source_address").as_string()), "127.0.0.1");
  EXPECT_EQ(std::string(event.at("request_id").as_string()), "e2e-failed-sign-in");
  EXPECT_EQ(std::string(event.at("actor").as_string()), "anonymous");
  const std::string record = std::string(event.at("recordId").as_string());
  EXPECT_EQ(record, "security/" + std::string(event.at("id").as_string()));
  // The ledger holds the event's leaf: a commitment, not the event.
  auto leaf = runtime_->store().FindLeaf(record);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->kind, "security.event");
  const std::string entry(leaf->entry.begin(), leaf->entry.end());
  EXPECT_EQ(entry.find("nobody.here"), std::string::npos);
}

TEST_F(SecurityEventsE2eTest, PagesAndBadFilters) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Send(*client_, "lyon.clerk", "GET", "/v1/security/events").status, 403);
  }
  auto first = Send(*client_, "admin", "GET", "/v1/security/events?actor=lyon.clerk&limit=2");
  ASSERT_EQ(first.status, 200) << first.body;
  boost::json::object page = Json(first);
  EXPECT_EQ(page["items"].as_array().size(), 2u);
  ASSERT_TRUE(page["nextCursor"].is_string());
  auto second = Send(*client_, "admin", "GET",
                     "/v1/security/events?actor=lyon.clerk&limit=2&cursor=" +
                         std::string(page["nextCursor"].as_string()));
  ASSERT_EQ(second.status, 200) << second.body;
  boost::json::object rest = Json(second);
  // lyon.clerk signed in once (login-succeeded, token-issued) and was refused three times.
  EXPECT_EQ(rest["items"].as_array().size(), 2u);

  for (const auto& [query, reason] :
       std::vector<std::pair<std::string, std::string>>{
           {"?type=coffee-break", "security-event-bad-type"},
           {"?outcome=maybe", "security-event-bad-outcome"},
           {"?from=yesterday", "bad-timestamp"},
           {"?limit=0", "bad-parameter"},
           {"?cursor=not-a-cursor", "bad-cursor"}}) {
    auto response = Send(*client_, "auditor", "GET", "/v1/security/events" + query);
    EXPECT_EQ(response.status, 400) << query << ": " << response.body;
    EXPECT_EQ(std::string(Json(response)["reason"].as_string()), reason) << query;
  }
}

}  // namespace
}  // namespace clearway::e2e
