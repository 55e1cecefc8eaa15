// CohortReportHtml: the cohort report as one self-contained HTML page.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "simulate/cohort_chart.h"
#include "simulate/cohort_report.h"
#include "simulate/cohort_report_columns.h"
#include "simulate/cohort_report_text.h"

namespace recur {
namespace {

using namespace cohort_report_internal;

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
                    EscapeHtml(design.name) + "</span>";
  if (with_description && !design.description.empty()) {
    out += "<div class=\"about\">" + EscapeHtml(design.description) + "</div>";
  }
  return out + "</td>";
}

void AppendCells(std::string& out, const ColumnGroup& group, std::size_t row) {
  for (const Column& column : group) {
    out += "<td class=\"num\">" + EscapeHtml(column.cells[row]) + "</td>";
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
      out += "<th class=\"num\">" + EscapeHtml(column.Header()) + "</th>";
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
  out += "<h3>MRR and cumulative revenue (" + EscapeHtml(OrDash(report.currency)) +
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
    out += "<tr><td><code>" + EscapeHtml(assumption.name) + "</code></td><td>" +
           EscapeHtml(assumption.value) + "</td><td>" + EscapeHtml(assumption.meaning) +
           "</td><td>" + EscapeHtml(assumption.source) + "</td></tr>\n";
  }
  out += "</tbody>\n</table></div>\n";
  return out;
}

}  // namespace

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
         Count(report.days) + "</dd>\n<dt>start date</dt><dd>" +
         EscapeHtml(OrDash(report.start_date)) + "</dd>\n<dt>currency</dt><dd>" + EscapeHtml(code) +
         "</dd>\n</dl>\n";

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
    out += "<h2>" + EscapeHtml(charts[i].title) + "</h2>\n" +
           LineChart(report, charts[i], scales[i], PlotLeft(label_width));
  }
  out += "<h2>Results</h2>\n" + ResultsHtml(report, currency);
  out += "<h2>Assumptions</h2>\n" + AssumptionsHtml(report);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace recur
