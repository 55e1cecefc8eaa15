#include "simulate/cohort_report.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/decimal_text.h"
#include "base/money.h"

namespace recur {
namespace {

using nlohmann::json;

constexpr std::size_t kTerminalWidth = 100;
constexpr std::string_view kDigits = "0123456789";

// --- Numbers and text for people. ---

// Thousands separators in the first run of digits: "$1234567.89" -> "$1,234,567.89",
// "-1234" -> "-1,234". Currency symbols hold no digits, so the run is the whole part.
std::string GroupDigits(std::string_view text) {
  const std::size_t first = text.find_first_of(kDigits);
  if (first == std::string_view::npos) return std::string(text);
  const std::size_t last = std::min(text.find_first_not_of(kDigits, first), text.size());
  std::string out(text.substr(0, first));
  for (std::size_t i = first; i < last; ++i) {
    if (i > first && (last - i) % 3 == 0) out.push_back(',');
    out.push_back(text[i]);
  }
  out.append(text.substr(last));
  return out;
}

std::string Integer(std::int64_t value) {
  std::string text;
  AppendDecimal(text, value);
  return text;
}

// 12345 -> "12,345".
std::string Count(std::int64_t value) { return GroupDigits(Integer(value)); }

// The report's currency; an unknown code is shown as itself with two minor digits, a missing
// one as the generic currency sign.
Currency ReportCurrency(const CohortReport& report) {
  const std::string_view code = report.currency;
  return FindCurrency(code).value_or(Currency{code, 2, code.empty() ? "¤" : code});
}

// 123456789 USD -> "$1,234,567.89".
std::string MoneyText(std::int64_t minor_units, const Currency& currency) {
  return GroupDigits(FormatMoney(minor_units, currency));
}

// 10^exponent, the minor units in one major unit (exponents outside 0..18 count as 0).
std::int64_t MinorPerMajor(const Currency& currency) {
  std::int64_t unit = 1;
  if (currency.exponent > 18) return unit;
  for (int i = 0; i < currency.exponent; ++i) unit *= 10;
  return unit;
}

// "49.0%", rounded half up from exact integers; "-" when no trial started.
std::string PercentText(const CohortDesignResult& design) {
  if (design.trials_started <= 0) return "-";
  const long double per_mille =
      static_cast<long double>(design.trials_converted) * 1000 / design.trials_started;
  const long long tenths = std::llround(per_mille);
  const unsigned long long magnitude = tenths < 0 ? 0ULL - static_cast<unsigned long long>(tenths)
                                                  : static_cast<unsigned long long>(tenths);
  std::string out = tenths < 0 ? "-" : "";
  out += GroupDigits(std::to_string(magnitude / 10));
  out += '.';
  out += static_cast<char>('0' + magnitude % 10);
  out += '%';
  return out;
}

// The design's state at the end of `day`, or null when it has none.
const CohortDay* FindDay(const CohortDesignResult& design, int day) {
  if (day >= 1 && static_cast<std::size_t>(day) <= design.days.size() &&
      design.days[static_cast<std::size_t>(day) - 1].day == day) {
    return &design.days[static_cast<std::size_t>(day) - 1];
  }
  auto it = std::ranges::find(design.days, day, &CohortDay::day);
  return it == design.days.end() ? nullptr : &*it;
}

// Columns a terminal gives UTF-8 text: one per code point ("€" is one).
std::size_t DisplayWidth(std::string_view text) {
  return static_cast<std::size_t>(std::ranges::count_if(
      text, [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string Pad(std::string_view text, std::size_t width, bool left_aligned) {
  const std::size_t fill = width - std::min(width, DisplayWidth(text));
  std::string out;
  if (!left_aligned) out.append(fill, ' ');
  out.append(text);
  if (left_aligned) out.append(fill, ' ');
  return out;
}

void AppendLine(std::string& out, std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out.append(line).push_back('\n');
}

// `prefix` then the words of `text`, wrapped at the terminal width; continuation lines are
// indented by `indent`. A word longer than a line stays whole.
std::string Wrap(std::string_view prefix, std::string_view text, std::size_t indent) {
  std::string out(prefix);
  std::size_t column = DisplayWidth(prefix);
  bool line_has_words = false;
  std::size_t pos = 0;
  constexpr std::string_view kSpace = " \t\r\n";
  while ((pos = text.find_first_not_of(kSpace, pos)) != std::string_view::npos) {
    const std::size_t end = std::min(text.find_first_of(kSpace, pos), text.size());
    const std::string_view word = text.substr(pos, end - pos);
    pos = end;
    const std::size_t width = DisplayWidth(word);
    if (line_has_words && column + 1 + width > kTerminalWidth) {
      out.push_back('\n');
      out.append(indent, ' ');
      column = indent;
      line_has_words = false;
    }
    if (line_has_words) {
      out.push_back(' ');
      ++column;
    }
    out.append(word);
    column += width;
    line_has_words = true;
  }
  std::string wrapped;
  std::size_t start = 0;
  while (start <= out.size()) {
    const std::size_t newline = std::min(out.find('\n', start), out.size());
    AppendLine(wrapped, out.substr(start, newline - start));
    start = newline + 1;
  }
  return wrapped;
}

// --- The results, as columns shared by the text and HTML tables. ---

struct Column {
  std::string top;                 // first header line, may be empty
  std::string bottom;              // second header line
  std::vector<std::string> cells;  // one per design
  bool left_aligned = false;

  std::size_t Width() const {
    std::size_t width = std::max(DisplayWidth(top), DisplayWidth(bottom));
    for (const std::string& cell : cells) width = std::max(width, DisplayWidth(cell));
    return width;
  }
  // The header on one line, for HTML: "trials started".
  std::string Header() const { return top.empty() ? bottom : top + " " + bottom; }
};

// Columns that belong together; a text table is split between groups before within one.
using ColumnGroup = std::vector<Column>;

Column DesignColumn(const CohortReport& report) {
  Column column{"", "design", {}, true};
  for (const CohortDesignResult& design : report.designs) column.cells.push_back(design.name);
  return column;
}

template <typename CellOf>
Column MakeColumn(const CohortReport& report, std::string top, std::string bottom, CellOf cell_of) {
  Column column{std::move(top), std::move(bottom), {}, false};
  for (const CohortDesignResult& design : report.designs) column.cells.push_back(cell_of(design));
  return column;
}

// A money figure of each design at one day: "-" when the design has no such day.
Column DayMoneyColumn(const CohortReport& report, const Currency& currency, std::string top,
                      std::string bottom, int day, std::int64_t CohortDay::*field) {
  return MakeColumn(
      report, std::move(top), std::move(bottom), [&](const CohortDesignResult& design) {
        const CohortDay* state = FindDay(design, day);
        return state != nullptr ? MoneyText(state->*field, currency) : std::string("-");
      });
}

// The result columns, in the order the text shows them.
struct ResultGroups {
  ColumnGroup counts;   // trials started and converted, conversion, paying at the end
  ColumnGroup mrr;      // at each report day
  ColumnGroup revenue;  // cumulative, at each report day
  ColumnGroup endings;  // voluntary and involuntary churn, webhook events
};

ResultGroups ResultColumns(const CohortReport& report, const Currency& currency) {
  ResultGroups groups;
  groups.counts = {
      MakeColumn(report, "trials", "started",
                 [](const CohortDesignResult& d) { return Count(d.trials_started); }),
      MakeColumn(report, "trials", "converted",
                 [](const CohortDesignResult& d) { return Count(d.trials_converted); }),
      MakeColumn(report, "", "conversion",
                 [](const CohortDesignResult& d) { return PercentText(d); }),
      MakeColumn(report, "paying", "at end",
                 [](const CohortDesignResult& d) {
                   return d.days.empty() ? std::string("-") : Count(d.days.back().paying);
                 }),
  };
  for (int day : report.report_days) {
    groups.mrr.push_back(
        DayMoneyColumn(report, currency, "MRR", "day " + Integer(day), day, &CohortDay::mrr));
    groups.revenue.push_back(DayMoneyColumn(report, currency, "revenue", "by day " + Integer(day),
                                            day, &CohortDay::cumulative_revenue));
  }
  groups.endings = {
      MakeColumn(report, "voluntary", "churn",
                 [](const CohortDesignResult& d) { return Count(d.voluntary_churn); }),
      MakeColumn(report, "involuntary", "churn",
                 [](const CohortDesignResult& d) { return Count(d.involuntary_churn); }),
      MakeColumn(report, "webhook", "events",
                 [](const CohortDesignResult& d) { return Count(d.events); }),
  };
  return groups;
}

constexpr std::string_view kColumnGap = "  ";

std::size_t TableWidth(const Column& key, std::span<const Column* const> columns) {
  std::size_t width = key.Width();
  for (const Column* column : columns) width += kColumnGap.size() + column->Width();
  return width;
}

// One text table: the key column, then `columns`; two header lines, a rule, one row a design.
std::string RenderTable(const Column& key, std::span<const Column* const> columns) {
  std::vector<const Column*> all = {&key};
  all.insert(all.end(), columns.begin(), columns.end());
  std::vector<std::size_t> widths;
  for (const Column* column : all) widths.push_back(column->Width());

  auto line = [&](auto text_of) {
    std::string text;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (i > 0) text.append(kColumnGap);
      text += Pad(text_of(*all[i]), widths[i], all[i]->left_aligned);
    }
    return text;
  };
  std::string out;
  const bool has_top = std::ranges::any_of(all, [](const Column* c) { return !c->top.empty(); });
  if (has_top) AppendLine(out, line([](const Column& c) { return c.top; }));
  AppendLine(out, line([](const Column& c) { return c.bottom; }));
  AppendLine(out, std::string(TableWidth(key, columns), '-'));
  for (std::size_t row = 0; row < key.cells.size(); ++row) {
    AppendLine(out, line([row](const Column& c) { return c.cells[row]; }));
  }
  return out;
}

// Packs the groups into tables no wider than the terminal, each led by the key column: a group
// moves to a new table whole when it fits there, else column by column.
std::vector<std::vector<const Column*>> PackTables(const Column& key,
                                                   std::span<const ColumnGroup* const> groups) {
  std::vector<std::vector<const Column*>> tables;
  std::vector<const Column*> current;
  auto fits = [&](std::vector<const Column*> columns, std::span<const Column> more) {
    for (const Column& column : more) columns.push_back(&column);
    return TableWidth(key, columns) <= kTerminalWidth;
  };
  for (const ColumnGroup* group_pointer : groups) {
    const ColumnGroup& group = *group_pointer;
    if (fits(current, group)) {
      for (const Column& column : group) current.push_back(&column);
      continue;
    }
    if (!current.empty()) tables.push_back(std::exchange(current, {}));
    for (const Column& column : group) {
      if (!current.empty() && !fits(current, std::span(&column, 1))) {
        tables.push_back(std::exchange(current, {}));
      }
      current.push_back(&column);
    }
  }
  if (!current.empty()) tables.push_back(std::move(current));
  return tables;
}

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

std::string RunSummary(const CohortReport& report) {
  return Count(report.payers) + " payers, " + Count(report.days) + " days from " +
         OrDash(report.start_date) + ", seed " + std::to_string(report.seed) + ", amounts in " +
         OrDash(report.currency);
}

// --- HTML. ---

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
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

std::string_view SeriesColor(std::size_t index) { return kPalette[index % kPalette.size()]; }
std::string_view SeriesDash(std::size_t index) {
  return kDashes[(index / kPalette.size()) % kDashes.size()];
}

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
         Coordinate(y) + "\"" + std::string(extra) + ">" + Escape(text) + "</text>";
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

struct ChartSpec {
  std::string_view id;     // unique in the page
  std::string title;       // "MRR (USD)"
  std::string_view about;  // the caption
  std::int64_t CohortDay::*field;
  bool money;
};

constexpr int kChartWidth = 900;
constexpr int kPlotHeight = 260;
constexpr int kRightMargin = 24;
constexpr int kBottomMargin = 46;
constexpr int kLegendRow = 20;
constexpr double kCharWidth = 7.2;  // an estimate of the 12px font's average advance
// Plotted values are kept within this, so that axis arithmetic cannot overflow.
constexpr std::int64_t kChartLimit = 1'000'000'000'000'000'000;

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

// The left edge of a plot whose y labels are `label_width` characters wide.
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
                    "\">\n<title id=\"" + title_id + "\">" + Escape(spec.title) +
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
           Escape(design.name) + "</title></polyline>\n";
    if (design.days.size() == 1) {  // a one-point line draws nothing: mark the point
      const auto comma = points.find(',');
      out += "<circle cx=\"" + points.substr(0, comma) + "\" cy=\"" + points.substr(comma + 1) +
             "\" r=\"3\" fill=\"" + std::string(SeriesColor(i)) + "\"/>\n";
    }
  }
  out += "<g class=\"legend\">\n" + legend + "</g>\n</svg>\n<figcaption>" + Escape(spec.about) +
         "</figcaption>\n</figure>\n";
  return out;
}

constexpr std::string_view kStyle = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: #1f2328; background: #fff; margin: 0 auto; padding: 24px; max-width: 1100px;
  line-height: 1.45; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 32px 0 8px; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.run dt { color: #57606a; }
dl.run dd { margin: 0; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { padding: 4px 10px; border-bottom: 1px solid #d0d7de; text-align: left;
  vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
th.num { text-align: right; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { font-weight: 600; min-width: 12em; }
td.name .design { white-space: nowrap; }
td.name .about { font-weight: 400; color: #57606a; font-size: 0.85rem; }
th.group { text-align: center; }
h3 { font-size: 1rem; margin: 20px 0 8px; }
.key { display: inline-block; width: 18px; height: 0; border-top: 3px solid; margin-right: 6px;
  vertical-align: middle; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.85rem; }
figure.chart { margin: 0 0 24px; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { color: #57606a; font-size: 0.85rem; }
svg text { font-size: 12px; fill: #1f2328; }
svg .grid { stroke: #e5e8eb; stroke-width: 1; }
svg .axis { stroke: #57606a; stroke-width: 1; }
svg .y-tick { text-anchor: end; fill: #57606a; }
svg .x-tick, svg .x-title, svg .empty { text-anchor: middle; fill: #57606a; }
svg .series { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg .swatch { stroke-width: 3; }
)";

// The colour key of design `index`, as drawn in the charts.
std::string KeySwatch(std::size_t index) {
  std::string style = "border-top-color: " + std::string(SeriesColor(index));
  if (!SeriesDash(index).empty()) style += "; border-top-style: dashed";
  return "<span class=\"key\" style=\"" + style + "\"></span>";
}

// The design's cell: its colour in the charts, its name and description.
std::string DesignCell(const CohortReport& report, std::size_t row, bool with_description) {
  const CohortDesignResult& design = report.designs[row];
  std::string out = "<td class=\"name\"><span class=\"design\">" + KeySwatch(row) +
                    Escape(design.name) + "</span>";
  if (with_description && !design.description.empty()) {
    out += "<div class=\"about\">" + Escape(design.description) + "</div>";
  }
  return out + "</td>";
}

void AppendCells(std::string& out, const ColumnGroup& group, std::size_t row) {
  for (const Column& column : group) {
    out += "<td class=\"num\">" + Escape(column.cells[row]) + "</td>";
  }
}

// Two tables, as a page is not wide enough for one: the counts, then MRR and cumulative
// revenue at the report days.
std::string ResultsHtml(const CohortReport& report, const Currency& currency) {
  if (report.designs.empty()) return "<p>No designs were simulated.</p>\n";
  const ResultGroups groups = ResultColumns(report, currency);
  std::string out = "<div class=\"scroll\"><table class=\"results\">\n<thead><tr><th>design</th>";
  for (const ColumnGroup* group : {&groups.counts, &groups.endings}) {
    for (const Column& column : *group) {
      out += "<th class=\"num\">" + Escape(column.Header()) + "</th>";
    }
  }
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t row = 0; row < report.designs.size(); ++row) {
    out += "<tr>" + DesignCell(report, row, true);
    AppendCells(out, groups.counts, row);
    AppendCells(out, groups.endings, row);
    out += "</tr>\n";
  }
  out += "</tbody>\n</table></div>\n";
  if (report.report_days.empty()) return out;

  const std::string span = Integer(static_cast<std::int64_t>(report.report_days.size()));
  std::string days;
  for (int day : report.report_days) days += "<th class=\"num\">day " + Integer(day) + "</th>";
  out += "<h3>MRR and cumulative revenue (" + Escape(OrDash(report.currency)) +
         ")</h3>\n<div class=\"scroll\"><table class=\"results\">\n<thead><tr><th rowspan=\"2\">"
         "design</th><th class=\"group\" colspan=\"" +
         span + "\">MRR</th><th class=\"group\" colspan=\"" + span +
         "\">cumulative revenue</th></tr>\n<tr>" + days + days + "</tr></thead>\n<tbody>\n";
  for (std::size_t row = 0; row < report.designs.size(); ++row) {
    out += "<tr>" + DesignCell(report, row, false);
    AppendCells(out, groups.mrr, row);
    AppendCells(out, groups.revenue, row);
    out += "</tr>\n";
  }
  out += "</tbody>\n</table></div>\n";
  return out;
}

std::string AssumptionsHtml(const CohortReport& report) {
  if (report.assumptions.empty()) return "<p>No assumptions were recorded.</p>\n";
  std::string out =
      "<div class=\"scroll\"><table class=\"assumptions\">\n<thead><tr><th>name</th><th>value</th>"
      "<th>meaning</th><th>source</th></tr></thead>\n<tbody>\n";
  for (const CohortAssumption& assumption : report.assumptions) {
    out += "<tr><td><code>" + Escape(assumption.name) + "</code></td><td>" +
           Escape(assumption.value) + "</td><td>" + Escape(assumption.meaning) + "</td><td>" +
           Escape(assumption.source) + "</td></tr>\n";
  }
  out += "</tbody>\n</table></div>\n";
  return out;
}

}  // namespace

double ConversionRate(const CohortDesignResult& design) {
  if (design.trials_started <= 0) return 0;
  return static_cast<double>(design.trials_converted) / static_cast<double>(design.trials_started);
}

std::string FormatCohortTable(const CohortReport& report) {
  const Currency currency = ReportCurrency(report);
  std::string out = Wrap("Cohort simulation: ", RunSummary(report), 2);

  out += "\nDesigns\n";
  if (report.designs.empty()) out += "  (none)\n";
  std::size_t name_width = 0;
  for (const CohortDesignResult& design : report.designs) {
    name_width = std::max(name_width, DisplayWidth(design.name));
  }
  for (const CohortDesignResult& design : report.designs) {
    out +=
        Wrap("  " + Pad(design.name, name_width, true) + "  ", design.description, name_width + 4);
  }

  out += "\nResults\n";
  if (report.designs.empty()) {
    out += "  (none)\n";
  } else {
    const Column key = DesignColumn(report);
    const ResultGroups groups = ResultColumns(report, currency);
    const std::array<const ColumnGroup*, 4> order = {&groups.counts, &groups.mrr, &groups.revenue,
                                                     &groups.endings};
    const auto tables = PackTables(key, order);
    for (std::size_t i = 0; i < tables.size(); ++i) {
      if (i > 0) out += '\n';
      out += RenderTable(key, tables[i]);
    }
  }

  out += "\nAssumptions\n";
  if (report.assumptions.empty()) out += "  (none)\n";
  for (const CohortAssumption& assumption : report.assumptions) {
    out += Wrap("  " + assumption.name + " = ", assumption.value, 4);
    if (!assumption.meaning.empty()) out += Wrap("    ", assumption.meaning, 4);
    if (!assumption.source.empty()) out += Wrap("    source: ", assumption.source, 4);
  }
  return out;
}

json CohortReportJson(const CohortReport& report) {
  const std::optional<Currency> currency = FindCurrency(report.currency);
  json assumptions = json::array();
  for (const CohortAssumption& assumption : report.assumptions) {
    assumptions.push_back({{"name", assumption.name},
                           {"value", assumption.value},
                           {"meaning", assumption.meaning},
                           {"source", assumption.source}});
  }
  json designs = json::array();
  for (const CohortDesignResult& design : report.designs) {
    json days = json::array();
    for (const CohortDay& day : design.days) {
      days.push_back({{"day", day.day},
                      {"trialing", day.trialing},
                      {"paying", day.paying},
                      {"mrr", day.mrr},
                      {"cumulative_revenue", day.cumulative_revenue}});
    }
    designs.push_back({{"name", design.name},
                       {"description", design.description},
                       {"trials_started", design.trials_started},
                       {"trials_converted", design.trials_converted},
                       {"conversion_rate", std::round(ConversionRate(design) * 1e4) / 1e4},
                       {"voluntary_churn", design.voluntary_churn},
                       {"involuntary_churn", design.involuntary_churn},
                       {"events", design.events},
                       {"transitions", design.transitions},
                       {"days", std::move(days)}});
  }
  return {{"seed", report.seed},
          {"payers", report.payers},
          {"days", report.days},
          {"start_date", report.start_date},
          {"currency", report.currency},
          {"currency_exponent", currency ? json(currency->exponent) : json(nullptr)},
          {"report_days", report.report_days},
          {"assumptions", std::move(assumptions)},
          {"designs", std::move(designs)}};
}

std::string CohortReportHtml(const CohortReport& report) {
  const Currency currency = ReportCurrency(report);
  const std::string code = OrDash(report.currency);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Cohort simulation</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<h1>Cohort simulation</h1>\n";
  out += "<dl class=\"run\">\n<dt>seed</dt><dd>" + std::to_string(report.seed) +
         "</dd>\n<dt>payers</dt><dd>" + Count(report.payers) + "</dd>\n<dt>days</dt><dd>" +
         Count(report.days) + "</dd>\n<dt>start date</dt><dd>" + Escape(OrDash(report.start_date)) +
         "</dd>\n<dt>currency</dt><dd>" + Escape(code) + "</dd>\n</dl>\n";

  const std::array<ChartSpec, 3> charts = {{
      {"chart-mrr", "MRR (" + code + ")",
       "Monthly recurring revenue at the end of each day; annual prices count as a twelfth.",
       &CohortDay::mrr, true},
      {"chart-paying", "Paying payers",
       "Payers on a paid period at the end of each day: active, canceled but still running, or "
       "past due.",
       &CohortDay::paying, false},
      {"chart-revenue", "Cumulative revenue (" + code + ")",
       "Successful charges since the start, at the end of each day.",
       &CohortDay::cumulative_revenue, true},
  }};
  // One left edge for every chart, so that their days line up.
  std::vector<ChartScale> scales;
  std::size_t label_width = 0;
  for (const ChartSpec& chart : charts) {
    scales.push_back(ScaleOf(report, currency, chart));
    label_width = std::max(label_width, scales.back().LabelWidth());
  }
  for (std::size_t i = 0; i < charts.size(); ++i) {
    out += "<h2>" + Escape(charts[i].title) + "</h2>\n" +
           LineChart(report, charts[i], scales[i], PlotLeft(label_width));
  }
  out += "<h2>Results</h2>\n" + ResultsHtml(report, currency);
  out += "<h2>Assumptions</h2>\n" + AssumptionsHtml(report);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace recur
