#include "domain/subscriptions/plan_choices.h"

namespace recur {
namespace {

// Runs Subscribe on a copy; with `with_card`, as if the payer had a default payment method.
Result<std::pair<Account, Transition>> TrySubscribe(const Account& account,
                                                    const SubscribeRequest& request,
                                                    const Catalog& catalog,
                                                    const LifecycleOptions& options, Instant now,
                                                    bool with_card) {
  Account copy = account;
  if (with_card && copy.DefaultPaymentMethod() == nullptr) {
    copy.payment_methods.push_back({"cpm_preview", "", "", "", 0, 0, now});
    copy.payer.default_payment_method_id = "cpm_preview";
  }
  // Ids of the copy only, never shown or stored, so counted rather than drawn at random (the
  // draws were 3% of a pricing-table request). Stored ids are never counted ones.
  CountingIdGenerator ids;
  const LifecycleContext context{catalog, ids, options, now};
  auto transition = Subscribe(copy, request, context);
  if (!transition) return std::unexpected(transition.error());
  return std::pair{std::move(copy), std::move(*transition)};
}

PlanChoice Describe(const Account& account, const CatalogPlan& plan, BillingInterval interval,
                    const Catalog& catalog, const LifecycleOptions& options, Instant now) {
  PlanChoice choice{interval};
  const SubscribeRequest request{plan.definition.slug, interval, std::nullopt};
  auto tried = TrySubscribe(account, request, catalog, options, now, /*with_card=*/false);
  if (!tried && tried.error().code == "payment_method_required") {
    choice.requires_payment_method = true;
    tried = TrySubscribe(account, request, catalog, options, now, /*with_card=*/true);
  }
  if (!tried) {
    const std::string& code = tried.error().code;
    choice.action = code == "already_subscribed" ? ChoiceAction::kCurrent
                    : code == "already_scheduled" || code == "already_canceled"
                        ? ChoiceAction::kScheduled
                        : ChoiceAction::kUnavailable;
    if (choice.action == ChoiceAction::kUnavailable) choice.reason = code;
    return choice;
  }
  const auto& [after, transition] = *tried;
  const SubscriptionItem* current = account.CurrentItem();
  const SubscriptionItem* item = after.FindItem(transition.item_id);
  if (plan.definition.is_default || item->status == ItemStatus::kUpcoming) {
    choice.action = ChoiceAction::kDowngrade;
    choice.takes_effect_at = current->period_end;
  } else if (item->status == ItemStatus::kIncomplete) {
    const PaymentAttempt& attempt = after.attempts.back();
    choice.amount_due_now = attempt.amount;
    choice.proration_credit = attempt.proration_credit;
    choice.takes_effect_at = now;
    const CatalogPlan* current_plan = catalog.FindPlan(current->plan_slug);
    choice.action = current_plan != nullptr && current_plan->definition.is_default
                        ? ChoiceAction::kSubscribe
                    : current->is_free_trial ? ChoiceAction::kSwitchFromTrial
                                             : ChoiceAction::kUpgrade;
  } else if (item->is_free_trial && account.FindItem(item->id) == nullptr) {
    choice.action = ChoiceAction::kStartTrial;
    choice.takes_effect_at = now;
  } else {
    choice.action = ChoiceAction::kResubscribe;
  }
  return choice;
}

}  // namespace

std::string_view ChoiceActionName(ChoiceAction action) {
  switch (action) {
    case ChoiceAction::kCurrent:
      return "current";
    case ChoiceAction::kScheduled:
      return "scheduled";
    case ChoiceAction::kStartTrial:
      return "start_trial";
    case ChoiceAction::kSubscribe:
      return "subscribe";
    case ChoiceAction::kUpgrade:
      return "upgrade";
    case ChoiceAction::kSwitchFromTrial:
      return "switch_from_trial";
    case ChoiceAction::kDowngrade:
      return "downgrade";
    case ChoiceAction::kResubscribe:
      return "resubscribe";
    case ChoiceAction::kUnavailable:
      return "unavailable";
  }
  return "unavailable";
}

std::vector<PlanChoice> DescribeChoices(const Account& account, const CatalogPlan& plan,
                                        const Catalog& catalog, const LifecycleOptions& options,
                                        Instant now) {
  std::vector<PlanChoice> choices = {
      Describe(account, plan, BillingInterval::kMonth, catalog, options, now)};
  if (catalog.CurrentVersion(plan).annual_amount) {
    choices.push_back(Describe(account, plan, BillingInterval::kAnnual, catalog, options, now));
  }
  return choices;
}

}  // namespace recur
