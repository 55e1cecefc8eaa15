#include "simulate/cohort_report_text.h"

#include <algorithm>

#include "base/decimal_text.h"

namespace recur::cohort_report_internal {
namespace {

constexpr std::string_view kDigits = "0123456789";

}  // namespace

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

std::string Count(std::int64_t value) { return GroupDigits(Integer(value)); }

Currency ReportCurrency(const CohortReport& report) {
  const std::string_view code = report.currency;
  return FindCurrency(code).value_or(Currency{code, 2, code.empty() ? "¤" : code});
}

std::string MoneyText(std::int64_t minor_units, const Currency& currency) {
  return GroupDigits(FormatMoney(minor_units, currency));
}

std::size_t DisplayWidth(std::string_view text) {
  return static_cast<std::size_t>(std::ranges::count_if(
      text, [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

}  // namespace recur::cohort_report_internal
