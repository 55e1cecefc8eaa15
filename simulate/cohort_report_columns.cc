#include "simulate/cohort_report_columns.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

namespace recur::cohort_report_internal {
namespace {

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

}  // namespace

Column DesignColumn(const CohortReport& report) {
  Column column{"", "design", {}, true};
  for (const CohortDesignResult& design : report.designs) column.cells.push_back(design.name);
  return column;
}

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

}  // namespace recur::cohort_report_internal
