// The authorisation matrix: every declaration route × every demo role × own and other
// organisation (or office), over HTTPS with real sessions. For each cell the test asserts the
// exact set of users allowed; everyone else gets a 403 that reveals nothing, recorded as a
// permission-denied security event.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "app/samples.h"
#include "server_fixture.h"

namespace clearway::e2e {
namespace {

using Users = std::set<std::string>;

const std::vector<std::string> kEveryone = {
    "nordfleisch.clerk", "lyon.clerk",     "hanse.broker", "officer.hamburg", "officer.lyon",
    "risk.analyst",      "tariff.manager", "auditor",      "admin"};

std::string Body(const app::SampleParty& party, const std::string& office, uint64_t seed,
                 const app::SampleParty* declarant = nullptr) {
  app::SampleSpec spec;
  spec.declarant = declarant != nullptr ? *declarant : party;
  spec.importer = party;
  spec.office = office;
  spec.seed = seed;
  return boost::json::serialize(app::MakeSampleDeclaration(spec));
}

class AuthorizationMatrixTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    // Filings stay accepted, for the officers' decisions below: the risk engine recommends
    // (app/risk_config.h) instead of routing at filing.
    ASSERT_NE(runtime_->risk(), nullptr);
    runtime_->risk()->set_routing(app::RoutingMode::kRecommend);
    client_ = Client();
    ASSERT_NE(client_, nullptr);
    hamburg_ = FileAs("nordfleisch.clerk", Body(app::Nordfleisch(), "DE004700", 1));
    lyon_ = FileAs("lyon.clerk", Body(app::SoieriesDeLyon(), "FR693000", 2));
    ASSERT_FALSE(hamburg_.empty());
    ASSERT_FALSE(lyon_.empty());
  }

  std::string FileAs(const std::string& user, const std::string& body) {
    auto filed = Send(*client_, user, "POST", "/v1/declarations", body);
    EXPECT_EQ(filed.status, 201) << user << ": " << filed.body;
    auto json = Json(filed);
    return json.contains("id") ? std::string(json["id"].as_string()) : "";
  }

  // Allowed() sends the request as every user and returns those answered with `ok_status`;
  // every other answer must be 403 with the same detail.
  Users Allowed(const std::string& method, const std::string& path, const std::string& body,
                int ok_status, const std::vector<std::string>& users = kEveryone) {
    Users allowed;
    for (const std::string& user : users) {
      auto response = Send(*client_, user, method, path, body);
      if (response.status == ok_status) {
        allowed.insert(user);
        continue;
      }
      EXPECT_EQ(response.status, 403) << method << " " << path << " as " << user << ": "
                                      << response.body;
      // A refusal about the resource says nothing of it; one about the caller's role or its
      // own organisation says which rule it broke.
      const std::string reason(Json(response)["reason"].as_string());
      if (reason == "forbidden") {
        EXPECT_EQ(Json(response)["detail"].as_string(), "you are not allowed to do this");
      } else {
        EXPECT_TRUE(reason == "actor-not-allowed" || reason == "declarant-mismatch")
            << method << " " << path << " as " << user << ": " << reason;
      }
    }
    return allowed;
  }

  std::unique_ptr<api::HttpsClient> client_;
  std::string hamburg_;  // filed by Nordfleisch (DE004700), via its clerk
  std::string lyon_;     // filed by Soieries de Lyon (FR693000)
};

TEST_F(AuthorizationMatrixTest, ReadRoutes) {
  const Users hamburg_readers = {"nordfleisch.clerk", "hanse.broker", "officer.hamburg", "auditor",
                                 "admin"};
  const Users lyon_readers = {"lyon.clerk", "hanse.broker", "officer.lyon", "auditor", "admin"};
  // Risk analysts read declarations too, in their pseudonymised view, but not the receipts or
  // quotes, which carry the full record (docs/data-minimisation.md).
  Users hamburg_declaration_readers = hamburg_readers;
  Users lyon_declaration_readers = lyon_readers;
  hamburg_declaration_readers.insert("risk.analyst");
  lyon_declaration_readers.insert("risk.analyst");
  for (const std::string suffix : {"", "/receipt", "/quote"}) {
    EXPECT_EQ(Allowed("GET", "/v1/declarations/" + hamburg_ + suffix, "", 200),
              suffix.empty() ? hamburg_declaration_readers : hamburg_readers)
        << suffix;
    EXPECT_EQ(Allowed("GET", "/v1/declarations/" + lyon_ + suffix, "", 200),
              suffix.empty() ? lyon_declaration_readers : lyon_readers)
        << suffix;
  }
  const size_t denied = runtime_->security_log().Counts()["permission-denied/denied"];
  EXPECT_EQ(denied, 2u * (3u + 4u + 4u));  // 2 declarations x (3 + 4 + 4 refused users)
  // Lists show each caller only what it may read.
  for (const std::string& user : kEveryone) {
    auto list = Send(*client_, user, "GET", "/v1/declarations");
    if (list.status != 200) {
      EXPECT_EQ(list.status, 403) << user;
      continue;
    }
    Users seen;
    const boost::json::object page = Json(list);
    for (const auto& item : page.at("items").as_array()) {
      seen.insert(std::string(item.as_object().at("id").as_string()));
    }
    EXPECT_EQ(seen.count(hamburg_) == 1, hamburg_declaration_readers.count(user) == 1) << user;
    EXPECT_EQ(seen.count(lyon_) == 1, lyon_declaration_readers.count(user) == 1) << user;
  }
}

// Issue 5: a partner administration's service account reads the exchange subset of the
// declarations lodged at the offices of its agreement, and nothing else.
TEST_F(AuthorizationMatrixTest, PartnersReadTheDeclarationsOfTheirOfficesOnly) {
  // Tokens with every declaration scope: the role and its view decide, not the scopes.
  AddPartner("partner.fr", {"DE004700"}, "declarations:read ledger:read");
  AddPartner("partner.rw", {"DE004700"}, "declarations:read declarations:write ledger:read");
  const std::vector<std::string> partners = {"partner.fr", "partner.rw"};
  const size_t before = runtime_->security_log().Counts()["permission-denied/denied"];
  for (const std::string suffix : {"", "/versions"}) {
    EXPECT_EQ(Allowed("GET", "/v1/declarations/" + hamburg_ + suffix, "", 200, partners),
              (Users{"partner.fr", "partner.rw"}))
        << suffix;
    EXPECT_EQ(Allowed("GET", "/v1/declarations/" + lyon_ + suffix, "", 200, partners), Users{})
        << suffix;
  }
  for (const std::string suffix : {"/assessment", "/quote", "/receipt"}) {
    EXPECT_EQ(Allowed("GET", "/v1/declarations/" + hamburg_ + suffix, "", 200, partners),
              Users{})
        << suffix;
  }
  EXPECT_EQ(Allowed("POST", "/v1/declarations", Body(app::Nordfleisch(), "DE004700", 30), 201,
                    {"partner.rw"}),
            Users{});
  EXPECT_EQ(Allowed("PUT", "/v1/declarations/" + hamburg_, Body(app::Nordfleisch(), "DE004700", 1),
                    200, {"partner.rw"}),
            Users{});
  EXPECT_EQ(Allowed("POST", "/v1/declarations/" + hamburg_ + "/decisions",
                    R"({"action":"route_red","reason":"scan"})", 200, {"partner.rw"}),
            Users{});
  EXPECT_EQ(Allowed("POST", "/v1/declarations/" + hamburg_ + "/invalidate",
                    R"({"reason":"duplicate"})", 200, {"partner.rw"}),
            Users{});
  // Every refusal is a permission-denied event: 2 lyon reads and 3 other resources, for two
  // accounts, and the 4 changes.
  EXPECT_EQ(runtime_->security_log().Counts()["permission-denied/denied"] - before,
            2u * (2u + 3u) + 4u);
  // The list holds the declarations of its offices only.
  auto list = Send(*client_, "partner.fr", "GET", "/v1/declarations");
  ASSERT_EQ(list.status, 200) << list.body;
  const boost::json::object page = Json(list);
  Users seen;
  for (const auto& item : page.at("items").as_array()) {
    seen.insert(std::string(item.as_object().at("id").as_string()));
  }
  EXPECT_EQ(seen, Users{hamburg_});
}

TEST_F(AuthorizationMatrixTest, FilingForAnOrganisation) {
  // Only Nordfleisch's clerk and the broker it delegated to may file for it.
  Users allowed;
  uint64_t seed = 10;
  for (const std::string& user : kEveryone) {
    auto filed = Send(*client_, user, "POST", "/v1/declarations",
                      Body(app::Nordfleisch(), "DE004700", ++seed));
    if (filed.status == 201) {
      allowed.insert(user);
    } else {
      EXPECT_EQ(filed.status, 403) << user << ": " << filed.body;
    }
  }
  // Declaring in the trader's own name is for its own clerk.
  EXPECT_EQ(allowed, (Users{"nordfleisch.clerk"}));
  // The broker declares in its own name for the trader that delegated to it; nobody else may.
  const app::SampleParty broker = app::HanseBrokers();
  allowed.clear();
  for (const std::string& user : kEveryone) {
    auto filed = Send(*client_, user, "POST", "/v1/declarations",
                      Body(app::Nordfleisch(), "DE004700", ++seed, &broker));
    if (filed.status == 201) {
      allowed.insert(user);
    } else {
      EXPECT_EQ(filed.status, 403) << user << ": " << filed.body;
    }
  }
  EXPECT_EQ(allowed, (Users{"hanse.broker"}));
}

TEST_F(AuthorizationMatrixTest, DecisionsBelongToTheOfficersOfTheOffice) {
  const std::string path = "/v1/declarations/" + hamburg_ + "/decisions";
  std::vector<std::string> others;
  for (const std::string& user : kEveryone) {
    if (user != "officer.hamburg") others.push_back(user);
  }
  EXPECT_EQ(Allowed("POST", path, R"({"action":"route_red","reason":"scan"})", 200, others),
            Users{});
  EXPECT_EQ(Allowed("POST", path, R"({"action":"route_red","reason":"scan"})", 200,
                    {"officer.hamburg"}),
            Users{"officer.hamburg"});
}

TEST_F(AuthorizationMatrixTest, AmendAndInvalidateBelongToTheTraderAndItsBroker) {
  const std::string path = "/v1/declarations/" + hamburg_ + "/invalidate";
  std::vector<std::string> others;
  for (const std::string& user : kEveryone) {
    if (user != "nordfleisch.clerk" && user != "hanse.broker") others.push_back(user);
  }
  EXPECT_EQ(Allowed("POST", path, R"({"reason":"duplicate"})", 200, others), Users{});
  EXPECT_EQ(Allowed("PUT", "/v1/declarations/" + hamburg_,
                    Body(app::Nordfleisch(), "DE004700", 1), 200, others),
            Users{});
  EXPECT_EQ(Allowed("POST", path, R"({"reason":"duplicate"})", 200, {"hanse.broker"}),
            Users{"hanse.broker"});
}

// Issue 7: the assessment made at filing, inspection results and the risk profiles.
TEST_F(AuthorizationMatrixTest, TheAssessmentShowsEachRoleItsPart) {
  const Users hamburg_readers = {"nordfleisch.clerk", "hanse.broker", "officer.hamburg",
                                 "risk.analyst",      "auditor",      "admin"};
  const Users lyon_readers = {"lyon.clerk", "hanse.broker", "officer.lyon", "risk.analyst",
                              "auditor",    "admin"};
  const Users full_view = {"officer.hamburg", "officer.lyon", "risk.analyst", "auditor"};
  for (const auto& [id, readers] : {std::pair{hamburg_, hamburg_readers},
                                    std::pair{lyon_, lyon_readers}}) {
    const std::string path = "/v1/declarations/" + id + "/assessment";
    EXPECT_EQ(Allowed("GET", path, "", 200), readers) << path;
    for (const std::string& user : readers) {
      auto answer = Send(*client_, user, "GET", path);
      ASSERT_EQ(answer.status, 200) << user;
      // Only the officers of the office, risk analysts and auditors see the risk decision.
      EXPECT_EQ(Json(answer).contains("risk"), full_view.count(user) == 1) << user;
      EXPECT_EQ(answer.body.find("profilesHit") != std::string::npos, full_view.count(user) == 1)
          << user;
    }
  }
}

TEST_F(AuthorizationMatrixTest, InspectionResultsBelongToTheOfficersOfTheOffice) {
  auto routed = Send(*client_, "officer.hamburg", "POST", "/v1/declarations/" + hamburg_ +
                     "/decisions", R"({"action":"route_red","reason":"scan"})");
  ASSERT_EQ(routed.status, 200) << routed.body;
  const std::string path = "/v1/declarations/" + hamburg_ + "/inspection-result";
  std::vector<std::string> others;
  for (const std::string& user : kEveryone) {
    if (user != "officer.hamburg") others.push_back(user);
  }
  EXPECT_EQ(Allowed("POST", path, R"({"fraudFound":false})", 201, others), Users{});
  EXPECT_EQ(Allowed("POST", path, R"({"fraudFound":false})", 201, {"officer.hamburg"}),
            Users{"officer.hamburg"});
}

TEST_F(AuthorizationMatrixTest, RiskProfilesBelongToRiskAnalysts) {
  std::vector<std::string> others;
  for (const std::string& user : kEveryone) {
    if (user != "risk.analyst") others.push_back(user);
  }
  const std::string profile = R"({"id":"COFFEE-CO","lane":"yellow","description":"coffee",
      "conditions":{"commodity_prefixes":["0901"],"origins":["CO"]}})";
  EXPECT_EQ(Allowed("POST", "/v1/risk/profiles", profile, 201, others), Users{});
  EXPECT_EQ(Allowed("POST", "/v1/risk/profiles", profile, 201, {"risk.analyst"}),
            Users{"risk.analyst"});
  // Administrators may read the profiles, nobody else but the analysts.
  EXPECT_EQ(Allowed("GET", "/v1/risk/profiles", "", 200), (Users{"risk.analyst", "admin"}));
  EXPECT_EQ(Allowed("POST", "/v1/risk/profiles/COFFEE-CO/test", "", 200),
            Users{"risk.analyst"});
  for (const char* change : {"activate", "retire"}) {
    const std::string path = std::string("/v1/risk/profiles/COFFEE-CO/") + change;
    EXPECT_EQ(Allowed("POST", path, "", 200, others), Users{}) << path;
    EXPECT_EQ(Allowed("POST", path, "", 200, {"risk.analyst"}), Users{"risk.analyst"}) << path;
  }
}

}  // namespace
}  // namespace clearway::e2e
