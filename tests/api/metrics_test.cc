// Metrics: the Prometheus text exposition format 0.0.4 and thread safety.
#include "api/metrics.h"

#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace clearway::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, RendersCountersWithLabels) {
  Metrics metrics;
  CounterFamily& filed =
      metrics.AddCounter("clearway_filed_total", "Declarations filed.", {"channel", "office"});
  filed.WithLabels({"red", "DE0001"}).Increment(2);
  filed.WithLabels({"green", "DE0001"}).Increment();
  filed.WithLabels({"red", "DE0001"}).Increment();
  EXPECT_EQ(filed.WithLabels({"red", "DE0001"}).value(), 3u);
  EXPECT_EQ(metrics.Render(),
            "# HELP clearway_filed_total Declarations filed.\n"
            "# TYPE clearway_filed_total counter\n"
            "clearway_filed_total{channel=\"green\",office=\"DE0001\"} 1\n"
            "clearway_filed_total{channel=\"red\",office=\"DE0001\"} 3\n");
}

TEST(MetricsTest, PlainCounterShowsZeroAndReRegistrationReturnsTheSameFamily) {
  Metrics metrics;
  CounterFamily& first = metrics.AddCounter("a_total", "A.");
  CounterFamily& again = metrics.AddCounter("a_total", "Ignored help.");
  EXPECT_EQ(&first, &again);
  EXPECT_THAT(metrics.Render(),
              HasSubstr("# HELP a_total A.\n# TYPE a_total counter\na_total 0\n"));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Metrics metrics;
  metrics.AddCounter("x_total", "Line one\nback\\slash", {"v"})
      .WithLabels({"quote\" back\\ nl\n"})
      .Increment();
  std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("# HELP x_total Line one\\nback\\\\slash\n"));
  EXPECT_THAT(text, HasSubstr("x_total{v=\"quote\\\" back\\\\ nl\\n\"} 1\n"));
}

TEST(MetricsTest, LabelValuesThatLookAlikeStayApart) {
  Metrics metrics;
  CounterFamily& family = metrics.AddCounter("pairs_total", "P.", {"a", "b"});
  family.WithLabels({"x", "yz"}).Increment();
  family.WithLabels({"xy", "z"}).Increment(5);
  EXPECT_EQ(family.WithLabels({"x", "yz"}).value(), 1u);
  EXPECT_EQ(family.WithLabels({"xy", "z"}).value(), 5u);
}

TEST(MetricsTest, RendersHistogramsCumulatively) {
  Metrics metrics;
  HistogramFamily& latency =
      metrics.AddHistogram("req_seconds", "Latency.", {"route"}, {0.1, 1, 10});
  Histogram& child = latency.WithLabels({"/x"});
  child.Observe(0.05);
  child.Observe(0.1);  // le is inclusive
  child.Observe(0.5);
  child.Observe(100);
  EXPECT_EQ(child.count(), 4u);
  EXPECT_EQ(metrics.Render(),
            "# HELP req_seconds Latency.\n"
            "# TYPE req_seconds histogram\n"
            "req_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "req_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "req_seconds_bucket{route=\"/x\",le=\"10\"} 3\n"
            "req_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "req_seconds_sum{route=\"/x\"} 100.65\n"
            "req_seconds_count{route=\"/x\"} 4\n");
}

TEST(MetricsTest, GaugeReadsItsCallbackAtRenderTime) {
  Metrics metrics;
  double value = 1.5;
  metrics.AddGauge("queue_depth", "Queued items.", [&value] { return value; });
  EXPECT_THAT(metrics.Render(), HasSubstr("# TYPE queue_depth gauge\nqueue_depth 1.5\n"));
  value = 7;
  EXPECT_THAT(metrics.Render(), HasSubstr("queue_depth 7\n"));
  metrics.AddGauge("queue_depth", "Queued items.", [] { return 0.0; });
  EXPECT_THAT(metrics.Render(), HasSubstr("queue_depth 0\n"));
}

TEST(MetricsTest, FamiliesAreSortedByName) {
  Metrics metrics;
  metrics.AddCounter("b_total", "B.");
  metrics.AddGauge("a_gauge", "A.", [] { return 1.0; });
  std::string text = metrics.Render();
  EXPECT_LT(text.find("a_gauge"), text.find("b_total"));
}

TEST(MetricsTest, ConcurrentIncrementsAreAllCounted) {
  Metrics metrics;
  CounterFamily& family = metrics.AddCounter("hits_total", "Hits.", {"worker"});
  HistogramFamily& histogram = metrics.AddHistogram("work_seconds", "Work.", {});
  std::vector<std::thread> threads;
  for (int thread_idx = 0; thread_idx < 8; ++thread_idx) {
    threads.emplace_back([&family, &histogram, &metrics, thread_idx] {
      for (int idx = 0; idx < 1000; ++idx) {
        family.WithLabels({thread_idx % 2 == 0 ? "even" : "odd"}).Increment();
        histogram.WithLabels({}).Observe(0.002);
        if (idx % 100 == 0) {
          EXPECT_THAT(metrics.Render(), Not(HasSubstr("NaN")));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(family.WithLabels({"even"}).value(), 4000u);
  EXPECT_EQ(family.WithLabels({"odd"}).value(), 4000u);
  EXPECT_EQ(histogram.WithLabels({}).count(), 8000u);
}

TEST(MetricsDeathTest, ProgrammerErrorsAbort) {
  Metrics metrics;
  EXPECT_DEATH(metrics.AddCounter("bad name", "x"), "CW_CHECK");
  metrics.AddCounter("taken_total", "x");
  EXPECT_DEATH(metrics.AddGauge("taken_total", "x", [] { return 0.0; }), "CW_CHECK");
  EXPECT_DEATH(metrics.AddCounter("taken_total", "x", {"label"}), "CW_CHECK");
  CounterFamily& family = metrics.AddCounter("two_total", "x", {"a", "b"});
  EXPECT_DEATH(family.WithLabels({"only-one"}), "CW_CHECK");
}

}  // namespace
}  // namespace clearway::api
