// The cohort report's results as columns, one cell a design, shared by the text table
// (cohort_report_table.cc) and the HTML tables (cohort_report_html.cc), so that both show the
// same figures with the same headers. Not for other callers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "base/money.h"
#include "simulate/cohort_report.h"
#include "simulate/cohort_report_text.h"

namespace recur::cohort_report_internal {

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

// The design names, left-aligned: the key of every table.
Column DesignColumn(const CohortReport& report);

// The result columns, in the order the text shows them.
struct ResultGroups {
  ColumnGroup counts;   // trials started and converted, conversion, paying at the end
  ColumnGroup mrr;      // at each report day
  ColumnGroup revenue;  // cumulative, at each report day
  ColumnGroup endings;  // voluntary and involuntary churn, webhook events
};

ResultGroups ResultColumns(const CohortReport& report, const Currency& currency);

}  // namespace recur::cohort_report_internal
