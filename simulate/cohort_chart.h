// The cohort report's line charts, as inline SVG for its HTML page (cohort_report_html.cc; not
// for other callers): one line a design over the simulated days, a legend, axes with round
// ticks. Each design keeps its colour (and, past the palette, a dash) in every chart and in
// the tables' colour keys. Coordinates are written with one decimal, independent of the locale.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/money.h"
#include "simulate/cohort_report.h"
#include "simulate/cohort_report_text.h"

namespace recur::cohort_report_internal {

// The colour of design `index`'s line, and its dash pattern ("" for a solid line).
std::string_view SeriesColor(std::size_t index);
std::string_view SeriesDash(std::size_t index);

struct ChartSpec {
  std::string_view id;     // unique in the page
  std::string title;       // "MRR (USD)"
  std::string_view about;  // the caption
  std::int64_t CohortDay::*field;
  bool money;
};

// A chart's axes: days 0 .. last_day on x; low .. high on y, both multiples of y_step.
struct ChartScale {
  std::int64_t last_day = 1;
  std::int64_t x_step = 1;
  std::int64_t low = 0;
  std::int64_t high = 0;
  std::int64_t y_step = 1;
  std::vector<std::pair<std::int64_t, std::string>> y_ticks;  // value, label
  bool any_point = false;

  std::size_t LabelWidth() const {
    std::size_t width = 0;
    for (const auto& tick : y_ticks) width = std::max(width, DisplayWidth(tick.second));
    return width;
  }
};

// The axes that fit every design's values of `spec`'s field.
ChartScale ScaleOf(const CohortReport& report, const Currency& currency, const ChartSpec& spec);

// The left edge of a plot whose y labels are `label_width` characters wide.
double PlotLeft(std::size_t label_width);

// A <figure> with the chart's SVG and its caption; `left` is the plot's left edge (PlotLeft).
std::string LineChart(const CohortReport& report, const ChartSpec& spec, const ChartScale& scale,
                      double left);

}  // namespace recur::cohort_report_internal
