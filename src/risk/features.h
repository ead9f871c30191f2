// File: risk/features.h
//
// Features that respect time. A FeatureBuilder holds the history the risk engine has seen:
// per-entity running counts (importer, declarant, seller, courier, HS6/HS4/HS2, origin,
// departure, office, tax type, and a few pairs such as importer x HS6), past fraud rates
// smoothed towards the overall rate (only labels the policy says were known), and a window of
// past unit prices per HS6 and HS6 x origin for the unit-price anomaly (robust z-score of
// log(price per kg) against the median and MAD of the past). Featurise() reads the history
// only; Observe() adds to it. BuildFeatures() walks records in date order and featurises every
// row of a day before observing any row of that day, so the features of a declaration dated d
// use nothing dated d or later (tests/risk/features_test.cc proves it).
//
//   risk::FeatureBuilder history;
//   risk::FeatureMatrix m = risk::BuildFeatures(records, history, LabelPolicy{});
//   m.rows[i]                        // FeatureNames().size() floats
//   history.UnitPriceAnomaly(rec)    // e.g. 4.2: price per kg far above the past median
//
// Thread safety: a FeatureBuilder is not thread-safe; Featurise() on a const one is.
//
// Cost: each price window keeps a sorted copy of its prices and its median and scale (1.4826 x
// MAD), refreshed by Observe() when the window changes, so Featurise() and UnitPriceAnomaly()
// only look them up (no copy, no selection per call), and build their lookup keys in a
// per-thread buffer instead of a new string per entity.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.h"
#include "risk/dataset.h"

namespace clearway::risk {

// LabelPolicy says which labels count as known while history is built: labels of records
// dated before `labels_before` (all, when unset) are learned; later ones are ignored, as if
// the inspection results were not back yet.
struct LabelPolicy {
  std::optional<Date> labels_before;
};

struct FeatureOptions {
  double prior_weight = 20;   // pseudo-count pulling a small entity's fraud rate to the mean
  size_t price_window = 256;  // past unit prices kept per HS6 (and HS6 x origin)
};

// FeatureMatrix is one row of features per record, in the records' order.
struct FeatureMatrix {
  std::vector<std::vector<float>> rows;
  std::vector<float> labels;  // 1 fraud, 0 not, -1 unknown
};

class FeatureBuilder {
 public:
  explicit FeatureBuilder(FeatureOptions options = {});

  // FeatureNames() names the columns of Featurise(), stable across versions of one model.
  static const std::vector<std::string>& FeatureNames();

  // Featurise() gives the feature vector of `record` from the history observed so far. When
  // `anomaly` is given it receives UnitPriceAnomaly(record) (the double the row holds as a
  // float), computed once for both.
  std::vector<float> Featurise(const DeclarationRecord& record, double* anomaly = nullptr) const;

  // UnitPriceAnomaly() is the robust z-score of log(price per kg) against past prices of the
  // same HS6 and origin (of the HS6 alone when fewer than 5 such prices), in the same currency
  // (DeclarationRecord::currency); 0 when the history
  // has fewer than 5 prices of the HS6 or the mass is zero. Capped to [-20, 20].
  double UnitPriceAnomaly(const DeclarationRecord& record) const;

  // Observe() adds a record to the history; its label is learned only if `learn_label`.
  void Observe(const DeclarationRecord& record, bool learn_label);

  // LearnLabel() adds a label that arrived later (inspection feedback) for a record already
  // observed without one.
  void LearnLabel(const DeclarationRecord& record, bool fraud);

  size_t observed() const { return observed_; }

 private:
  struct EntityStats {
    double count = 0;
    double labelled = 0;
    double fraud = 0;
    double critical = 0;
  };
  // The last `price_window` log unit prices in arrival order, the same sorted, and the
  // median and scale of the robust z-score, kept current by Add().
  struct PriceWindow {
    std::deque<double> log_unit_prices;
    std::vector<double> sorted;
    double median = 0;
    double scale = 0;
    void Add(double value, size_t capacity);
  };
  void AddLabel(const DeclarationRecord& record, bool fraud, int critical);
  // PriceAnomalies() gives UnitPriceAnomaly() and the z-score against the HS6 alone (0 when
  // that window has fewer than 5 prices or the mass is zero).
  void PriceAnomalies(const DeclarationRecord& record, double* anomaly, double* hs6_only) const;
  static std::optional<double> RobustZ(const std::unordered_map<std::string, PriceWindow>& windows,
                                       const std::string& key, double value);

  FeatureOptions options_;
  std::vector<std::unordered_map<std::string, EntityStats>> entities_;  // one map per kind
  std::unordered_map<std::string, PriceWindow> hs6_prices_;
  std::unordered_map<std::string, PriceWindow> hs6_origin_prices_;
  double labelled_ = 0;
  double fraud_ = 0;
  size_t observed_ = 0;
};

// BuildFeatures() featurises `records` (sorted by date) day by day: each day's rows from the
// history before that day, then observes them (labels per `policy`).
FeatureMatrix BuildFeatures(const std::vector<DeclarationRecord>& records, FeatureBuilder& history,
                            const LabelPolicy& policy);

}  // namespace clearway::risk
