// File: risk/metrics.h
//
// How well a ranking of declarations finds fraud when only the top n % can be inspected:
// precision@n% (share of fraud among the inspected), recall@n% (share of all fraud caught),
// revenue@n% (share of the duty at stake of all fraudulent lines that the inspected fraudulent
// lines carry), AUC (rank statistic, ties averaged), and the population stability index (PSI)
// that measures drift of a score distribution.
//
//   auto m = risk::Evaluate(scores, labels, duties);   // m.precision_at[5] == 0.78
//   double psi = risk::PopulationStabilityIndex(last_month, this_month);  // > 0.25: drifted
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <vector>

#include "common/result.h"

namespace clearway::risk {

// The inspection rates every report uses, in percent.
inline constexpr int kInspectionPercents[] = {1, 2, 5, 10};

struct RankingMetrics {
  std::map<int, double> precision_at;  // percent -> value in [0, 1]
  std::map<int, double> recall_at;
  std::map<int, double> revenue_at;
  double auc = 0;
  size_t rows = 0;
  double base_rate = 0;  // share of fraud among all rows
};

// Evaluate() ranks by score (highest first; ties keep input order) and inspects the top
// ceil(n% x rows). Errors (kInvalidArgument): "bad-metrics-input" if the vectors differ in
// length or are empty.
Result<RankingMetrics> Evaluate(const std::vector<double>& scores, const std::vector<bool>& fraud,
                                const std::vector<double>& duties);

// PopulationStabilityIndex() compares `actual` with `expected` over ten bins cut at the
// deciles of `expected` (empty bins count as 0.0001). Returns 0 when either is empty.
double PopulationStabilityIndex(const std::vector<double>& expected,
                                const std::vector<double>& actual);

}  // namespace clearway::risk
