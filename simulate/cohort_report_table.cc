// FormatCohortTable: the cohort report as text for a terminal.
#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "simulate/cohort_report.h"
#include "simulate/cohort_report_columns.h"
#include "simulate/cohort_report_text.h"

namespace recur {
namespace {

using namespace cohort_report_internal;

constexpr std::size_t kTerminalWidth = 100;

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

std::string RunSummary(const CohortReport& report) {
  return Count(report.payers) + " payers, " + Count(report.days) + " days from " +
         OrDash(report.start_date) + ", seed " + std::to_string(report.seed) + ", amounts in " +
         OrDash(report.currency);
}

}  // namespace

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

}  // namespace recur
