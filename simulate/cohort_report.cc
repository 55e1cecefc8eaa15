#include "simulate/cohort_report.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

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
  char buffer[24];
  const char* end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(static_cast<const char*>(buffer), end);
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

// --- The results, as columns. ---

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
