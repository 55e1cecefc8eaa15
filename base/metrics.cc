#include "base/metrics.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "base/decimal_text.h"

namespace recur {

void LatencyHistogram::Observe(std::chrono::nanoseconds duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  const auto bucket = std::lower_bound(kBounds.begin(), kBounds.end(), seconds);
  if (bucket != kBounds.end()) {
    buckets_[static_cast<std::size_t>(bucket - kBounds.begin())].fetch_add(
        1, std::memory_order_relaxed);
  }
  sum_us_.fetch_add(
      static_cast<std::uint64_t>(std::max<std::int64_t>(
          0, std::chrono::duration_cast<std::chrono::microseconds>(duration).count())),
      std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

namespace {

void AppendEscaped(std::string& text, std::string_view value) {
  for (const char c : value) {
    if (c == '\\') {
      text += "\\\\";
    } else if (c == '"') {
      text += "\\\"";
    } else if (c == '\n') {
      text += "\\n";
    } else {
      text += c;
    }
  }
}

// The shortest text that reads back as `value`.
void AppendDouble(std::string& text, double value) {
  char buffer[32];
  const auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
  text.append(buffer, written.ptr);
}

}  // namespace

void MetricsText::Family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  for (const char c : help) text_ += c == '\n' ? ' ' : c;
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void MetricsText::Begin(std::string_view name, MetricLabels labels, std::string_view extra_label,
                        std::string_view extra_value) {
  text_ += name;
  bool first = true;
  const auto label = [&](std::string_view key, std::string_view value) {
    text_ += first ? '{' : ',';
    first = false;
    text_ += key;
    text_ += "=\"";
    AppendEscaped(text_, value);
    text_ += '"';
  };
  for (const auto& [key, value] : labels) label(key, value);
  if (!extra_label.empty()) label(extra_label, extra_value);
  if (!first) text_ += '}';
  text_ += ' ';
}

void MetricsText::Sample(std::string_view name, MetricLabels labels, double value) {
  Begin(name, labels);
  AppendDouble(text_, value);
  text_ += '\n';
}

void MetricsText::Sample(std::string_view name, MetricLabels labels, std::uint64_t value) {
  Begin(name, labels);
  AppendDecimal(text_, static_cast<std::int64_t>(value));
  text_ += '\n';
}

void MetricsText::Histogram(std::string_view name, MetricLabels labels,
                            const LatencyHistogram& histogram) {
  const std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  char bound[32];
  for (std::size_t i = 0; i < LatencyHistogram::kBounds.size(); ++i) {
    cumulative += histogram.buckets_[i].load(std::memory_order_relaxed);
    std::snprintf(bound, sizeof bound, "%g", LatencyHistogram::kBounds[i]);
    Begin(bucket, labels, "le", bound);
    AppendDecimal(text_, static_cast<std::int64_t>(cumulative));
    text_ += '\n';
  }
  // +Inf is the count, read after the buckets so that it is never below the last of them.
  const std::uint64_t count =
      std::max(cumulative, histogram.count_.load(std::memory_order_relaxed));
  Begin(bucket, labels, "le", "+Inf");
  AppendDecimal(text_, static_cast<std::int64_t>(count));
  text_ += '\n';
  Sample(std::string(name) + "_sum", labels,
         static_cast<double>(histogram.sum_us_.load(std::memory_order_relaxed)) / 1e6);
  Sample(std::string(name) + "_count", labels, count);
}

}  // namespace recur
