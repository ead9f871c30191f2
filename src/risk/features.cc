#include "risk/features.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace clearway::risk {

namespace {

// A KeyFn writes an entity's key into `out`, reusing its buffer (no allocation once warm).
using KeyFn = void (*)(const DeclarationRecord&, std::string& out);

struct EntityKind {
  const char* name;
  KeyFn key;
};

void Pair(std::string& out, const std::string& a, const std::string& b) {
  out.assign(a);
  out += '|';
  out += b;
}

// The entities whose history is a feature. Pairs catch an importer new to a commodity, or a
// declarant working for an unusual importer, which single entities cannot.
const EntityKind kKinds[] = {
    {"importer", [](const DeclarationRecord& r, std::string& k) { k.assign(r.importer); }},
    {"declarant", [](const DeclarationRecord& r, std::string& k) { k.assign(r.declarant); }},
    {"seller", [](const DeclarationRecord& r, std::string& k) { k.assign(r.seller); }},
    {"courier", [](const DeclarationRecord& r, std::string& k) { k.assign(r.courier); }},
    {"hs6", [](const DeclarationRecord& r, std::string& k) { k.assign(r.hs6); }},
    {"hs4", [](const DeclarationRecord& r, std::string& k) { k.assign(r.hs6, 0, 4); }},
    {"hs2", [](const DeclarationRecord& r, std::string& k) { k.assign(r.hs6, 0, 2); }},
    {"origin", [](const DeclarationRecord& r, std::string& k) { k.assign(r.origin); }},
    {"departure", [](const DeclarationRecord& r, std::string& k) { k.assign(r.departure); }},
    {"office", [](const DeclarationRecord& r, std::string& k) { k.assign(r.office); }},
    {"tax_type", [](const DeclarationRecord& r, std::string& k) { k.assign(r.tax_type); }},
    {"procedure", [](const DeclarationRecord& r, std::string& k) { k.assign(r.procedure); }},
    {"import_type", [](const DeclarationRecord& r, std::string& k) { k.assign(r.import_type); }},
    {"import_use", [](const DeclarationRecord& r, std::string& k) { k.assign(r.import_use); }},
    {"payment_type",
     [](const DeclarationRecord& r, std::string& k) { k.assign(r.payment_type); }},
    {"transport_mode",
     [](const DeclarationRecord& r, std::string& k) { k.assign(r.transport_mode); }},
    {"origin_indicator",
     [](const DeclarationRecord& r, std::string& k) { k.assign(r.origin_indicator); }},
    {"importer_hs6", [](const DeclarationRecord& r, std::string& k) { Pair(k, r.importer, r.hs6); }},
    {"declarant_importer",
     [](const DeclarationRecord& r, std::string& k) { Pair(k, r.declarant, r.importer); }},
    {"seller_importer",
     [](const DeclarationRecord& r, std::string& k) { Pair(k, r.seller, r.importer); }},
    {"hs6_origin", [](const DeclarationRecord& r, std::string& k) { Pair(k, r.hs6, r.origin); }},
    {"declarant_hs6",
     [](const DeclarationRecord& r, std::string& k) { Pair(k, r.declarant, r.hs6); }},
};
constexpr size_t kKindCount = std::size(kKinds);
constexpr size_t kMinPrices = 5;
constexpr double kMaxZ = 20;

double LogUnitPrice(const DeclarationRecord& r) {
  return std::log((r.item_price + 1.0) / (r.net_mass_kg + 0.001));
}

// The price windows of a line: per HS6 (and HS6 x origin), and per currency when the line's
// prices are not in the history's currency, so like is compared with like.
void PriceKey(const DeclarationRecord& r, std::string& out) {
  out.assign(r.hs6);
  if (!r.currency.empty()) {
    out += '@';
    out += r.currency;
  }
}

// Per-thread key buffers: Featurise() runs for every line of every filing, often at once.
std::string& EntityKeyBuffer() {
  thread_local std::string buffer;
  return buffer;
}
std::string& PriceKeyBuffer() {
  thread_local std::string buffer;
  return buffer;
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

void FeatureBuilder::PriceWindow::Add(double value, size_t capacity) {
  log_unit_prices.push_back(value);
  sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), value), value);
  if (log_unit_prices.size() > capacity) {
    sorted.erase(std::lower_bound(sorted.begin(), sorted.end(), log_unit_prices.front()));
    log_unit_prices.pop_front();
  }
  if (sorted.empty()) return;
  // The median is the element at n/2 in order (the upper one of an even window), and the MAD
  // the element at n/2 of the absolute deviations from it. Those deviations are two sorted runs
  // walking outwards from the median, so merging them finds it in n/2 steps.
  const size_t n = sorted.size();
  const size_t mid = n / 2;
  median = sorted[mid];
  size_t below = mid;  // next candidate: sorted[below - 1]
  size_t above = mid;  // next candidate: sorted[above]
  double mad = 0;
  for (size_t taken = 0; taken <= mid; ++taken) {
    const double inf = std::numeric_limits<double>::infinity();
    double down = below > 0 ? std::abs(sorted[below - 1] - median) : inf;
    double up = above < n ? std::abs(sorted[above] - median) : inf;
    if (down <= up) {
      mad = down;
      --below;
    } else {
      mad = up;
      ++above;
    }
  }
  // 1.4826 x MAD estimates the standard deviation of a normal; the floor keeps a commodity
  // whose past prices are all equal from turning any difference into an infinite score.
  scale = std::max(1.4826 * mad, 0.05);
}

std::optional<double> FeatureBuilder::RobustZ(
    const std::unordered_map<std::string, PriceWindow>& windows, const std::string& key,
    double value) {
  auto it = windows.find(key);
  if (it == windows.end() || it->second.sorted.size() < kMinPrices) return std::nullopt;
  return std::clamp((value - it->second.median) / it->second.scale, -kMaxZ, kMaxZ);
}

void FeatureBuilder::PriceAnomalies(const DeclarationRecord& r, double* anomaly,
                                    double* hs6_only) const {
  *anomaly = 0;
  *hs6_only = 0;
  if (r.net_mass_kg <= 0) return;
  const double value = LogUnitPrice(r);
  std::string& key = PriceKeyBuffer();
  PriceKey(r, key);
  *hs6_only = RobustZ(hs6_prices_, key, value).value_or(0);
  key += '|';
  key += r.origin;
  *anomaly = RobustZ(hs6_origin_prices_, key, value).value_or(*hs6_only);
}

double FeatureBuilder::UnitPriceAnomaly(const DeclarationRecord& record) const {
  double anomaly = 0;
  double hs6_only = 0;
  PriceAnomalies(record, &anomaly, &hs6_only);
  return anomaly;
}

std::vector<float> FeatureBuilder::Featurise(const DeclarationRecord& r, double* anomaly) const {
  double price_anomaly = 0;
  double price_anomaly_hs6 = 0;
  PriceAnomalies(r, &price_anomaly, &price_anomaly_hs6);
  if (anomaly != nullptr) *anomaly = price_anomaly;
  std::vector<float> row;
  row.reserve(FeatureNames().size());
  auto push = [&row](double v) { row.push_back(static_cast<float>(v)); };
  push(std::log1p(r.net_mass_kg));
  push(std::log1p(r.item_price));
  push(LogUnitPrice(r));
  push(r.tax_rate_percent);
  push(std::log1p(r.duty));
  push(price_anomaly);
  push(price_anomaly_hs6);
  push(static_cast<double>(std::chrono::weekday(std::chrono::sys_days(r.date)).c_encoding()));
  push(r.seller.empty() ? 0 : 1);
  push(r.courier.empty() ? 0 : 1);
  push(r.origin == r.departure ? 1 : 0);
  double base = labelled_ > 0 ? fraud_ / labelled_ : 0;
  double m = options_.prior_weight;
  std::string& key = EntityKeyBuffer();
  for (size_t kind = 0; kind < kKindCount; ++kind) {
    const auto& map = entities_[kind];
    kKinds[kind].key(r, key);
    auto it = map.find(key);
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
  std::string& key = EntityKeyBuffer();
  for (size_t kind = 0; kind < kKindCount; ++kind) {
    kKinds[kind].key(r, key);
    EntityStats& s = entities_[kind][key];
    s.labelled += 1;
    s.fraud += fraud ? 1 : 0;
    s.critical += critical >= 2 ? 1 : 0;
  }
}

void FeatureBuilder::Observe(const DeclarationRecord& r, bool learn_label) {
  ++observed_;
  std::string& key = EntityKeyBuffer();
  for (size_t kind = 0; kind < kKindCount; ++kind) {
    kKinds[kind].key(r, key);
    entities_[kind][key].count += 1;
  }
  if (r.net_mass_kg > 0) {
    const double value = LogUnitPrice(r);
    std::string& price_key = PriceKeyBuffer();
    PriceKey(r, price_key);
    hs6_prices_[price_key].Add(value, options_.price_window);
    price_key += '|';
    price_key += r.origin;
    hs6_origin_prices_[price_key].Add(value, options_.price_window);
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
