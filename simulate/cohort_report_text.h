// Text for people, shared by the cohort report's renderers (simulate/cohort_report_*.cc and
// cohort_chart.cc; not for other callers): integers with thousands separators, money in the
// report's currency, widths of UTF-8 text as a terminal shows it. Pure and
// locale-independent, as cohort_report.h requires of rendering.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/html_escape.h"
#include "base/money.h"
#include "simulate/cohort_report.h"

namespace recur::cohort_report_internal {

// Thousands separators in the first run of digits: "$1234567.89" -> "$1,234,567.89",
// "-1234" -> "-1,234". Currency symbols hold no digits, so the run is the whole part.
std::string GroupDigits(std::string_view text);

std::string Integer(std::int64_t value);

// 12345 -> "12,345".
std::string Count(std::int64_t value);

// The report's currency; an unknown code is shown as itself with two minor digits, a missing
// one as the generic currency sign.
Currency ReportCurrency(const CohortReport& report);

// 123456789 USD -> "$1,234,567.89".
std::string MoneyText(std::int64_t minor_units, const Currency& currency);

// Columns a terminal gives UTF-8 text: one per code point ("€" is one).
std::size_t DisplayWidth(std::string_view text);

// The text, or "-" when it is empty.
std::string OrDash(const std::string& text);

}  // namespace recur::cohort_report_internal
