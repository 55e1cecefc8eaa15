// Money as integers: an amount is a count of the currency's minor units (cents for USD, yen
// for JPY, fils for KWD) plus an ISO 4217 code, never a floating point number. The currency
// table holds the active ISO 4217 currencies with their minor-unit exponents and a display
// symbol; lookups are exact (upper case codes only) and everything here is pure: no I/O, no
// exceptions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace recur {

struct Currency {
  std::string_view code;    // ISO 4217 alphabetic code, upper case, e.g. "USD"
  int exponent;             // minor unit digits: USD 2, JPY 0, KWD 3
  std::string_view symbol;  // display symbol, e.g. "$", "€", "£", "¥"; the code where none is
                            // well known or the symbol would be ambiguous
};

// The active ISO 4217 currencies (not funds codes like XUA/XSU/BOV/CLF, not precious metals
// XAU/XAG/XPT/XPD, not XTS/XXX). Exact match only: lower case "usd" is not found (callers
// report the case problem themselves).
std::optional<Currency> FindCurrency(std::string_view code);

// The whole table, sorted by code with no duplicates.
std::span<const Currency> AllCurrencies();

// An amount of money: integer minor units plus a currency. Never a floating point number.
struct Money {
  std::int64_t minor_units = 0;
  std::string currency;  // ISO 4217 code
  friend bool operator==(const Money&, const Money&) = default;
};

// Formats for people: sign, symbol, grouping-free digits, the currency's minor digits:
// 2000 USD -> "$20.00", 5 USD -> "$0.05", -150 EUR -> "-€1.50", 2000 JPY -> "¥2000",
// 1234 KWD -> "KWD 1.234" (when the symbol is the code or empty: code, then a space).
// Exact for every int64 value; a negative exponent is treated as 0.
std::string FormatMoney(std::int64_t minor_units, const Currency& currency);

}  // namespace recur
