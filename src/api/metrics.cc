// Prometheus registry; text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
#include "api/metrics.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "common/result.h"

namespace clearway::api {

namespace {
bool IsMetricName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t idx = 0; idx < name.size(); ++idx) {
    char c = name[idx];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (idx > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return !name.starts_with("__");
}

// Key() builds the child key into a per-thread buffer, so a lookup of an existing child
// allocates nothing.
template <class Range>
std::string_view Key(const Range& values) {
  thread_local std::string key;
  key.clear();
  for (std::string_view value : values) {
    key += std::to_string(value.size());
    key += ':';
    key += value;
  }
  return key;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

void AppendEscaped(std::string& out, std::string_view text, bool escape_quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

void AppendHeader(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  AppendEscaped(out, help, false);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// AppendSample() writes `name{labels[,extra]} value`.
void AppendSample(std::string& out, std::string_view name, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra_name,
                  std::string_view extra_value, std::string_view value) {
  out += name;
  if (!names.empty() || !extra_name.empty()) {
    out += '{';
    for (size_t idx = 0; idx < names.size(); ++idx) {
      if (idx > 0) out += ',';
      out += names[idx];
      out += "=\"";
      AppendEscaped(out, values[idx], true);
      out += '"';
    }
    if (!extra_name.empty()) {
      if (!names.empty()) out += ',';
      out += extra_name;
      out += "=\"";
      out += extra_value;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

template <class Child, class Range, class Make>
Child& FindOrAdd(internal::FamilyData<Child>& family, const Range& values, Make make) {
  // Label values are runtime data but their count is fixed by the code that registered the
  // family: a mismatch is a programming error.
  CW_CHECK(values.size() == family.label_names.size());
  std::scoped_lock lock(family.mu);
  std::string_view key = Key(values);
  auto it = family.children.find(key);
  if (it != family.children.end()) return *it->second.metric;
  internal::LabelledChild<Child> child;
  for (std::string_view value : values) child.values.emplace_back(value);
  child.metric = make();
  Child& ref = *child.metric;
  family.children.emplace(std::string(key), std::move(child));
  return ref;
}

template <class Child>
std::vector<const internal::LabelledChild<Child>*> Sorted(
    const std::map<std::string, internal::LabelledChild<Child>, std::less<>>& children) {
  std::vector<const internal::LabelledChild<Child>*> sorted;
  sorted.reserve(children.size());
  for (const auto& [key, child] : children) sorted.push_back(&child);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->values < b->values; });
  return sorted;
}
}  // namespace

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t idx = 0; idx <= bounds_->size(); ++idx) counts_[idx].store(0);
}

void Histogram::Observe(double value) {
  auto it = std::lower_bound(bounds_->begin(), bounds_->end(), value);  // first bound >= value
  auto idx = static_cast<size_t>(it - bounds_->begin());
  counts_[idx].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

uint64_t Histogram::count() const {
  uint64_t total = 0;
  for (size_t idx = 0; idx <= bounds_->size(); ++idx) total += counts_[idx].load();
  return total;
}

Counter& CounterFamily::WithLabels(std::initializer_list<std::string_view> values) {
  return FindOrAdd(data_, values, [] { return std::make_unique<Counter>(); });
}
Counter& CounterFamily::WithLabels(const std::vector<std::string_view>& values) {
  return FindOrAdd(data_, values, [] { return std::make_unique<Counter>(); });
}
Histogram& HistogramFamily::WithLabels(std::initializer_list<std::string_view> values) {
  return FindOrAdd(data_, values, [this] { return std::make_unique<Histogram>(&bounds_); });
}
Histogram& HistogramFamily::WithLabels(const std::vector<std::string_view>& values) {
  return FindOrAdd(data_, values, [this] { return std::make_unique<Histogram>(&bounds_); });
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

void Metrics::Claim(const std::string& name, Kind kind) {
  CW_CHECK(IsMetricName(name, true));  // metric names are fixed by code
  auto [it, inserted] = kinds_.emplace(name, kind);
  CW_CHECK(inserted || it->second == kind);  // one name, one kind
}

CounterFamily& Metrics::AddCounter(std::string name, std::string help,
                                   std::vector<std::string> label_names) {
  std::scoped_lock lock(mu_);
  Claim(name, Kind::kCounter);
  for (const std::string& label : label_names) CW_CHECK(IsMetricName(label, false));
  auto it = counters_.find(name);
  if (it != counters_.end()) {
    CW_CHECK(it->second->data_.label_names == label_names);
    return *it->second;
  }
  auto family = std::make_unique<CounterFamily>();
  family->data_.help = std::move(help);
  family->data_.label_names = std::move(label_names);
  CounterFamily& ref = *family;
  counters_.emplace(std::move(name), std::move(family));
  if (ref.data_.label_names.empty()) ref.WithLabels({});  // a plain counter shows 0 at once
  return ref;
}

HistogramFamily& Metrics::AddHistogram(std::string name, std::string help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> buckets) {
  std::scoped_lock lock(mu_);
  Claim(name, Kind::kHistogram);
  for (const std::string& label : label_names) {
    CW_CHECK(IsMetricName(label, false) && label != "le");
  }
  for (size_t idx = 0; idx < buckets.size(); ++idx) {
    CW_CHECK(std::isfinite(buckets[idx]) && (idx == 0 || buckets[idx - 1] < buckets[idx]));
  }
  auto it = histograms_.find(name);
  if (it != histograms_.end()) {
    CW_CHECK(it->second->data_.label_names == label_names && it->second->bounds_ == buckets);
    return *it->second;
  }
  auto family = std::make_unique<HistogramFamily>();
  family->data_.help = std::move(help);
  family->data_.label_names = std::move(label_names);
  family->bounds_ = std::move(buckets);
  HistogramFamily& ref = *family;
  histograms_.emplace(std::move(name), std::move(family));
  return ref;
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::scoped_lock lock(mu_);
  Claim(name, Kind::kGauge);
  gauges_[std::move(name)] = Gauge{std::move(help), std::move(read)};
}

std::string Metrics::Render() const {
  std::scoped_lock lock(mu_);
  std::string out;
  for (const auto& [name, kind] : kinds_) {
    switch (kind) {
      case Kind::kCounter: {
        const auto& family = counters_.at(name)->data_;
        AppendHeader(out, name, family.help, "counter");
        std::scoped_lock family_lock(family.mu);
        for (const auto* child : Sorted(family.children)) {
          AppendSample(out, name, family.label_names, child->values, {}, {},
                       std::to_string(child->metric->value()));
        }
        break;
      }
      case Kind::kHistogram: {
        const HistogramFamily& histograms = *histograms_.at(name);
        const auto& family = histograms.data_;
        const std::vector<double>& bounds = histograms.bounds_;
        AppendHeader(out, name, family.help, "histogram");
        std::scoped_lock family_lock(family.mu);
        for (const auto* child : Sorted(family.children)) {
          const Histogram& histogram = *child->metric;
          uint64_t cumulative = 0;
          for (size_t idx = 0; idx <= bounds.size(); ++idx) {
            cumulative += histogram.counts_[idx].load(std::memory_order_relaxed);
            std::string le = idx < bounds.size() ? FormatValue(bounds[idx]) : std::string("+Inf");
            AppendSample(out, name + "_bucket", family.label_names, child->values, "le", le,
                         std::to_string(cumulative));
          }
          AppendSample(out, name + "_sum", family.label_names, child->values, {}, {},
                       FormatValue(histogram.sum()));
          // _count equals the +Inf bucket by construction, even while observations race.
          AppendSample(out, name + "_count", family.label_names, child->values, {}, {},
                       std::to_string(cumulative));
        }
        break;
      }
      case Kind::kGauge: {
        const Gauge& gauge = gauges_.at(name);
        AppendHeader(out, name, gauge.help, "gauge");
        AppendSample(out, name, {}, {}, {}, {}, FormatValue(gauge.read ? gauge.read() : 0.0));
        break;
      }
    }
  }
  return out;
}

}  // namespace clearway::api
