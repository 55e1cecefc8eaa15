// Receipts over HTTP (billing_api.h): a paid payment attempt's receipt and a statement's page,
// as HTML. The handlers gather the values (the attempt or statement, its payer, cards and plans)
// and domain/receipts/receipt_html.h renders them; the answer forbids every fetch
// (kReceiptContentSecurityPolicy).
#include <algorithm>

#include "domain/receipts/receipt_html.h"
#include "http/billing_api.h"

namespace recur {
namespace {

ApiResponse HtmlResponse(std::string page) {
  ApiResponse response;
  response.body = std::move(page);
  response.content_type = "text/html; charset=utf-8";
  response.headers = {{"Content-Security-Policy", std::string(kReceiptContentSecurityPolicy)},
                      {"X-Content-Type-Options", "nosniff"},
                      {"Referrer-Policy", "no-referrer"},
                      {"Cache-Control", "private, no-store"}};
  return response;
}

// `attempt` as a receipt shows it: its plan from the catalog by the item it pays for, its card
// from the payer's saved ones (none when it was removed since).
ReceiptAttempt ReceiptAttemptOf(const PaymentAttempt& attempt, const Account& account,
                                const Catalog& catalog) {
  ReceiptAttempt shown;
  shown.id = attempt.id;
  shown.status = AttemptStatusName(attempt.status);
  shown.made_at = attempt.paid_at.value_or(attempt.created_at);
  shown.period_start = attempt.period_start;
  shown.period_end = attempt.period_end;
  shown.amount = attempt.amount;
  shown.proration_credit = attempt.proration_credit;
  shown.tax_total = 0;  // no tax is charged (statement_json.h)
  auto item = std::ranges::find(account.items, attempt.item_id, &SubscriptionItem::id);
  if (item != account.items.end()) {
    shown.interval = IntervalName(item->interval);
    const PlanVersion* price = catalog.FindVersion(item->plan_version_id);
    const CatalogPlan* plan =
        catalog.FindPlan(price != nullptr ? price->plan_slug : item->plan_slug);
    if (plan != nullptr) shown.plan_name = plan->definition.name;
  }
  auto card =
      std::ranges::find(account.payment_methods, attempt.payment_method_id, &PaymentMethod::id);
  if (card != account.payment_methods.end()) {
    shown.card_brand = card->brand;
    shown.card_last4 = card->last4;
  }
  return shown;
}

}  // namespace

Result<ApiResponse> GetAttemptReceipt(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {}); !known) {
    return std::unexpected(known.error());
  }
  BillingService& billing = api.billing;
  const std::string& attempt_id = request.path_params.at(0);
  auto found = billing.GetPaymentAttempt(attempt_id);
  if (!found) return std::unexpected(found.error());
  const PaymentAttempt& attempt = found->attempt;
  if (attempt.status != AttemptStatus::kPaid) {
    return MakeError(ErrorKind::kFailedPrecondition, "attempt_not_paid",
                     "payment attempt " + attempt_id + " is " +
                         std::string(AttemptStatusName(attempt.status)) +
                         ": only a paid attempt has a receipt (its statement lists it: "
                         "GET /v1/statements/" +
                         attempt.statement_id + "/receipt)",
                     "id");
  }
  auto account = billing.GetAccount(found->payer_id);
  if (!account) return std::unexpected(account.error());
  const AttemptReceipt receipt{api.merchant_name,
                               {account->payer.name, account->payer.email},
                               attempt.currency,
                               attempt.statement_id,
                               ReceiptAttemptOf(attempt, *account, *billing.catalog())};
  return HtmlResponse(RenderAttemptReceipt(receipt));
}

Result<ApiResponse> GetStatementReceipt(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {}); !known) {
    return std::unexpected(known.error());
  }
  BillingService& billing = api.billing;
  auto statement = billing.GetStatement(request.path_params.at(0));
  if (!statement) return std::unexpected(statement.error());
  auto account = billing.GetAccount(statement->payer_id);
  if (!account) return std::unexpected(account.error());
  auto catalog = billing.catalog();
  StatementReceipt receipt{api.merchant_name,
                           {account->payer.name, account->payer.email},
                           statement->id,
                           std::string(StatementStatusName(statement->status)),
                           statement->cycle_start,
                           statement->cycle_end,
                           statement->currency,
                           statement->paid_total,
                           0,  // no tax is charged
                           {}};
  // The groups are newest day first, each day's attempts in the order made.
  for (auto group = statement->groups.rbegin(); group != statement->groups.rend(); ++group) {
    for (const PaymentAttempt& attempt : group->attempts) {
      receipt.attempts.push_back(ReceiptAttemptOf(attempt, *account, *catalog));
    }
  }
  return HtmlResponse(RenderStatementReceipt(receipt));
}

}  // namespace recur
