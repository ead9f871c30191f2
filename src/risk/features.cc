#include "risk/features.h"

#include <algorithm>
#include <cmath>

namespace clearway::risk {

namespace {

using KeyFn = std::string (*)(const DeclarationRecord&);

struct EntityKind {
  const char* name;
  KeyFn key;
};

// The entities whose history is a feature. Pairs catch an importer new to a commodity, or a
// declarant working for an unusual importer, which single entities cannot.
const EntityKind kKinds[] = {
    {"importer", [](const DeclarationRecord& r) { return r.importer; }},
    {"declarant", [](const DeclarationRecord& r) { return r.declarant; }},
    {"seller", [](const DeclarationRecord& r) { return r.seller; }},
    {"courier", [](const DeclarationRecord& r) { return r.courier; }},
    {"hs6", [](const DeclarationRecord& r) { return r.hs6; }},
    {"hs4", [](const DeclarationRecord& r) { return r.hs6.substr(0, 4); }},
    {"hs2", [](const DeclarationRecord& r) { return r.hs6.substr(0, 2); }},
    {"origin", [](const DeclarationRecord& r) { return r.origin; }},
    {"departure", [](const DeclarationRecord& r) { return r.departure; }},
    {"office", [](const DeclarationRecord& r) { return r.office; }},
    {"tax_type", [](const DeclarationRecord& r) { return r.tax_type; }},
    {"procedure", [](const DeclarationRecord& r) { return r.procedure; }},
    {"import_type", [](const DeclarationRecord& r) { return r.import_type; }},
    {"import_use", [](const DeclarationRecord& r) { return r.import_use; }},
    {"payment_type", [](const DeclarationRecord& r) { return r.payment_type; }},
    {"transport_mode", [](const DeclarationRecord& r) { return r.transport_mode; }},
    {"origin_indicator", [](const DeclarationRecord& r) { return r.origin_indicator; }},
    {"importer_hs6", [](const DeclarationRecord& r) { return r.importer + "|" + r.hs6; }},
    {"declarant_importer",
     [](const DeclarationRecord& r) { return r.declarant + "|" + r.importer; }},
    {"seller_importer", [](const DeclarationRecord& r) { return r.seller + "|" + r.importer; }},
    {"hs6_origin", [](const DeclarationRecord& r) { return r.hs6 + "|" + r.origin; }},
    {"declarant_hs6", [](const DeclarationRecord& r) { return r.declarant + "|" + r.hs6; }},
};
constexpr size_t kKindCount = std::size(kKinds);
constexpr size_t kMinPrices = 5;
constexpr double kMaxZ = 20;

double LogUnitPrice(const DeclarationRecord& r) {
  return std::log((r.item_price + 1.0) / (r.net_mass_kg + 0.001));
}

// The price windows of a line: per HS6 (and HS6 x origin), and per currency when the line's
// prices are not in the history's currency, so like is compared with like.
std::string PriceKey(const DeclarationRecord& r) {
  return r.currency.empty() ? r.hs6 : r.hs6 + "@" + r.currency;
}

std::vector<std::string> MakeNames() {
  std::vector<std::string> names = {
      "log_net_mass", "log_item_price", "log_unit_price",     "tax_rate",
      "log_duty",     "price_anomaly",  "price_anomaly_hs6",  "weekday",
      "has_seller",   "has_courier",    "origin_is_departure"};
  for (const auto& kind : kKinds) {
    names.push_back(std::string(kind.name) + "_count");
    names.push_back(std::string(kind.name) + "_fraud_rate");
    names.push_back(std::string(kind.name) + "_critical_rate");
  }
  return names;
}

}  // namespace

FeatureBuilder::FeatureBuilder(FeatureOptions options) : options_(options), entities_(kKindCount) {}

const std::vector<std::string>& FeatureBuilder::FeatureNames() {
  static const std::vector<std::string> kNames = MakeNames();
  return kNames;
}

std::optional<double> FeatureBuilder::RobustZ(
    const std::unordered_map<std::string, PriceWindow>& windows, const std::string& key,
    double value) const {
  auto it = windows.find(key);
  if (it == windows.end() || it->second.log_unit_prices.size() < kMinPrices) return std::nullopt;
  // A scratch buffer per thread: this runs for every line of every filing, often at once.
  thread_local std::vector<double> past;
  past.assign(it->second.log_unit_prices.begin(), it->second.log_unit_prices.end());
  auto mid = past.begin() + static_cast<std::ptrdiff_t>(past.size() / 2);
  std::nth_element(past.begin(), mid, past.end());
  double median = *mid;
  for (double& p : past) p = std::abs(p - median);
  std::nth_element(past.begin(), mid, past.end());
  // 1.4826 x MAD estimates the standard deviation of a normal; the floor keeps a commodity
  // whose past prices are all equal from turning any difference into an infinite score.
  double scale = std::max(1.4826 * *mid, 0.05);
  return std::clamp((value - median) / scale, -kMaxZ, kMaxZ);
}

double FeatureBuilder::UnitPriceAnomaly(const DeclarationRecord& record) const {
  if (record.net_mass_kg <= 0) return 0;
  double value = LogUnitPrice(record);
  const std::string key = PriceKey(record);
  if (auto z = RobustZ(hs6_origin_prices_, key + "|" + record.origin, value)) return *z;
  return RobustZ(hs6_prices_, key, value).value_or(0);
}

std::vector<float> FeatureBuilder::Featurise(const DeclarationRecord& r) const {
  std::vector<float> row;
  row.reserve(FeatureNames().size());
  auto push = [&row](double v) { row.push_back(static_cast<float>(v)); };
  push(std::log1p(r.net_mass_kg));
  push(std::log1p(r.item_price));
  push(LogUnitPrice(r));
  push(r.tax_rate_percent);
  push(std::log1p(r.duty));
  push(UnitPriceAnomaly(r));
  push(r.net_mass_kg > 0 ? RobustZ(hs6_prices_, PriceKey(r), LogUnitPrice(r)).value_or(0) : 0);
  push(static_cast<double>(std::chrono::weekday(std::chrono::sys_days(r.date)).c_encoding()));
  push(r.seller.empty() ? 0 : 1);
  push(r.courier.empty() ? 0 : 1);
  push(r.origin == r.departure ? 1 : 0);
  double base = labelled_ > 0 ? fraud_ / labelled_ : 0;
  double m = options_.prior_weight;
  for (size_t kind = 0; kind < kKindCount; ++kind) {
    const auto& map = entities_[kind];
    auto it = map.find(kKinds[kind].key(r));
    EntityStats s = it == map.end() ? EntityStats{} : it->second;
    push(std::log1p(s.count));
    push((s.fraud + m * base) / (s.labelled + m));
    push(s.critical / (s.labelled + m));
  }
  return row;
}

void FeatureBuilder::AddLabel(const DeclarationRecord& r, bool fraud, int critical) {
  labelled_ += 1;
  fraud_ += fraud ? 1 : 0;
  for (size_t kind = 0; kind < kKindCount; ++kind) {
    EntityStats& s = entities_[kind][kKinds[kind].key(r)];
    s.labelled += 1;
    s.fraud += fraud ? 1 : 0;
    s.critical += critical >= 2 ? 1 : 0;
  }
}

void FeatureBuilder::Observe(const DeclarationRecord& r, bool learn_label) {
  ++observed_;
  for (size_t kind = 0; kind < kKindCount; ++kind) {
    entities_[kind][kKinds[kind].key(r)].count += 1;
  }
  if (r.net_mass_kg > 0) {
    double value = LogUnitPrice(r);
    const std::string key = PriceKey(r);
    for (auto* window : {&hs6_prices_[key], &hs6_origin_prices_[key + "|" + r.origin]}) {
      window->log_unit_prices.push_back(value);
      if (window->log_unit_prices.size() > options_.price_window) {
        window->log_unit_prices.pop_front();
      }
    }
  }
  if (learn_label && r.fraud.has_value()) AddLabel(r, *r.fraud, r.critical);
}

void FeatureBuilder::LearnLabel(const DeclarationRecord& r, bool fraud) {
  AddLabel(r, fraud, fraud ? std::max(r.critical, 1) : 0);
}

FeatureMatrix BuildFeatures(const std::vector<DeclarationRecord>& records, FeatureBuilder& history,
                            const LabelPolicy& policy) {
  FeatureMatrix m;
  m.rows.reserve(records.size());
  m.labels.reserve(records.size());
  size_t day_start = 0;
  while (day_start < records.size()) {
    size_t day_end = day_start;
    while (day_end < records.size() && records[day_end].date == records[day_start].date) {
      ++day_end;
    }
    for (size_t i = day_start; i < day_end; ++i) {
      m.rows.push_back(history.Featurise(records[i]));
      const auto& label = records[i].fraud;
      m.labels.push_back(label.has_value() ? (*label ? 1.0f : 0.0f) : -1.0f);
    }
    for (size_t i = day_start; i < day_end; ++i) {
      bool known = !policy.labels_before.has_value() || records[i].date < *policy.labels_before;
      history.Observe(records[i], known);
    }
    day_start = day_end;
  }
  return m;
}

}  // namespace clearway::risk
