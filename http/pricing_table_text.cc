#include "http/pricing_table_text.h"

#include <nlohmann/json.hpp>

#include "base/decimal_text.h"
#include "http/rendered_catalog.h"

namespace recur {
namespace {

void AppendBool(std::string& out, bool value) { out += value ? "true" : "false"; }

// Names of fixed enums (IntervalName, ChoiceActionName, PayerTypeName) are lower-case identifiers:
// nothing to escape.
void AppendName(std::string& out, std::string_view name) {
  out += '"';
  out += name;
  out += '"';
}

void AppendString(std::string& out, std::string_view text) { out += nlohmann::json(text).dump(); }

void AppendOptionalString(std::string& out, const std::optional<std::string_view>& text) {
  if (text) {
    AppendString(out, *text);
  } else {
    out += "null";
  }
}

void AppendChoice(std::string& out, const PlanChoice& choice, std::string_view currency_text) {
  out += R"({"action":)";
  AppendName(out, ChoiceActionName(choice.action));
  out += R"(,"amount_due_now":)";
  AppendDecimal(out, choice.amount_due_now);
  out += R"(,"currency":)";
  out += currency_text;
  out += R"(,"interval":)";
  AppendName(out, IntervalName(choice.interval));
  out += R"(,"proration_credit":)";
  AppendDecimal(out, choice.proration_credit);
  out += R"(,"requires_payment_method":)";
  AppendBool(out, choice.requires_payment_method);
  out += R"(,"takes_effect_at":)";
  if (choice.takes_effect_at) {
    AppendDecimal(out, ToUnixMillis(*choice.takes_effect_at));
  } else {
    out += "null";
  }
  out += R"(,"unavailable_reason":)";
  if (choice.reason.empty()) {
    out += "null";
  } else {
    AppendString(out, choice.reason);
  }
  out += '}';
}

}  // namespace

std::string PlanEntryText(const PlanEntry& entry) {
  const std::string currency_text = nlohmann::json(entry.currency).dump();
  std::string out;
  out.reserve(64 + entry.choices.size() * 256 + entry.plan_text.size());
  out += R"({"choices":[)";
  for (const PlanChoice& choice : entry.choices) {
    if (&choice != &entry.choices.front()) out += ',';
    AppendChoice(out, choice, currency_text);
  }
  out += R"(],"current":)";
  AppendBool(out, entry.current);
  out += R"(,"upcoming":)";
  AppendBool(out, entry.upcoming);
  out += R"(,"plan":)";
  out += entry.plan_text;
  out += '}';
  return out;
}

std::string PricingTableText(const PricingTableHeader& header,
                             const std::vector<std::string>& entry_texts) {
  std::string out = R"({"current_item_id":)";
  AppendOptionalString(out, header.current_item_id);
  out += R"(,"gateway":{"name":)";
  AppendString(out, header.gateway_name);
  out += R"(,"publishable_key":)";
  AppendOptionalString(out, header.publishable_key);
  out += R"(},"object":"pricing_table","payer_id":)";
  AppendOptionalString(out, header.payer_id);
  out += R"(,"payer_type":)";
  AppendName(out, PayerTypeName(header.payer_type));
  out += R"(,"trial_eligible":)";
  AppendBool(out, header.trial_eligible);
  out += R"(,"upcoming_item_id":)";
  AppendOptionalString(out, header.upcoming_item_id);
  out += R"(,"data":)";
  out += ArrayText(entry_texts);
  out += '}';
  return out;
}

}  // namespace recur
