// Prometheus metrics (text exposition format 0.0.4): counters and histograms cheap enough for
// every request, and the writer of the text a scrape reads. A Counter is one relaxed atomic
// add; a Histogram an add to its bucket, its sum (in microseconds) and its count, with no lock.
// Values written by different threads are read together without a lock, so a scrape may see a
// histogram's count and its buckets a few observations apart; Prometheus tolerates that.
// MetricsText writes families in the order asked: the caller writes each family's HELP and TYPE
// once, then its samples. Label values are escaped as the format says.
// Thread-safe: Add and Observe from any thread; a MetricsText belongs to one scrape.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace recur {

class Counter {
 public:
  void Add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_ = 0;
};

// Durations in seconds, in fixed buckets from half a millisecond to ten seconds.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  void Observe(std::chrono::nanoseconds duration);
  // Whether anything was observed.
  bool Empty() const { return count_.load(std::memory_order_relaxed) == 0; }

 private:
  friend class MetricsText;
  std::array<std::atomic<std::uint64_t>, kBounds.size()> buckets_{};  // each not cumulative
  std::atomic<std::uint64_t> sum_us_ = 0;
  std::atomic<std::uint64_t> count_ = 0;
};

using MetricLabels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class MetricsText {
 public:
  // "# HELP" and "# TYPE" of a family; `type` is counter, gauge or histogram.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, MetricLabels labels, double value);
  void Sample(std::string_view name, MetricLabels labels, std::uint64_t value);
  // The _bucket, _sum and _count samples of histogram `name` under `labels`.
  void Histogram(std::string_view name, MetricLabels labels, const LatencyHistogram& histogram);

  const std::string& Text() const { return text_; }

 private:
  void Begin(std::string_view name, MetricLabels labels, std::string_view extra_label = {},
             std::string_view extra_value = {});

  std::string text_;
};

// What a scrape's text is served as.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace recur
