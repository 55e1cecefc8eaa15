#include "base/metrics.h"

#include <gtest/gtest.h>

namespace recur::metrics_test {
namespace {

using std::chrono::milliseconds;

TEST(MetricsText, WritesAFamilysHelpTypeAndSamplesWithEscapedLabels) {
  Counter counter;
  counter.Add();
  counter.Add(2);
  MetricsText text;
  text.Family("recur_things_total", "counter", "Things counted\nover two lines");
  text.Sample("recur_things_total", {{"route", "GET /a\"b\\c"}, {"status", "200"}},
              counter.Value());
  text.Sample("recur_lag_seconds", {}, 1.5);
  EXPECT_EQ(text.Text(),
            "# HELP recur_things_total Things counted over two lines\n"
            "# TYPE recur_things_total counter\n"
            "recur_things_total{route=\"GET /a\\\"b\\\\c\",status=\"200\"} 3\n"
            "recur_lag_seconds 1.5\n");
}

TEST(MetricsText, AHistogramsBucketsAreCumulativeAndEndInItsCount) {
  LatencyHistogram histogram;
  histogram.Observe(milliseconds(1));           // le 0.001
  histogram.Observe(milliseconds(3));           // le 0.005
  histogram.Observe(milliseconds(20));          // le 0.025
  histogram.Observe(std::chrono::seconds(60));  // past every bound: +Inf only
  MetricsText text;
  text.Histogram("recur_wait_seconds", {{"route", "r"}}, histogram);
  const std::string& out = text.Text();
  EXPECT_NE(out.find("recur_wait_seconds_bucket{route=\"r\",le=\"0.0005\"} 0\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("recur_wait_seconds_bucket{route=\"r\",le=\"0.001\"} 1\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("recur_wait_seconds_bucket{route=\"r\",le=\"0.005\"} 2\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("recur_wait_seconds_bucket{route=\"r\",le=\"10\"} 3\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("recur_wait_seconds_bucket{route=\"r\",le=\"+Inf\"} 4\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("recur_wait_seconds_sum{route=\"r\"} 60.024\n"), std::string::npos) << out;
  EXPECT_NE(out.find("recur_wait_seconds_count{route=\"r\"} 4\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace recur::metrics_test
