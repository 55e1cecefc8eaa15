#include "domain/receipts/receipt_html.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <date/date.h>

namespace recur::receipt_html_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Instant Day(date::year_month_day day, std::chrono::hours hour = std::chrono::hours(0)) {
  return Instant(date::sys_days(day)) + hour;
}

ReceiptAttempt PaidAttempt() {
  ReceiptAttempt attempt;
  attempt.id = "cpay_2g7np7Hrk0SN6kj5EDMLDaKNL0S";
  attempt.status = "paid";
  attempt.made_at = Day(date::year{2025} / 1 / 24, std::chrono::hours(23));
  attempt.plan_name = "Pro";
  attempt.interval = "month";
  attempt.period_start = Day(date::year{2025} / 1 / 24);
  attempt.period_end = Day(date::year{2025} / 2 / 24);
  attempt.amount = 2000;
  attempt.card_brand = "visa";
  attempt.card_last4 = "4242";
  return attempt;
}

AttemptReceipt Receipt() {
  return {"Acme Software",
          {"Ada Lovelace", "ada@example.com"},
          "USD",
          "stmt_2g7np7Hrk0SN6kj5EDMLDaKNL0S_1737676800000",
          PaidAttempt()};
}

StatementReceipt Statement() {
  ReceiptAttempt declined = PaidAttempt();
  declined.id = "cpay_declined";
  declined.status = "failed";
  declined.made_at = Day(date::year{2025} / 1 / 24);
  declined.card_brand = "mastercard";
  declined.card_last4 = "4444";
  return {"Acme Software",
          {"Ada Lovelace", "ada@example.com"},
          "stmt_2g7np7Hrk0SN6kj5EDMLDaKNL0S_1737676800000",
          "closed",
          Day(date::year{2025} / 1 / 24),
          Day(date::year{2025} / 2 / 24),
          "USD",
          2000,
          0,
          {declined, PaidAttempt()}};
}

TEST(AttemptReceiptTest, ShowsWhatWasPaidForByWhomAndHow) {
  const std::string page = RenderAttemptReceipt(Receipt());
  EXPECT_THAT(page, HasSubstr("Acme Software"));
  EXPECT_THAT(page, HasSubstr("Pro, monthly"));
  EXPECT_THAT(page, HasSubstr("24 Jan 2025 – 24 Feb 2025 (UTC)"));
  EXPECT_THAT(page, HasSubstr("<th>Total paid</th><td class=\"amount\">$20.00</td>"));
  EXPECT_THAT(page, HasSubstr("<th>Tax</th><td class=\"amount\">$0.00</td>"));
  EXPECT_THAT(page, HasSubstr("Visa ending in 4242"));
  EXPECT_THAT(page, HasSubstr("Ada Lovelace"));
  EXPECT_THAT(page, HasSubstr("ada@example.com"));
  EXPECT_THAT(page, HasSubstr("<dt>Date paid</dt><dd>24 Jan 2025</dd>")) << "the UTC day";
  EXPECT_THAT(page, HasSubstr("cpay_2g7np7Hrk0SN6kj5EDMLDaKNL0S"));
  EXPECT_THAT(page, HasSubstr("stmt_2g7np7Hrk0SN6kj5EDMLDaKNL0S_1737676800000"));
}

TEST(AttemptReceiptTest, AProrationCreditIsTakenOffThePeriodsPrice) {
  AttemptReceipt receipt = Receipt();
  receipt.attempt.plan_name = "Business";
  receipt.attempt.amount = 3500;
  receipt.attempt.proration_credit = 1500;
  const std::string page = RenderAttemptReceipt(receipt);
  EXPECT_THAT(page, HasSubstr("Business, monthly"));
  EXPECT_THAT(page, HasSubstr("<td class=\"amount\">$50.00</td>"));
  EXPECT_THAT(page, HasSubstr("<td class=\"amount\">-$15.00</td>"));
  EXPECT_THAT(page, HasSubstr("<th>Total paid</th><td class=\"amount\">$35.00</td>"));
}

TEST(AttemptReceiptTest, AmountsAreInTheCurrencysMinorDigits) {
  AttemptReceipt receipt = Receipt();
  receipt.currency = "JPY";
  receipt.attempt.amount = 2000;
  receipt.attempt.interval = "annual";
  const std::string page = RenderAttemptReceipt(receipt);
  EXPECT_THAT(page, HasSubstr("<th>Total paid</th><td class=\"amount\">¥2000</td>"));
  EXPECT_THAT(page, HasSubstr("Pro, yearly"));
}

TEST(AttemptReceiptTest, ACardNoLongerOnFileIsSaidSo) {
  AttemptReceipt receipt = Receipt();
  receipt.attempt.card_brand.clear();
  receipt.attempt.card_last4.clear();
  EXPECT_THAT(RenderAttemptReceipt(receipt),
              HasSubstr("Paid with</dt><dd>a card no longer on file"));
}

TEST(AttemptReceiptTest, EveryTextFromDataIsEscaped) {
  AttemptReceipt receipt = Receipt();
  receipt.merchant_name = "Acme & <b>Co</b>";
  receipt.payer = {"<script>alert(1)</script>", "\"x\"@example.com"};
  receipt.attempt.plan_name = "<img src=x onerror=alert(2)>";
  receipt.attempt.card_brand = "<i>";
  receipt.attempt.card_last4 = "<u>";
  receipt.statement_id = "stmt_'<";
  const std::string page = RenderAttemptReceipt(receipt);
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("<img")));
  EXPECT_THAT(page, Not(HasSubstr("<b>")));
  EXPECT_THAT(page, Not(HasSubstr("<i>")));
  EXPECT_THAT(page, Not(HasSubstr("<u>")));
  EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(page, HasSubstr("Acme &amp; &lt;b&gt;Co&lt;/b&gt;"));
  EXPECT_THAT(page, HasSubstr("&quot;x&quot;@example.com"));
  EXPECT_THAT(page, HasSubstr("stmt_&#39;&lt;"));
}

TEST(AttemptReceiptTest, APageFetchesNothingAndFitsPaperAndPhones) {
  const std::string page = RenderAttemptReceipt(Receipt());
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
  EXPECT_THAT(page, HasSubstr("<meta name=\"viewport\" content=\"width=device-width"));
  EXPECT_THAT(page, HasSubstr("@media print"));
  EXPECT_THAT(page, HasSubstr("overflow-wrap:anywhere")) << "long ids wrap on a phone";
  for (const char* fetches : {"<script", "<link", "<img", "src=", "href=", "url(", "@import"}) {
    EXPECT_THAT(page, Not(HasSubstr(fetches))) << fetches;
  }
  EXPECT_THAT(std::string(kReceiptContentSecurityPolicy), HasSubstr("default-src 'none'"));
}

TEST(StatementReceiptTest, ListsItsAttemptsWithWhatWasPaid) {
  const std::string page = RenderStatementReceipt(Statement());
  EXPECT_THAT(page, HasSubstr("<h1>Statement</h1>"));
  EXPECT_THAT(page, HasSubstr("24 Jan 2025 – 24 Feb 2025 (UTC) · Closed"));
  EXPECT_THAT(page, HasSubstr("Ada Lovelace"));
  const auto declined = page.find("cpay_declined");
  const auto paid = page.find("cpay_2g7np7Hrk0SN6kj5EDMLDaKNL0S<");
  ASSERT_NE(declined, std::string::npos);
  ASSERT_NE(paid, std::string::npos);
  EXPECT_LT(declined, paid) << "in the order they were made";
  EXPECT_THAT(page, HasSubstr("Mastercard ending in 4444"));
  EXPECT_THAT(page, HasSubstr("Failed, not charged"));
  EXPECT_THAT(page, HasSubstr("<td class=\"amount not-charged\">$20.00</td>"));
  EXPECT_THAT(page, HasSubstr("<th>Total paid</th><td class=\"amount\">$20.00</td>"));
  EXPECT_THAT(page, HasSubstr("<th>Tax</th><td class=\"amount\">$0.00</td>"));
}

TEST(StatementReceiptTest, EveryTextFromDataIsEscaped) {
  StatementReceipt statement = Statement();
  statement.payer.name = "<script>alert(1)</script>";
  statement.attempts[0].status = "\"><script>";
  statement.attempts[1].plan_name = "<b>Pro</b>";
  const std::string page = RenderStatementReceipt(statement);
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("<b>")));
  EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

}  // namespace
}  // namespace recur::receipt_html_test
