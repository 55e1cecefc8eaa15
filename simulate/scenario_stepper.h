// Takes the steps of a scenario (scenario.h) against a billing service: what each step kind
// means, in one place, for `recur simulate scenario` (scenario_runner.h) and for anything else
// that drives the engine with scenario steps (the randomized lifecycle tests). The caller says
// how time moves (an advance) and which test clock, if any, new payers live on; the stepper
// keeps the scenario's payer names and the ids the engine gave them.
// Not thread-safe: one caller takes the steps, in order.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "services/billing/billing_service.h"
#include "simulate/scenario.h"

namespace recur {

class ScenarioStepper {
 public:
  // Moves time on to the instant given, running what falls due on the way; returns how many
  // pieces of due work ran.
  using Advance = std::function<Result<std::size_t>(Instant to)>;
  // The gateway finishes the pending charge made with the idempotency key given and returns
  // its notice about it.
  using FinishCharge = std::function<Result<GatewayMessage>(const std::string& idempotency_key)>;

  // `now` reads the time the scenario has reached; payers are made on `test_clock` when set.
  ScenarioStepper(BillingService& billing, std::function<Instant()> now, Advance advance,
                  FinishCharge finish_charge, std::optional<std::string> test_clock = std::nullopt);

  // Takes one step; returns what came of it to say besides its events (for a payer, its id), or
  // the engine's refusal.
  Result<std::string> Take(const ScenarioStep& step);

  // The id the engine gave the payer the scenario calls `name`; empty when not made yet.
  std::string PayerId(const std::string& name) const;

 private:
  // Finishes each of the payer's pending charges and applies the gateway's notice about it.
  Result<std::string> Settle(const ScenarioStep& step);
  // The payer's item on step.plan (current or upcoming), or its current item.
  Result<SubscriptionItem> FindItem(const ScenarioStep& step);

  BillingService& billing_;
  std::function<Instant()> now_;
  Advance advance_;
  FinishCharge finish_charge_;
  std::optional<std::string> test_clock_;
  std::map<std::string, std::string> payer_ids_;  // scenario name -> cpayer_...
};

}  // namespace recur
