#include "risk/features.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "risk/generated_data.h"
#include "testing/matchers.h"

namespace clearway::risk {
namespace {

size_t IndexOf(const std::string& name) {
  const auto& names = FeatureBuilder::FeatureNames();
  auto it = std::find(names.begin(), names.end(), name);
  EXPECT_NE(it, names.end()) << name;
  return static_cast<size_t>(it - names.begin());
}

DeclarationRecord Line(const std::string& id, Date date, const std::string& importer, double mass,
                       double price, bool fraud) {
  DeclarationRecord r;
  r.id = id;
  r.date = date;
  r.importer = importer;
  r.declarant = "D1";
  r.hs6 = "610910";
  r.origin = "CN";
  r.net_mass_kg = mass;
  r.item_price = price;
  r.fraud = fraud;
  return r;
}

constexpr Date kDay1 = std::chrono::year{2024} / 3 / 1;
constexpr Date kDay2 = std::chrono::year{2024} / 3 / 2;

// The leakage test: features of rows dated before t must not change when rows dated t or
// later are added, however extreme those rows are (new fraud labels, absurd prices, the same
// importers and commodities).
TEST(FeaturesTest, FeaturesOfEarlierRowsIgnoreEverythingLater) {
  std::vector<DeclarationRecord> past = testing::GeneratePlantedData(600, 11, 60);
  FeatureBuilder alone;
  FeatureMatrix before = BuildFeatures(past, alone, LabelPolicy{});

  std::vector<DeclarationRecord> with_future = past;
  Date last = past.back().date;
  for (int k = 0; k < 300; ++k) {
    DeclarationRecord f = past[static_cast<size_t>(k)];  // same entities as the past
    f.id = "FUTURE" + std::to_string(k);
    f.date = std::chrono::sys_days(last) + std::chrono::days(1 + k % 5);
    f.item_price = 1e12;
    f.net_mass_kg = 0.001;
    f.fraud = true;
    with_future.push_back(f);
  }
  FeatureBuilder extended;
  FeatureMatrix after = BuildFeatures(with_future, extended, LabelPolicy{});
  ASSERT_EQ(after.rows.size(), past.size() + 300);
  for (size_t i = 0; i < past.size(); ++i) {
    ASSERT_EQ(before.rows[i], after.rows[i]) << "row " << i << " changed";
  }
}

TEST(FeaturesTest, SameDayRowsDoNotSeeEachOther) {
  std::vector<DeclarationRecord> day = {Line("a", kDay1, "IMP", 10, 100, true),
                                        Line("b", kDay1, "IMP", 10, 100, true)};
  FeatureBuilder history;
  FeatureMatrix m = BuildFeatures(day, history, LabelPolicy{});
  EXPECT_EQ(m.rows[0], m.rows[1]);
  EXPECT_FLOAT_EQ(m.rows[1][IndexOf("importer_count")], 0.0f);
}

TEST(FeaturesTest, PastFraudRaisesTheImportersRate) {
  std::vector<DeclarationRecord> rows;
  for (int k = 0; k < 30; ++k)
    rows.push_back(Line("b" + std::to_string(k), kDay1, "BAD", 10, 100, true));
  for (int k = 0; k < 30; ++k)
    rows.push_back(Line("g" + std::to_string(k), kDay1, "GOOD", 10, 100, false));
  rows.push_back(Line("x", kDay2, "BAD", 10, 100, false));
  rows.push_back(Line("y", kDay2, "GOOD", 10, 100, false));
  FeatureBuilder history;
  FeatureMatrix m = BuildFeatures(rows, history, LabelPolicy{});
  size_t rate = IndexOf("importer_fraud_rate");
  EXPECT_GT(m.rows[60][rate], 0.7f);
  EXPECT_LT(m.rows[61][rate], 0.3f);
}

TEST(FeaturesTest, LabelsAfterThePolicyCutAreNotLearned) {
  std::vector<DeclarationRecord> rows;
  for (int k = 0; k < 30; ++k)
    rows.push_back(Line("b" + std::to_string(k), kDay1, "BAD", 10, 100, true));
  rows.push_back(Line("x", kDay2, "BAD", 10, 100, false));
  FeatureBuilder frozen;
  FeatureMatrix m = BuildFeatures(rows, frozen, LabelPolicy{kDay1});  // day-1 labels unknown
  size_t rate = IndexOf("importer_fraud_rate");
  EXPECT_FLOAT_EQ(m.rows[30][rate], 0.0f);  // no label known at all
  EXPECT_FLOAT_EQ(m.rows[30][IndexOf("importer_count")], std::log1p(30.0f));  // counts are
}

TEST(FeaturesTest, UnitPriceAnomalyFlagsAnUndervaluedLine) {
  FeatureBuilder history;
  for (int k = 0; k < 40; ++k) {
    history.Observe(Line("p" + std::to_string(k), kDay1, "I", 100, 2000 + 10.0 * k, false), true);
  }
  DeclarationRecord usual = Line("u", kDay2, "I", 100, 2150, false);
  DeclarationRecord cheap = Line("c", kDay2, "I", 100, 150, false);
  EXPECT_LT(std::abs(history.UnitPriceAnomaly(usual)), 1.0);
  EXPECT_LT(history.UnitPriceAnomaly(cheap), -5.0);
  DeclarationRecord massless = Line("m", kDay2, "I", 0, 150, false);
  EXPECT_EQ(history.UnitPriceAnomaly(massless), 0.0);
  DeclarationRecord unknown = cheap;
  unknown.hs6 = "010121";
  EXPECT_EQ(history.UnitPriceAnomaly(unknown), 0.0);  // no past prices of that commodity
}

TEST(FeaturesTest, PricesInAnotherCurrencyAreComparedOnlyWithTheirOwn) {
  FeatureBuilder history;
  for (int k = 0; k < 10; ++k) {
    history.Observe(Line("e" + std::to_string(k), kDay1, "I", 100, 2000, false), false);
  }
  // 1,450 KRW per EUR: the same goods in won look absurdly dear against euro prices.
  DeclarationRecord won = Line("w", kDay2, "I", 100, 2000 * 1450.0, false);
  won.currency = "KRW";
  EXPECT_EQ(history.UnitPriceAnomaly(won), 0.0);  // no won prices yet: no opinion
  DeclarationRecord unconverted = won;
  unconverted.currency = "";
  EXPECT_GT(history.UnitPriceAnomaly(unconverted), 19.0);  // what a mix-up would give
  for (int k = 0; k < 10; ++k) {
    DeclarationRecord past = won;
    past.id = "k" + std::to_string(k);
    history.Observe(past, false);
  }
  EXPECT_LT(std::abs(history.UnitPriceAnomaly(won)), 1.0);  // like with like
  EXPECT_LT(std::abs(history.UnitPriceAnomaly(Line("u", kDay2, "I", 100, 2000, false))), 1.0);
}

// The robust z-score straight from the definition: copy the window, select the median, then
// the median absolute deviation (what FeatureBuilder computed per call before it kept them).
double DirectZ(const std::deque<double>& window, double value) {
  std::vector<double> past(window.begin(), window.end());
  auto mid = past.begin() + static_cast<std::ptrdiff_t>(past.size() / 2);
  std::nth_element(past.begin(), mid, past.end());
  double median = *mid;
  for (double& p : past) p = std::abs(p - median);
  std::nth_element(past.begin(), mid, past.end());
  double scale = std::max(1.4826 * *mid, 0.05);
  return std::clamp((value - median) / scale, -20.0, 20.0);
}

// The windows' kept medians and scales give bit-identical z-scores to the direct computation
// while windows fill, overflow (prices leave in arrival order), hold repeated prices, and
// differ by origin; odd and even window sizes both.
TEST(FeaturesTest, KeptMedianAndScaleGiveTheDirectZScores) {
  for (size_t capacity : {size_t{16}, size_t{17}}) {
    FeatureBuilder history(FeatureOptions{.price_window = capacity});
    std::map<std::string, std::deque<double>> by_origin;
    std::deque<double> hs6;
    std::mt19937_64 rng(capacity);
    std::uniform_int_distribution<int> price(1, 40);  // few distinct prices: many ties
    const char* origins[] = {"CN", "VN", "BD"};
    size_t compared = 0;
    for (int k = 0; k < 400; ++k) {
      DeclarationRecord probe = Line("q", kDay2, "I", 3 + k % 7, 100.0 * price(rng), false);
      probe.origin = origins[k % 3];
      const double value = history.Featurise(probe)[IndexOf("log_unit_price")];
      const double exact = std::log((probe.item_price + 1.0) / (probe.net_mass_kg + 0.001));
      const auto& own = by_origin[probe.origin];
      double expected_hs6 = hs6.size() >= 5 ? DirectZ(hs6, exact) : 0;
      double expected = own.size() >= 5 ? DirectZ(own, exact) : expected_hs6;
      double anomaly = -1;
      std::vector<float> row = history.Featurise(probe, &anomaly);
      EXPECT_EQ(anomaly, expected) << k;
      EXPECT_EQ(history.UnitPriceAnomaly(probe), expected) << k;
      EXPECT_EQ(row[IndexOf("price_anomaly")], static_cast<float>(expected)) << k;
      EXPECT_EQ(row[IndexOf("price_anomaly_hs6")], static_cast<float>(expected_hs6)) << k;
      if (own.size() >= 5 && expected != 0) ++compared;
      EXPECT_FLOAT_EQ(static_cast<float>(exact), static_cast<float>(value));

      DeclarationRecord seen = Line("p" + std::to_string(k), kDay1, "I", 1 + k % 5,
                                    100.0 * price(rng), false);
      seen.origin = origins[(k * 7) % 3];
      history.Observe(seen, false);
      const double logged = std::log((seen.item_price + 1.0) / (seen.net_mass_kg + 0.001));
      for (auto* window : {&hs6, &by_origin[seen.origin]}) {
        window->push_back(logged);
        if (window->size() > capacity) window->pop_front();
      }
    }
    EXPECT_GT(compared, 300u);  // the windows were full (and overflowing) most of the time
  }
}

TEST(FeaturesTest, LearnLabelLaterCountsLikeAKnownLabel) {
  FeatureBuilder a;
  FeatureBuilder b;
  DeclarationRecord r = Line("r", kDay1, "IMP", 10, 100, true);
  a.Observe(r, true);
  b.Observe(r, false);
  EXPECT_NE(a.Featurise(r), b.Featurise(r));
  b.LearnLabel(r, true);
  EXPECT_EQ(a.Featurise(r), b.Featurise(r));
}

}  // namespace
}  // namespace clearway::risk
