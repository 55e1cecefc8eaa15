#include "domain/subscriptions/lifecycle.h"

#include <algorithm>
#include <string_view>

#include "base/suggest.h"
#include "domain/subscriptions/statement.h"

namespace recur {
namespace {

using std::chrono::hours;

std::unexpected<Error> Invalid(std::string code, std::string message, std::string param = {}) {
  return MakeError(ErrorKind::kInvalidArgument, std::move(code), std::move(message),
                   std::move(param));
}
std::unexpected<Error> Refused(std::string code, std::string message, std::string param = {}) {
  return MakeError(ErrorKind::kFailedPrecondition, std::move(code), std::move(message),
                   std::move(param));
}
std::unexpected<Error> Conflict(std::string code, std::string message) {
  return MakeError(ErrorKind::kAlreadyExists, std::move(code), std::move(message));
}

// Builds a transition, keeping event order and the subscription status it started from.
class Recorder {
 public:
  Recorder(const Account& account, const LifecycleContext& context)
      : status_before_(SubscriptionStatusName(account)), now_(context.now) {}

  void Item(EventType type, const SubscriptionItem& item) {
    transition_.events.push_back({type, now_, item, std::nullopt, {}});
  }
  void Attempt(EventType type, const PaymentAttempt& attempt) {
    transition_.events.push_back({type, now_, std::nullopt, attempt, {}});
  }
  void Subscription(EventType type, const Account& account) {
    BillingEvent event{type, now_, std::nullopt, std::nullopt, {}};
    for (const SubscriptionItem& item : account.items) {
      if (IsLiveStatus(item.status)) event.subscription.push_back(item);
    }
    transition_.events.push_back(std::move(event));
  }
  // subscription.pastDue / .active when the status changed, .updated otherwise.
  void SubscriptionChanged(const Account& account) {
    const std::string_view after = SubscriptionStatusName(account);
    EventType type = EventType::kSubscriptionUpdated;
    if (after != status_before_) {
      type = after == "past_due" ? EventType::kSubscriptionPastDue : EventType::kSubscriptionActive;
    }
    Subscription(type, account);
  }
  // Work is never due before the change that makes it: a period paid for only after it ended
  // (its charge was pending) renews now, not in the past, so events never go back in time. The
  // work's reference keeps the instant it is for, and the period it charges starts there.
  void Schedule(DueWork work) {
    work.due_at = std::max(work.due_at, now_);
    transition_.scheduled.push_back(std::move(work));
  }
  Transition& transition() { return transition_; }
  // Hands the transition over; the recorder is done after this.
  Transition Finish() { return std::move(transition_); }

 private:
  std::string_view status_before_;
  Instant now_;
  Transition transition_;
};

const CatalogPlan* DefaultPlan(const Catalog& catalog, PayerType type) {
  for (const CatalogPlan& plan : catalog.plans()) {
    if (!plan.archived_at && plan.definition.is_default && plan.definition.payer_type == type) {
      return &plan;
    }
  }
  return nullptr;
}

Result<SubscriptionItem*> AddDefaultItem(Account& account, const LifecycleContext& context,
                                         ItemStatus status, Instant start) {
  const CatalogPlan* plan = DefaultPlan(context.catalog, account.payer.type);
  if (plan == nullptr) {
    return MakeError(ErrorKind::kInternal, "no_default_plan",
                     "the catalog has no default plan for payer_type " +
                         std::string(PayerTypeName(account.payer.type)));
  }
  const PlanVersion& price = context.catalog.CurrentVersion(*plan);
  SubscriptionItem item;
  item.id = context.ids.NewId("csub_item");
  item.plan_slug = plan->definition.slug;
  item.plan_version_id = price.id;
  item.status = status;
  item.currency = price.currency;
  item.created_at = context.now;
  item.anchor = start;
  item.period_start = start;
  account.items.push_back(std::move(item));
  return &account.items.back();
}

bool IsDefaultPlan(const Catalog& catalog, const SubscriptionItem& item) {
  const CatalogPlan* plan = catalog.FindPlan(item.plan_slug);
  return plan != nullptr && plan->definition.is_default;
}

void End(SubscriptionItem& item, Instant now) {
  item.status = ItemStatus::kEnded;
  item.ended_at = now;
}

void Abandon(SubscriptionItem& item, Recorder& record) {
  item.status = ItemStatus::kAbandoned;
  record.Item(EventType::kItemAbandoned, item);
}

// The paying price of a period in a year, to compare plans across intervals.
std::int64_t YearlyPrice(std::int64_t amount, BillingInterval interval) {
  return interval == BillingInterval::kMonth ? amount * 12 : amount;
}

struct Offer {
  const CatalogPlan* plan;
  const PlanVersion* price;
  std::int64_t amount;  // one period at the asked interval
};

// "; did you mean \"pro\"?" when a plan still sold has a slug close to `asked`; "" otherwise.
std::string SuggestPlan(std::string_view asked, const Catalog& catalog) {
  std::vector<std::string_view> sold;
  for (const CatalogPlan& plan : catalog.plans()) {
    if (!plan.archived_at) sold.push_back(plan.definition.slug);
  }
  const std::optional<std::string_view> match = ClosestMatch(asked, sold);
  return match ? "; did you mean \"" + std::string(*match) + "\"?" : std::string();
}

Result<Offer> ResolveOffer(const Account& account, const SubscribeRequest& request,
                           const Catalog& catalog) {
  const CatalogPlan* plan = catalog.FindPlan(request.plan);
  if (plan == nullptr) {
    if (const PlanVersion* version = catalog.FindVersion(request.plan)) {
      plan = catalog.FindPlan(version->plan_slug);
      if (plan != nullptr && plan->current_version_id != version->id) {
        return Refused("plan_version_outdated",
                       "plan version " + request.plan + " is no longer sold; subscribe to plan \"" +
                           version->plan_slug + "\" (its current version is " +
                           plan->current_version_id + ")",
                       "plan");
      }
    }
  }
  if (plan == nullptr) {
    return MakeError(ErrorKind::kNotFound, "plan_not_found",
                     "no plan \"" + request.plan + "\" (give a plan slug or id)" +
                         SuggestPlan(request.plan, catalog),
                     "plan");
  }
  if (plan->archived_at) {
    return Refused("plan_archived",
                   "plan \"" + plan->definition.slug + "\" is archived and no longer sold", "plan");
  }
  if (plan->definition.payer_type != account.payer.type) {
    return Invalid("payer_type_mismatch",
                   "plan \"" + plan->definition.slug + "\" is for " +
                       std::string(PayerTypeName(plan->definition.payer_type)) +
                       " payers, and this payer is a " +
                       std::string(PayerTypeName(account.payer.type)),
                   "plan");
  }
  const PlanVersion& price = catalog.CurrentVersion(*plan);
  if (request.interval == BillingInterval::kAnnual) {
    if (!price.annual_amount) {
      return Invalid("annual_not_offered",
                     "plan \"" + plan->definition.slug + "\" has no annual price", "interval");
    }
    return Offer{plan, &price, *price.annual_amount};
  }
  return Offer{plan, &price, price.amount};
}

SubscriptionItem NewItem(const Offer& offer, BillingInterval interval,
                         const LifecycleContext& context) {
  SubscriptionItem item;
  item.id = context.ids.NewId("csub_item");
  item.plan_slug = offer.plan->definition.slug;
  item.plan_version_id = offer.price->id;
  item.interval = interval;
  item.amount = offer.amount;
  item.currency = offer.price->currency;
  item.created_at = context.now;
  item.anchor = context.now;
  item.period_start = context.now;
  return item;
}

std::string IdempotencyKey(const SubscriptionItem& item, Instant period_start,
                           std::string_view suffix = "") {
  return item.id + ":" + std::to_string(ToUnixMillis(period_start)) + std::string(suffix);
}

// Creates a pending attempt for `item`'s period [start, end) and asks for it to be charged;
// `credited` is the replaced item's period a proration credit is for.
PaymentAttempt& RequestCharge(Account& account, SubscriptionItem& item, ChargePurpose purpose,
                              Instant start, Instant end, std::int64_t credit,
                              std::string idempotency_key, const LifecycleContext& context,
                              Recorder& record, std::optional<Period> credited = std::nullopt) {
  PaymentAttempt attempt;
  attempt.id = context.ids.NewId("cpay");
  attempt.item_id = item.id;
  attempt.purpose = purpose;
  attempt.amount = std::max<std::int64_t>(0, item.amount - credit);
  attempt.proration_credit = std::min(credit, item.amount);
  attempt.currency = item.currency;
  attempt.payment_method_id = account.payer.default_payment_method_id.value_or("");
  attempt.period_start = start;
  attempt.period_end = end;
  attempt.idempotency_key = std::move(idempotency_key);
  attempt.statement_id = StatementIdOf(account.payer.id, start, attempt.currency);
  if (credited) {
    attempt.credited_period_start = credited->start;
    attempt.credited_period_end = credited->end;
  }
  attempt.created_at = context.now;
  attempt.updated_at = context.now;
  account.attempts.push_back(std::move(attempt));
  PaymentAttempt& stored = account.attempts.back();
  record.Attempt(EventType::kPaymentAttemptCreated, stored);
  record.transition().charges.push_back(stored.id);
  return stored;
}

void ScheduleTrialWork(const Account& account, const SubscriptionItem& item,
                       const LifecycleContext& context, Recorder& record) {
  const Instant trial_end = *item.trial_end;
  const CatalogPlan* plan = context.catalog.FindPlan(item.plan_slug);
  bool notice_now_scheduled = false;
  // Leads are longest first; all that have already passed collapse into one notice now.
  for (hours lead : plan->definition.trial_ending_notices) {
    const Instant at = trial_end - lead;
    if (at <= context.now) {
      if (notice_now_scheduled) continue;
      notice_now_scheduled = true;
    }
    record.Schedule({DueKind::kTrialEndingNotice, account.payer.id, item.id,
                     std::max(at, context.now), trial_end, lead});
  }
  record.Schedule({DueKind::kTrialEnd, account.payer.id, item.id, trial_end, trial_end});
}

void SchedulePeriodEnd(const Account& account, const SubscriptionItem& item, Recorder& record) {
  record.Schedule(
      {DueKind::kPeriodEnd, account.payer.id, item.id, *item.period_end, *item.period_end});
}

Result<SubscriptionItem*> FindItemOf(Account& account, std::string_view item_id) {
  if (SubscriptionItem* item = account.FindItem(item_id)) return item;
  return MakeError(
      ErrorKind::kNotFound, "item_not_found",
      "payer " + account.payer.id + " has no subscription item " + std::string(item_id));
}

bool HasPendingAttempt(const Account& account, std::string_view item_id) {
  return std::any_of(account.attempts.begin(), account.attempts.end(), [&](const auto& attempt) {
    return attempt.status == AttemptStatus::kPending && attempt.item_id == item_id;
  });
}

// A new paid item whose first period is charged now; the current item gives way only when the
// charge succeeds (ApplyChargeOutcome).
Result<Transition> Checkout(Account& account, const Offer& offer, BillingInterval interval,
                            std::int64_t credit, std::optional<Period> credited_period,
                            const LifecycleContext& context, Recorder& record) {
  if (account.DefaultPaymentMethod() == nullptr) {
    return Refused("payment_method_required",
                   "plan \"" + offer.plan->definition.slug +
                       "\" is charged now: add a payment method to the payer first",
                   "plan");
  }
  SubscriptionItem item = NewItem(offer, interval, context);
  item.status = ItemStatus::kIncomplete;
  item.period_end = PeriodBoundary(item.anchor, interval, 1);
  account.items.push_back(std::move(item));
  SubscriptionItem& stored = account.items.back();
  record.transition().item_id = stored.id;
  RequestCharge(account, stored, ChargePurpose::kCheckout, stored.period_start, *stored.period_end,
                credit, IdempotencyKey(stored, stored.period_start), context, record,
                credited_period);
  return record.Finish();
}

Result<Transition> StartTrial(Account& account, const Offer& offer, BillingInterval interval,
                              const LifecycleContext& context, Recorder& record) {
  const PlanDefinition& plan = offer.plan->definition;
  if (plan.free_trial_requires_payment_method && account.DefaultPaymentMethod() == nullptr) {
    return Refused("payment_method_required",
                   "the free trial of plan \"" + plan.slug +
                       "\" needs a payment method up front: add one to the payer first",
                   "plan");
  }
  SubscriptionItem item = NewItem(offer, interval, context);
  item.is_free_trial = true;
  item.trial_end = context.now + std::chrono::days(plan.free_trial_days);
  item.period_end = item.trial_end;
  SubscriptionItem* current = account.CurrentItem();
  End(*current, context.now);
  const SubscriptionItem ended = *current;
  account.items.push_back(std::move(item));
  SubscriptionItem& trial = account.items.back();
  account.payer.trial_used = true;
  record.transition().item_id = trial.id;
  record.Item(EventType::kItemActive, trial);
  record.Item(EventType::kItemEnded, ended);
  if (SubscriptionItem* upcoming = account.UpcomingItem()) Abandon(*upcoming, record);
  record.SubscriptionChanged(account);
  ScheduleTrialWork(account, trial, context, record);
  return record.Finish();
}

// The current item is canceled: it runs to its end, then the default plan takes over.
Result<Transition> CancelAtEnd(Account& account, SubscriptionItem& item,
                               const LifecycleContext& context, Recorder& record) {
  if (item.status == ItemStatus::kCanceled) {
    return Conflict("already_canceled", "item " + item.id + " is already canceled; it ends at " +
                                            std::to_string(ToUnixMillis(*item.period_end)));
  }
  item.status = ItemStatus::kCanceled;
  item.canceled_at = context.now;
  record.Item(EventType::kItemCanceled, item);
  if (SubscriptionItem* upcoming = account.UpcomingItem()) Abandon(*upcoming, record);
  const Instant end = *item.period_end;
  const std::string item_id = item.id;
  auto free = AddDefaultItem(account, context, ItemStatus::kUpcoming, end);
  if (!free) return std::unexpected(free.error());
  record.Item(EventType::kItemUpcoming, **free);
  record.transition().item_id = item_id;
  record.SubscriptionChanged(account);
  return record.Finish();
}

// Ends the current item now and puts the payer on the default plan.
Result<Transition> EndNow(Account& account, SubscriptionItem& item, const LifecycleContext& context,
                          Recorder& record) {
  if (item.status != ItemStatus::kCanceled) item.canceled_at = context.now;
  End(item, context.now);
  record.Item(EventType::kItemEnded, item);
  record.transition().item_id = item.id;
  if (SubscriptionItem* upcoming = account.UpcomingItem()) Abandon(*upcoming, record);
  auto free = AddDefaultItem(account, context, ItemStatus::kActive, context.now);
  if (!free) return std::unexpected(free.error());
  record.Item(EventType::kItemActive, **free);
  record.SubscriptionChanged(account);
  return record.Finish();
}

// At a period or trial end: the current item ends and the upcoming one (or the default plan)
// becomes current. A paid upcoming item starts a period and is charged for it.
Result<Transition> HandOver(Account& account, SubscriptionItem& item,
                            const LifecycleContext& context, Recorder& record) {
  End(item, context.now);
  record.Item(EventType::kItemEnded, item);
  SubscriptionItem* next = account.UpcomingItem();
  if (next == nullptr) {
    auto free = AddDefaultItem(account, context, ItemStatus::kActive, context.now);
    if (!free) return std::unexpected(free.error());
    next = *free;
  }
  next->status = ItemStatus::kActive;
  next->anchor = context.now;
  next->period_start = context.now;
  if (next->amount > 0) next->period_end = PeriodBoundary(next->anchor, next->interval, 1);
  record.Item(EventType::kItemActive, *next);
  record.SubscriptionChanged(account);
  if (next->amount > 0) {
    if (account.DefaultPaymentMethod() == nullptr) {
      // Nothing to charge: the downgrade cannot start; the payer falls back to the free plan.
      return EndNow(account, *next, context, record);
    }
    RequestCharge(account, *next, ChargePurpose::kRenewal, next->period_start, *next->period_end, 0,
                  IdempotencyKey(*next, next->period_start), context, record);
  }
  return record.Finish();
}

// Settles a pending attempt with a decided outcome: paid, or failed with the gateway's code and
// message (a required action fails as authentication_required).
void RecordOutcome(PaymentAttempt& attempt, const ChargeOutcome& outcome, Instant now) {
  attempt.updated_at = now;
  attempt.gateway_charge_id = outcome.gateway_charge_id;
  if (outcome.status == ChargeStatus::kPaid) {
    attempt.status = AttemptStatus::kPaid;
    attempt.paid_at = now;
    return;
  }
  attempt.status = AttemptStatus::kFailed;
  attempt.failed_at = now;
  attempt.failed_code = outcome.status == ChargeStatus::kRequiresAction
                            ? std::string(kAuthenticationRequired)
                            : outcome.code;
  attempt.failed_reason = outcome.message;
}

void GoPastDue(Account& account, SubscriptionItem& item, const PaymentAttempt& attempt,
               const LifecycleContext& context, Recorder& record) {
  item.status = ItemStatus::kPastDue;
  if (attempt.purpose == ChargePurpose::kTrialConversion) item.anchor = attempt.period_start;
  item.is_free_trial = false;
  item.past_due_at = context.now;
  item.dunning_retries = 0;
  item.period_start = attempt.period_start;
  item.period_end = attempt.period_end;
  record.Item(EventType::kItemPastDue, item);
  record.SubscriptionChanged(account);
  if (!context.options.dunning_retries.empty()) {
    record.Schedule({DueKind::kDunningRetry, account.payer.id, item.id,
                     context.now + context.options.dunning_retries[0], context.now, hours(0), 0});
  }
}

// A checkout paid later than it was asked for (the gateway answered pending) starts the new
// plan now, not when it was asked for: until now the payer had the plan before, so the period
// paid for begins here and runs a whole interval. The attempt pays for that period; its
// idempotency key stays the one the gateway knows the charge by.
void StartFirstPeriodNow(SubscriptionItem& item, PaymentAttempt& attempt, Instant now) {
  if (now <= item.period_start) return;
  item.anchor = now;
  item.period_start = now;
  item.period_end = PeriodBoundary(now, item.interval, 1);
  attempt.period_start = item.period_start;
  attempt.period_end = *item.period_end;
}

Result<Transition> SettleCheckout(Account& account, SubscriptionItem& item, bool paid,
                                  const LifecycleContext& context, Recorder& record) {
  if (!paid) {
    record.Item(EventType::kItemIncomplete, item);
    return record.Finish();
  }
  SubscriptionItem* current = account.CurrentItem();
  std::optional<SubscriptionItem> ended;
  if (current != nullptr) {
    End(*current, context.now);
    ended = *current;
  }
  item.status = ItemStatus::kActive;
  record.Item(EventType::kItemActive, item);
  if (ended) record.Item(EventType::kItemEnded, *ended);
  if (SubscriptionItem* upcoming = account.UpcomingItem()) Abandon(*upcoming, record);
  record.SubscriptionChanged(account);
  SchedulePeriodEnd(account, item, record);
  return record.Finish();
}

Result<Transition> SettleRecurring(Account& account, SubscriptionItem& item,
                                   const PaymentAttempt& attempt, bool paid,
                                   const LifecycleContext& context, Recorder& record) {
  const bool was_past_due = item.status == ItemStatus::kPastDue;
  if (paid) {
    item.is_free_trial = false;
    item.period_start = attempt.period_start;
    item.period_end = attempt.period_end;
    if (attempt.purpose == ChargePurpose::kTrialConversion) item.anchor = attempt.period_start;
    if (was_past_due) {
      item.status = ItemStatus::kActive;
      item.past_due_at.reset();
      item.dunning_retries = 0;
      record.Item(EventType::kItemActive, item);
      record.SubscriptionChanged(account);
    } else {
      record.Item(EventType::kItemUpdated, item);
    }
    SchedulePeriodEnd(account, item, record);
    return record.Finish();
  }
  if (!was_past_due) {
    GoPastDue(account, item, attempt, context, record);
    return record.Finish();
  }
  const std::size_t next_retry = static_cast<std::size_t>(++item.dunning_retries);
  if (next_retry < context.options.dunning_retries.size()) {
    record.Schedule({DueKind::kDunningRetry, account.payer.id, item.id,
                     *item.past_due_at + context.options.dunning_retries[next_retry],
                     *item.past_due_at, hours(0), static_cast<int>(next_retry)});
    return record.Finish();
  }
  return EndNow(account, item, context, record);  // dunning exhausted
}

Result<Transition> TrialEndsNow(Account& account, SubscriptionItem& item,
                                const LifecycleContext& context, Recorder& record) {
  if (item.status == ItemStatus::kCanceled || account.DefaultPaymentMethod() == nullptr) {
    return HandOver(account, item, context, record);
  }
  const Instant start = *item.trial_end;
  const Instant end = PeriodBoundary(start, item.interval, 1);
  RequestCharge(account, item, ChargePurpose::kTrialConversion, start, end, 0,
                IdempotencyKey(item, start), context, record);
  return record.Finish();
}

Result<Transition> PeriodEndsNow(Account& account, SubscriptionItem& item,
                                 const LifecycleContext& context, Recorder& record) {
  if (item.status == ItemStatus::kCanceled || account.UpcomingItem() != nullptr) {
    return HandOver(account, item, context, record);
  }
  if (account.DefaultPaymentMethod() == nullptr) return HandOver(account, item, context, record);
  const Instant start = *item.period_end;
  const std::int64_t index = PeriodIndexAt(item.anchor, item.interval, start);
  const Instant end = PeriodBoundary(item.anchor, item.interval, index + 1);
  RequestCharge(account, item, ChargePurpose::kRenewal, start, end, 0, IdempotencyKey(item, start),
                context, record);
  return record.Finish();
}

// The steps of Subscribe, in the order it takes them.

// To the default plan: the current item is canceled at its end (ended now when past due).
Result<Transition> MoveToDefaultPlan(Account& account, SubscriptionItem& current,
                                     const PlanDefinition& plan, const LifecycleContext& context,
                                     Recorder& record) {
  if (IsDefaultPlan(context.catalog, current)) {
    return Conflict("already_subscribed", "the payer is already on plan \"" + plan.slug + "\"");
  }
  // A past-due period is not paid for: giving it up ends it now, as a cancel does.
  if (current.status == ItemStatus::kPastDue) return EndNow(account, current, context, record);
  return CancelAtEnd(account, current, context, record);
}

// To the plan and interval of the current item: a canceled item runs on as if never canceled.
Result<Transition> Resubscribe(Account& account, SubscriptionItem& current,
                               const PlanDefinition& plan, BillingInterval interval,
                               Recorder& record) {
  if (current.status != ItemStatus::kCanceled) {
    return Conflict("already_subscribed", "the payer is already subscribed to plan \"" + plan.slug +
                                              "\" (" + std::string(IntervalName(interval)) + ")");
  }
  current.status = ItemStatus::kActive;
  current.canceled_at.reset();
  record.transition().item_id = current.id;
  record.Item(EventType::kItemActive, current);
  if (SubscriptionItem* upcoming = account.UpcomingItem()) Abandon(*upcoming, record);
  record.SubscriptionChanged(account);
  return record.Finish();
}

// Refuses a change to another paid plan that is scheduled already, or made while past due.
Status CheckPlanChange(const Account& account, const SubscriptionItem& current,
                       const PlanDefinition& plan, BillingInterval interval) {
  if (const SubscriptionItem* upcoming = account.UpcomingItem();
      upcoming != nullptr && upcoming->plan_slug == plan.slug && upcoming->interval == interval) {
    return Conflict("already_scheduled", "plan \"" + plan.slug + "\" already starts at " +
                                             std::to_string(ToUnixMillis(upcoming->period_start)));
  }
  if (current.status == ItemStatus::kPastDue) {
    return Refused("subscription_past_due",
                   "the payer's current plan is past due: settle it (update the payment method) "
                   "or cancel it before changing plans");
  }
  return Ok();
}

// Whether the change starts a free trial: only from the default plan, for a payer who never had
// one nor paid, unless the request says free_trial false. Asking for one that cannot be had is
// refused.
Result<bool> TrialWanted(const Account& account, const SubscriptionItem& current,
                         const PlanDefinition& plan, const SubscribeRequest& request,
                         const Catalog& catalog) {
  const bool on_default = IsDefaultPlan(catalog, current);
  const bool eligible = plan.HasTrial() && EligibleForFreeTrial(account.payer);
  if (request.free_trial.value_or(false) && !eligible) {
    const std::string why = !plan.HasTrial() ? "plan \"" + plan.slug + "\" has no free trial"
                            : !on_default    ? "a trial starts only from the free plan"
                                             : "the payer has already had a trial or paid";
    return Refused("trial_not_available", why, "free_trial");
  }
  return on_default && eligible && request.free_trial.value_or(true);
}

// A paid plan bought now (a checkout, with credit for what is left of a paid current item when
// the new plan costs as much or more a year), or a cheaper one from the current period's end.
Result<Transition> BuyPlan(Account& account, SubscriptionItem& current, const Offer& offer,
                           BillingInterval interval, const LifecycleContext& context,
                           Recorder& record) {
  if (IsDefaultPlan(context.catalog, current) || current.is_free_trial) {
    // A trial ends with it; nothing is credited.
    return Checkout(account, offer, interval, 0, std::nullopt, context, record);
  }
  const std::int64_t current_yearly = YearlyPrice(current.amount, current.interval);
  const std::int64_t wanted_yearly = YearlyPrice(offer.amount, interval);
  if (wanted_yearly >= current_yearly) {
    const Period current_period{current.period_start, *current.period_end};
    const std::int64_t credit =
        current.status == ItemStatus::kActive || current.status == ItemStatus::kCanceled
            ? ProratedAmount(current.amount, FractionRemaining(current_period, context.now))
            : 0;
    return Checkout(account, offer, interval, credit,
                    credit > 0 ? std::optional<Period>(current_period) : std::nullopt, context,
                    record);
  }
  // A downgrade takes over at the end of the current period.
  if (SubscriptionItem* upcoming = account.UpcomingItem()) Abandon(*upcoming, record);
  SubscriptionItem item = NewItem(offer, interval, context);
  item.status = ItemStatus::kUpcoming;
  item.anchor = *current.period_end;
  item.period_start = *current.period_end;
  account.items.push_back(std::move(item));
  record.transition().item_id = account.items.back().id;
  record.Item(EventType::kItemUpcoming, account.items.back());
  record.SubscriptionChanged(account);
  return record.Finish();
}

}  // namespace

bool HasAccess(ItemStatus status, const LifecycleOptions& options) {
  switch (status) {
    case ItemStatus::kActive:
    case ItemStatus::kCanceled:
      return true;
    case ItemStatus::kPastDue:
      return options.past_due_keeps_access;
    case ItemStatus::kUpcoming:
    case ItemStatus::kEnded:
    case ItemStatus::kAbandoned:
    case ItemStatus::kIncomplete:
      return false;
  }
  return false;
}

Result<Transition> StartPayer(Account& account, const LifecycleContext& context) {
  Recorder record(account, context);
  auto item = AddDefaultItem(account, context, ItemStatus::kActive, context.now);
  if (!item) return std::unexpected(item.error());
  record.transition().item_id = (*item)->id;
  record.Subscription(EventType::kSubscriptionCreated, account);
  record.Item(EventType::kItemActive, account.items.back());
  return record.Finish();
}

Result<Account> PreviewNewPayer(PayerType type, const Catalog& catalog,
                                const LifecycleOptions& options, Instant now) {
  Account account;
  account.payer.id = "cpayer_preview";
  account.payer.type = type;
  account.payer.created_at = now;
  SeededIdGenerator ids(0);
  auto started = StartPayer(account, {catalog, ids, options, now});
  if (!started) return std::unexpected(started.error());
  return account;
}

Result<Transition> AddPaymentMethod(Account& account, PaymentMethod method, bool make_default,
                                    const LifecycleContext&) {
  if (make_default || !account.payer.default_payment_method_id) {
    account.payer.default_payment_method_id = method.id;
  }
  account.payment_methods.push_back(std::move(method));
  return Transition{};
}

Result<Transition> Subscribe(Account& account, const SubscribeRequest& request,
                             const LifecycleContext& context) {
  auto offer = ResolveOffer(account, request, context.catalog);
  if (!offer) return std::unexpected(offer.error());
  if (account.HasPendingCheckout()) {
    return Conflict("checkout_in_progress",
                    "a checkout for this payer is being charged; retry once it has finished");
  }
  SubscriptionItem* current = account.CurrentItem();
  if (current == nullptr) {
    return MakeError(ErrorKind::kInternal, "no_current_item", "the payer has no current item");
  }
  Recorder record(account, context);
  const PlanDefinition& plan = offer->plan->definition;
  if (plan.is_default) return MoveToDefaultPlan(account, *current, plan, context, record);
  if (current->plan_slug == plan.slug && current->interval == request.interval) {
    return Resubscribe(account, *current, plan, request.interval, record);
  }
  if (auto allowed = CheckPlanChange(account, *current, plan, request.interval); !allowed) {
    return std::unexpected(allowed.error());
  }
  auto trial = TrialWanted(account, *current, plan, request, context.catalog);
  if (!trial) return std::unexpected(trial.error());
  if (*trial) return StartTrial(account, *offer, request.interval, context, record);
  return BuyPlan(account, *current, *offer, request.interval, context, record);
}

Result<Transition> Cancel(Account& account, std::string_view item_id, bool end_now,
                          const LifecycleContext& context) {
  auto found = FindItemOf(account, item_id);
  if (!found) return std::unexpected(found.error());
  SubscriptionItem* item = *found;
  Recorder record(account, context);
  if (item->status == ItemStatus::kUpcoming) {
    if (IsDefaultPlan(context.catalog, *item)) {
      return Refused("cannot_cancel_default_plan",
                     "the free plan starts when the canceled item ends; to stay on the paid "
                     "plan, subscribe to it again");
    }
    Abandon(*item, record);
    record.transition().item_id = item->id;
    SubscriptionItem* current = account.CurrentItem();
    if (current != nullptr && current->status == ItemStatus::kCanceled) {
      auto free = AddDefaultItem(account, context, ItemStatus::kUpcoming, *current->period_end);
      if (!free) return std::unexpected(free.error());
      record.Item(EventType::kItemUpcoming, **free);
    }
    record.SubscriptionChanged(account);
    return record.Finish();
  }
  if (item != account.CurrentItem()) {
    return Refused("item_not_cancelable", "item " + item->id + " is " +
                                              std::string(ItemStatusName(item->status)) +
                                              "; only the current or an upcoming item can be "
                                              "canceled");
  }
  if (IsDefaultPlan(context.catalog, *item)) {
    return Refused("cannot_cancel_default_plan",
                   "the default plan cannot be canceled: every payer has a plan");
  }
  if (end_now || item->status == ItemStatus::kPastDue) {
    return EndNow(account, *item, context, record);
  }
  return CancelAtEnd(account, *item, context, record);
}

Result<Transition> ExtendTrial(Account& account, std::string_view item_id, Instant extend_to,
                               const LifecycleContext& context) {
  auto found = FindItemOf(account, item_id);
  if (!found) return std::unexpected(found.error());
  SubscriptionItem* item = *found;
  if (!item->is_free_trial || item->status != ItemStatus::kActive) {
    return Refused("not_in_trial", "item " + item->id + " is not in a running free trial");
  }
  if (*item->trial_end <= context.now) {
    // Its end has run or waits to (the conversion charge is with the gateway, or a checkout's
    // is): moving it now would put the trial's end, and the work for it, in the past.
    return Refused("trial_ended", "the free trial of item " + item->id + " ended at " +
                                      std::to_string(ToUnixMillis(*item->trial_end)) +
                                      " and is being converted; it can no longer be extended");
  }
  if (extend_to <= *item->trial_end) {
    return Invalid("invalid_extend_to",
                   "extend_to must be later than the current trial end " +
                       std::to_string(ToUnixMillis(*item->trial_end)),
                   "extend_to");
  }
  if (extend_to > *item->trial_end + std::chrono::days(365)) {
    return Invalid("invalid_extend_to",
                   "extend_to may be at most 365 days after the current trial end", "extend_to");
  }
  Recorder record(account, context);
  item->trial_end = extend_to;
  item->period_end = extend_to;
  record.transition().item_id = item->id;
  record.Item(EventType::kItemUpdated, *item);
  ScheduleTrialWork(account, *item, context, record);
  return record.Finish();
}

Result<Transition> ApplyChargeOutcome(Account& account, std::string_view attempt_id,
                                      const ChargeOutcome& outcome,
                                      const LifecycleContext& context) {
  PaymentAttempt* attempt = account.FindAttempt(attempt_id);
  if (attempt == nullptr) {
    return MakeError(ErrorKind::kNotFound, "attempt_not_found",
                     "no payment attempt " + std::string(attempt_id));
  }
  if (attempt->status != AttemptStatus::kPending) {
    return Conflict("attempt_settled", "payment attempt " + attempt->id + " is already " +
                                           std::string(AttemptStatusName(attempt->status)));
  }
  SubscriptionItem* item = account.FindItem(attempt->item_id);
  if (item == nullptr) {
    return MakeError(ErrorKind::kInternal, "item_not_found",
                     "payment attempt " + attempt->id + " is for a missing item");
  }
  Recorder record(account, context);
  if (outcome.status == ChargeStatus::kPending) return record.Finish();  // settled later
  const bool paid = outcome.status == ChargeStatus::kPaid;
  if (paid && attempt->purpose == ChargePurpose::kCheckout &&
      item->status == ItemStatus::kIncomplete) {
    StartFirstPeriodNow(*item, *attempt, context.now);
  }
  RecordOutcome(*attempt, outcome, context.now);
  account.payer.has_paid = account.payer.has_paid || paid;
  record.Attempt(EventType::kPaymentAttemptUpdated, *attempt);
  record.transition().item_id = item->id;
  const PaymentAttempt settled = *attempt;
  if (settled.purpose == ChargePurpose::kCheckout) {
    if (item->status != ItemStatus::kIncomplete) return record.Finish();
    return SettleCheckout(account, *item, paid, context, record);
  }
  // An item that ended while its charge was out (canceled at once, say) stays ended; only the
  // attempt's outcome is recorded.
  if (item->status == ItemStatus::kEnded || item->status == ItemStatus::kAbandoned) {
    return record.Finish();
  }
  return SettleRecurring(account, *item, settled, paid, context, record);
}

namespace {

// Whether `work` still applies to `item` at `now`, or a later change (an extension, a cancel, a
// plan change, a paid retry) has made it stale. A notice that the trial is ending is stale once
// the trial's end has come (it ran late, after a checkout it waited for).
bool StillDue(const SubscriptionItem& item, const DueWork& work, Instant now) {
  const bool running = item.status == ItemStatus::kActive || item.status == ItemStatus::kCanceled;
  switch (work.kind) {
    case DueKind::kTrialEndingNotice:
      return item.is_free_trial && item.status == ItemStatus::kActive &&
             item.trial_end == work.reference && now < *item.trial_end;
    case DueKind::kTrialEnd:
      return item.is_free_trial && item.trial_end == work.reference && running;
    case DueKind::kPeriodEnd:
      return !item.is_free_trial && item.period_end == work.reference && running;
    case DueKind::kDunningRetry:
      return item.status == ItemStatus::kPastDue && item.past_due_at == work.reference &&
             item.dunning_retries == work.retry;
  }
  return false;
}

}  // namespace

Result<Transition> RunDueWork(Account& account, const DueWork& work,
                              const LifecycleContext& context) {
  SubscriptionItem* item = account.FindItem(work.item_id);
  Recorder record(account, context);
  // Work whose charge is still with the gateway has been done already.
  if (item == nullptr || HasPendingAttempt(account, item->id)) return record.Finish();
  record.transition().item_id = item->id;
  if (!StillDue(*item, work, context.now)) return record.Finish();
  if (account.HasPendingCheckout()) {
    // The outcome of a plan change decides what this work must do (a paid checkout ends the
    // item, a trial's notices included): it waits for it. Stores hand out no work of a payer
    // in this state (account_store.h); this holds for work read just before the checkout began.
    return Conflict("checkout_in_progress",
                    "a checkout for this payer is being charged; the work runs after it");
  }
  switch (work.kind) {
    case DueKind::kTrialEndingNotice:
      record.Item(EventType::kItemFreeTrialEnding, *item);
      return record.Finish();
    case DueKind::kTrialEnd:
      return TrialEndsNow(account, *item, context, record);
    case DueKind::kPeriodEnd:
      return PeriodEndsNow(account, *item, context, record);
    case DueKind::kDunningRetry:
      if (account.DefaultPaymentMethod() == nullptr) {
        return SettleRecurring(account, *item, PaymentAttempt{}, false, context, record);
      }
      RequestCharge(
          account, *item, ChargePurpose::kDunningRetry, item->period_start, *item->period_end, 0,
          IdempotencyKey(*item, item->period_start, ":retry" + std::to_string(work.retry + 1)),
          context, record);
      return record.Finish();
  }
  return record.Finish();
}

}  // namespace recur
