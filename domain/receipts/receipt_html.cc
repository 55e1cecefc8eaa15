#include "domain/receipts/receipt_html.h"

#include <date/date.h>

#include "base/html_escape.h"
#include "base/money.h"

namespace recur {
namespace {

// One style sheet for both pages: a card on a grey page on screens wider than a phone, the
// whole width on a phone, black on white without the card on paper.
constexpr std::string_view kStyle = R"css(
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f3f4f6;color:#111827;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:40rem;margin:2rem auto;padding:2rem;background:#fff;border:1px solid #e5e7eb;border-radius:12px}
header{border-bottom:1px solid #e5e7eb;padding-bottom:1rem;margin-bottom:1.5rem}
.merchant{margin:0;font-weight:600;font-size:1.125rem}
h1{margin:.25rem 0 0;font-size:1.75rem;line-height:1.2}
h2{margin:1.5rem 0 .5rem;font-size:.8125rem;font-weight:600;text-transform:uppercase;letter-spacing:.05em;color:#4b5563}
p{margin:0}
.muted{color:#4b5563}
.total-line{margin:1rem 0 0;font-size:2rem;font-weight:700;font-variant-numeric:tabular-nums}
.id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875rem}
.id,.wrap,td,dd{overflow-wrap:anywhere}
table{width:100%;border-collapse:collapse;margin-top:.5rem}
th,td{padding:.625rem 0;text-align:left;vertical-align:top;border-bottom:1px solid #e5e7eb}
th{font-size:.8125rem;font-weight:600;color:#4b5563}
.amount{text-align:right;white-space:nowrap;padding-left:1rem;font-variant-numeric:tabular-nums}
tfoot th,tfoot td{border-bottom:0;padding:.375rem 0}
tfoot th{font-size:1rem;color:#111827;font-weight:400}
tfoot tr.grand th,tfoot tr.grand td{font-weight:700;border-top:2px solid #111827;padding-top:.625rem}
.status{display:inline-block;margin-top:.25rem;padding:0 .5rem;border-radius:999px;font-size:.75rem;font-weight:600;background:#e5e7eb;color:#111827}
.status.paid{background:#dcfce7;color:#14532d}
.status.failed{background:#fee2e2;color:#7f1d1d}
.not-charged{text-decoration:line-through;color:#6b7280}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.375rem 1rem;margin:0}
dt{color:#4b5563}
dd{margin:0}
footer{margin-top:2rem;font-size:.875rem;color:#4b5563}
@media (max-width:30rem){
main{margin:0;padding:1.25rem 1rem;border:0;border-radius:0}
dl{grid-template-columns:1fr;gap:0}
dd{margin-bottom:.5rem}
}
@media print{
@page{margin:1.5cm}
body{background:#fff;font-size:11pt}
main{max-width:none;margin:0;padding:0;border:0}
.status{border:1px solid #111827;background:none;color:#111827}
}
)css";

std::string Text(std::string_view text) { return EscapeHtml(text); }

// "24 Jan 2025", the UTC day of `instant`.
std::string Day(Instant instant) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const date::year_month_day day{date::floor<date::days>(instant)};
  return std::to_string(static_cast<unsigned>(day.day())) + " " +
         std::string(kMonths[static_cast<unsigned>(day.month()) - 1]) + " " +
         std::to_string(static_cast<int>(day.year()));
}

std::string MoneyText(std::int64_t amount, const std::string& currency) {
  return Text(
      FormatMoney(amount, FindCurrency(currency).value_or(Currency{currency, 2, currency})));
}

// "Visa ending in 4242"; the brands Stripe names, as their owners write them.
std::string CardText(const ReceiptAttempt& attempt) {
  if (attempt.card_last4.empty()) return "a card no longer on file";
  static constexpr std::pair<std::string_view, std::string_view> kBrands[] = {
      {"visa", "Visa"},
      {"mastercard", "Mastercard"},
      {"amex", "American Express"},
      {"discover", "Discover"},
      {"diners", "Diners Club"},
      {"jcb", "JCB"},
      {"unionpay", "UnionPay"},
      {"cartes_bancaires", "Cartes Bancaires"}};
  std::string brand = attempt.card_brand.empty() ? "Card" : attempt.card_brand;
  for (const auto& [name, shown] : kBrands) {
    if (attempt.card_brand == name) brand = shown;
  }
  return Text(brand) + " ending in " + Text(attempt.card_last4);
}

// "Pro, monthly" (the plan's name, "Subscription" when the catalog lost it).
std::string PlanText(const ReceiptAttempt& attempt) {
  const std::string name = attempt.plan_name.empty() ? "Subscription" : attempt.plan_name;
  const std::string_view every = attempt.interval == "annual" ? "yearly" : "monthly";
  return Text(name) + ", " + std::string(every);
}

std::string PeriodText(Instant start, Instant end) {
  return Day(start) + " – " + Day(end) + " (UTC)";
}

std::string StatusText(std::string_view status) {
  if (status == "paid") return "Paid";
  if (status == "failed") return "Failed, not charged";
  return "Pending";
}

std::string Page(std::string_view title, const std::string& body) {
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>";
  page += title;
  page += "</title>\n<style>";
  page += kStyle;
  page += "</style>\n</head>\n<body>\n<main>\n";
  page += body;
  page += "</main>\n</body>\n</html>\n";
  return page;
}

std::string Header(const std::string& merchant, std::string_view heading,
                   const std::string& under) {
  return "<header>\n<p class=\"merchant\">" + Text(merchant) + "</p>\n<h1>" + std::string(heading) +
         "</h1>\n<p class=\"muted\">" + under + "</p>\n</header>\n";
}

std::string BilledTo(const ReceiptPayer& payer) {
  return "<h2>Billed to</h2>\n<p>" + Text(payer.name) + "<br><span class=\"wrap\">" +
         Text(payer.email) + "</span></p>\n";
}

}  // namespace

std::string RenderAttemptReceipt(const AttemptReceipt& receipt) {
  const ReceiptAttempt& attempt = receipt.attempt;
  const std::string& currency = receipt.currency;
  std::string body = Header(receipt.merchant_name, "Receipt", "Paid " + Day(attempt.made_at));
  body += "<p class=\"total-line\">" + MoneyText(attempt.amount, currency) + "</p>\n";
  body += BilledTo(receipt.payer);

  body +=
      "<h2>Summary</h2>\n<table>\n<thead><tr><th>Description</th>"
      "<th class=\"amount\">Amount</th></tr></thead>\n<tbody>\n";
  body += "<tr><td>" + PlanText(attempt) + "<br><span class=\"muted\">" +
          PeriodText(attempt.period_start, attempt.period_end) +
          "</span></td><td class=\"amount\">" +
          MoneyText(attempt.amount + attempt.proration_credit, currency) + "</td></tr>\n";
  if (attempt.proration_credit != 0) {
    body += "<tr><td>Credit for the unused time of the previous plan</td><td class=\"amount\">" +
            MoneyText(-attempt.proration_credit, currency) + "</td></tr>\n";
  }
  body += "</tbody>\n<tfoot>\n<tr><th>Subtotal</th><td class=\"amount\">" +
          MoneyText(attempt.amount - attempt.tax_total, currency) + "</td></tr>\n";
  body += "<tr><th>Tax</th><td class=\"amount\">" + MoneyText(attempt.tax_total, currency) +
          "</td></tr>\n";
  body += "<tr class=\"grand\"><th>Total paid</th><td class=\"amount\">" +
          MoneyText(attempt.amount, currency) + "</td></tr>\n</tfoot>\n</table>\n";

  body += "<h2>Payment</h2>\n<dl>\n";
  body += "<dt>Paid with</dt><dd>" + CardText(attempt) + "</dd>\n";
  body += "<dt>Date paid</dt><dd>" + Day(attempt.made_at) + "</dd>\n";
  body += "<dt>Receipt number</dt><dd class=\"id\">" + Text(attempt.id) + "</dd>\n";
  body += "<dt>Statement</dt><dd class=\"id\">" + Text(receipt.statement_id) + "</dd>\n";
  body += "</dl>\n<footer>Questions about this charge? Contact " + Text(receipt.merchant_name) +
          ".</footer>\n";
  return Page("Receipt " + Text(attempt.id) + " · " + Text(receipt.merchant_name), body);
}

std::string RenderStatementReceipt(const StatementReceipt& receipt) {
  const std::string& currency = receipt.currency;
  const std::string period = PeriodText(receipt.cycle_start, receipt.cycle_end);
  std::string body = Header(receipt.merchant_name, "Statement",
                            period + " · " + (receipt.status == "open" ? "Open" : "Closed"));
  body += BilledTo(receipt.payer);

  body +=
      "<h2>Payments</h2>\n<table>\n<thead><tr><th>Payment</th>"
      "<th class=\"amount\">Amount</th></tr></thead>\n<tbody>\n";
  for (const ReceiptAttempt& attempt : receipt.attempts) {
    const bool paid = attempt.status == "paid";
    body += "<tr><td>" + Day(attempt.made_at) + " · " + PlanText(attempt) +
            "<br><span class=\"muted\">" + PeriodText(attempt.period_start, attempt.period_end) +
            "<br>" + CardText(attempt) + "</span><br><span class=\"id\">" + Text(attempt.id) +
            "</span><br><span class=\"status " + Text(attempt.status) + "\">" +
            StatusText(attempt.status) + "</span></td><td class=\"amount" +
            (paid ? "" : " not-charged") + "\">" + MoneyText(attempt.amount, currency) +
            "</td></tr>\n";
  }
  body += "</tbody>\n<tfoot>\n<tr><th>Tax</th><td class=\"amount\">" +
          MoneyText(receipt.tax_total, currency) + "</td></tr>\n";
  body += "<tr class=\"grand\"><th>Total paid</th><td class=\"amount\">" +
          MoneyText(receipt.paid_total, currency) + "</td></tr>\n</tfoot>\n</table>\n";

  body += "<h2>Statement</h2>\n<dl>\n<dt>Statement number</dt><dd class=\"id\">" +
          Text(receipt.statement_id) + "</dd>\n</dl>\n";
  body += "<footer>Only paid payments count towards the total. Questions? Contact " +
          Text(receipt.merchant_name) + ".</footer>\n";
  return Page("Statement " + Text(receipt.statement_id) + " · " + Text(receipt.merchant_name),
              body);
}

}  // namespace recur
