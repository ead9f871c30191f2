// File: api/metrics.h
//
// A small thread-safe Prometheus registry: labelled counters and histograms, gauges read
// through a callback, and Render() in the text exposition format 0.0.4. The HTTP server
// records its own request metrics here; other modules add theirs through app.
//
//   Metrics metrics;
//   CounterFamily& filed = metrics.AddCounter("clearway_declarations_filed_total",
//                                             "Declarations filed.", {"channel"});
//   filed.WithLabels({"green"}).Increment();
//   metrics.AddGauge("clearway_ledger_size", "Leaves in the ledger.", [&] { return size(); });
//   std::string text = metrics.Render();   // served at /metrics
//
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]* and label names [a-zA-Z_][a-zA-Z0-9_]*; they
// are chosen by programmers, so a bad one (or a name registered twice with another kind or
// other labels) is a programmer error and aborts (CW_CHECK). Label values are free text and
// escaped on output. Families and children are never removed: references returned stay
// valid for the registry's lifetime. Keep label values bounded (route patterns, not paths).
//
// Thread safety: every method may be called from any thread. Increment() and Observe() on a
// child are lock-free; WithLabels() takes a mutex briefly.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace clearway::api {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Counter is a monotonically increasing count.
class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Histogram counts observations into cumulative `le` buckets and keeps their sum.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double value);
  // count() is the number of observations, sum() their total.
  uint64_t count() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  friend class Metrics;
  const std::vector<double>* bounds_;                // owned by the family
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, plus one for +Inf
  std::atomic<double> sum_{0.0};
};

namespace internal {
// LabelledChild is one child of a family with its label values.
template <class T>
struct LabelledChild {
  std::vector<std::string> values;
  std::unique_ptr<T> metric;
};

// FamilyData is what every family holds; children are keyed by the length-prefixed
// concatenation of their label values (unambiguous whatever the values contain).
template <class T>
struct FamilyData {
  std::string help;
  std::vector<std::string> label_names;
  mutable std::mutex mu;
  std::map<std::string, LabelledChild<T>, std::less<>> children;
};
}  // namespace internal

// CounterFamily / HistogramFamily hold one child per combination of label values.
class CounterFamily {
 public:
  // WithLabels() returns the child for these values (as many as the family has label
  // names; a wrong count aborts), creating it at zero on first use.
  Counter& WithLabels(std::initializer_list<std::string_view> values);
  Counter& WithLabels(const std::vector<std::string_view>& values);

 private:
  friend class Metrics;
  internal::FamilyData<Counter> data_;
};

class HistogramFamily {
 public:
  Histogram& WithLabels(std::initializer_list<std::string_view> values);
  Histogram& WithLabels(const std::vector<std::string_view>& values);

 private:
  friend class Metrics;
  internal::FamilyData<Histogram> data_;
  std::vector<double> bounds_;
};

// DefaultLatencyBuckets() are seconds from 1 ms to 10 s.
std::vector<double> DefaultLatencyBuckets();

// Metrics is the registry.
class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // AddCounter() registers a counter family, or returns the existing one of that name when
  // it has the same label names (help is kept from the first registration).
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});

  // AddHistogram() registers a histogram family with strictly increasing finite bucket
  // upper bounds (+Inf is implicit); same reuse rule as AddCounter().
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> buckets = DefaultLatencyBuckets());

  // AddGauge() registers a gauge whose value `read` gives at each Render(); `read` runs on
  // the rendering thread under the registry's lock, so it must not call into the registry,
  // and whatever it reads must outlive the registry (or the gauge be re-registered).
  // Registering a name again replaces the callback.
  void AddGauge(std::string name, std::string help, std::function<double()> read);

  // Render() is the whole registry in the Prometheus text format 0.0.4, families sorted by
  // name, children by label values.
  std::string Render() const;

 private:
  enum class Kind { kCounter, kHistogram, kGauge };
  struct Gauge {
    std::string help;
    std::function<double()> read;
  };
  void Claim(const std::string& name, Kind kind);

  mutable std::mutex mu_;
  std::map<std::string, Kind> kinds_;
  std::map<std::string, std::unique_ptr<CounterFamily>> counters_;
  std::map<std::string, std::unique_ptr<HistogramFamily>> histograms_;
  std::map<std::string, Gauge> gauges_;
};

}  // namespace clearway::api
