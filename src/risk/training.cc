#include "risk/training.h"

#include <chrono>

namespace clearway::risk {

Result<TimeSplit> SplitAt(const std::vector<DeclarationRecord>& records, Date eval_from) {
  TimeSplit split;
  split.eval_from = eval_from;
  for (const auto& r : records) {
    if (r.date < eval_from) {
      ++split.train_rows;
    } else {
      ++split.eval_rows;
    }
  }
  if (split.train_rows == 0 || split.eval_rows == 0) {
    return Error::InvalidArgument("", "bad-split",
                                  "the split at " + FormatDate(eval_from) + " leaves " +
                                      std::to_string(split.train_rows) + " rows to train and " +
                                      std::to_string(split.eval_rows) + " to evaluate");
  }
  split.train_from = records.front().date;
  split.eval_to = records.back().date;
  return split;
}

Result<TimeSplit> ChooseSplit(const std::vector<DeclarationRecord>& records, double eval_share) {
  if (!(eval_share > 0 && eval_share < 1) || records.empty()) {
    return Error::InvalidArgument("", "bad-split", "the evaluation share must be in (0, 1)");
  }
  const double train_target = (1 - eval_share) * static_cast<double>(records.size());
  size_t i = 0;
  while (i < records.size() && static_cast<double>(i) < train_target) ++i;
  // Move to the start of the next day so that a day is never cut in two.
  while (i > 0 && i < records.size() && records[i].date == records[i - 1].date) ++i;
  if (i >= records.size()) {
    return Error::InvalidArgument("", "bad-split", "no later day is left to evaluate on");
  }
  return SplitAt(records, records[i].date);
}

Result<PeriodScores> ScorePeriod(const FraudModel& model,
                                 const std::vector<DeclarationRecord>& records, Date eval_from,
                                 const FeatureOptions& features) {
  FeatureBuilder history(features);
  FeatureMatrix matrix = BuildFeatures(records, history, LabelPolicy{eval_from});
  PeriodScores out;
  std::vector<std::vector<float>> rows;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].date < eval_from) continue;
    out.rows.push_back(i);
    rows.push_back(std::move(matrix.rows[i]));
  }
  if (rows.empty()) {
    return Error::InvalidArgument(
        "", "bad-split", "no rows dated " + FormatDate(eval_from) + " or later to evaluate");
  }
  CW_ASSIGN_OR_RETURN(out.scores, model.Predict(rows));
  std::vector<double> scores;
  std::vector<bool> fraud;
  std::vector<double> duties;
  for (size_t k = 0; k < out.rows.size(); ++k) {
    const auto& r = records[out.rows[k]];
    if (!r.fraud.has_value()) continue;
    scores.push_back(out.scores[k]);
    fraud.push_back(*r.fraud);
    duties.push_back(r.duty);
  }
  if (scores.empty()) {
    return Error::InvalidArgument("", "no-labels", "no labelled row in the evaluation period");
  }
  CW_ASSIGN_OR_RETURN(out.metrics, Evaluate(scores, fraud, duties));
  return out;
}

Result<TrainedModel> TrainWithHoldout(const std::vector<DeclarationRecord>& records,
                                      const TimeSplit& split, const TrainingOptions& options,
                                      const FeatureOptions& features) {
  FeatureBuilder history(features);
  std::vector<DeclarationRecord> train_records;
  for (const auto& r : records) {
    if (r.date < split.eval_from) train_records.push_back(r);
  }
  FeatureMatrix train = BuildFeatures(train_records, history, LabelPolicy{});
  auto start = std::chrono::steady_clock::now();
  CW_ASSIGN_OR_RETURN(FraudModel model, FraudModel::Train(train, options));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CW_ASSIGN_OR_RETURN(PeriodScores scored, ScorePeriod(model, records, split.eval_from, features));
  return TrainedModel{std::move(model), split, scored.metrics, seconds};
}

}  // namespace clearway::risk
