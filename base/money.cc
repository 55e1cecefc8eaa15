#include "base/money.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>

namespace recur {
namespace {

// Active ISO 4217 currencies, sorted by code. Symbols follow the English CLDR symbols where
// they are well known; elsewhere the code stands in. UYI (formally a funds code) and UYW
// (exponent 4) are kept on purpose. Withdrawn codes (HRK, SLL, ZWL, CUC, ...) are left out.
constexpr auto kCurrencies = std::to_array<Currency>({
    {"AED", 2, "AED"}, {"AFN", 2, "AFN"}, {"ALL", 2, "ALL"}, {"AMD", 2, "AMD"}, {"AOA", 2, "AOA"},
    {"ARS", 2, "ARS"}, {"AUD", 2, "A$"},  {"AWG", 2, "AWG"}, {"AZN", 2, "AZN"}, {"BAM", 2, "BAM"},
    {"BBD", 2, "BBD"}, {"BDT", 2, "BDT"}, {"BHD", 3, "BHD"}, {"BIF", 0, "BIF"}, {"BMD", 2, "BMD"},
    {"BND", 2, "BND"}, {"BOB", 2, "BOB"}, {"BRL", 2, "R$"},  {"BSD", 2, "BSD"}, {"BTN", 2, "BTN"},
    {"BWP", 2, "BWP"}, {"BYN", 2, "BYN"}, {"BZD", 2, "BZD"}, {"CAD", 2, "CA$"}, {"CDF", 2, "CDF"},
    {"CHF", 2, "CHF"}, {"CLP", 0, "CLP"}, {"CNY", 2, "CN¥"}, {"COP", 2, "COP"}, {"CRC", 2, "CRC"},
    {"CUP", 2, "CUP"}, {"CVE", 2, "CVE"}, {"CZK", 2, "CZK"}, {"DJF", 0, "DJF"}, {"DKK", 2, "DKK"},
    {"DOP", 2, "DOP"}, {"DZD", 2, "DZD"}, {"EGP", 2, "EGP"}, {"ERN", 2, "ERN"}, {"ETB", 2, "ETB"},
    {"EUR", 2, "€"},   {"FJD", 2, "FJD"}, {"FKP", 2, "FKP"}, {"GBP", 2, "£"},   {"GEL", 2, "GEL"},
    {"GHS", 2, "GHS"}, {"GIP", 2, "GIP"}, {"GMD", 2, "GMD"}, {"GNF", 0, "GNF"}, {"GTQ", 2, "GTQ"},
    {"GYD", 2, "GYD"}, {"HKD", 2, "HK$"}, {"HNL", 2, "HNL"}, {"HTG", 2, "HTG"}, {"HUF", 2, "HUF"},
    {"IDR", 2, "IDR"}, {"ILS", 2, "₪"},   {"INR", 2, "₹"},   {"IQD", 3, "IQD"}, {"IRR", 2, "IRR"},
    {"ISK", 0, "ISK"}, {"JMD", 2, "JMD"}, {"JOD", 3, "JOD"}, {"JPY", 0, "¥"},   {"KES", 2, "KES"},
    {"KGS", 2, "KGS"}, {"KHR", 2, "KHR"}, {"KMF", 0, "KMF"}, {"KPW", 2, "KPW"}, {"KRW", 0, "₩"},
    {"KWD", 3, "KWD"}, {"KYD", 2, "KYD"}, {"KZT", 2, "KZT"}, {"LAK", 2, "LAK"}, {"LBP", 2, "LBP"},
    {"LKR", 2, "LKR"}, {"LRD", 2, "LRD"}, {"LSL", 2, "LSL"}, {"LYD", 3, "LYD"}, {"MAD", 2, "MAD"},
    {"MDL", 2, "MDL"}, {"MGA", 2, "MGA"}, {"MKD", 2, "MKD"}, {"MMK", 2, "MMK"}, {"MNT", 2, "MNT"},
    {"MOP", 2, "MOP"}, {"MRU", 2, "MRU"}, {"MUR", 2, "MUR"}, {"MVR", 2, "MVR"}, {"MWK", 2, "MWK"},
    {"MXN", 2, "MX$"}, {"MYR", 2, "MYR"}, {"MZN", 2, "MZN"}, {"NAD", 2, "NAD"}, {"NGN", 2, "NGN"},
    {"NIO", 2, "NIO"}, {"NOK", 2, "NOK"}, {"NPR", 2, "NPR"}, {"NZD", 2, "NZ$"}, {"OMR", 3, "OMR"},
    {"PAB", 2, "PAB"}, {"PEN", 2, "PEN"}, {"PGK", 2, "PGK"}, {"PHP", 2, "₱"},   {"PKR", 2, "PKR"},
    {"PLN", 2, "PLN"}, {"PYG", 0, "PYG"}, {"QAR", 2, "QAR"}, {"RON", 2, "RON"}, {"RSD", 2, "RSD"},
    {"RUB", 2, "RUB"}, {"RWF", 0, "RWF"}, {"SAR", 2, "SAR"}, {"SBD", 2, "SBD"}, {"SCR", 2, "SCR"},
    {"SDG", 2, "SDG"}, {"SEK", 2, "SEK"}, {"SGD", 2, "SGD"}, {"SHP", 2, "SHP"}, {"SLE", 2, "SLE"},
    {"SOS", 2, "SOS"}, {"SRD", 2, "SRD"}, {"SSP", 2, "SSP"}, {"STN", 2, "STN"}, {"SVC", 2, "SVC"},
    {"SYP", 2, "SYP"}, {"SZL", 2, "SZL"}, {"THB", 2, "THB"}, {"TJS", 2, "TJS"}, {"TMT", 2, "TMT"},
    {"TND", 3, "TND"}, {"TOP", 2, "TOP"}, {"TRY", 2, "TRY"}, {"TTD", 2, "TTD"}, {"TWD", 2, "NT$"},
    {"TZS", 2, "TZS"}, {"UAH", 2, "UAH"}, {"UGX", 0, "UGX"}, {"USD", 2, "$"},   {"UYI", 0, "UYI"},
    {"UYU", 2, "UYU"}, {"UYW", 4, "UYW"}, {"UZS", 2, "UZS"}, {"VED", 2, "VED"}, {"VES", 2, "VES"},
    {"VND", 0, "₫"},   {"VUV", 0, "VUV"}, {"WST", 2, "WST"}, {"XAF", 0, "XAF"}, {"XCD", 2, "EC$"},
    {"XCG", 2, "XCG"}, {"XOF", 0, "XOF"}, {"XPF", 0, "XPF"}, {"YER", 2, "YER"}, {"ZAR", 2, "ZAR"},
    {"ZMW", 2, "ZMW"}, {"ZWG", 2, "ZWG"},
});

static_assert(std::ranges::is_sorted(kCurrencies, std::less<>{}, &Currency::code),
              "kCurrencies must stay sorted by code for binary search");
static_assert(std::ranges::adjacent_find(kCurrencies, std::ranges::equal_to{}, &Currency::code) ==
                  kCurrencies.end(),
              "kCurrencies must not repeat a code");

}  // namespace

std::optional<Currency> FindCurrency(std::string_view code) {
  auto it = std::ranges::lower_bound(kCurrencies, code, std::less<>{}, &Currency::code);
  if (it == kCurrencies.end() || it->code != code) return std::nullopt;
  return *it;
}

std::span<const Currency> AllCurrencies() { return kCurrencies; }

std::string FormatMoney(std::int64_t minor_units, const Currency& currency) {
  // The magnitude in unsigned arithmetic, where negating INT64_MIN is well defined.
  const bool negative = minor_units < 0;
  std::uint64_t magnitude = static_cast<std::uint64_t>(minor_units);
  if (negative) magnitude = 0 - magnitude;

  char buffer[20];  // UINT64_MAX has 20 digits
  const char* end = std::to_chars(buffer, buffer + sizeof buffer, magnitude).ptr;
  const std::string_view digits(buffer, static_cast<std::size_t>(end - buffer));

  // Left-pad with zeros so there is at least one digit before the decimal point.
  const std::size_t exponent =
      currency.exponent > 0 ? static_cast<std::size_t>(currency.exponent) : 0;
  const std::size_t padding = digits.size() <= exponent ? exponent + 1 - digits.size() : 0;
  const std::size_t whole = digits.size() + padding - exponent;

  const bool symbol_is_code = currency.symbol.empty() || currency.symbol == currency.code;
  std::string out;
  if (negative) out.push_back('-');
  if (symbol_is_code) {
    out.append(currency.code).push_back(' ');
  } else {
    out.append(currency.symbol);
  }
  std::string padded(padding, '0');
  padded.append(digits);
  out.append(padded, 0, whole);
  if (exponent > 0) out.append(1, '.').append(padded, whole);
  return out;
}

}  // namespace recur
