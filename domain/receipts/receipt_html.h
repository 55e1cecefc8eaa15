// Receipts as printable HTML pages: one for a paid payment attempt (RenderAttemptReceipt) and one
// for a statement, listing its attempts with their totals (RenderStatementReceipt). Each page is
// one self-contained document: its CSS inline in a <style> element, no script, no image, no
// font or link to fetch, so it renders whole under kReceiptContentSecurityPolicy, which the
// server sends with it. It reads on paper (@media print) and on a phone (no horizontal scroll
// at 375 CSS pixels: long ids wrap). Every text that comes from data (names, emails, ids, plan
// names) is HTML-escaped; amounts are written in the currency's minor digits (base/money.h) and
// dates as UTC days. Pure: the caller gathers the values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace recur {

// A page of these functions renders whole when its answer carries this Content-Security-Policy:
// nothing may be fetched, framed or run; only its inline styles apply.
inline constexpr std::string_view kReceiptContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

// Who paid, as a receipt names them.
struct ReceiptPayer {
  std::string name;
  std::string email;
};

// One payment attempt as a receipt shows it.
struct ReceiptAttempt {
  std::string id;         // cpay_...
  std::string status;     // "paid", "failed" or "pending"
  Instant made_at;        // when it was paid, else when it was made
  std::string plan_name;  // "" when the catalog no longer has the plan
  std::string interval;   // "month" or "annual"
  Instant period_start;
  Instant period_end;
  std::int64_t amount = 0;            // what was charged, minor units
  std::int64_t proration_credit = 0;  // taken off the period's price to make `amount`
  std::int64_t tax_total = 0;         // the tax within `amount`
  std::string card_brand;             // e.g. "visa"; "" when the card is no longer on file
  std::string card_last4;
};

struct AttemptReceipt {
  std::string merchant_name;
  ReceiptPayer payer;
  std::string currency;      // ISO 4217, the attempt's
  std::string statement_id;  // the statement the attempt is on
  ReceiptAttempt attempt;
};

struct StatementReceipt {
  std::string merchant_name;
  ReceiptPayer payer;
  std::string statement_id;
  std::string status;  // "open" or "closed"
  Instant cycle_start;
  Instant cycle_end;
  std::string currency;                  // ISO 4217, its attempts'
  std::int64_t paid_total = 0;           // the sum of its paid attempts
  std::int64_t tax_total = 0;            // the tax within paid_total
  std::vector<ReceiptAttempt> attempts;  // in the order they were made
};

std::string RenderAttemptReceipt(const AttemptReceipt& receipt);
std::string RenderStatementReceipt(const StatementReceipt& receipt);

}  // namespace recur
