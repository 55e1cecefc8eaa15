// A pricing table's answer as JSON text: the payer's part, and one entry per plan with its
// choices (what each interval's button would do), whether it is the payer's current or upcoming
// plan, and the plan's own text rendered once per catalog snapshot (rendered_catalog.h).
//
// The text is written straight into a string, not built as a JSON tree and dumped: the trees'
// nodes and keys were a quarter of a pricing-table request. Every member is a number, a boolean,
// null, a name from a fixed enum, or a string passed through nlohmann's own escaping, and the
// text is byte for byte what dumping the trees gives (members in key order, then the spliced
// member: "plan" in an entry, "data" in the table).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/subscriptions/plan_choices.h"

namespace recur {

struct PlanEntry {
  const std::vector<PlanChoice>& choices;
  std::string_view currency;   // of the plan's current price, as in the catalog
  bool current = false;        // the payer's current item is on this plan
  bool upcoming = false;       // the payer's upcoming item is on this plan
  std::string_view plan_text;  // the plan's JSON text
};

// {"choices":[{"action":..,"amount_due_now":..,"currency":..,"interval":..,
//   "proration_credit":..,"requires_payment_method":..,"takes_effect_at":..,
//   "unavailable_reason":..},...],"current":..,"upcoming":..,"plan":<plan_text>}
std::string PlanEntryText(const PlanEntry& entry);

struct PricingTableHeader {
  std::optional<std::string_view> payer_id;  // none for a new payer's preview
  PayerType payer_type = PayerType::kUser;
  std::optional<std::string_view> current_item_id;
  std::optional<std::string_view> upcoming_item_id;
  bool trial_eligible = false;
  // The payment gateway, for the browser's checkout: "sandbox" or "stripe", and Stripe's
  // publishable key (none: not given).
  std::string_view gateway_name = "sandbox";
  std::optional<std::string_view> publishable_key;
};

// {"current_item_id":..,"gateway":{"name":..,"publishable_key":..},"object":"pricing_table","payer_id":..,"payer_type":..,
//  "trial_eligible":..,"upcoming_item_id":..,"data":[<entries>]}
std::string PricingTableText(const PricingTableHeader& header,
                             const std::vector<std::string>& entry_texts);

}  // namespace recur
