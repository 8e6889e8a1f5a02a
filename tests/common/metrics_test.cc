#include "common/metrics.h"

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace segue::metrics {
namespace {

TEST(Metrics, CounterAndGaugeExposition) {
  Registry r;
  Counter& c = r.AddCounter("segue_things_total", "Things seen.");
  c.Inc();
  c.Inc(41);
  Gauge& g = r.AddGauge("segue_temperature", "Current temperature.");
  g.Set(2.5);
  g.Add(-1);
  r.AddCallbackGauge("segue_answer", "Computed at scrape.", [] { return 42.0; });
  r.AddCallbackCounter("segue_kept_elsewhere_total", "Owned by another component.", [] { return 7.0; });
  EXPECT_EQ(r.RenderText(),
            "# HELP segue_things_total Things seen.\n"
            "# TYPE segue_things_total counter\n"
            "segue_things_total 42\n"
            "# HELP segue_temperature Current temperature.\n"
            "# TYPE segue_temperature gauge\n"
            "segue_temperature 1.5\n"
            "# HELP segue_answer Computed at scrape.\n"
            "# TYPE segue_answer gauge\n"
            "segue_answer 42\n"
            "# HELP segue_kept_elsewhere_total Owned by another component.\n"
            "# TYPE segue_kept_elsewhere_total counter\n"
            "segue_kept_elsewhere_total 7\n");
}

TEST(Metrics, CallbackHistogramRendersTheSnapshotItIsGiven) {
  Registry r;
  HistogramSnapshot snapshot{{0.5, 1}, {2, 0, 1}, 1.75};
  r.AddCallbackHistogram("segue_window", "A window.", [&snapshot] { return snapshot; });
  const std::string expected_head = "# HELP segue_window A window.\n# TYPE segue_window histogram\n";
  EXPECT_EQ(r.RenderText(), expected_head +
                                "segue_window_bucket{le=\"0.5\"} 2\n"
                                "segue_window_bucket{le=\"1\"} 2\n"
                                "segue_window_bucket{le=\"+Inf\"} 3\n"
                                "segue_window_sum 1.75\n"
                                "segue_window_count 3\n");
  snapshot.bucket_counts = {1, 0, 0};  // a window's buckets may go down
  snapshot.sum = 0.25;
  EXPECT_EQ(r.RenderText(), expected_head +
                                "segue_window_bucket{le=\"0.5\"} 1\n"
                                "segue_window_bucket{le=\"1\"} 1\n"
                                "segue_window_bucket{le=\"+Inf\"} 1\n"
                                "segue_window_sum 0.25\n"
                                "segue_window_count 1\n");
}

TEST(Metrics, LabeledCounterSortedAndEscaped) {
  Registry r;
  CounterFamily& f = r.AddCounterFamily("segue_requests_total", "Requests.", {"route", "status"});
  f.WithLabels({"/v1/events", "202"}).Inc(3);
  f.WithLabels({"/a\"b\\c\nd", "404"}).Inc();
  EXPECT_EQ(&f.WithLabels({"/v1/events", "202"}), &f.WithLabels({"/v1/events", "202"}));
  EXPECT_EQ(r.RenderText(),
            "# HELP segue_requests_total Requests.\n"
            "# TYPE segue_requests_total counter\n"
            "segue_requests_total{route=\"/a\\\"b\\\\c\\nd\",status=\"404\"} 1\n"
            "segue_requests_total{route=\"/v1/events\",status=\"202\"} 3\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeAndInclusive) {
  Registry r;
  Histogram& h = r.AddHistogram("segue_latency_seconds", "Latency.", {0.1, 1, 10});
  h.Observe(0.1);   // inclusive upper bound: lands in le=0.1
  h.Observe(0.5);
  h.Observe(20);    // +Inf only
  EXPECT_EQ(r.RenderText(),
            "# HELP segue_latency_seconds Latency.\n"
            "# TYPE segue_latency_seconds histogram\n"
            "segue_latency_seconds_bucket{le=\"0.1\"} 1\n"
            "segue_latency_seconds_bucket{le=\"1\"} 2\n"
            "segue_latency_seconds_bucket{le=\"10\"} 2\n"
            "segue_latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "segue_latency_seconds_sum 20.6\n"
            "segue_latency_seconds_count 3\n");
}

TEST(Metrics, HistogramFamilyPutsLeLast) {
  Registry r;
  HistogramFamily& f = r.AddHistogramFamily("segue_h", "H.", {"route"}, {1});
  f.WithLabels({"x"}).Observe(0.5);
  std::string text = r.RenderText();
  EXPECT_NE(text.find("segue_h_bucket{route=\"x\",le=\"1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_h_bucket{route=\"x\",le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("segue_h_count{route=\"x\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, HelpEscaping) {
  EXPECT_EQ(EscapeHelp("a\\b\nc\"d"), "a\\\\b\\nc\"d");  // quotes are not escaped in HELP
  EXPECT_EQ(EscapeLabelValue("a\\b\nc\"d"), "a\\\\b\\nc\\\"d");
}

TEST(Metrics, FormatValue) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(123456789012), "123456789012");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(-2.5), "-2.5");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(Metrics, SameNameSameKindIsShared) {
  Registry r;
  Counter& a = r.AddCounter("segue_x_total", "X.");
  Counter& b = r.AddCounter("segue_x_total", "X.");
  EXPECT_EQ(&a, &b);
}

TEST(MetricsDeathTest, ConflictingRegistrationAborts) {
  Registry r;
  r.AddCounter("segue_x_total", "X.");
  EXPECT_DEATH(r.AddGauge("segue_x_total", "X."), "registered twice");
  EXPECT_DEATH(r.AddCounter("1bad", "X."), "invalid metric name");
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  Registry r;
  Counter& c = r.AddCounter("segue_c_total", "C.");
  Histogram& h = r.AddHistogram("segue_h", "H.", ExponentialBuckets(1, 2, 4));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(3);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(h.count(), 40000u);
  EXPECT_EQ(h.bucket_count(2), 40000u);  // bounds 1,2,4,8: 3 falls in le=4
  EXPECT_DOUBLE_EQ(h.sum(), 120000);
}

}  // namespace
}  // namespace segue::metrics
