// File: risk/training.h
//
// Training and evaluation on a time-ordered split: the earliest days train the model, the
// latest days (never seen in training) measure it. Whole days go to one side. While the
// evaluation period is featurised, counts keep growing (they are known when a declaration is
// lodged) but no label of the evaluation period is learned: labels are frozen at the split,
// the strictest reading of "nothing after t" and the one the published figures compare with.
//
//   auto split = risk::ChooseSplit(records, 0.25);          // latest ~25 % of rows held out
//   auto trained = risk::TrainWithHoldout(records, *split, risk::TrainingOptions{});
//   trained->metrics.precision_at[5];                        // on the held-out period
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "risk/dataset.h"
#include "risk/features.h"
#include "risk/metrics.h"
#include "risk/model.h"

namespace clearway::risk {

// TimeSplit: train on [train_from, eval_from), evaluate on [eval_from, eval_to].
struct TimeSplit {
  Date train_from = std::chrono::year{1970} / 1 / 1;
  Date eval_from = std::chrono::year{1970} / 1 / 1;
  Date eval_to = std::chrono::year{1970} / 1 / 1;
  size_t train_rows = 0;
  size_t eval_rows = 0;
};

// ChooseSplit() puts the first day at which at least (1 - eval_share) of the rows lie before
// it as eval_from. kInvalidArgument "bad-split" if eval_share is not in (0, 1) or a side would
// be empty (e.g. every row on one day).
Result<TimeSplit> ChooseSplit(const std::vector<DeclarationRecord>& records, double eval_share);

// SplitAt() is the split at a given first evaluation day; "bad-split" if a side is empty.
Result<TimeSplit> SplitAt(const std::vector<DeclarationRecord>& records, Date eval_from);

// PeriodScores are a model's scores of the evaluation period.
struct PeriodScores {
  std::vector<size_t> rows;    // indices into the records
  std::vector<double> scores;  // fraud probability, one per row
  RankingMetrics metrics;
};

// ScorePeriod() builds history over all `records` (sorted by date) with labels frozen at
// `eval_from` and scores the rows dated eval_from or later. Errors: "bad-split" if there are
// none; "no-labels" if none is labelled; model errors as FraudModel::Predict().
Result<PeriodScores> ScorePeriod(const FraudModel& model,
                                 const std::vector<DeclarationRecord>& records, Date eval_from,
                                 const FeatureOptions& features = {});

struct TrainedModel {
  FraudModel model;
  TimeSplit split;
  RankingMetrics metrics;  // on the evaluation period
  double training_seconds = 0;
};

// TrainWithHoldout() trains on the rows before split.eval_from and evaluates on the rest.
// Errors as FraudModel::Train() and ScorePeriod().
Result<TrainedModel> TrainWithHoldout(const std::vector<DeclarationRecord>& records,
                                      const TimeSplit& split, const TrainingOptions& options,
                                      const FeatureOptions& features = {});

}  // namespace clearway::risk
