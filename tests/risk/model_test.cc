#include "risk/model.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "risk/generated_data.h"
#include "risk/metrics.h"
#include "risk/registry.h"
#include "risk/training.h"
#include "testing/matchers.h"

namespace clearway::risk {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

// Small and shallow: the sanitizer build makes XGBoost slow.
TrainingOptions SmallOptions() {
  TrainingOptions o;
  o.rounds = 40;
  o.max_depth = 4;
  o.learning_rate = 0.2;
  return o;
}

class PlantedModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    records_ = testing::GeneratePlantedData(3000, 5);
    auto split = ChooseSplit(records_, 0.25);
    ASSERT_THAT(split, IsOk());
    split_ = *split;
    auto trained = TrainWithHoldout(records_, split_, SmallOptions());
    ASSERT_THAT(trained, IsOk());
    trained_.emplace(std::move(*trained));
  }
  std::vector<DeclarationRecord> records_;
  TimeSplit split_;
  std::optional<TrainedModel> trained_;
};

TEST_F(PlantedModelTest, FindsThePlantedPatternOnTheLaterPeriod) {
  const RankingMetrics& m = trained_->metrics;
  // Base rate is about 0.14; the planted cheats are 70-80 % fraud, so a model that found them
  // inspects mostly fraud at 10 %.
  EXPECT_LT(m.base_rate, 0.25);
  EXPECT_GT(m.precision_at.at(10), 0.6);
  EXPECT_GT(m.precision_at.at(10), 3 * m.base_rate);
  EXPECT_GT(m.auc, 0.75);
  EXPECT_GT(m.recall_at.at(10), 0.3);
}

TEST_F(PlantedModelTest, ExplainsACheatByTheImportersHistory) {
  FeatureBuilder history;
  std::vector<DeclarationRecord> past(records_.begin(), records_.end() - 1);
  BuildFeatures(past, history, LabelPolicy{});
  DeclarationRecord cheat = records_.back();
  cheat.importer = "BAD1";
  cheat.hs6 = "847130";
  cheat.origin = "DE";
  auto contributions = trained_->model.TopContributions(history.Featurise(cheat), 3);
  ASSERT_THAT(contributions, IsOk());
  ASSERT_EQ(contributions->size(), 3u);
  EXPECT_EQ((*contributions)[0].feature.rfind("importer", 0), 0u) << (*contributions)[0].feature;
  EXPECT_GT((*contributions)[0].log_odds, 0);
  auto approximate = trained_->model.TopContributions(history.Featurise(cheat), 3,
                                                      ContributionMethod::kApproximate);
  ASSERT_THAT(approximate, IsOk());
  ASSERT_EQ(approximate->size(), 3u);
  EXPECT_EQ((*approximate)[0].feature.rfind("importer", 0), 0u) << (*approximate)[0].feature;
}

TEST_F(PlantedModelTest, SavedModelLoadsWithTheSameIdAndScores) {
  auto dir = std::filesystem::temp_directory_path() /
             ("risk-registry-" + trained_->model.id().substr(0, 8));
  std::filesystem::remove_all(dir);
  ModelMetadata meta;
  meta.split = split_;
  meta.metrics = trained_->metrics;
  meta.feature_names = FeatureBuilder::FeatureNames();
  auto saved = SaveModel(dir.string(), trained_->model, meta);
  ASSERT_THAT(saved, IsOk());
  EXPECT_THAT(SaveModel(dir.string(), trained_->model, meta), HasReason("model-exists"));
  EXPECT_THAT(LoadModel(dir.string()), HasReason("no-current-model"));
  ASSERT_THAT(Promote(*saved), IsOk());
  auto loaded = LoadModel(dir.string());
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ(loaded->model.id(), trained_->model.id());
  EXPECT_EQ(loaded->meta.split.eval_from, split_.eval_from);
  EXPECT_DOUBLE_EQ(loaded->meta.metrics.precision_at.at(5), trained_->metrics.precision_at.at(5));
  FeatureBuilder history;
  FeatureMatrix m = BuildFeatures(records_, history, LabelPolicy{});
  auto a = trained_->model.PredictOne(m.rows[100]);
  auto b = loaded->model.PredictOne(m.rows[100]);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_DOUBLE_EQ(*a, *b);

  // One byte changed on disk: refused, not scored.
  std::string path = (std::filesystem::path(*saved) / "model.json").string();
  std::string bytes = trained_->model.bytes();
  bytes[bytes.size() / 2] = bytes[bytes.size() / 2] == '1' ? '2' : '1';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_THAT(LoadModel(*saved), HasReason("model-tampered"));
  EXPECT_THAT(LoadModel(*saved), HasCode(ErrorCode::kDataLoss));
  std::filesystem::remove_all(dir);
}

// Predict() is XGBoost's in-place prediction; the contributions still go through a DMatrix.
// They must agree: the contributions of a row sum (with a bias that is the same for every
// row) to its log-odds, so differences of log-odds equal differences of contribution sums.
// A batch scores each row as it scores alone.
TEST_F(PlantedModelTest, InPlacePredictionAgreesWithTheContributionsAndWithOneRowAtATime) {
  FeatureBuilder history;
  FeatureMatrix m = BuildFeatures(records_, history, LabelPolicy{});
  const size_t all = FeatureBuilder::FeatureNames().size();
  std::vector<std::vector<float>> rows(m.rows.begin() + 100, m.rows.begin() + 140);
  auto batch = trained_->model.Predict(rows);
  ASSERT_THAT(batch, IsOk());
  ASSERT_EQ(batch->size(), rows.size());
  auto log_odds = [](double p) { return std::log(p / (1 - p)); };
  for (ContributionMethod method : {ContributionMethod::kApproximate, ContributionMethod::kExactShap}) {
    std::vector<double> sums;
    for (size_t i = 0; i < rows.size(); ++i) {
      auto one = trained_->model.PredictOne(rows[i]);
      ASSERT_THAT(one, IsOk());
      EXPECT_DOUBLE_EQ(*one, (*batch)[i]);
      auto contributions = trained_->model.TopContributions(rows[i], all, method);
      ASSERT_THAT(contributions, IsOk());
      double sum = 0;
      for (const auto& c : *contributions) sum += c.log_odds;
      sums.push_back(sum);
    }
    double spread = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
      EXPECT_NEAR(log_odds((*batch)[i]) - log_odds((*batch)[0]), sums[i] - sums[0], 1e-3);
      spread = std::max(spread, std::abs(sums[i] - sums[0]));
    }
    EXPECT_GT(spread, 0.1);  // the rows differ: the comparison means something
  }
}

// In-place prediction points a proxy matrix at the caller's rows: threads predicting at once
// on one model, each on its own rows, must each get their own rows' scores.
TEST_F(PlantedModelTest, ThreadsPredictingAtOnceEachGetTheirOwnRowsScores) {
  FeatureBuilder history;
  FeatureMatrix m = BuildFeatures(records_, history, LabelPolicy{});
  constexpr size_t kThreads = 4;
  constexpr size_t kRows = 25;
  std::vector<std::vector<double>> expected(kThreads);
  for (size_t t = 0; t < kThreads; ++t) {
    for (size_t i = 0; i < kRows; ++i) {
      auto p = trained_->model.PredictOne(m.rows[t * kRows + i]);
      ASSERT_THAT(p, IsOk());
      expected[t].push_back(*p);
    }
  }
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < kRows; ++i) {
          auto p = trained_->model.PredictOne(m.rows[t * kRows + i]);
          if (!p.ok() || *p != expected[t][i]) ++wrong[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t t = 0; t < kThreads; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

TEST(ModelTest, RefusesWhatItCannotTrainOrRead) {
  FeatureMatrix none;
  none.rows = {std::vector<float>(FeatureBuilder::FeatureNames().size(), 0.0f)};
  none.labels = {0.0f};
  EXPECT_THAT(FraudModel::Train(none, SmallOptions()), HasReason("no-labels"));
  FeatureMatrix narrow;
  narrow.rows = {{1.0f}, {2.0f}};
  narrow.labels = {0.0f, 1.0f};
  EXPECT_THAT(FraudModel::Train(narrow, SmallOptions()), HasReason("bad-features"));
  EXPECT_THAT(FraudModel::FromBytes("not a model"), HasReason("bad-model"));
  EXPECT_THAT(LoadModel("/nonexistent/model"), HasReason("model-not-found"));
}

TEST(ModelTest, PredictRefusesAWrongWidth) {
  auto records = testing::GeneratePlantedData(400, 3, 20);
  FeatureBuilder history;
  FeatureMatrix m = BuildFeatures(records, history, LabelPolicy{});
  TrainingOptions o = SmallOptions();
  o.rounds = 5;
  auto model = FraudModel::Train(m, o);
  ASSERT_THAT(model, IsOk());
  EXPECT_THAT(model->PredictOne({1.0f, 2.0f}), HasReason("bad-features"));
  auto p = model->PredictOne(m.rows[0]);
  ASSERT_THAT(p, IsOk());
  EXPECT_GT(*p, 0.0);
  EXPECT_LT(*p, 1.0);
}

TEST(SplitTest, WholeDaysAndBothSides) {
  auto records = testing::GeneratePlantedData(1000, 1, 10);
  auto split = ChooseSplit(records, 0.25);
  ASSERT_THAT(split, IsOk());
  EXPECT_EQ(split->train_rows + split->eval_rows, 1000u);
  for (const auto& r : records) {
    if (r.date == split->eval_from) continue;
    // No day is on both sides.
    EXPECT_TRUE(r.date < split->eval_from || r.date > split->eval_from);
  }
  EXPECT_NEAR(static_cast<double>(split->eval_rows) / 1000.0, 0.25, 0.1);
  EXPECT_THAT(ChooseSplit(records, 1.5), HasReason("bad-split"));
  EXPECT_THAT(SplitAt(records, std::chrono::year{2030} / 1 / 1), HasReason("bad-split"));
  std::vector<DeclarationRecord> one_day(records.begin(), records.begin() + 10);
  EXPECT_THAT(ChooseSplit(one_day, 0.25), HasReason("bad-split"));
}

TEST(MetricsTest, KnownRanking) {
  // 10 rows, 3 fraud; the two best scores are fraud, the third fraud is ranked last.
  std::vector<double> scores = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05};
  std::vector<bool> fraud = {true, true, false, false, false, false, false, false, false, true};
  std::vector<double> duty = {10, 30, 0, 0, 0, 0, 0, 0, 0, 60};
  auto m = Evaluate(scores, fraud, duty);
  ASSERT_THAT(m, IsOk());
  EXPECT_DOUBLE_EQ(m->precision_at.at(10), 1.0);  // top 1 row
  EXPECT_DOUBLE_EQ(m->recall_at.at(10), 1.0 / 3);
  EXPECT_DOUBLE_EQ(m->revenue_at.at(10), 0.1);
  EXPECT_DOUBLE_EQ(m->auc, 14.0 / 21.0);  // pairs fraud>legit: 7 + 7 + 0 of 3 x 7
  EXPECT_DOUBLE_EQ(m->base_rate, 0.3);
  EXPECT_THAT(Evaluate({}, {}, {}), HasReason("bad-metrics-input"));
  EXPECT_THAT(Evaluate({1}, {true, false}, {1}), HasReason("bad-metrics-input"));
}

TEST(MetricsTest, PsiIsZeroForTheSameDistributionAndGrowsWithShift) {
  std::vector<double> a;
  std::vector<double> b;
  for (int k = 0; k < 1000; ++k) {
    a.push_back(k / 1000.0);
    b.push_back(0.5 + k / 2000.0);
  }
  EXPECT_NEAR(PopulationStabilityIndex(a, a), 0.0, 1e-12);
  EXPECT_GT(PopulationStabilityIndex(a, b), 0.25);
  EXPECT_EQ(PopulationStabilityIndex(a, {}), 0.0);
}

}  // namespace
}  // namespace clearway::risk
