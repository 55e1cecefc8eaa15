#include "simulate/cohort_chart.h"

#include "base/html_escape.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

namespace recur::cohort_report_internal {
namespace {

// 10^exponent, the minor units in one major unit (exponents outside 0..18 count as 0).
std::int64_t MinorPerMajor(const Currency& currency) {
  std::int64_t unit = 1;
  if (currency.exponent > 18) return unit;
  for (int i = 0; i < currency.exponent; ++i) unit *= 10;
  return unit;
}

// A coordinate with one decimal, independent of the locale.
std::string Coordinate(double value) {
  if (!std::isfinite(value)) value = 0;
  value += 0.0;  // no "-0.0"
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 1);
  if (result.ec != std::errc{}) return "0";
  std::string out(buffer, result.ptr);
  return out == "-0.0" ? "0.0" : out;
}

// Line colours, distinguishable for the common colour blindnesses (Okabe-Ito); after the
// palette runs out, lines repeat its colours dashed.
constexpr std::array<std::string_view, 8> kPalette = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                                      "#56b4e9", "#d55e00", "#000000", "#f0e442"};
constexpr std::array<std::string_view, 3> kDashes = {"", "8 4", "2 3"};

// ` stroke="..."` and, past the palette, ` stroke-dasharray="..."` of design `index`'s line.
std::string SeriesStroke(std::size_t index) {
  std::string out = " stroke=\"" + std::string(SeriesColor(index)) + "\"";
  if (!SeriesDash(index).empty()) {
    out += " stroke-dasharray=\"" + std::string(SeriesDash(index)) + "\"";
  }
  return out;
}

// An SVG <line> with the given extra attributes (each with a leading space).
std::string SvgLine(double x1, double y1, double x2, double y2, std::string_view attributes) {
  return "<line x1=\"" + Coordinate(x1) + "\" y1=\"" + Coordinate(y1) + "\" x2=\"" +
         Coordinate(x2) + "\" y2=\"" + Coordinate(y2) + "\"" + std::string(attributes) + "/>";
}

// An SVG <text> at (x, y) with the given class; `text` is escaped.
std::string SvgText(double x, double y, std::string_view css_class, std::string_view text,
                    std::string_view extra = "") {
  return "<text class=\"" + std::string(css_class) + "\" x=\"" + Coordinate(x) + "\" y=\"" +
         Coordinate(y) + "\"" + std::string(extra) + ">" + EscapeHtml(text) + "</text>";
}

// The smallest 1, 2 or 5 times a power of ten that covers `span` in at most `ticks` steps.
std::int64_t NiceStep(std::int64_t span, std::int64_t ticks) {
  if (span <= 0) return 1;
  const std::int64_t raw = (span + ticks - 1) / ticks;
  for (std::int64_t power = 1;; power *= 10) {
    for (std::int64_t multiple : {1, 2, 5}) {
      if (power * multiple >= raw) return power * multiple;
    }
    if (power > std::numeric_limits<std::int64_t>::max() / 100) return raw;
  }
}

std::int64_t FloorTo(std::int64_t value, std::int64_t step) {
  std::int64_t q = value / step;
  if (value % step != 0 && value < 0) --q;
  return q * step;
}

std::int64_t CeilTo(std::int64_t value, std::int64_t step) {
  std::int64_t q = value / step;
  if (value % step != 0 && value > 0) ++q;
  return q * step;
}

constexpr int kChartWidth = 900;
constexpr int kPlotHeight = 260;
constexpr int kRightMargin = 24;
constexpr int kBottomMargin = 46;
constexpr int kLegendRow = 20;
constexpr double kCharWidth = 7.2;  // an estimate of the 12px font's average advance
// Plotted values are kept within this, so that axis arithmetic cannot overflow.
constexpr std::int64_t kChartLimit = 1'000'000'000'000'000'000;

}  // namespace

std::string_view SeriesColor(std::size_t index) { return kPalette[index % kPalette.size()]; }
std::string_view SeriesDash(std::size_t index) {
  return kDashes[(index / kPalette.size()) % kDashes.size()];
}

ChartScale ScaleOf(const CohortReport& report, const Currency& currency, const ChartSpec& spec) {
  ChartScale scale;
  scale.last_day = std::max(report.days, 1);
  for (const CohortDesignResult& design : report.designs) {
    for (const CohortDay& day : design.days) {
      const std::int64_t value = std::clamp(day.*spec.field, -kChartLimit, kChartLimit);
      scale.last_day = std::max<std::int64_t>(scale.last_day, day.day);
      scale.low = std::min(scale.low, value);
      scale.high = std::max(scale.high, value);
      scale.any_point = true;
    }
  }
  const std::int64_t unit = spec.money ? MinorPerMajor(currency) : 1;
  if (scale.high <= scale.low) scale.high = scale.low + unit;
  scale.y_step = NiceStep(scale.high - scale.low, 5);
  scale.low = FloorTo(scale.low, scale.y_step);
  scale.high = CeilTo(scale.high, scale.y_step);
  scale.x_step = NiceStep(scale.last_day, 8);

  Currency whole = currency;  // whole major units: "$5,000" rather than "$5,000.00"
  whole.exponent = 0;
  for (std::int64_t value = scale.low; value <= scale.high; value += scale.y_step) {
    std::string label = !spec.money                ? Count(value)
                        : scale.y_step % unit != 0 ? MoneyText(value, currency)
                                                   : MoneyText(value / unit, whole);
    scale.y_ticks.emplace_back(value, std::move(label));
  }
  return scale;
}

double PlotLeft(std::size_t label_width) {
  return std::max(48.0, 16 + kCharWidth * static_cast<double>(label_width));
}

std::string LineChart(const CohortReport& report, const ChartSpec& spec, const ChartScale& scale,
                      double left) {
  const auto& [last_day, x_step, low, high, y_step, y_ticks, any_point] = scale;
  // The legend above the plot: one entry a design, wrapped into rows.
  const double right = kChartWidth - kRightMargin;
  std::string legend;
  int legend_rows = 0;
  double x = left;
  for (std::size_t i = 0; i < report.designs.size(); ++i) {
    const std::string& name = report.designs[i].name;
    const double width = 36 + kCharWidth * static_cast<double>(DisplayWidth(name));
    if (legend_rows == 0 || (x > left && x + width > right)) {
      ++legend_rows;
      x = left;
    }
    const double y = 6 + kLegendRow * (legend_rows - 1) + kLegendRow / 2.0;
    legend += SvgLine(x, y, x + 22, y, " class=\"swatch\"" + SeriesStroke(i)) +
              SvgText(x + 28, y, "name", name, " dy=\"0.35em\"") + "\n";
    x += width;
  }

  const double top = 14 + kLegendRow * legend_rows;
  const double bottom = top + kPlotHeight;
  const int height = static_cast<int>(bottom) + kBottomMargin;
  auto x_of = [&](std::int64_t day) {
    return left + (right - left) * static_cast<double>(day) / static_cast<double>(last_day);
  };
  auto y_of = [&](std::int64_t value) {
    return bottom -
           (bottom - top) * static_cast<double>(value - low) / static_cast<double>(high - low);
  };

  const std::string title_id = std::string(spec.id) + "-title";
  std::string out = "<figure class=\"chart\">\n<svg viewBox=\"0 0 " + Integer(kChartWidth) + " " +
                    Integer(height) + "\" role=\"img\" aria-labelledby=\"" + title_id +
                    "\">\n<title id=\"" + title_id + "\">" + EscapeHtml(spec.title) +
                    " per day</title>\n";
  // Grid and y axis labels.
  for (const auto& [value, label] : y_ticks) {
    const double y = y_of(value);
    out += SvgLine(left, y, right, y, " class=\"grid\"") +
           SvgText(left - 8, y, "y-tick", label, " dy=\"0.35em\"") + "\n";
  }
  // X axis ticks and labels.
  for (std::int64_t day = 0; day <= last_day; day += x_step) {
    const double x = x_of(day);
    out += SvgLine(x, bottom, x, bottom + 5, " class=\"axis\"") +
           SvgText(x, bottom + 18, "x-tick", Count(day)) + "\n";
  }
  out += SvgLine(left, top, left, bottom, " class=\"axis\"") + "\n";
  out += SvgLine(left, bottom, right, bottom, " class=\"axis\"") + "\n";
  out += SvgText((left + right) / 2, bottom + 38, "x-title", "day") + "\n";
  if (!any_point) {
    out += SvgText((left + right) / 2, (top + bottom) / 2, "empty", "no simulated days") + "\n";
  }
  // One line a design.
  for (std::size_t i = 0; i < report.designs.size(); ++i) {
    const CohortDesignResult& design = report.designs[i];
    std::string points;
    for (const CohortDay& day : design.days) {
      if (!points.empty()) points += ' ';
      points += Coordinate(x_of(day.day)) + "," +
                Coordinate(y_of(std::clamp(day.*spec.field, -kChartLimit, kChartLimit)));
    }
    out += "<polyline class=\"series\" points=\"" + points + "\"" + SeriesStroke(i) + "><title>" +
           EscapeHtml(design.name) + "</title></polyline>\n";
    if (design.days.size() == 1) {  // a one-point line draws nothing: mark the point
      const auto comma = points.find(',');
      out += "<circle cx=\"" + points.substr(0, comma) + "\" cy=\"" + points.substr(comma + 1) +
             "\" r=\"3\" fill=\"" + std::string(SeriesColor(i)) + "\"/>\n";
    }
  }
  out += "<g class=\"legend\">\n" + legend + "</g>\n</svg>\n<figcaption>" + EscapeHtml(spec.about) +
         "</figcaption>\n</figure>\n";
  return out;
}

}  // namespace recur::cohort_report_internal
