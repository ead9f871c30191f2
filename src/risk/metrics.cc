#include "risk/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace clearway::risk {

Result<RankingMetrics> Evaluate(const std::vector<double>& scores, const std::vector<bool>& fraud,
                                const std::vector<double>& duties) {
  if (scores.empty() || scores.size() != fraud.size() || scores.size() != duties.size()) {
    return Error::InvalidArgument("", "bad-metrics-input",
                                  "scores, labels and duties must be non-empty and of one length");
  }
  const size_t n = scores.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  double total_fraud = 0;
  double total_revenue = 0;
  for (size_t i = 0; i < n; ++i) {
    if (fraud[i]) {
      total_fraud += 1;
      total_revenue += duties[i];
    }
  }
  RankingMetrics m;
  m.rows = n;
  m.base_rate = total_fraud / static_cast<double>(n);
  for (int percent : kInspectionPercents) {
    size_t k = static_cast<size_t>(std::ceil(static_cast<double>(n) * percent / 100.0));
    k = std::clamp<size_t>(k, 1, n);
    double hits = 0;
    double revenue = 0;
    for (size_t rank = 0; rank < k; ++rank) {
      if (fraud[order[rank]]) {
        hits += 1;
        revenue += duties[order[rank]];
      }
    }
    m.precision_at[percent] = hits / static_cast<double>(k);
    m.recall_at[percent] = total_fraud > 0 ? hits / total_fraud : 0;
    m.revenue_at[percent] = total_revenue > 0 ? revenue / total_revenue : 0;
  }
  // AUC by the rank-sum (Mann-Whitney U) with average ranks for ties.
  std::vector<size_t> asc(order.rbegin(), order.rend());
  std::stable_sort(asc.begin(), asc.end(),
                   [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0;
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j + 1 < n && scores[asc[j + 1]] == scores[asc[i]]) ++j;
    double average_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (size_t t = i; t <= j; ++t) {
      if (fraud[asc[t]]) rank_sum += average_rank;
    }
    i = j + 1;
  }
  double negatives = static_cast<double>(n) - total_fraud;
  if (total_fraud > 0 && negatives > 0) {
    m.auc = (rank_sum - total_fraud * (total_fraud + 1) / 2.0) / (total_fraud * negatives);
  }
  return m;
}

double PopulationStabilityIndex(const std::vector<double>& expected,
                                const std::vector<double>& actual) {
  if (expected.empty() || actual.empty()) return 0;
  std::vector<double> sorted = expected;
  std::sort(sorted.begin(), sorted.end());
  constexpr int kBins = 10;
  std::vector<double> cuts;
  for (int b = 1; b < kBins; ++b) {
    cuts.push_back(sorted[sorted.size() * static_cast<size_t>(b) / kBins]);
  }
  auto shares = [&](const std::vector<double>& values) {
    std::vector<double> counts(kBins, 0);
    for (double v : values) {
      auto bin = std::upper_bound(cuts.begin(), cuts.end(), v) - cuts.begin();
      counts[static_cast<size_t>(bin)] += 1;
    }
    for (double& c : counts) c = std::max(c / static_cast<double>(values.size()), 0.0001);
    return counts;
  };
  std::vector<double> e = shares(expected);
  std::vector<double> a = shares(actual);
  double psi = 0;
  for (size_t b = 0; b < e.size(); ++b) psi += (a[b] - e[b]) * std::log(a[b] / e[b]);
  return psi;
}

}  // namespace clearway::risk
