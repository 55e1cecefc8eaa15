// CohortReportJson: the cohort report for scripts.
#include <cmath>
#include <optional>

#include "base/money.h"
#include "simulate/cohort_report.h"

namespace recur {

using nlohmann::json;

double ConversionRate(const CohortDesignResult& design) {
  if (design.trials_started <= 0) return 0;
  return static_cast<double>(design.trials_converted) / static_cast<double>(design.trials_started);
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

}  // namespace recur
