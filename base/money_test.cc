#include "base/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <set>
#include <string>

namespace recur::money_test {
namespace {

TEST(CurrencyTable, IsSortedWithoutDuplicates) {
  auto all = AllCurrencies();
  ASSERT_GE(all.size(), 150u);
  ASSERT_LE(all.size(), 185u);
  for (std::size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i - 1].code, all[i].code) << "at index " << i;
  }
  std::set<std::string_view> codes;
  for (const Currency& c : all) EXPECT_TRUE(codes.insert(c.code).second) << c.code;
}

TEST(CurrencyTable, EntriesAreWellFormed) {
  for (const Currency& c : AllCurrencies()) {
    ASSERT_EQ(c.code.size(), 3u) << c.code;
    for (char ch : c.code) EXPECT_TRUE(ch >= 'A' && ch <= 'Z') << c.code;
    EXPECT_GE(c.exponent, 0) << c.code;
    EXPECT_LE(c.exponent, 4) << c.code;
    EXPECT_FALSE(c.symbol.empty()) << c.code;
    // Every entry is reachable through the binary search.
    auto found = FindCurrency(c.code);
    ASSERT_TRUE(found.has_value()) << c.code;
    EXPECT_EQ(found->code, c.code);
  }
}

TEST(CurrencyTable, KnownExponents) {
  struct Case {
    std::string_view code;
    int exponent;
  };
  constexpr Case kCases[] = {
      {"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"CHF", 2}, {"CAD", 2}, {"INR", 2},
      {"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"CLP", 0}, {"ISK", 0}, {"XAF", 0},
      {"XOF", 0}, {"XPF", 0}, {"UGX", 0}, {"BHD", 3}, {"IQD", 3}, {"JOD", 3},
      {"KWD", 3}, {"LYD", 3}, {"OMR", 3}, {"TND", 3}, {"UYW", 4}, {"UYI", 0},
  };
  for (const Case& c : kCases) {
    auto found = FindCurrency(c.code);
    ASSERT_TRUE(found.has_value()) << c.code;
    EXPECT_EQ(found->exponent, c.exponent) << c.code;
  }
}

TEST(CurrencyTable, KnownSymbols) {
  EXPECT_EQ(FindCurrency("USD")->symbol, "$");
  EXPECT_EQ(FindCurrency("EUR")->symbol, "€");
  EXPECT_EQ(FindCurrency("GBP")->symbol, "£");
  EXPECT_EQ(FindCurrency("JPY")->symbol, "¥");
  EXPECT_EQ(FindCurrency("INR")->symbol, "₹");
  EXPECT_EQ(FindCurrency("CAD")->symbol, "CA$");
  EXPECT_EQ(FindCurrency("CHF")->symbol, "CHF");
  EXPECT_EQ(FindCurrency("KWD")->symbol, "KWD");
}

TEST(CurrencyTable, ExcludesNonCurrencies) {
  for (std::string_view code : {"XAU", "XAG", "XPT", "XPD", "XTS", "XXX", "XUA", "XSU", "XDR",
                                "BOV", "CLF", "CHE", "CHW", "COU", "MXV", "USN", "HRK", "ZWL"}) {
    EXPECT_FALSE(FindCurrency(code).has_value()) << code;
  }
}

TEST(CurrencyTable, UnknownCodes) {
  EXPECT_FALSE(FindCurrency("ABC").has_value());
  EXPECT_FALSE(FindCurrency("usd").has_value());
  EXPECT_FALSE(FindCurrency("Usd").has_value());
  EXPECT_FALSE(FindCurrency("").has_value());
  EXPECT_FALSE(FindCurrency("US").has_value());
  EXPECT_FALSE(FindCurrency("USDX").has_value());
  EXPECT_FALSE(FindCurrency(" USD").has_value());
  EXPECT_FALSE(FindCurrency("AAA").has_value());  // before the first entry
  EXPECT_FALSE(FindCurrency("ZZZ").has_value());  // after the last entry
}

std::string Format(std::int64_t minor_units, std::string_view code) {
  auto currency = FindCurrency(code);
  if (!currency) return "<unknown " + std::string(code) + ">";
  return FormatMoney(minor_units, *currency);
}

TEST(FormatMoney, Examples) {
  EXPECT_EQ(Format(2000, "USD"), "$20.00");
  EXPECT_EQ(Format(5, "USD"), "$0.05");
  EXPECT_EQ(Format(-150, "EUR"), "-€1.50");
  EXPECT_EQ(Format(2000, "JPY"), "¥2000");
  EXPECT_EQ(Format(1234, "KWD"), "KWD 1.234");
}

TEST(FormatMoney, SmallAndZeroAmounts) {
  EXPECT_EQ(Format(0, "USD"), "$0.00");
  EXPECT_EQ(Format(0, "JPY"), "¥0");
  EXPECT_EQ(Format(-5, "USD"), "-$0.05");
  EXPECT_EQ(Format(-1, "KWD"), "-KWD 0.001");
  EXPECT_EQ(Format(10, "USD"), "$0.10");
  EXPECT_EQ(Format(100, "USD"), "$1.00");
  EXPECT_EQ(Format(1, "UYW"), "UYW 0.0001");
  EXPECT_EQ(Format(123456, "UYW"), "UYW 12.3456");
  EXPECT_EQ(Format(-7, "JPY"), "-¥7");
  EXPECT_EQ(Format(123456789, "GBP"), "£1234567.89");
}

TEST(FormatMoney, ExtremesDoNotOverflow) {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(Format(kMax, "USD"), "$92233720368547758.07");
  EXPECT_EQ(Format(kMin, "USD"), "-$92233720368547758.08");
  EXPECT_EQ(Format(kMax, "JPY"), "¥9223372036854775807");
  EXPECT_EQ(Format(kMin, "JPY"), "-¥9223372036854775808");
  EXPECT_EQ(Format(kMin, "KWD"), "-KWD 9223372036854775.808");
  EXPECT_EQ(Format(kMax, "UYW"), "UYW 922337203685477.5807");
}

TEST(FormatMoney, CurrenciesOutsideTheTable) {
  // The symbol falls back to the code when empty; odd exponents stay well defined.
  EXPECT_EQ(FormatMoney(1234, Currency{"XYZ", 2, ""}), "XYZ 12.34");
  EXPECT_EQ(FormatMoney(1234, Currency{"XYZ", -1, "X"}), "X1234");
  EXPECT_EQ(FormatMoney(5, Currency{"XYZ", 25, "X"}), "X0.0000000000000000000000005");
  EXPECT_EQ(FormatMoney(std::numeric_limits<std::int64_t>::min(), Currency{"XYZ", 19, "X"}),
            "-X0.9223372036854775808");
}

TEST(Money, Equality) {
  EXPECT_EQ((Money{2000, "USD"}), (Money{2000, "USD"}));
  EXPECT_NE((Money{2000, "USD"}), (Money{2000, "EUR"}));
  EXPECT_NE((Money{2000, "USD"}), (Money{2001, "USD"}));
  EXPECT_EQ(Money{}, (Money{0, ""}));
}

}  // namespace
}  // namespace recur::money_test
