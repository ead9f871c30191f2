#include "risk/engine.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/json.h"
#include "declaration/declaration.h"
#include "risk/feedback.h"
#include "risk/generated_data.h"
#include "risk/training.h"
#include "testing/matchers.h"

namespace clearway::risk {
namespace {

using clearway::testing::HasDetail;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

constexpr char kBeefProfile[] = R"({"id": "BEEF-AR", "status": "active", "lane": "red",
  "weight": 0.3, "description": "Frozen beef from AR",
  "instructions": "Check the veterinary certificate and weigh the pallets.",
  "conditions": {"commodity_prefixes": ["0202"], "origins": ["AR"]}})";

declaration::Declaration Example() {
  auto d = declaration::ParseDeclarationText(declaration::ExampleDeclarationJson(),
                                             ParseTimestamp("2026-11-20T10:00:00Z").value());
  EXPECT_THAT(d, IsOk());
  return *d;
}

EngineConfig Config() {
  EngineConfig c;
  c.random_seed = 17;
  c.default_policy.random_rate = 0;
  return c;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    history_ = testing::GeneratePlantedData(1500, 21, 60);
    FeatureBuilder features;
    FeatureMatrix m = BuildFeatures(history_, features, LabelPolicy{});
    TrainingOptions o;
    o.rounds = 20;
    o.max_depth = 3;
    o.learning_rate = 0.3;
    auto model = FraudModel::Train(m, o);
    ASSERT_THAT(model, IsOk());
    model_id_ = model->id();
    auto profiles = ParseProfiles(kBeefProfile);
    ASSERT_THAT(profiles, IsOk());
    auto engine = RiskEngine::Create(std::move(*model), *profiles, Config(), history_);
    ASSERT_THAT(engine, IsOk());
    engine_ = std::move(*engine);
  }
  std::vector<DeclarationRecord> history_;
  std::string model_id_;
  std::unique_ptr<RiskEngine> engine_;
};

TEST_F(EngineTest, AProfileHitRoutesRedWithItsReasons) {
  auto a = engine_->Assess(Example(), ParseTimestamp("2026-11-20T10:00:00Z").value());
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->lane, Lane::kRed);
  EXPECT_EQ(a->channel, declaration::Channel::kRed);
  EXPECT_EQ(a->cause, LaneCause::kProfile);
  EXPECT_EQ(a->profiles_hit, std::vector<std::string>{"BEEF-AR"});
  ASSERT_EQ(a->instructions.size(), 1u);
  EXPECT_EQ(a->instructions[0], "BEEF-AR: Check the veterinary certificate and weigh the pallets.");
  EXPECT_EQ(a->model_version, model_id_);
  EXPECT_EQ(a->top_contributions.size(), 3u);
  EXPECT_GE(a->score, 0.3);  // the profile weight at least
  EXPECT_LE(a->score, 1.0);
  EXPECT_NE(std::find(a->reasons.begin(), a->reasons.end(), "profile BEEF-AR"), a->reasons.end());
}

TEST_F(EngineTest, AKnownCheatScoresAboveAnOrdinaryTrader) {
  DeclarationRecord cheat = history_.back();
  cheat.date = std::chrono::sys_days(cheat.date) + std::chrono::days(1);
  cheat.importer = "BAD2";
  DeclarationRecord ordinary = cheat;
  ordinary.importer = "IMP30";
  auto bad = engine_->AssessRecords({cheat});
  auto good = engine_->AssessRecords({ordinary});
  ASSERT_THAT(bad, IsOk());
  ASSERT_THAT(good, IsOk());
  EXPECT_GT(bad->score, good->score);
  EXPECT_GT(bad->model_probability, 0.4);
}

TEST_F(EngineTest, RefusesADeclarationWithoutGoods) {
  EXPECT_THAT(engine_->AssessRecords({}), HasReason("no-goods-items"));
}

TEST_F(EngineTest, ProfilesSetLaterApplyAtOnce) {
  const Timestamp at = ParseTimestamp("2026-11-20T10:00:00Z").value();
  engine_->SetProfiles({});
  auto before = engine_->Assess(Example(), at);
  ASSERT_THAT(before, IsOk());
  EXPECT_TRUE(before->profiles_hit.empty());
  EXPECT_NE(before->cause, LaneCause::kProfile);
  auto profiles = ParseProfiles(kBeefProfile);
  ASSERT_THAT(profiles, IsOk());
  engine_->SetProfiles(*profiles);
  EXPECT_EQ(engine_->profiles().size(), 1u);
  auto after = engine_->Assess(Example(), at);
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->lane, Lane::kRed);
  EXPECT_EQ(after->cause, LaneCause::kProfile);
  EXPECT_GT(after->score, before->score);
}

// Contributions explain a decision and never make it: an engine that explains every lane and
// one that explains only controlled ones (the default) decide the same over a sample, with
// random selection on (the same seed, so the same draws); the default leaves green ones
// unexplained and explains every other.
TEST(EngineExplainTest, ContributionsOnlyForControlledLanesAndTheDecisionIsTheSame) {
  auto history = testing::GeneratePlantedData(1500, 21, 60);
  FeatureBuilder features;
  TrainingOptions o;
  o.rounds = 20;
  o.max_depth = 3;
  o.learning_rate = 0.3;
  o.threads = 1;
  auto model = FraudModel::Train(BuildFeatures(history, features, LabelPolicy{}), o);
  ASSERT_THAT(model, IsOk());
  auto copy = FraudModel::FromBytes(model->bytes());
  ASSERT_THAT(copy, IsOk());
  auto profiles = ParseProfiles(kBeefProfile);
  ASSERT_THAT(profiles, IsOk());
  EngineConfig c = Config();
  c.default_policy.random_rate = 0.05;
  c.default_policy.yellow_rate = 0.1;
  c.default_policy.red_rate = 0.1;
  c.contributions = ContributionMethod::kApproximate;
  auto lean = RiskEngine::Create(std::move(*model), *profiles, c, history);
  c.explain_green = true;
  auto explaining = RiskEngine::Create(std::move(*copy), *profiles, c, history);
  ASSERT_THAT(lean, IsOk());
  ASSERT_THAT(explaining, IsOk());
  std::vector<DeclarationRecord> probes(history.end() - 300, history.end());
  int green = 0;
  int controlled = 0;
  for (const auto& probe : probes) {
    auto a = (*lean)->AssessRecords({probe});
    auto b = (*explaining)->AssessRecords({probe});
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    EXPECT_EQ(a->lane, b->lane);
    EXPECT_EQ(a->channel, b->channel);
    EXPECT_EQ(a->cause, b->cause);
    EXPECT_DOUBLE_EQ(a->score, b->score);
    EXPECT_DOUBLE_EQ(a->model_probability, b->model_probability);
    EXPECT_EQ(b->top_contributions.size(), 3u);
    if (a->lane == Lane::kGreen) {
      ++green;
      EXPECT_TRUE(a->top_contributions.empty());
    } else {
      ++controlled;
      ASSERT_EQ(a->top_contributions.size(), 3u);
      EXPECT_EQ(a->top_contributions[0].feature, b->top_contributions[0].feature);
      EXPECT_DOUBLE_EQ(a->top_contributions[0].log_odds, b->top_contributions[0].log_odds);
    }
  }
  EXPECT_GT(green, 0);
  EXPECT_GT(controlled, 0);
}

TEST(EngineReplicaTest, ParallelAssessmentsOnReplicasAgreeWithOneThread) {
  auto history = testing::GeneratePlantedData(1200, 5, 40);
  FeatureBuilder features;
  TrainingOptions o;
  o.rounds = 15;
  o.max_depth = 3;
  o.threads = 1;
  auto model = FraudModel::Train(BuildFeatures(history, features, LabelPolicy{}), o);
  ASSERT_THAT(model, IsOk());
  EngineConfig c = Config();
  c.model_replicas = 3;
  c.contributions = ContributionMethod::kApproximate;
  auto engine = RiskEngine::Create(std::move(*model), {}, c, history);
  ASSERT_THAT(engine, IsOk());
  std::vector<DeclarationRecord> probes(history.end() - 40, history.end());
  std::vector<double> alone;
  for (const auto& probe : probes) alone.push_back((*engine)->AssessRecords({probe})->score);
  std::vector<std::vector<double>> seen(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&, t] {
      for (const auto& probe : probes) {
        auto a = (*engine)->AssessRecords({probe});
        seen[t].push_back(a.ok() ? a->score : -1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& scores : seen) EXPECT_EQ(scores, alone);
}

TEST(EngineNoModelTest, ProfilesAndAnomalyAloneStillDecide) {
  auto engine = RiskEngine::Create(std::nullopt, {}, Config(), {});
  ASSERT_THAT(engine, IsOk());
  auto a = (*engine)->Assess(Example(), ParseTimestamp("2026-11-20T10:00:00Z").value());
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->model_version, "");
  EXPECT_TRUE(a->top_contributions.empty());
  EXPECT_DOUBLE_EQ(a->score, 0.0);
  EXPECT_EQ((*engine)->model_version(), "");
}

TEST(EngineNoModelTest, BadPolicyIsRefused) {
  EngineConfig c = Config();
  c.office_policies["DE004700"].red_rate = 2;
  EXPECT_THAT(RiskEngine::Create(std::nullopt, {}, c, {}), HasReason("bad-policy"));
}

TEST(OverrideTest, AnOverrideNeedsAReasonAndAChange) {
  OfficerOverride o;
  o.declaration_id = "01JD3Q8";
  o.officer_id = "officer-7";
  o.from = Lane::kGreen;
  o.to = Lane::kRed;
  o.reason = "Intelligence from the port authority";
  EXPECT_THAT(ValidateOverride(o), IsOk());
  OfficerOverride silent = o;
  silent.reason.clear();
  EXPECT_THAT(ValidateOverride(silent), HasDetail("reason", "override-reason-required"));
  OfficerOverride same = o;
  same.to = Lane::kGreen;
  EXPECT_THAT(ValidateOverride(same), HasReason("override-no-change"));
  OfficerOverride anonymous = o;
  anonymous.officer_id.clear();
  EXPECT_THAT(ValidateOverride(anonymous), HasReason("bad-override"));
}

TEST(FeedbackTest, ResultsBecomeLabelsOfEveryLine) {
  auto results = ParseInspectionResults(
      "declaration_id,fraud_found,duties_raised,inspected_on\n"
      "G100001,1,1250.5,2024-02-01\n"
      "G100002,false,0,2024-02-01\n"
      "NOPE,1,1,2024-02-01\n");
  ASSERT_THAT(results, IsOk());
  ASSERT_EQ(results->size(), 3u);
  EXPECT_TRUE((*results)[0].fraud_found);
  EXPECT_DOUBLE_EQ((*results)[0].duties_raised, 1250.5);
  auto records = testing::GeneratePlantedData(10, 1);
  records.push_back(records[1]);  // a second line of G100001
  records[1].fraud = false;
  records.back().fraud = false;
  records[2].fraud = true;
  MergeReport report = MergeFeedback(records, *results);
  EXPECT_EQ(report.matched, 2u);
  EXPECT_EQ(report.unmatched, 1u);
  EXPECT_EQ(report.relabelled, 3u);
  EXPECT_EQ(records[1].fraud, std::optional<bool>(true));
  EXPECT_EQ(records.back().fraud, std::optional<bool>(true));
  EXPECT_DOUBLE_EQ(records[1].duty, std::max(1250.5, records[1].duty));
  EXPECT_EQ(records[2].fraud, std::optional<bool>(false));
}

TEST(FeedbackTest, RefusalsNameLineAndColumn) {
  const std::string header = "declaration_id,fraud_found,duties_raised,inspected_on\n";
  EXPECT_THAT(ParseInspectionResults("id,fraud\n"), HasReason("missing-column"));
  EXPECT_THAT(ParseInspectionResults(header + "A,maybe,0,2024-01-01\n"),
              HasDetail("line 2, column 'fraud_found'", "bad-label"));
  EXPECT_THAT(ParseInspectionResults(header + "A,1,-5,2024-01-01\n"),
              HasDetail("line 2, column 'duties_raised'", "bad-number"));
  EXPECT_THAT(ParseInspectionResults(header + "A,1,5,yesterday\n"),
              HasDetail("line 2, column 'inspected_on'", "bad-date"));
  EXPECT_THAT(ParseInspectionResults(header + ",1,5,2024-01-01\n"),
              HasDetail("line 2, column 'declaration_id'", "bad-declaration-id"));
  EXPECT_THAT(ParseInspectionResults(header + "A,1\n"), HasReason("bad-row"));
}

TEST(FeedbackTest, RetrainingOnFeedbackChangesTheLabelsTheModelSees) {
  auto records = testing::GeneratePlantedData(200, 4, 10);
  std::string csv = "declaration_id,fraud_found,duties_raised,inspected_on\n";
  size_t before = 0;
  for (const auto& r : records) before += r.fraud.value_or(false) ? 1u : 0u;
  for (size_t i = 0; i < 20; ++i) csv += records[i].id + ",1,10,2024-01-05\n";
  auto results = ParseInspectionResults(csv);
  ASSERT_THAT(results, IsOk());
  MergeFeedback(records, *results);
  size_t after = 0;
  for (const auto& r : records) after += r.fraud.value_or(false) ? 1u : 0u;
  EXPECT_GE(after, before);
  FeatureBuilder history;
  FeatureMatrix m = BuildFeatures(records, history, LabelPolicy{});
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(m.labels[i], 1.0f);
}

TEST(DriftTest, ReportsPerMonthWithPsiAgainstTheFirst) {
  auto records = testing::GeneratePlantedData(600, 8, 90);
  std::vector<size_t> rows;
  std::vector<double> scores;
  for (size_t i = 0; i < records.size(); ++i) {
    rows.push_back(i);
    // Month 3 scores shift upwards.
    bool march = FormatDate(records[i].date).substr(0, 7) == "2024-03";
    scores.push_back((records[i].fraud.value_or(false) ? 0.6 : 0.2) + (march ? 0.3 : 0.0) +
                     static_cast<double>(i % 7) / 100);
  }
  auto drift = MeasureDrift(records, rows, scores);
  ASSERT_THAT(drift, IsOk());
  ASSERT_EQ(drift->size(), 3u);
  EXPECT_EQ((*drift)[0].month, "2024-01");
  EXPECT_NEAR((*drift)[0].psi, 0.0, 1e-9);
  EXPECT_LT((*drift)[1].psi, 0.25);
  EXPECT_GT((*drift)[2].psi, 0.25);
  EXPECT_GT((*drift)[0].top_decile_hit_rate, 0.9);  // fraud scored highest
  EXPECT_THAT(MeasureDrift(records, {}, {}), HasReason("bad-metrics-input"));
}

}  // namespace
}  // namespace clearway::risk
