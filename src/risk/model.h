// File: risk/model.h
//
// FraudModel: gradient-boosted trees (XGBoost, binary logistic) over the time-respecting
// features of risk/features.h. The model is a byte string (XGBoost's JSON model format); its
// id is the SHA-256 of those bytes in hex, so the same bytes always have the same id and the
// ledger can commit to the exact model that scored a declaration. XGBoost stays inside
// risk/xgb_model.cc: no XGBoost type crosses this header.
//
//   auto model = risk::FraudModel::Train(features, risk::TrainingOptions{});
//   double p = model->PredictOne(row).value();             // fraud probability
//   auto why = model->TopContributions(row, 3).value();     // {"importer_fraud_rate", +1.7}, ...
//   auto same = risk::FraudModel::FromBytes(model->bytes());  // same id()
//
// Thread safety: a FraudModel is not thread-safe; callers serialise use (RiskEngine does).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "risk/features.h"

namespace clearway::risk {

struct TrainingOptions {
  int rounds = 400;
  double learning_rate = 0.05;
  int max_depth = 7;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double min_child_weight = 2;
  int threads = 2;  // the machine is shared; never more than asked
  uint64_t seed = 7;
};

// Contribution is one feature's share of a prediction in log-odds (XGBoost's
// pred_contribs): positive pushes towards fraud.
struct Contribution {
  std::string feature;
  double log_odds = 0;
};

// How contributions are computed: exact TreeSHAP (Shapley values, consistent; ~10 ms per line
// for the default 400 trees of depth 7) or XGBoost's approximate path attribution (Saabas;
// ~1 ms). Both sum, with the bias, to the prediction's log-odds.
enum class ContributionMethod { kExactShap, kApproximate };

class FraudModel {
 public:
  FraudModel(FraudModel&&) noexcept;
  FraudModel& operator=(FraudModel&&) noexcept;
  FraudModel(const FraudModel&) = delete;
  FraudModel& operator=(const FraudModel&) = delete;
  ~FraudModel();

  // Train() fits a model on the rows whose label is 0 or 1 (unknown -1 rows are skipped).
  // Errors: kInvalidArgument "no-labels" (no labelled rows, or only one class),
  // "bad-features" (rows of differing width); kInternal "xgboost-failed" (the library refused).
  static Result<FraudModel> Train(const FeatureMatrix& features, const TrainingOptions& options);

  // FromBytes() loads a model saved by bytes(). kDataLoss "bad-model" if XGBoost cannot read
  // it or its feature count is not FeatureBuilder::FeatureNames().size().
  static Result<FraudModel> FromBytes(std::string bytes);

  // Predict() gives the fraud probability of each row. kInvalidArgument "bad-features" if a
  // row's width is not the feature count; kInternal "xgboost-failed".
  Result<std::vector<double>> Predict(const std::vector<std::vector<float>>& rows) const;
  Result<double> PredictOne(const std::vector<float>& row) const;

  // TopContributions() gives the `k` features that moved this prediction most (by absolute
  // log-odds), largest first. Errors as Predict().
  Result<std::vector<Contribution>> TopContributions(
      const std::vector<float>& row, size_t k,
      ContributionMethod method = ContributionMethod::kExactShap) const;

  const std::string& bytes() const { return bytes_; }
  const std::string& id() const { return id_; }

 private:
  struct Booster;
  FraudModel(std::unique_ptr<Booster> booster, std::string bytes);

  std::unique_ptr<Booster> booster_;
  std::string bytes_;
  std::string id_;
};

}  // namespace clearway::risk
