// Filing with assessment (issues 6 and 7 wired): every lodged version gets its duty quote and
// risk decision in the same unit of work as the version, with its ledger leaf, and is routed by
// the engine's channel; who may see which part of it; officers' overrides; quota draws.
#include "app/assessment.h"

#include <gtest/gtest.h>

#include "assessment_fixture.h"
#include "ledger/leaf.h"
#include "store/ledger_records.h"

namespace clearway::app {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using namespace clearway::app::testing;
namespace json = boost::json;

boost::json::value ExportBody() {
  auto body = NordfleischBody(1, 1);
  auto& o = body.as_object();
  o["type"] = "export";
  o["procedure"] = "1000";
  o["exporter"] = o["importer"];
  return body;
}

std::vector<std::string> Strings(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}

class AssessmentTest : public AssessmentFixture {};

TEST_F(AssessmentTest, FilingStoresTheAssessmentWithItsLedgerLeafAndRoutesGreen) {
  Start();
  std::string id = File(Clerk(), NordfleischBody(1));
  DeclarationRecord record = Record(id);
  // Nothing speaks against Colombian coffee without a model or profiles: green, released.
  EXPECT_EQ(record.row.status, "released");
  EXPECT_EQ(record.row.channel, "green");
  ASSERT_EQ(record.transitions.size(), 3u);
  EXPECT_EQ(record.transitions[1].to_status, "accepted");
  EXPECT_EQ(record.transitions[2].from_status, "accepted");
  EXPECT_EQ(record.transitions[2].to_status, "released");
  EXPECT_EQ(record.transitions[2].actor, "system");
  EXPECT_EQ(record.transitions[2].reason, "risk engine: green lane (score)");

  ASSERT_TRUE(record.assessment.has_value());
  const store::AssessmentRow& row = *record.assessment;
  EXPECT_EQ(row.version, 1);
  EXPECT_EQ(FormatTimestamp(row.at), "2026-11-24T10:00:01Z");
  // The quote: coffee from CO with proof U004 pays no duty, 7 % VAT.
  auto quote = ParseJson(row.quote);
  ASSERT_THAT(quote, IsOk());
  EXPECT_EQ(quote->at("currency").as_string(), "EUR");
  EXPECT_EQ(quote->at("totals").at("customsDuty").as_string(), "0.00");
  EXPECT_EQ(row.quote, CanonicalJson(*quote));

  json::object r = RiskOf(id);
  EXPECT_EQ(r.at("channel").as_string(), "green");
  EXPECT_EQ(r.at("lane").as_string(), "green");
  EXPECT_EQ(r.at("cause").as_string(), "score");
  EXPECT_EQ(r.at("routing").as_string(), "routed");
  EXPECT_EQ(r.at("modelVersion").as_string(), "");  // no model promoted
  EXPECT_TRUE(r.at("contributions").as_array().empty());
  EXPECT_TRUE(r.at("profilesHit").as_array().empty());
  EXPECT_EQ(r.at("quote").at("status").as_string(), "quoted");
  EXPECT_EQ(r.at("currency").as_string(), "EUR");

  // The assessment's leaf commits to the stored record: kind, id and commitment.
  auto leaf = runtime_->store().FindLeaf(store::AssessmentRecordId(id, 1));
  ASSERT_THAT(leaf, IsOk());
  EXPECT_EQ(leaf->kind, "declaration.assessment");
  auto entry = ledger::DecodeLeafEntry(leaf->entry);
  ASSERT_THAT(entry, IsOk());
  EXPECT_EQ(entry->commitment,
            ledger::ComputeCommitment(row.salt, store::CanonicalAssessmentRecord(row)));
  // Version, three transitions and the assessment: five leaves, one unit of work.
  EXPECT_EQ(runtime_->store().LedgerTree().LeafCount().value(), 5u);
}

TEST_F(AssessmentTest, AProfileForcingRedPutsTheDeclarationUnderControlWithItsReasons) {
  Start();
  ActivateProfile(CoffeeProfile());
  std::string id = File(Clerk(), NordfleischBody(1));
  DeclarationRecord record = Record(id);
  EXPECT_EQ(record.row.status, "under_control");
  EXPECT_EQ(record.row.channel, "red");
  EXPECT_EQ(record.transitions.back().reason, "risk engine: red lane (profile)");
  json::object r = RiskOf(id);
  EXPECT_EQ(r.at("channel").as_string(), "red");
  EXPECT_EQ(r.at("cause").as_string(), "profile");
  EXPECT_EQ(Strings(r.at("profilesHit")), std::vector<std::string>{"COFFEE-CO"});
  EXPECT_EQ(Strings(r.at("instructions")),
            std::vector<std::string>{
                "COFFEE-CO: Open two sacks and compare them with the invoice."});
  EXPECT_DOUBLE_EQ(r.at("score").as_double(), 0.2);  // the profile's weight, nothing else
  auto reasons = Strings(r.at("reasons"));
  EXPECT_NE(std::find(reasons.begin(), reasons.end(), "profile COFFEE-CO"), reasons.end());
}

TEST_F(AssessmentTest, AnExportHasNoQuoteAndSaysWhy) {
  Start();
  std::string id = File(Clerk(), ExportBody());
  DeclarationRecord record = Record(id);
  ASSERT_TRUE(record.assessment.has_value());
  EXPECT_EQ(record.assessment->quote, "");
  json::object r = RiskOf(id);
  EXPECT_EQ(r.at("quote").at("status").as_string(), "none");
  EXPECT_EQ(r.at("quote").at("reason").as_string(), "not-an-import");
  EXPECT_EQ(record.row.channel, "green");
  EXPECT_FALSE(QuoteSummaryOf(*record.assessment).has_value());
}

TEST_F(AssessmentTest, AQuoteThatCannotBeMadeDoesNotStopTheFiling) {
  Start();
  auto body = NordfleischBody(1, 1);
  auto& invoice = body.as_object()["invoice"].as_object();
  invoice["currency"] = "SEK";  // the demo tariff has no SEK rate
  std::string id = File(Clerk(), body);
  json::object r = RiskOf(id);
  EXPECT_EQ(r.at("quote").at("status").as_string(), "none");
  EXPECT_EQ(r.at("quote").at("reason").as_string(), "no-exchange-rate");
  EXPECT_EQ(Record(id).assessment->quote, "");
}

TEST_F(AssessmentTest, WithAPromotedModelTheDecisionNamesItsVersionAndContributions) {
  std::string model_id = TrainDemoModel();
  Start();
  EXPECT_EQ(risk().model_version(), model_id);
  std::string id = File(Clerk(), NordfleischBody(1));
  json::object r = RiskOf(id);
  EXPECT_EQ(r.at("modelVersion").as_string(), model_id);
  // Contributions explain a declaration someone reads (yellow, red, blue); a green one is
  // released without them ([risk] explain_green).
  const bool green = r.at("lane").as_string() == "green";
  EXPECT_EQ(r.at("contributions").as_array().size(), green ? 0u : 3u);
  double p = r.at("modelProbability").as_double();
  EXPECT_GT(p, 0.0);
  EXPECT_LT(p, 1.0);
  // The model version reaches the ledger: the assessment record the leaf commits to holds it.
  auto row = runtime_->store().GetAssessment(id, 1);
  ASSERT_THAT(row, IsOk());
  EXPECT_NE(store::CanonicalAssessmentRecord(*row).find(model_id), std::string::npos);
}

TEST_F(AssessmentTest, AmendmentReassessesTheNewVersionAndKeepsTheControlChannel) {
  Start();
  ActivateProfile(CoffeeProfile());
  std::string id = File(Clerk(), NordfleischBody(1));
  ASSERT_EQ(Record(id).row.channel, "red");
  // Version 2 declares beef and cars instead of coffee: the profile no longer hits, but a
  // declaration under control stays where it is until an officer decides.
  auto amended = service().Amend(Clerk(), id, NordfleischBody(2), 1, nullptr, RecordRender(200));
  ASSERT_THAT(amended, IsOk());
  DeclarationRecord record = Record(id);
  EXPECT_EQ(record.row.version, 2);
  EXPECT_EQ(record.row.status, "under_control");
  EXPECT_EQ(record.row.channel, "red");
  EXPECT_EQ(record.transitions.back().reason, "amended to version 2");
  json::object v2 = RiskOf(id, 2);
  EXPECT_TRUE(v2.at("profilesHit").as_array().empty());
  EXPECT_EQ(v2.at("routing").as_string(), "kept");
  EXPECT_EQ(Strings(RiskOf(id, 1).at("profilesHit")), std::vector<std::string>{"COFFEE-CO"});
  ASSERT_TRUE(record.assessment.has_value());
  EXPECT_EQ(record.assessment->version, 2);
}

TEST_F(AssessmentTest, InRecommendModeTheDeclarationWaitsForAnOfficer) {
  Start(RoutingMode::kRecommend);
  ActivateProfile(CoffeeProfile());
  std::string id = File(Clerk(), NordfleischBody(1));
  DeclarationRecord record = Record(id);
  EXPECT_EQ(record.row.status, "accepted");
  EXPECT_EQ(record.row.channel, "");
  EXPECT_EQ(record.transitions.size(), 2u);
  json::object r = RiskOf(id);
  EXPECT_EQ(r.at("channel").as_string(), "red");
  EXPECT_EQ(r.at("routing").as_string(), "recommended");
  // An amendment while accepted is assessed again, still a recommendation.
  ASSERT_THAT(service().Amend(Clerk(), id, NordfleischBody(3), 1, nullptr, RecordRender(200)),
              IsOk());
  EXPECT_EQ(RiskOf(id, 2).at("routing").as_string(), "recommended");
  EXPECT_EQ(Record(id).row.status, "accepted");
}

TEST_F(AssessmentTest, ADraftIsAssessedWhenSubmittedNotWhenSaved) {
  Start();
  ActivateProfile(CoffeeProfile());
  auto saved = service().File(Clerk(), NordfleischBody(1), true, nullptr, RecordRender());
  ASSERT_THAT(saved, IsOk());
  const std::string id = saved->response.resource_id;
  EXPECT_THAT(runtime_->store().GetAssessment(id, 1), HasReason("assessment-not-found"));
  ASSERT_THAT(service().Act(Clerk(), id, declaration::Action::kSubmit, "", nullptr,
                            RecordRender(200)),
              IsOk());
  DeclarationRecord record = Record(id);
  EXPECT_EQ(record.row.status, "under_control");
  EXPECT_EQ(record.row.channel, "red");
  EXPECT_EQ(RiskOf(id).at("cause").as_string(), "profile");
}

TEST_F(AssessmentTest, TheTraderSeesChannelAndQuoteButNeverTheRiskDecision) {
  Start();
  ActivateProfile(CoffeeProfile());
  std::string id = File(Clerk(), NordfleischBody(1));

  auto trader = service().GetAssessment(Broker(), id, std::nullopt);
  ASSERT_THAT(trader, IsOk());
  EXPECT_EQ(trader->view, AssessmentView::kTrader);
  json::object seen = AssessmentJson(trader->assessment, trader->declaration, trader->view);
  EXPECT_EQ(seen.at("channel").as_string(), "red");
  EXPECT_TRUE(seen.at("quote").is_object());
  EXPECT_FALSE(seen.contains("risk"));
  const std::string text = json::serialize(seen);
  for (const char* secret : {"COFFEE-CO", "score", "Open two sacks", "contributions",
                             "profilesHit", "modelVersion", "anomaly", "reasons"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
  // Nor does the declaration's history say why the engine routed it.
  auto record = service().Get(Clerk(), id, std::nullopt);
  ASSERT_THAT(record, IsOk());
  EXPECT_EQ(TraderHistory(record->transitions).back().reason, "routed by risk analysis");

  auto officer = service().GetAssessment(HamburgOfficer(), id, std::nullopt);
  ASSERT_THAT(officer, IsOk());
  EXPECT_EQ(officer->view, AssessmentView::kFull);
  json::object full = AssessmentJson(officer->assessment, officer->declaration, officer->view);
  EXPECT_EQ(full.at("risk").at("profilesHit").as_array().at(0).as_string(), "COFFEE-CO");
  EXPECT_EQ(full.at("channel").as_string(), "red");
  EXPECT_EQ(service().GetAssessment(RiskAnalyst(), id, std::nullopt)->view, AssessmentView::kFull);
  EXPECT_EQ(service().GetAssessment(Auditor(), id, std::nullopt)->view, AssessmentView::kFull);
  EXPECT_EQ(service().GetAssessment(Administrator(), id, std::nullopt)->view,
            AssessmentView::kTrader);
  EXPECT_THAT(service().GetAssessment(LyonOfficer(), id, std::nullopt), HasReason("forbidden"));
  EXPECT_THAT(service().GetAssessment(LyonClerk(), id, std::nullopt), HasReason("forbidden"));
  EXPECT_THAT(service().GetAssessment(TariffManager(), id, std::nullopt), HasReason("forbidden"));
  EXPECT_THAT(service().GetAssessment(Clerk(), id, 2), HasReason("version-not-found"));
  EXPECT_THAT(service().GetAssessment(Clerk(), "01NOSUCHDECLARATION0000000", std::nullopt),
              HasReason("declaration-not-found"));
}

TEST_F(AssessmentTest, AnOverrideWithoutAReasonIsRefusedAndWithOneNamesTheEngineChannel) {
  Start(RoutingMode::kRecommend);
  std::string id = File(Clerk(), NordfleischBody(1));  // the engine recommends green
  auto refused = service().Act(HamburgOfficer(), id, declaration::Action::kRouteRed, "", nullptr,
                               RecordRender(200));
  EXPECT_THAT(refused, HasReason("override-reason-required"));
  EXPECT_THAT(refused, HasCode(ErrorCode::kInvalidArgument));
  EXPECT_EQ(Record(id).row.status, "accepted");  // refused: nothing changed
  ASSERT_THAT(service().Act(HamburgOfficer(), id, declaration::Action::kRouteRed, "x-ray scan",
                            nullptr, RecordRender(200)),
              IsOk());
  DeclarationRecord record = Record(id);
  EXPECT_EQ(record.row.channel, "red");
  EXPECT_EQ(record.transitions.back().actor, "officer.hamburg");
  EXPECT_EQ(record.transitions.back().reason,
            "x-ray scan (overrides the risk engine's green channel)");
}

TEST_F(AssessmentTest, FollowingTheEngineNeedsNoReason) {
  Start(RoutingMode::kRecommend);
  std::string id = File(Clerk(), NordfleischBody(1));
  ASSERT_THAT(service().Act(HamburgOfficer(), id, declaration::Action::kRouteGreen, "", nullptr,
                            RecordRender(200)),
              IsOk());
  DeclarationRecord record = Record(id);
  EXPECT_EQ(record.row.status, "released");
  EXPECT_EQ(record.transitions.back().reason, "route_green");
}

TEST_F(AssessmentTest, ReRoutingAControlledDeclarationAgainstTheEngineNeedsAReason) {
  Start();
  ActivateProfile(CoffeeProfile());
  std::string id = File(Clerk(), NordfleischBody(1));  // red by the profile
  EXPECT_THAT(service().Act(HamburgOfficer(), id, declaration::Action::kRouteYellow, "", nullptr,
                            RecordRender(200)),
              HasReason("override-reason-required"));
  ASSERT_THAT(service().Act(HamburgOfficer(), id, declaration::Action::kRouteYellow,
                            "documents suffice", nullptr, RecordRender(200)),
              IsOk());
  EXPECT_EQ(Record(id).transitions.back().reason,
            "documents suffice (overrides the risk engine's red channel)");
  // Back to the engine's channel: no reason needed.
  EXPECT_THAT(service().Act(HamburgOfficer(), id, declaration::Action::kRouteRed, "", nullptr,
                            RecordRender(200)),
              IsOk());
}

TEST_F(AssessmentTest, QuotaIsDrawnOnceAfterTheFilingIsDurable) {
  Start(RoutingMode::kRecommend);  // accepted, so it can be amended below
  // The example: 4,800 kg of Argentinian beef with proof U004 under quota 09.4450.
  auto body = ParseJson(declaration::ExampleDeclarationJson());
  ASSERT_THAT(body, IsOk());
  auto before = runtime_->tariff().QuotaOf("09.4450", clock_->Now());
  ASSERT_THAT(before, IsOk());
  ASSERT_TRUE(before->has_value());
  EXPECT_EQ((*before)->drawn_thousandths, 0);

  // A refused filing draws nothing.
  auto bad = *body;
  bad.as_object()["invoice"].as_object()["total"] = "1.00";
  EXPECT_THAT(service().File(Broker(), bad, false, nullptr, RecordRender()),
              HasReason("validation-failed"));
  EXPECT_EQ(runtime_->tariff().QuotaOf("09.4450", clock_->Now())->value().drawn_thousandths, 0);

  IdempotencyContext key{"order-7", "hash-of-the-request"};
  auto filed = service().File(Broker(), *body, false, &key, RecordRender());
  ASSERT_THAT(filed, IsOk());
  auto row = runtime_->store().GetAssessment(filed->response.resource_id, 1);
  ASSERT_THAT(row, IsOk());
  EXPECT_NE(row->quote.find(R"("quotaClaims":[{"orderNumber":"09.4450","thousandths":4800000}])"),
            std::string::npos)
      << row->quote;
  EXPECT_EQ(runtime_->tariff().QuotaOf("09.4450", clock_->Now())->value().drawn_thousandths,
            4'800'000);
  // The retry is answered from the idempotency record and draws nothing more.
  auto again = service().File(Broker(), *body, false, &key, RecordRender());
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(runtime_->tariff().QuotaOf("09.4450", clock_->Now())->value().drawn_thousandths,
            4'800'000);
  // So does an amendment of the same declaration: one draw per declaration and quota.
  ASSERT_THAT(service().Amend(Broker(), filed->response.resource_id, *body, std::nullopt, nullptr,
                              RecordRender(200)),
              IsOk());
  EXPECT_EQ(runtime_->tariff().QuotaOf("09.4450", clock_->Now())->value().drawn_thousandths,
            4'800'000);
  // A second declaration draws its own.
  File(Broker(), *body);
  EXPECT_EQ(runtime_->tariff().QuotaOf("09.4450", clock_->Now())->value().drawn_thousandths,
            9'600'000);
  EXPECT_EQ(risk().quota_draw_failures(), 0u);
}

TEST_F(AssessmentTest, ActivationsReachTheRunningEngineAndRetirementsToo) {
  Start();
  EXPECT_EQ(Record(File(Clerk(), NordfleischBody(1))).row.channel, "green");
  ActivateProfile(CoffeeProfile("COFFEE-CO", "yellow"));
  EXPECT_EQ(Record(File(Clerk(), NordfleischBody(1))).row.channel, "yellow");
  ASSERT_THAT(risk().RetireProfile(RiskAnalyst(), "COFFEE-CO"), IsOk());
  EXPECT_EQ(Record(File(Clerk(), NordfleischBody(1))).row.channel, "green");
}

TEST_F(AssessmentTest, FiledDeclarationsFeedTheHistoryAcrossRestarts) {
  Start();
  // Six filings of the same coffee at the same price per kg teach the engine that price.
  for (int i = 0; i < 6; ++i) File(Clerk(), NordfleischBody(1));
  auto cheap = NordfleischBody(1, 1);
  auto& item = cheap.as_object()["goodsItems"].as_array()[0].as_object();
  item["price"] = "1.00";
  cheap.as_object()["invoice"].as_object()["total"] = "1.00";
  std::string id = File(Clerk(), cheap);
  EXPECT_LT(RiskOf(id).at("anomaly").as_double(), -10.0);  // far below the usual price per kg
  // After a restart the stored declarations are replayed: the same answer.
  Stop();
  Start();
  std::string again = File(Clerk(), cheap);
  EXPECT_LT(RiskOf(again).at("anomaly").as_double(), -10.0);
}

}  // namespace
}  // namespace clearway::app
