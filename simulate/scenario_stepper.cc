#include "simulate/scenario_stepper.h"

#include "simulate/timeline.h"

namespace recur {
namespace {

std::string Capitalized(std::string name) {
  if (!name.empty() && name[0] >= 'a' && name[0] <= 'z')
    name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

}  // namespace

ScenarioStepper::ScenarioStepper(BillingService& billing, std::function<Instant()> now,
                                 Advance advance, FinishCharge finish_charge,
                                 std::optional<std::string> test_clock)
    : billing_(billing),
      now_(std::move(now)),
      advance_(std::move(advance)),
      finish_charge_(std::move(finish_charge)),
      test_clock_(std::move(test_clock)) {}

std::string ScenarioStepper::PayerId(const std::string& name) const {
  auto found = payer_ids_.find(name);
  return found == payer_ids_.end() ? "" : found->second;
}

Result<std::string> ScenarioStepper::Take(const ScenarioStep& step) {
  switch (step.kind) {
    case StepKind::kAdvance: {
      const Instant to = step.to ? *step.to : now_() + *step.by;
      auto ran = advance_(to);
      if (!ran) return std::unexpected(ran.error());
      return "to " + FormatSimulatedTime(to) + ", " + std::to_string(*ran) +
             (*ran == 1 ? " piece" : " pieces") + " of due work ran";
    }
    case StepKind::kPayer: {
      NewPayer payer{step.payer, step.payer_type, step.payer + "@example.com",
                     Capitalized(step.payer), test_clock_};
      auto account = billing_.CreatePayer(payer);
      if (!account) return std::unexpected(account.error());
      payer_ids_[step.payer] = account->payer.id;
      return account->payer.id;
    }
    case StepKind::kCard: {
      auto method = billing_.AddPaymentMethod(PayerId(step.payer), step.token, true);
      if (!method) return std::unexpected(method.error());
      return method->brand + " ending " + method->last4 + ", the default";
    }
    case StepKind::kSubscribe: {
      auto outcome = billing_.Subscribe(PayerId(step.payer), step.subscribe);
      if (!outcome) return std::unexpected(outcome.error());
      if (outcome->declined) return "declined: " + outcome->declined->failed_reason;
      return "";
    }
    case StepKind::kCancel: {
      auto item = FindItem(step);
      if (!item) return std::unexpected(item.error());
      auto outcome = billing_.Cancel(item->id, step.end_now);
      if (!outcome) return std::unexpected(outcome.error());
      return "";
    }
    case StepKind::kExtendTrial: {
      auto item = FindItem(step);
      if (!item) return std::unexpected(item.error());
      if (!item->is_free_trial || !item->trial_end) {
        return MakeError(ErrorKind::kFailedPrecondition, "not_in_trial",
                         step.payer + "'s " + item->plan_slug + " item is not a free trial");
      }
      const Instant to = step.to ? *step.to : *item->trial_end + *step.by;
      auto outcome = billing_.ExtendTrial(item->id, to);
      if (!outcome) return std::unexpected(outcome.error());
      return "trial ends " + FormatSimulatedTime(to);
    }
    case StepKind::kSettle:
      return Settle(step);
  }
  return MakeError(ErrorKind::kInternal, "unknown_step", "unknown step");
}

Result<std::string> ScenarioStepper::Settle(const ScenarioStep& step) {
  auto account = billing_.GetAccount(PayerId(step.payer));
  if (!account) return std::unexpected(account.error());
  std::vector<std::string> settled;
  for (const PaymentAttempt& attempt : account->attempts) {
    if (attempt.status != AttemptStatus::kPending) continue;
    auto notice = finish_charge_(attempt.idempotency_key);
    if (!notice) return std::unexpected(notice.error());
    auto applied = billing_.ApplyGatewayNotice(*notice);
    if (!applied) return std::unexpected(applied.error());
    if (applied->attempt) {
      settled.push_back(std::string(AttemptStatusName(applied->attempt->status)));
    }
  }
  if (settled.empty()) {
    return MakeError(ErrorKind::kFailedPrecondition, "nothing_pending",
                     step.payer + " has no charge pending at the gateway");
  }
  std::string outcome;
  for (const std::string& status : settled) outcome += (outcome.empty() ? "" : ", ") + status;
  return outcome;
}

Result<SubscriptionItem> ScenarioStepper::FindItem(const ScenarioStep& step) {
  auto account = billing_.GetAccount(PayerId(step.payer));
  if (!account) return std::unexpected(account.error());
  for (const SubscriptionItem* item : {account->CurrentItem(), account->UpcomingItem()}) {
    if (item != nullptr && (step.plan.empty() || item->plan_slug == step.plan)) return *item;
  }
  return MakeError(ErrorKind::kNotFound, "item_not_found",
                   step.payer + " has no current or upcoming item on plan " + step.plan);
}

}  // namespace recur
