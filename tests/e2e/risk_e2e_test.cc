// The risk engine end to end through the binaries: `clearway demo` trains its small model and
// stores its profiles; a broker files the example with `clearway declare submit`; the filing
// is routed by the engine; the officer, the broker and others fetch the assessment with
// `clearway risk assessment`; analysts work the profiles on the server; an officer overrides
// and records an inspection result.
#include <gtest/gtest.h>

#include <string>

#include "common/json.h"
#include "demo_process.h"

namespace clearway::e2e {
namespace {

class RiskE2eTest : public DemoProcessTest {
 protected:
  // Filed() files the example declaration as the broker and returns its resource.
  boost::json::object Filed() {
    std::string file = dir_ + "/example.json";
    auto example = Shell(Binary() + " declare example > " + file);
    EXPECT_EQ(example.exit_code, 0) << example.output;
    auto submitted = Cli("declare submit " + file + " --as hanse.broker");
    EXPECT_EQ(submitted.exit_code, 0) << submitted.output;
    auto parsed = ParseJson(submitted.output);
    EXPECT_TRUE(parsed.ok() && parsed->is_object()) << submitted.output;
    return parsed.ok() && parsed->is_object() ? parsed->get_object() : boost::json::object{};
  }

  static boost::json::object JsonOf(const CommandResult& result) {
    auto parsed = ParseJson(result.output);
    EXPECT_TRUE(parsed.ok() && parsed->is_object()) << result.output;
    return parsed.ok() && parsed->is_object() ? parsed->get_object() : boost::json::object{};
  }
};

TEST_F(RiskE2eTest, TheDemoFilingIsRoutedAndEachRoleSeesItsPartOfTheAssessment) {
  boost::json::object filed = Filed();
  ASSERT_TRUE(filed.contains("id"));
  const std::string id(filed.at("id").as_string());
  // Frozen beef from Argentina meets the demo's red profile: under control at once.
  EXPECT_EQ(filed.at("status").as_string(), "under_control");
  EXPECT_EQ(filed.at("channel").as_string(), "red");
  EXPECT_EQ(filed.at("links").at("assessment").as_string(),
            "/v1/declarations/" + id + "/assessment");
  EXPECT_EQ(filed.at("quote").at("currency").as_string(), "EUR");
  // The broker's copy of the history does not say why.
  const std::string history = boost::json::serialize(filed.at("history"));
  EXPECT_NE(history.find("routed by risk analysis"), std::string::npos) << history;
  EXPECT_EQ(history.find("profile"), std::string::npos) << history;

  auto officer = Cli("risk assessment " + id + " --as officer.hamburg");
  ASSERT_EQ(officer.exit_code, 0) << officer.output;
  boost::json::object full = JsonOf(officer);
  const boost::json::object& decision = full.at("risk").as_object();
  EXPECT_EQ(decision.at("channel").as_string(), "red");
  EXPECT_EQ(decision.at("cause").as_string(), "profile");
  EXPECT_EQ(decision.at("profilesHit").at(0).as_string(), "MEAT-AR-COLDCHAIN");
  EXPECT_EQ(decision.at("modelVersion").as_string().size(), 64u);  // the demo's model
  EXPECT_EQ(decision.at("contributions").as_array().size(), 3u);
  EXPECT_FALSE(decision.at("instructions").as_array().empty());
  EXPECT_EQ(full.at("quote").at("quotaClaims").at(0).at("orderNumber").as_string(), "09.4450");

  auto broker = Cli("risk assessment " + id + " --as hanse.broker");
  ASSERT_EQ(broker.exit_code, 0) << broker.output;
  boost::json::object seen = JsonOf(broker);
  EXPECT_EQ(seen.at("channel").as_string(), "red");
  EXPECT_EQ(seen.at("quote").at("totals").at("total").as_string(),
            full.at("quote").at("totals").at("total").as_string());
  EXPECT_FALSE(seen.contains("risk"));
  for (const char* secret : {"MEAT-AR", "score", "instructions", "contributions", "reefer"}) {
    EXPECT_EQ(broker.output.find(secret), std::string::npos) << secret;
  }
  auto analyst = Cli("risk assessment " + id + " --as risk.analyst");
  EXPECT_EQ(analyst.exit_code, 0) << analyst.output;
  EXPECT_NE(analyst.output.find("MEAT-AR-COLDCHAIN"), std::string::npos);
  auto other_office = Cli("risk assessment " + id + " --as officer.lyon");
  EXPECT_EQ(other_office.exit_code, 1);
  EXPECT_NE(other_office.output.find("403"), std::string::npos) << other_office.output;
  auto tariff = Cli("risk assessment " + id + " --as tariff.manager");
  EXPECT_EQ(tariff.exit_code, 1);
  EXPECT_NE(tariff.output.find("forbidden"), std::string::npos) << tariff.output;

  // The trader's declaration resource summarises the quote made at filing.
  auto shown = Cli("declare show " + id + " --as nordfleisch.clerk");
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_EQ(JsonOf(shown).at("quote").at("total").as_string(),
            full.at("quote").at("totals").at("total").as_string());
}

TEST_F(RiskE2eTest, AnOfficerOverridesWithAReasonAndRecordsWhatTheInspectionFound) {
  boost::json::object filed = Filed();
  ASSERT_TRUE(filed.contains("id"));
  const std::string id(filed.at("id").as_string());
  auto bare = Cli("declare decide " + id + " route_yellow --as officer.hamburg");
  EXPECT_EQ(bare.exit_code, 3) << bare.output;  // 422
  EXPECT_NE(bare.output.find("override-reason-required"), std::string::npos) << bare.output;
  auto reasoned = Cli("declare decide " + id +
                      " route_yellow --reason 'certificate checked at the port' --as "
                      "officer.hamburg");
  ASSERT_EQ(reasoned.exit_code, 0) << reasoned.output;
  EXPECT_NE(reasoned.output.find("overrides the risk engine's red channel"), std::string::npos)
      << reasoned.output;

  auto refused = Cli("risk inspection " + id + " --fraud yes --as nordfleisch.clerk");
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  auto recorded =
      Cli("risk inspection " + id + " --fraud yes --duties 1200.00 --as officer.hamburg");
  ASSERT_EQ(recorded.exit_code, 0) << recorded.output;
  EXPECT_EQ(JsonOf(recorded).at("dutiesRaised").as_string(), "1200.00");
  const std::string feedback = ReadFile(Var() + "/risk/inspections.csv");
  EXPECT_NE(feedback.find(id + ",1,1200.00,"), std::string::npos) << feedback;
}

TEST_F(RiskE2eTest, AnalystsWorkTheProfilesOnTheServerAndOthersMayNot) {
  auto listed = Cli("risk profiles list --as risk.analyst");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  boost::json::object page = JsonOf(listed);
  EXPECT_EQ(page.at("profiles").as_array().size(), 4u);
  EXPECT_EQ(page.at("modelVersion").as_string().size(), 64u);
  EXPECT_EQ(Cli("risk profiles list --as admin").exit_code, 0);
  auto officer = Cli("risk profiles list --as officer.hamburg");
  EXPECT_EQ(officer.exit_code, 1);
  EXPECT_NE(officer.output.find("403"), std::string::npos) << officer.output;

  auto tried = Cli("risk profiles test --id MEAT-AR-COLDCHAIN --as risk.analyst");
  ASSERT_EQ(tried.exit_code, 0) << tried.output;
  boost::json::object trial = JsonOf(tried);
  EXPECT_EQ(trial.at("profile").as_string(), "MEAT-AR-COLDCHAIN");
  EXPECT_EQ(trial.at("declarations").as_int64(), 6);  // the demo's seeded filings
  EXPECT_GE(trial.at("declarationHits").as_int64(), 1);

  std::string file = dir_ + "/wine.json";
  std::ofstream(file) << R"({"id": "WINE-CL", "lane": "yellow", "description": "Chilean wine",
      "instructions": "Check the VI-1 document.",
      "conditions": {"commodity_prefixes": ["2204"], "origins": ["CL"]}})";
  EXPECT_EQ(Cli("risk profiles create " + file + " --as officer.hamburg").exit_code, 1);
  auto created = Cli("risk profiles create " + file + " --as risk.analyst");
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_EQ(JsonOf(created).at("status").as_string(), "draft");
  auto activated = Cli("risk profiles activate --id WINE-CL --as risk.analyst");
  ASSERT_EQ(activated.exit_code, 0) << activated.output;
  EXPECT_EQ(JsonOf(activated).at("status").as_string(), "active");
  auto again = Cli("risk profiles activate --id WINE-CL --as risk.analyst");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("illegal-profile-transition"), std::string::npos) << again.output;
  // The running engine applies it to the next filing of Chilean wine.
  std::string wine = dir_ + "/wine-declaration.json";
  auto body = ParseJson(std::string(R"({"type":"import","procedure":"4000","office":"FR693000",
    "declarant":{"id":"FR44123456700017","name":"Soieries de Lyon SA","address":{"street":"12 Quai Saint-Vincent","city":"Lyon","postcode":"69001","country":"FR"}},
    "importer":{"id":"FR44123456700017","name":"Soieries de Lyon SA","address":{"street":"12 Quai Saint-Vincent","city":"Lyon","postcode":"69001","country":"FR"}},
    "exporter":{"id":"CL76543210","name":"Vina del Sur","address":{"street":"Av. 1","city":"Santiago","postcode":"8320000","country":"CL"}},
    "transport":{"mode":1,"identity":"MSC OSCAR","nationality":"PA","containers":["MSCU1234566"]},
    "invoice":{"number":"INV-W1","date":"2026-01-05","currency":"EUR","total":"5500.00","incoterm":"CIF"},
    "goodsItems":[{"sequence":1,"commodityCode":"2204210000","description":"Wine","origin":"CL","netMass":"1000.000","grossMass":"1100.000","quantity":{"value":"1000","unit":"LTR"},"price":"5500.00","documents":[]}]})"));
  ASSERT_TRUE(body.ok());
  std::ofstream(wine) << boost::json::serialize(*body);
  auto submitted = Cli("declare submit " + wine + " --as lyon.clerk");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.output;
  EXPECT_EQ(JsonOf(submitted).at("channel").as_string(), "yellow");
}

}  // namespace
}  // namespace clearway::e2e
