// Renders a statement (domain/subscriptions/statement.h) in the shape of Clerk's Backend API
// BillingStatement (clerk/openapi-specs, bapi/2026-05-12.yml): object "commerce_statement", id,
// instance_id, timestamp (when its first attempt was made), payer, status ("open" | "closed"),
// totals {grand_total, subtotal, base_fee, tax_total} and groups, each
// {object "commerce_statement_group", timestamp (midnight UTC of the day), items: the day's
// payment attempts as PaymentAttemptJson renders them}. Totals count what was paid: no tax is
// charged and there is no unit pricing, so all four are the paid total but tax_total, 0.
// Beyond Clerk's fields: payer_id, period_start and period_end (the billing cycle). Pure.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "domain/events/billing_json.h"
#include "domain/subscriptions/statement.h"

namespace recur {

// `items` are the payer's items, where each attempt's item is looked up by id.
nlohmann::json StatementJson(const Statement& statement, const RenderContext& context,
                             const std::vector<SubscriptionItem>& items);

}  // namespace recur
