// The results of `recur simulate cohort`: synthetic payers run through the billing engine under
// several free-trial designs side by side, with the assumptions the run rests on, rendered for
// a terminal (FormatCohortTable), for scripts (CohortReportJson) and as one self-contained HTML
// page with charts (CohortReportHtml).
// Contract:
// - Money is integer minor units of report.currency everywhere. People see it through
//   FormatMoney with thousands separators ("$12,345.67"); JSON carries the integers. An
//   unknown currency code is shown as its code with two minor digits.
// - A design's `days` hold the state at the end of each simulated day; a day is found by its
//   `day` field. A report day that a design has no entry for (outside 1..days) shows as "-".
// - The conversion rate is trials_converted / trials_started; with no trials started it is 0
//   (ConversionRate, JSON) or "-" (table, HTML), never a division by zero.
// - Rendering is pure and deterministic: no I/O, clocks or locale; numbers are formatted by
//   this code, doubles at fixed decimals, so the same report renders to identical bytes.
// - The HTML page fetches nothing: inline CSS, inline SVG charts, no scripts; all report text
//   is HTML-escaped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace recur {

// One input of the simulation that is assumed rather than known.
struct CohortAssumption {
  std::string name;     // e.g. "monthly_churn"
  std::string value;    // as given, e.g. "0.05" or "pro 70%, business 30%"
  std::string meaning;  // what it stands for, for people
  std::string source;   // where the default comes from, or why it is an assumption
};

struct CohortDay {            // the state at the end of one simulated day
  int day = 0;                // 1..days
  std::int64_t trialing = 0;  // payers in a free trial
  std::int64_t paying = 0;    // payers on a paid period (active, canceled but running, past due)
  std::int64_t mrr = 0;       // monthly recurring revenue, minor units (annual prices / 12)
  std::int64_t cumulative_revenue = 0;  // paid charges so far, minor units
};

struct CohortDesignResult {
  std::string name;         // short, e.g. "14d-card"
  std::string description;  // e.g. "14-day trial, card up front"
  std::int64_t trials_started = 0;
  std::int64_t trials_converted = 0;   // trials whose first paid charge succeeded
  std::int64_t voluntary_churn = 0;    // paid items the payer canceled after converting
  std::int64_t involuntary_churn = 0;  // paid items ended because dunning failed
  std::int64_t events = 0;             // webhook events the engine produced
  std::vector<CohortDay> days;         // one per simulated day, in order
  std::int64_t transitions = 0;        // changes the engine stored, each in one transaction
};

struct CohortReport {
  std::uint64_t seed = 0;
  std::int64_t payers = 0;
  int days = 0;
  std::string start_date;        // "2027-01-01"
  std::string currency;          // ISO 4217, e.g. "USD"; all amounts are in it
  std::vector<int> report_days;  // days shown as MRR / revenue columns, e.g. {30, 90, 180}
  std::vector<CohortAssumption> assumptions;
  std::vector<CohortDesignResult> designs;
};

// converted / started, 0 when none started.
double ConversionRate(const CohortDesignResult& design);

// Plain text for a terminal, lines of at most 100 columns where the names allow: the run
// (payers, days, start, seed, currency), the designs with their descriptions, one row per
// design (trials started and converted, conversion "49.0%", paying at the end, MRR and
// cumulative revenue at each report day, voluntary and involuntary churn, webhook events),
// split into several tables that each repeat the design column when one would be wider, then
// the assumptions (name = value, meaning, source).
std::string FormatCohortTable(const CohortReport& report);

// Everything, for scripts: {seed (an unsigned 64-bit integer: readers that parse numbers as
// doubles round it past 2^53), payers, days, start_date, currency, currency_exponent (null
// when the code is unknown), report_days, assumptions: [{name, value, meaning, source}],
// designs: [{name, description, trials_started, trials_converted, conversion_rate (rounded to
// 4 decimals), voluntary_churn, involuntary_churn, events, transitions, days: [{day, trialing,
// paying, mrr, cumulative_revenue}]}]}. Amounts are integer minor units.
nlohmann::json CohortReportJson(const CohortReport& report);

// A self-contained HTML page: the run, line charts of MRR, paying payers and cumulative revenue
// per day (one <polyline> per design in each, with a legend; the charts share one x scale),
// the results (trials, conversion, churn and events; MRR and cumulative revenue at the report
// days) and the assumptions with their sources.
std::string CohortReportHtml(const CohortReport& report);

}  // namespace recur
