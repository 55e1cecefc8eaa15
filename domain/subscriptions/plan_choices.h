// What subscribing to a plan would do for a payer right now, for pricing tables: current,
// already scheduled, start a trial, subscribe (charge now), upgrade now with a credit, switch
// out of a trial, downgrade at period end, or resubscribe to a canceled item. The answer is
// found by running the lifecycle's own Subscribe on a copy of the account, so it can never
// disagree with what the subscribe endpoint will then do. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/subscriptions/lifecycle.h"

namespace recur {

enum class ChoiceAction {
  kCurrent,          // this plan and interval is what the payer has
  kScheduled,        // it starts at the end of the current period already
  kStartTrial,       // a free trial starts now
  kSubscribe,        // the first period is charged now
  kUpgrade,          // switches now; the unused part of the current period is credited
  kSwitchFromTrial,  // ends the running trial; the new plan is charged now
  kDowngrade,        // switches at the end of the current period
  kResubscribe,      // undoes a cancel; nothing is charged
  kUnavailable,      // see `reason`
};

std::string_view ChoiceActionName(ChoiceAction action);

struct PlanChoice {
  BillingInterval interval = BillingInterval::kMonth;
  ChoiceAction action = ChoiceAction::kUnavailable;
  std::int64_t amount_due_now = 0;
  std::int64_t proration_credit = 0;
  std::optional<Instant> takes_effect_at;
  bool requires_payment_method = false;  // the payer must add one first
  std::string reason;                    // the error code, for kUnavailable
};

// One choice per interval the plan is sold at (month, and annual when it has an annual price).
std::vector<PlanChoice> DescribeChoices(const Account& account, const CatalogPlan& plan,
                                        const Catalog& catalog, const LifecycleOptions& options,
                                        Instant now);

}  // namespace recur
