// The risk engine in the server: its configuration, the risk analysts' profiles (roles, the
// file they live in, testing on stored declarations), inspection results, and prices compared
// in one currency.
#include "app/risk_service.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app/profile_store.h"
#include "app/risk_config.h"
#include "assessment_fixture.h"

namespace clearway::app {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasDetail;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using namespace clearway::app::testing;
namespace json = boost::json;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---- [risk] configuration ----

TEST(RiskConfigTest, DefaultsWithoutATable) {
  auto config = ParseRiskConfig("[server]\nport = 1\n");
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->routing, RoutingMode::kRoute);
  EXPECT_EQ(config->currency, "EUR");
  EXPECT_DOUBLE_EQ(config->default_policy.red_rate, 0.03);
  EXPECT_DOUBLE_EQ(config->default_policy.random_rate, 0.005);
  EXPECT_DOUBLE_EQ(config->default_policy.min_red_score, 0.5);
  EXPECT_EQ(config->contributions, risk::ContributionMethod::kApproximate);
  EXPECT_FALSE(config->explain_green);
  EXPECT_TRUE(config->offices.empty());
}

TEST(RiskConfigTest, OfficesInheritTheDefaultsTheyDoNotSet) {
  auto config = ParseRiskConfig(R"(
[risk]
routing = "recommend"
currency = "KRW"
red_rate = 0.04
random_rate = 0.01
daily_capacity = 30
contributions = "exact"
explain_green = true

[risk.offices.DE004700]
red_rate = 0.1
daily_capacity = 40
)");
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->routing, RoutingMode::kRecommend);
  EXPECT_EQ(config->currency, "KRW");
  EXPECT_EQ(config->contributions, risk::ContributionMethod::kExactShap);
  EXPECT_TRUE(config->explain_green);
  EXPECT_DOUBLE_EQ(config->default_policy.red_rate, 0.04);
  EXPECT_EQ(config->default_policy.daily_capacity, 30u);
  ASSERT_EQ(config->offices.count("DE004700"), 1u);
  const risk::OfficePolicy& hamburg = config->offices.at("DE004700");
  EXPECT_EQ(hamburg.office, "DE004700");
  EXPECT_DOUBLE_EQ(hamburg.red_rate, 0.1);
  EXPECT_DOUBLE_EQ(hamburg.random_rate, 0.01);  // inherited
  EXPECT_EQ(hamburg.daily_capacity, 40u);
}

TEST(RiskConfigTest, BadValuesNameTheirField) {
  EXPECT_THAT(ParseRiskConfig("[risk]\nrouting = \"maybe\"\n"), HasReason("bad-config"));
  auto rate = ParseRiskConfig("[risk]\nred_rate = 1.5\n");
  EXPECT_THAT(rate, HasReason("bad-config"));
  EXPECT_EQ(rate.error().field_path, "risk.red_rate");
  auto sum = ParseRiskConfig("[risk.offices.FR693000]\nred_rate = 0.5\nyellow_rate = 0.5\n");
  EXPECT_THAT(sum, HasReason("bad-config"));
  EXPECT_EQ(sum.error().field_path, "risk.offices.FR693000.red_rate");
  auto capacity = ParseRiskConfig("[risk]\ndaily_capacity = -1\n");
  EXPECT_EQ(capacity.error().field_path, "risk.daily_capacity");
  EXPECT_THAT(ParseRiskConfig("[risk]\ncurrency = \"EURO\"\n"), HasReason("bad-config"));
  EXPECT_THAT(ParseRiskConfig("[risk]\nmodel_replicas = 0\n"), HasReason("bad-config"));
  EXPECT_THAT(ParseRiskConfig("[risk]\ncontributions = \"all\"\n"), HasReason("bad-config"));
  EXPECT_THAT(ParseRiskConfig("[risk]\nexplain_green = 1\n"), HasDetail("risk.explain_green", "bad-config"));
  EXPECT_THAT(ParseRiskConfig("[risk\n"), HasReason("bad-config"));
}

// ---- The profile store ----

TEST(ProfileStoreTest, KeepsProfilesAndWhoChangedThemAcrossReopening) {
  std::string dir = MakeTempDir("clearway-profiles");
  const std::string path = dir + "/risk/profiles.json";
  const Timestamp at = *ParseTimestamp("2026-11-24T10:00:00Z");
  {
    auto store = ProfileStore::Open(path);
    ASSERT_THAT(store, IsOk());
    auto parsed = risk::ParseProfiles(CoffeeProfile());
    ASSERT_THAT(parsed, IsOk());
    parsed->front().status = risk::ProfileStatus::kActive;  // created as a draft regardless
    auto created = (*store)->Create(parsed->front(), "risk.analyst", at);
    ASSERT_THAT(created, IsOk());
    EXPECT_EQ(created->status, risk::ProfileStatus::kDraft);
    EXPECT_TRUE((*store)->Active().empty());
    EXPECT_THAT((*store)->Create(parsed->front(), "risk.analyst", at), HasReason("profile-exists"));
    ASSERT_THAT((*store)->Activate("COFFEE-CO", "risk.analyst", at), IsOk());
    EXPECT_THAT((*store)->Activate("COFFEE-CO", "risk.analyst", at),
                HasReason("illegal-profile-transition"));
    EXPECT_THAT((*store)->Retire("NOPE", "risk.analyst", at), HasReason("profile-not-found"));
  }
  EXPECT_EQ(std::filesystem::status(path).permissions() &
                (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
  auto reopened = ProfileStore::Open(path);
  ASSERT_THAT(reopened, IsOk());
  ASSERT_EQ((*reopened)->Active().size(), 1u);
  EXPECT_EQ((*reopened)->Active()[0].id, "COFFEE-CO");
  auto changes = (*reopened)->Changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].change, "created");
  EXPECT_EQ(changes[1].change, "activated");
  EXPECT_EQ(changes[1].by, "risk.analyst");
  EXPECT_EQ(FormatTimestamp(changes[1].at), "2026-11-24T10:00:00Z");
  std::filesystem::remove_all(dir);
}

TEST(ProfileStoreTest, RefusesADamagedFileAndBadIds) {
  std::string dir = MakeTempDir("clearway-profiles");
  std::ofstream(dir + "/profiles.json") << R"({"profiles": [{"id": "X"}]})";
  EXPECT_THAT(ProfileStore::Open(dir + "/profiles.json"), HasReason("bad-profile-store"));
  auto memory = ProfileStore::Open("");
  ASSERT_THAT(memory, IsOk());
  auto parsed = risk::ParseProfiles(CoffeeProfile("has space"));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_THAT((*memory)->Create(parsed->front(), "a", Timestamp{}), HasReason("bad-profile"));
  std::filesystem::remove_all(dir);
}

// ---- The service ----

class RiskServiceTest : public AssessmentFixture {};

TEST_F(RiskServiceTest, ProfilesBelongToRiskAnalystsAndAdministratorsMayRead) {
  Start();
  EXPECT_THAT(risk().CreateProfile(RiskAnalyst(), CoffeeProfile()), IsOk());
  for (const auto& who : {Clerk(), Broker(), HamburgOfficer(), Auditor(), TariffManager(),
                          Administrator()}) {
    EXPECT_THAT(risk().CreateProfile(who, CoffeeProfile("OTHER")), HasReason("forbidden"))
        << who.user_id;
    EXPECT_THAT(risk().ActivateProfile(who, "COFFEE-CO"), HasReason("forbidden")) << who.user_id;
    EXPECT_THAT(risk().RetireProfile(who, "COFFEE-CO"), HasReason("forbidden")) << who.user_id;
    EXPECT_THAT(risk().TestProfile(who, "COFFEE-CO"), HasReason("forbidden")) << who.user_id;
  }
  for (const auto& who : {Clerk(), Broker(), HamburgOfficer(), Auditor(), TariffManager()}) {
    EXPECT_THAT(risk().ListProfiles(who), HasReason("forbidden")) << who.user_id;
  }
  auto listed = risk().ListProfiles(Administrator());
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().status, risk::ProfileStatus::kDraft);
}

TEST_F(RiskServiceTest, ABadProfileIsRefusedWithItsReason) {
  Start();
  EXPECT_THAT(risk().CreateProfile(RiskAnalyst(), "{"), HasReason("malformed-json"));
  EXPECT_THAT(risk().CreateProfile(RiskAnalyst(), R"({"id": "A", "description": "d",
      "lane": "purple", "conditions": {"origins": ["CN"]}})"),
              HasReason("unknown-lane"));
  EXPECT_THAT(risk().CreateProfile(RiskAnalyst(), R"({"id": "A", "description": "d",
      "lane": "red", "conditions": {}})"),
              HasReason("empty-profile"));
  EXPECT_THAT(risk().CreateProfile(RiskAnalyst(), R"({"profiles": [)"
                                                  + CoffeeProfile("A") + "," + CoffeeProfile("B") +
                                                  "]}"),
              HasReason("bad-profile"));
  auto listed = risk().ListProfiles(RiskAnalyst());
  ASSERT_THAT(listed, IsOk());
  EXPECT_TRUE(listed->empty());
}

TEST_F(RiskServiceTest, TestingAProfileCountsStoredDeclarationsItWouldHit) {
  Start();
  File(Clerk(), NordfleischBody(1));  // coffee, coffee
  File(Clerk(), NordfleischBody(2));  // beef, cars
  File(LyonClerk(), LyonBody(3));  // T-shirts, cars
  auto draft = risk().CreateProfile(RiskAnalyst(), CoffeeProfile());
  ASSERT_THAT(draft, IsOk());
  auto trial = risk().TestProfile(RiskAnalyst(), "COFFEE-CO");  // a draft can be tried
  ASSERT_THAT(trial, IsOk());
  EXPECT_EQ(trial->declarations, 3u);
  EXPECT_EQ(trial->declaration_hits, 1u);
  EXPECT_EQ(trial->line_hits, 2u);
  EXPECT_EQ(trial->lines, 6u);  // 2 + 2 + LyonBody's 2
  EXPECT_EQ(trial->inspected_hits, 0u);
  EXPECT_THAT(risk().TestProfile(RiskAnalyst(), "NOPE"), HasReason("profile-not-found"));
}

TEST_F(RiskServiceTest, AnInspectionResultIsKeptForRetrainingAndLearned) {
  Start();
  ActivateProfile(CoffeeProfile());
  std::string id = File(Clerk(), NordfleischBody(1));  // red: under control
  auto body = ParseJson(R"({"fraudFound": true, "dutiesRaised": "1200.50",
                            "inspectedOn": "2026-11-23"})");
  ASSERT_THAT(body, IsOk());
  EXPECT_THAT(risk().RecordInspection(LyonOfficer(), id, *body), HasReason("forbidden"));
  EXPECT_THAT(risk().RecordInspection(Clerk(), id, *body), HasReason("forbidden"));
  auto recorded = risk().RecordInspection(HamburgOfficer(), id, *body);
  ASSERT_THAT(recorded, IsOk());
  EXPECT_EQ(recorded->duties_raised, "1200.50");
  EXPECT_EQ(recorded->recorded_by, "officer.hamburg");
  const std::string csv = Slurp(dir_ + "/risk/inspections.csv");
  EXPECT_EQ(csv, "declaration_id,fraud_found,duties_raised,inspected_on\n" + id +
                     ",1,1200.50,2026-11-23\n");
  // The file is what `clearway risk train --feedback` reads.
  auto results = risk::ParseInspectionResults(csv);
  ASSERT_THAT(results, IsOk());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_TRUE(results->front().fraud_found);
  EXPECT_DOUBLE_EQ(results->front().duties_raised, 1200.5);
  // A trial now knows the hit was inspected and found fraud.
  auto trial = risk().TestProfile(RiskAnalyst(), "COFFEE-CO");
  ASSERT_THAT(trial, IsOk());
  EXPECT_EQ(trial->inspected_hits, 1u);
  EXPECT_EQ(trial->fraud_hits, 1u);
}

TEST_F(RiskServiceTest, AnInspectionResultIsRefusedWhenItCannotBeOne) {
  Start(RoutingMode::kRecommend);
  std::string id = File(Clerk(), NordfleischBody(1));  // accepted: never under control
  auto ok_body = ParseJson(R"({"fraudFound": false})").value();
  EXPECT_THAT(risk().RecordInspection(HamburgOfficer(), id, ok_body),
              HasReason("not-inspectable"));
  EXPECT_THAT(risk().RecordInspection(HamburgOfficer(), "01NOSUCH", ok_body),
              HasReason("declaration-not-found"));
  ASSERT_THAT(service().Act(HamburgOfficer(), id, declaration::Action::kRouteRed, "scan", nullptr,
                            RecordRender(200)),
              IsOk());
  struct Case {
    const char* body;
    const char* field;
    const char* reason;
  };
  const Case cases[] = {
      {R"([])", "", "wrong-type"},
      {R"({})", "fraudFound", "required"},
      {R"({"fraudFound": "yes"})", "fraudFound", "wrong-type"},
      {R"({"fraudFound": true, "dutiesRaised": 12.5})", "dutiesRaised",
       "money-must-be-decimal-string"},
      {R"({"fraudFound": true, "dutiesRaised": "-1.00"})", "dutiesRaised", "bad-amount"},
      {R"({"fraudFound": true, "dutiesRaised": "1.005"})", "dutiesRaised", "bad-amount"},
      {R"({"fraudFound": true, "inspectedOn": "2026-13-01"})", "inspectedOn", "bad-date"},
      {R"({"fraudFound": true, "inspectedOn": "2026-11-25"})", "inspectedOn", "date-in-future"},
      {R"({"fraudFound": true, "officer": "me"})", "officer", "unknown-field"},
  };
  for (const Case& c : cases) {
    auto body = ParseJson(c.body);
    ASSERT_THAT(body, IsOk());
    auto refused = risk().RecordInspection(HamburgOfficer(), id, *body);
    EXPECT_THAT(refused, HasReason(c.reason)) << c.body;
    if (!refused.ok()) {
      EXPECT_EQ(refused.error().field_path, c.field) << c.body;
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/risk/inspections.csv"));
}

TEST_F(RiskServiceTest, PricesAreComparedInTheEngineCurrency) {
  Start();
  auto body = declaration::ParseDeclaration(NordfleischBody(1, 1), clock_->Now());
  ASSERT_THAT(body, IsOk());
  const double eur = static_cast<double>(body->goods_items[0].price.minor_units()) / 100;
  auto lines = risk().Lines(*body, "D1", clock_->Now(), nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].id, "D1");
  EXPECT_DOUBLE_EQ(lines[0].item_price, eur);
  EXPECT_EQ(lines[0].currency, "");
  // The same amount in USD is converted with the demo tariff's rate (1.0842 USD per EUR).
  auto usd_json = NordfleischBody(1, 1);
  usd_json.as_object()["invoice"].as_object()["currency"] = "USD";
  auto usd = declaration::ParseDeclaration(usd_json, clock_->Now());
  ASSERT_THAT(usd, IsOk());
  lines = risk().Lines(*usd, "D2", clock_->Now(), nullptr);
  EXPECT_NEAR(lines[0].item_price, eur / 1.0842, 1e-6);
  EXPECT_EQ(lines[0].currency, "");
  // Without a rate the amount stays, and says its currency (its own price statistics).
  auto sek_json = NordfleischBody(1, 1);
  sek_json.as_object()["invoice"].as_object()["currency"] = "SEK";
  auto sek = declaration::ParseDeclaration(sek_json, clock_->Now());
  ASSERT_THAT(sek, IsOk());
  lines = risk().Lines(*sek, "D3", clock_->Now(), nullptr);
  EXPECT_DOUBLE_EQ(lines[0].item_price, eur);
  EXPECT_EQ(lines[0].currency, "SEK");
  // The duty comes from the quote, its rate from the customs value.
  QuoteFigures figures{"EUR", {{1000.0, 75.0}}};
  lines = risk().Lines(*body, "D4", clock_->Now(), &figures);
  EXPECT_DOUBLE_EQ(lines[0].duty, 75.0);
  EXPECT_DOUBLE_EQ(lines[0].tax_rate_percent, 7.5);
}

TEST_F(RiskServiceTest, ATamperedPromotedModelStopsTheStart) {
  TrainDemoModel();
  // Flip a byte of the promoted model: its bytes no longer hash to its id.
  std::string current = Slurp(dir_ + "/models/CURRENT");
  current.pop_back();
  const std::string model = dir_ + "/models/" + current + "/model.json";
  std::string bytes = Slurp(model);
  bytes[bytes.size() / 2] ^= 1;
  std::ofstream(model, std::ios::trunc) << bytes;
  store::sqlite::SqliteOptions options;
  options.path = dir_ + "/clearway.db";
  Config config;
  config.store.data_dir = dir_;
  LedgerServiceOptions ledger;
  ledger.checkpoint_interval = std::chrono::milliseconds(0);
  auto runtime = Runtime::OpenWith(config, store::sqlite::SqliteStore::Open(options).value(),
                                   std::make_unique<FakeClock>(Timestamp{}), TestLedgerKey(),
                                   ledger);
  ASSERT_THAT(runtime, IsOk());
  EXPECT_THAT((*runtime)->StartAssessment(), HasReason("model-tampered"));
}

TEST_F(RiskServiceTest, TheDemoSeedTrainsPromotesAndStoresProfilesOnce) {
  Start();
  ASSERT_THAT(SeedDemoRisk(*runtime_), IsOk());
  const std::string model = risk().model_version();
  EXPECT_EQ(model.size(), 64u);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/risk/history.csv"));
  auto profiles = risk().ListProfiles(RiskAnalyst());
  ASSERT_THAT(profiles, IsOk());
  EXPECT_EQ(profiles->size(), 4u);
  // The example declaration (frozen beef from AR) meets the demo's red profile.
  auto example = ParseJson(declaration::ExampleDeclarationJson());
  ASSERT_THAT(example, IsOk());
  std::string id = File(Broker(), *example);
  DeclarationRecord record = Record(id);
  EXPECT_EQ(record.row.channel, "red");
  json::object r = RiskOf(id);
  EXPECT_EQ(r.at("modelVersion").as_string(), model);
  EXPECT_EQ(r.at("profilesHit").as_array().at(0).as_string(), "MEAT-AR-COLDCHAIN");
  // A second seed keeps what is there.
  ASSERT_THAT(risk().RetireProfile(RiskAnalyst(), "TEX-BD-LOWVAL"), IsOk());
  ASSERT_THAT(SeedDemoRisk(*runtime_), IsOk());
  EXPECT_EQ(risk().model_version(), model);
  EXPECT_EQ(risk().profiles().Get("TEX-BD-LOWVAL")->status, risk::ProfileStatus::kRetired);
}

}  // namespace
}  // namespace clearway::app
