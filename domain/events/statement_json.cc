#include "domain/events/statement_json.h"

#include <algorithm>

namespace recur {

using nlohmann::json;

json StatementJson(const Statement& statement, const RenderContext& context,
                   const std::vector<SubscriptionItem>& items) {
  json groups = json::array();
  for (const StatementGroup& group : statement.groups) {
    json attempts = json::array();
    for (const PaymentAttempt& attempt : group.attempts) {
      auto item = std::ranges::find(items, attempt.item_id, &SubscriptionItem::id);
      attempts.push_back(
          PaymentAttemptJson(attempt, context, item == items.end() ? nullptr : &*item));
    }
    groups.push_back({{"object", "commerce_statement_group"},
                      {"timestamp", ToUnixMillis(group.day)},
                      {"items", std::move(attempts)}});
  }
  const json paid = MoneyJson(statement.paid_total, statement.currency);
  return {{"object", "commerce_statement"},
          {"id", statement.id},
          {"instance_id", context.instance_id},
          {"timestamp", ToUnixMillis(statement.created_at)},
          {"payer", PayerJson(context.payer)},
          {"payer_id", statement.payer_id},
          {"status", StatementStatusName(statement.status)},
          {"period_start", ToUnixMillis(statement.cycle_start)},
          {"period_end", ToUnixMillis(statement.cycle_end)},
          {"totals",
           {{"grand_total", paid},
            {"subtotal", paid},
            {"base_fee", paid},
            {"tax_total", MoneyJson(0, statement.currency)}}},
          {"groups", std::move(groups)}};
}

}  // namespace recur
