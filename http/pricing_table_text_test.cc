#include "http/pricing_table_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/rendered_catalog.h"

namespace recur::pricing_table_text_test {
namespace {

using nlohmann::json;

// The entry as a JSON tree, dumped, with the plan spliced in: how the pricing table was
// rendered before its text was written directly, and what that text must equal byte for byte.
std::string EntryByTree(const PlanEntry& entry) {
  json choices = json::array();
  for (const PlanChoice& choice : entry.choices) {
    choices.push_back(
        {{"interval", IntervalName(choice.interval)},
         {"action", ChoiceActionName(choice.action)},
         {"amount_due_now", choice.amount_due_now},
         {"proration_credit", choice.proration_credit},
         {"currency", entry.currency},
         {"takes_effect_at",
          choice.takes_effect_at ? json(ToUnixMillis(*choice.takes_effect_at)) : json(nullptr)},
         {"requires_payment_method", choice.requires_payment_method},
         {"unavailable_reason", choice.reason.empty() ? json(nullptr) : json(choice.reason)}});
  }
  const json tree = {
      {"current", entry.current}, {"upcoming", entry.upcoming}, {"choices", std::move(choices)}};
  return WithMemberText(tree.dump(), "plan", entry.plan_text);
}

const Instant kNow = FromUnixMillis(1795738726560);

TEST(PlanEntryText, EqualsTheDumpedTreeForEveryAction) {
  std::vector<PlanChoice> choices;
  for (ChoiceAction action :
       {ChoiceAction::kCurrent, ChoiceAction::kScheduled, ChoiceAction::kStartTrial,
        ChoiceAction::kSubscribe, ChoiceAction::kUpgrade, ChoiceAction::kSwitchFromTrial,
        ChoiceAction::kDowngrade, ChoiceAction::kResubscribe, ChoiceAction::kUnavailable}) {
    PlanChoice choice{BillingInterval::kMonth, action};
    choices.push_back(choice);
    choice.interval = BillingInterval::kAnnual;
    choice.amount_due_now = 48000;
    choice.proration_credit = 1234;
    choice.takes_effect_at = kNow;
    choice.requires_payment_method = true;
    choices.push_back(choice);
  }
  choices.back().reason = "plan_unavailable";
  for (bool current : {false, true}) {
    for (bool upcoming : {false, true}) {
      const PlanEntry entry{choices, "USD", current, upcoming, R"({"slug":"pro"})"};
      EXPECT_EQ(PlanEntryText(entry), EntryByTree(entry));
    }
  }
}

TEST(PlanEntryText, EqualsTheDumpedTreeAtTheEdges) {
  PlanChoice extreme{BillingInterval::kMonth, ChoiceAction::kUpgrade};
  extreme.amount_due_now = std::numeric_limits<std::int64_t>::max();
  extreme.proration_credit = std::numeric_limits<std::int64_t>::min();
  extreme.takes_effect_at = FromUnixMillis(-1);
  extreme.reason = "quote\" back\\slash \n new line \x01 \xc3\xa9";
  const std::vector<PlanChoice> choices = {extreme};
  const PlanEntry entry{choices, "E\"UR", true, false, "{}"};
  EXPECT_EQ(PlanEntryText(entry), EntryByTree(entry));
  EXPECT_EQ(json::parse(PlanEntryText(entry))["choices"][0]["unavailable_reason"], extreme.reason);

  const std::vector<PlanChoice> none;
  const PlanEntry empty{none, "USD", false, false, "{}"};
  EXPECT_EQ(PlanEntryText(empty), EntryByTree(empty));
}

// The table as a JSON tree, dumped, with the entries spliced in as "data".
std::string TableByTree(const PricingTableHeader& header, const std::vector<std::string>& entries) {
  const auto optional = [](const std::optional<std::string_view>& text) {
    return text ? json(*text) : json(nullptr);
  };
  const json tree = {
      {"object", "pricing_table"},
      {"payer_id", optional(header.payer_id)},
      {"payer_type", PayerTypeName(header.payer_type)},
      {"current_item_id", optional(header.current_item_id)},
      {"upcoming_item_id", optional(header.upcoming_item_id)},
      {"trial_eligible", header.trial_eligible},
      {"gateway",
       {{"name", header.gateway_name}, {"publishable_key", optional(header.publishable_key)}}}};
  return WithMemberText(tree.dump(), "data", ArrayText(entries));
}

TEST(PricingTableText, EqualsTheDumpedTreeForAPayerAndForAPreview) {
  const std::vector<std::string> entries = {R"({"plan":1})", R"({"plan":2})"};
  const PricingTableHeader payer{"cpayer_1", PayerType::kOrg, "csub_item_1", "csub_item_\"2\"",
                                 true,       "sandbox",       std::nullopt};
  EXPECT_EQ(PricingTableText(payer, entries), TableByTree(payer, entries));
  const PricingTableHeader preview{std::nullopt, PayerType::kUser, std::nullopt, std::nullopt,
                                   false,        "sandbox",        std::nullopt};
  EXPECT_EQ(PricingTableText(preview, entries), TableByTree(preview, entries));
  EXPECT_EQ(PricingTableText(preview, {}), TableByTree(preview, {}));
  PricingTableHeader stripe = payer;
  stripe.gateway_name = "stripe";
  stripe.publishable_key = "pk_test_\"quoted\"";
  EXPECT_EQ(PricingTableText(stripe, entries), TableByTree(stripe, entries));
}

}  // namespace
}  // namespace recur::pricing_table_text_test
