#include "simulate/cohort_report.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace recur::cohort_report_test {
namespace {

using nlohmann::json;

std::size_t Occurrences(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// Terminal columns: one per UTF-8 code point.
std::size_t Columns(std::string_view line) {
  std::size_t count = 0;
  for (char c : line) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

// Days 1..n with values growing linearly from the given last-day values.
std::vector<CohortDay> Ramp(int n, std::int64_t trialing, std::int64_t paying, std::int64_t mrr,
                            std::int64_t revenue) {
  std::vector<CohortDay> days;
  for (int d = 1; d <= n; ++d) {
    days.push_back({d, trialing * (n - d) / n, paying * d / n, mrr * d / n, revenue * d / n});
  }
  return days;
}

// Three days, two report days of which one (5) is past the end, three designs: one ordinary,
// one with an awkward rate, one named like markup with all figures zero.
CohortReport SmallReport() {
  CohortReport report;
  report.seed = 42;
  report.payers = 12'500;
  report.days = 3;
  report.start_date = "2027-01-01";
  report.currency = "USD";
  report.report_days = {2, 5};
  report.assumptions = {
      {"monthly_churn", "0.05", "Share of paying payers who cancel in a month.",
       "ChartMogul's 2023 SaaS benchmarks, SMB median."},
      {"plan_mix", "pro 70%, business 30%", "Plans chosen at checkout.", "An assumption."},
  };
  report.designs = {
      {"14d-card",
       "14-day trial, card up front",
       100,
       49,
       3,
       2,
       1'234,
       {{1, 100, 0, 0, 0}, {2, 60, 40, 80'000, 80'000}, {3, 0, 49, 123'456'789, 987'654'321}}},
      {"7d-nocard",
       "7-day trial, no card",
       150,
       16,
       0,
       1,
       98,
       {{1, 150, 0, 0, 0}, {2, 150, 0, 0, 0}, {3, 0, 16, 32'000, 32'000}}},
      {"<b>&",
       "\"quoted\" & 'single'",
       0,
       0,
       0,
       0,
       0,
       {{1, 0, 0, 0, 0}, {2, 0, 0, 0, 0}, {3, 0, 0, 0, 0}}},
  };
  return report;
}

TEST(CohortConversionRate, ConvertedOverStartedAndZeroWithoutTrials) {
  EXPECT_DOUBLE_EQ(ConversionRate({.trials_started = 100, .trials_converted = 49}), 0.49);
  EXPECT_DOUBLE_EQ(ConversionRate({.trials_started = 3, .trials_converted = 3}), 1.0);
  EXPECT_EQ(ConversionRate({.trials_started = 0, .trials_converted = 0}), 0.0);
  EXPECT_EQ(ConversionRate({.trials_started = 0, .trials_converted = 5}), 0.0);
}

TEST(CohortTable, ExactTextOfAOneDesignReport) {
  CohortReport report;
  report.seed = 7;
  report.payers = 1000;
  report.days = 2;
  report.start_date = "2027-01-01";
  report.currency = "USD";
  report.report_days = {1, 2};
  report.assumptions = {{"trial_length", "14d", "How long a trial runs.", "The Pro plan file."}};
  // 1 of 16 is 6.25%: rounded half up.
  report.designs = {
      {"a", "one design", 16, 1, 0, 1, 17, {{1, 8, 0, 0, 0}, {2, 7, 1, 200'000, 200'000}}}};
  // Too wide for one table of 100 columns: the churns and events go to a second one.
  EXPECT_EQ(
      FormatCohortTable(report),
      "Cohort simulation: 1,000 payers, 2 days from 2027-01-01, seed 7, amounts in USD\n"
      "\n"
      "Designs\n"
      "  a  one design\n"
      "\n"
      "Results\n"
      "         trials     trials              paying    MRR        MRR   revenue    revenue\n"
      "design  started  converted  conversion  at end  day 1      day 2  by day 1   by day 2\n"
      "-------------------------------------------------------------------------------------\n"
      "a            16          1        6.3%       1  $0.00  $2,000.00     $0.00  $2,000.00\n"
      "\n"
      "        voluntary  involuntary  webhook\n"
      "design      churn        churn   events\n"
      "---------------------------------------\n"
      "a               0            1       17\n"
      "\n"
      "Assumptions\n"
      "  trial_length = 14d\n"
      "    How long a trial runs.\n"
      "    source: The Pro plan file.\n");
}

TEST(CohortTable, FiguresOfEachDesign) {
  const std::string table = FormatCohortTable(SmallReport());
  EXPECT_NE(table.find("12,500 payers, 3 days from 2027-01-01, seed 42, amounts in USD"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("49.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("10.7%"), std::string::npos) << table;    // 16 / 150, rounded half up
  EXPECT_NE(table.find("$800.00"), std::string::npos) << table;  // 14d-card's MRR on day 2
  EXPECT_NE(table.find("1,234"), std::string::npos) << table;    // events, grouped
  EXPECT_NE(table.find("14-day trial, card up front"), std::string::npos) << table;

  // Each design's row, found by its name at the start of a line.
  auto row = [&](std::string_view name) {
    for (std::string_view line : Lines(table)) {
      if (line.starts_with(std::string(name) + " ")) return std::string(line);
    }
    return std::string();
  };
  // MRR and revenue at day 2, and at day 5, past the end of the simulation: no figure.
  EXPECT_EQ(
      row("14d-card"),
      "14d-card       100         49       49.0%      49  $800.00      -   $800.00         -");
  // A design without trials has no conversion rate rather than a division by zero.
  EXPECT_EQ(
      row("<b>&"),
      "<b>&             0          0           -       0    $0.00      -     $0.00         -");
  EXPECT_NE(table.find("  monthly_churn = 0.05\n"
                       "    Share of paying payers who cancel in a month.\n"
                       "    source: ChartMogul's 2023 SaaS benchmarks, SMB median.\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("  plan_mix = pro 70%, business 30%\n"), std::string::npos) << table;
}

TEST(CohortTable, ReportDaysOutsideTheSimulationShowADash) {
  CohortReport report = SmallReport();
  report.report_days = {5};
  const std::string table = FormatCohortTable(report);
  for (std::string_view line : Lines(table)) {
    if (!line.starts_with("14d-card ")) continue;
    // MRR and revenue at day 5, then the churns and events.
    EXPECT_TRUE(line.ends_with("-         -          3            2    1,234")) << line;
  }
}

TEST(CohortTable, WideReportsSplitIntoTablesThatFitAHundredColumns) {
  CohortReport report = SmallReport();
  report.days = 180;
  report.report_days = {30, 90, 180};
  for (CohortDesignResult& design : report.designs) {
    design.days = Ramp(180, 2'000, 9'000, 123'456'789'00, 987'654'321'00);
  }
  const std::string table = FormatCohortTable(report);
  for (std::string_view line : Lines(table)) EXPECT_LE(Columns(line), 100u) << line;
  // Two tables, each led by the design column and listing every design.
  EXPECT_EQ(Occurrences(table, "\ndesign "), 2u) << table;
  EXPECT_EQ(Occurrences(table, "\n14d-card "), 2u) << table;
  EXPECT_EQ(Occurrences(table, "\n<b>& "), 2u) << table;
  EXPECT_NE(table.find("$123,456,789.00"), std::string::npos) << table;  // MRR on day 180
  EXPECT_NE(table.find("$987,654,321.00"), std::string::npos) << table;  // revenue by day 180
  EXPECT_NE(table.find("by day 180"), std::string::npos) << table;
}

TEST(CohortTable, OtherCurrencies) {
  CohortReport report = SmallReport();
  report.currency = "JPY";
  EXPECT_NE(FormatCohortTable(report).find("¥80,000"), std::string::npos);
  report.currency = "KWD";
  EXPECT_NE(FormatCohortTable(report).find("KWD 80.000"), std::string::npos);
  report.currency = "ABC";  // unknown: its code, two minor digits
  EXPECT_NE(FormatCohortTable(report).find("ABC 800.00"), std::string::npos);
}

TEST(CohortTable, EmptyReport) {
  const std::string table = FormatCohortTable(CohortReport{});
  EXPECT_EQ(table,
            "Cohort simulation: 0 payers, 0 days from -, seed 0, amounts in -\n"
            "\n"
            "Designs\n"
            "  (none)\n"
            "\n"
            "Results\n"
            "  (none)\n"
            "\n"
            "Assumptions\n"
            "  (none)\n");
}

TEST(CohortTable, DesignWithoutDays) {
  CohortReport report = SmallReport();
  report.days = 0;
  for (CohortDesignResult& design : report.designs) design.days.clear();
  const std::string table = FormatCohortTable(report);
  // No paying figure at the end, nor MRR or revenue at days 2 and 5.
  EXPECT_NE(table.find("\n7d-nocard      150         16       10.7%       -      -      -         -"
                       "         -\n"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("$"), std::string::npos) << table;
}

TEST(CohortJson, CarriesEveryNumberAsIntegers) {
  CohortReport report = SmallReport();
  report.seed = 18'446'744'073'709'551'615ULL;
  const json parsed = json::parse(CohortReportJson(report).dump());
  EXPECT_EQ(parsed.at("seed").get<std::uint64_t>(), 18'446'744'073'709'551'615ULL);
  EXPECT_EQ(parsed.at("payers"), 12'500);
  EXPECT_EQ(parsed.at("days"), 3);
  EXPECT_EQ(parsed.at("start_date"), "2027-01-01");
  EXPECT_EQ(parsed.at("currency"), "USD");
  EXPECT_EQ(parsed.at("currency_exponent"), 2);
  EXPECT_EQ(parsed.at("report_days"), json({2, 5}));
  ASSERT_EQ(parsed.at("assumptions").size(), 2u);
  EXPECT_EQ(parsed.at("assumptions")[1], json({{"name", "plan_mix"},
                                               {"value", "pro 70%, business 30%"},
                                               {"meaning", "Plans chosen at checkout."},
                                               {"source", "An assumption."}}));

  ASSERT_EQ(parsed.at("designs").size(), 3u);
  const json& card = parsed.at("designs")[0];
  EXPECT_EQ(card.at("name"), "14d-card");
  EXPECT_EQ(card.at("description"), "14-day trial, card up front");
  EXPECT_EQ(card.at("trials_started"), 100);
  EXPECT_EQ(card.at("trials_converted"), 49);
  EXPECT_EQ(card.at("conversion_rate"), 0.49);
  EXPECT_EQ(card.at("voluntary_churn"), 3);
  EXPECT_EQ(card.at("involuntary_churn"), 2);
  EXPECT_EQ(card.at("events"), 1'234);
  ASSERT_EQ(card.at("days").size(), 3u);
  EXPECT_EQ(card.at("days")[2], json({{"day", 3},
                                      {"trialing", 0},
                                      {"paying", 49},
                                      {"mrr", 123'456'789},
                                      {"cumulative_revenue", 987'654'321}}));
  EXPECT_TRUE(card.at("days")[2].at("mrr").is_number_integer());
  EXPECT_EQ(parsed.at("designs")[1].at("conversion_rate"), 0.1067);  // 16 / 150
  EXPECT_EQ(parsed.at("designs")[2].at("conversion_rate"), 0.0);
  EXPECT_EQ(parsed.at("designs")[2].at("name"), "<b>&");
}

TEST(CohortJson, UnknownCurrencyAndEmptyReport) {
  CohortReport report;
  report.currency = "ABC";
  const json out = CohortReportJson(report);
  EXPECT_TRUE(out.at("currency_exponent").is_null());
  EXPECT_EQ(out.at("designs"), json::array());
  EXPECT_EQ(out.at("assumptions"), json::array());
  EXPECT_EQ(out.at("report_days"), json::array());
}

// Each chart of the page, from its "<svg" up to its "</svg>".
std::vector<std::string> Charts(const std::string& html) {
  std::vector<std::string> charts;
  for (std::size_t pos = html.find("<svg"); pos != std::string::npos;) {
    const std::size_t end = html.find("</svg>", pos);
    charts.push_back(html.substr(pos, end - pos));
    pos = html.find("<svg", end);
  }
  return charts;
}

TEST(CohortHtml, OneLinePerDesignInEachChart) {
  const std::string html = CohortReportHtml(SmallReport());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n")) << html.substr(0, 100);
  EXPECT_TRUE(html.ends_with("</html>\n"));
  const std::vector<std::string> charts = Charts(html);
  ASSERT_EQ(charts.size(), 3u);
  for (const std::string& chart : charts) {
    EXPECT_EQ(Occurrences(chart, "<polyline"), 3u) << chart;
    EXPECT_EQ(Occurrences(chart, "</polyline>"), 3u) << chart;
    EXPECT_EQ(Occurrences(chart, "<g class=\"legend\">"), 1u);
    EXPECT_EQ(chart.find("nan"), std::string::npos) << chart;
    EXPECT_EQ(chart.find("inf"), std::string::npos) << chart;
  }
  // MRR peaks at $1,234,567.89: round ticks up to $1,500,000, in whole dollars.
  EXPECT_NE(charts[0].find(">$0</text>"), std::string::npos) << charts[0];
  EXPECT_NE(charts[0].find(">$500,000</text>"), std::string::npos) << charts[0];
  EXPECT_NE(charts[0].find(">$1,500,000</text>"), std::string::npos) << charts[0];
  EXPECT_EQ(charts[0].find(">$2,000,000</text>"), std::string::npos) << charts[0];
  // Paying peaks at 49: ticks of 10 up to 50.
  EXPECT_NE(charts[1].find(">50</text>"), std::string::npos) << charts[1];
  EXPECT_EQ(charts[1].find(">60</text>"), std::string::npos) << charts[1];
  // The 14d-card line ends at the right edge (x 876, day 3 of 3), its MRR of $1,234,567.89 at
  // 82.3% of the plot's 260 units up from its bottom (y 294) to the $1,500,000 tick: y 80.
  EXPECT_NE(charts[0].find(" 876.0,80.0\" stroke=\"#0072b2\"><title>14d-card</title>"),
            std::string::npos)
      << charts[0];
}

TEST(CohortHtml, TablesAndRun) {
  const std::string html = CohortReportHtml(SmallReport());
  EXPECT_NE(html.find("<dt>seed</dt><dd>42</dd>"), std::string::npos);
  EXPECT_NE(html.find("<dt>payers</dt><dd>12,500</dd>"), std::string::npos);
  EXPECT_NE(html.find("<dt>days</dt><dd>3</dd>"), std::string::npos);
  EXPECT_NE(html.find("<dt>start date</dt><dd>2027-01-01</dd>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">49.0%</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">$800.00</td><td class=\"num\">-</td>"),
            std::string::npos);  // MRR at days 2 and 5
  EXPECT_NE(html.find("<th class=\"group\" colspan=\"2\">MRR</th>"), std::string::npos);
  EXPECT_NE(html.find("<th class=\"num\">day 5</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>ChartMogul&#39;s 2023 SaaS benchmarks, SMB median.</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>pro 70%, business 30%</td>"), std::string::npos);
}

TEST(CohortHtml, EscapesReportText) {
  const std::string html = CohortReportHtml(SmallReport());
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("\"quoted\""), std::string::npos);
  // In both tables, in each chart's legend and in each line's title.
  EXPECT_EQ(Occurrences(html, "&lt;b&gt;&amp;"), 2u + 3u + 3u);
  EXPECT_NE(html.find("&quot;quoted&quot; &amp; &#39;single&#39;"), std::string::npos);
}

TEST(CohortHtml, FetchesNothing) {
  CohortReport report = SmallReport();
  report.days = 365;
  for (CohortDesignResult& design : report.designs) {
    design.days = Ramp(365, 2'000, 9'000, 123'456'789'00, 987'654'321'00);
  }
  const std::string html = CohortReportHtml(report);
  for (std::string_view forbidden :
       {"http://", "https://", "src=", "<link", "<script", "url(", "@import", "href="}) {
    EXPECT_EQ(html.find(forbidden), std::string::npos) << forbidden;
  }
}

TEST(CohortHtml, EmptyReportStillDrawsCharts) {
  const std::string html = CohortReportHtml(CohortReport{});
  const std::vector<std::string> charts = Charts(html);
  ASSERT_EQ(charts.size(), 3u);
  for (const std::string& chart : charts) {
    EXPECT_EQ(Occurrences(chart, "<polyline"), 0u);
    EXPECT_NE(chart.find("no simulated days"), std::string::npos);
    EXPECT_EQ(chart.find("nan"), std::string::npos) << chart;
  }
  EXPECT_NE(html.find("No designs were simulated."), std::string::npos);
}

TEST(CohortHtml, SingleDayIsMarked) {
  CohortReport report = SmallReport();
  report.days = 1;
  for (CohortDesignResult& design : report.designs) design.days.resize(1);
  const std::vector<std::string> charts = Charts(CohortReportHtml(report));
  ASSERT_EQ(charts.size(), 3u);
  EXPECT_EQ(Occurrences(charts[0], "<polyline"), 3u);
  EXPECT_EQ(Occurrences(charts[0], "<circle"), 3u);
}

TEST(CohortReport, RendersAreByteIdentical) {
  CohortReport report = SmallReport();
  report.days = 365;
  report.report_days = {30, 90, 180, 365, 400};
  for (CohortDesignResult& design : report.designs) {
    design.days = Ramp(365, 2'113, 9'007, 123'456'789'01, 987'654'321'03);
  }
  const std::string html = CohortReportHtml(report);
  EXPECT_EQ(html, CohortReportHtml(report));
  EXPECT_EQ(FormatCohortTable(report), FormatCohortTable(report));
  EXPECT_EQ(CohortReportJson(report).dump(), CohortReportJson(report).dump());
  // A copy renders the same: nothing depends on addresses.
  const CohortReport copy = report;
  EXPECT_EQ(CohortReportHtml(copy), html);
}

}  // namespace
}  // namespace recur::cohort_report_test
