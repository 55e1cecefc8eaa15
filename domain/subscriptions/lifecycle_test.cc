#include "domain/subscriptions/lifecycle.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "tests/support/invariants.h"

namespace recur::lifecycle_test {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr BillingInterval kMonth = BillingInterval::kMonth;
constexpr BillingInterval kAnnual = BillingInterval::kAnnual;

// ---------------------------------------------------------------------------------------------
// Time

Instant At(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) {
  return Instant(date::sys_days(date::year{y} / date::month{m} / date::day{d})) + hours(hh) +
         std::chrono::minutes(mm);
}

std::string Show(Instant t) { return date::format("%FT%TZ", t); }
std::string Show(std::optional<Instant> t) { return t ? Show(*t) : "none"; }

// Most tests start here: 09:00 on Jan 10 2024, so a month later is Feb 10 (31 days).
const Instant kStart = At(2024, 1, 10, 9);

constexpr const char* kAuthenticationMessage =
    "Your card was declined. This transaction requires authentication.";

// ---------------------------------------------------------------------------------------------
// The test catalog

PlanDefinition Definition(std::string slug, std::int64_t amount,
                          PayerType type = PayerType::kUser) {
  PlanDefinition plan;
  plan.slug = slug;
  plan.name = slug;
  plan.payer_type = type;
  plan.amount = amount;
  plan.currency = "USD";
  return plan;
}

PlanDefinition WithTrial(PlanDefinition plan, int days, bool requires_card,
                         std::vector<hours> notices) {
  plan.free_trial_days = days;
  plan.free_trial_requires_payment_method = requires_card;
  plan.trial_ending_notices = std::move(notices);
  return plan;
}

const Catalog& TestCatalog() {
  static const Catalog catalog = [] {
    PlanDefinition free = Definition("free", 0);
    free.is_default = true;
    PlanDefinition pro = WithTrial(Definition("pro", 2000), 14, true, {hours(72)});
    pro.annual_amount = 19200;
    PlanDefinition org_free = Definition("org-free", 0, PayerType::kOrg);
    org_free.is_default = true;
    const std::vector<PlanDefinition> definitions = {
        free,
        pro,
        Definition("max", 5000),
        WithTrial(Definition("trial-nocard", 1000), 7, false, {hours(168), hours(72), hours(24)}),
        // A trial shorter than two of its notice leads.
        WithTrial(Definition("sprint", 1500), 2, false, {hours(168), hours(72), hours(24)}),
        Definition("legacy", 900),  // archived below
        org_free,
        Definition("team", 9900, PayerType::kOrg),
    };
    std::vector<CatalogPlan> plans;
    std::vector<PlanVersion> versions;
    for (const PlanDefinition& plan : definitions) {
      const std::string id = "cplan_" + plan.slug;
      versions.push_back(
          {id, plan.slug, 2, plan.amount, plan.annual_amount, plan.currency, At(2023, 1, 1)});
      plans.push_back({plan, id, std::nullopt});
      if (plan.slug == "legacy") plans.back().archived_at = At(2023, 6, 1);
    }
    // An older price of pro, no longer sold.
    versions.push_back({"cplan_pro_old", "pro", 1, 1800, 18000, "USD", At(2022, 1, 1)});
    return Catalog(std::move(plans), std::move(versions));
  }();
  return catalog;
}

// ---------------------------------------------------------------------------------------------
// Reading results

std::vector<std::string> Names(const std::vector<BillingEvent>& events) {
  std::vector<std::string> names;
  for (const BillingEvent& event : events) names.emplace_back(EventTypeName(event.type));
  return names;
}
std::vector<std::string> Names(const Transition& transition) { return Names(transition.events); }

// The events of one type, and when they happened.
std::vector<std::string> TimesOf(const std::vector<BillingEvent>& events, EventType type) {
  std::vector<std::string> times;
  for (const BillingEvent& event : events) {
    if (event.type == type) times.push_back(Show(event.occurred_at));
  }
  return times;
}

// The events that happened at `at`.
std::vector<BillingEvent> EventsAt(const std::vector<BillingEvent>& events, Instant at) {
  std::vector<BillingEvent> out;
  for (const BillingEvent& event : events) {
    if (event.occurred_at == at) out.push_back(event);
  }
  return out;
}

// Statuses as strings, for readable failures.
std::string StatusOf(const SubscriptionItem& item) {
  return std::string(ItemStatusName(item.status));
}
std::string StatusOf(const PaymentAttempt& attempt) {
  return std::string(AttemptStatusName(attempt.status));
}
std::string SubscriptionStatus(const Account& account) {
  return std::string(SubscriptionStatusName(account));
}

// Attempts in words, for readable failures.
std::vector<std::string> Summaries(const std::vector<PaymentAttempt>& attempts) {
  std::vector<std::string> out;
  for (const PaymentAttempt& a : attempts) {
    out.push_back(a.id + " " + Show(a.period_start) + " " + std::string(StatusOf(a)) + " " +
                  std::to_string(a.amount));
  }
  return out;
}

std::string CodeOf(const Result<Transition>& result) { return result ? "ok" : result.error().code; }

Transition Must(Result<Transition> result) {
  if (!result) {
    ADD_FAILURE() << "unexpected error " << result.error().code << ": " << result.error().message;
    return {};
  }
  return *std::move(result);
}

// ---------------------------------------------------------------------------------------------
// The harness: one payer, its clock, a scheduler holding its due work, and a gateway whose
// answers the test decides.

// What the gateway says about a charge the harness takes to it: paid, declined, requires action,
// or pending (an answer that changes nothing); kLeavePending gives no answer at all.
enum class Outcome { kPay, kDecline, kRequireAction, kAnswerPending, kLeavePending };
using Decider = std::function<Outcome(const PaymentAttempt&)>;

Decider Always(Outcome outcome) {
  return [outcome](const PaymentAttempt&) { return outcome; };
}
// Declines the first `n` charges it is asked about, then pays.
Decider DeclineFirst(int n) {
  auto asked = std::make_shared<int>(0);
  return [asked, n](const PaymentAttempt&) {
    return (*asked)++ < n ? Outcome::kDecline : Outcome::kPay;
  };
}

using Action = std::function<Result<Transition>(Account&, const LifecycleContext&)>;

class Harness {
 public:
  explicit Harness(Instant start, PayerType type = PayerType::kUser, LifecycleOptions options = {})
      : now(start), options_(std::move(options)) {
    account.payer.id = ids_.NewId("cpayer");
    account.payer.subscription_id = ids_.NewId("csub");
    account.payer.external_id = type == PayerType::kUser ? "user_1" : "org_1";
    account.payer.type = type;
    account.payer.email = "payer@example.com";
    account.payer.name = "Payer";
    account.payer.created_at = start;
  }

  Account account;
  Instant now;

  // Runs one lifecycle call at `now`. A success must keep every invariant; an error must leave
  // the account as it was. Scheduled work goes to the scheduler, charges to the pending list.
  Result<Transition> Step(std::string_view what, const Action& action) {
    const Account before = account;
    const LifecycleContext context{TestCatalog(), ids_, options_, now};
    Result<Transition> result = action(account, context);
    if (!result) {
      EXPECT_TRUE(SameAccount(before, account))
          << what << " at " << Show(now) << " failed (" << result.error().code
          << ") but changed the account";
      return result;
    }
    EXPECT_THAT(invariants_.CheckStep(before, *result, account, now), IsEmpty())
        << "after " << what << " at " << Show(now);
    due_.insert(due_.end(), result->scheduled.begin(), result->scheduled.end());
    pending_.insert(pending_.end(), result->charges.begin(), result->charges.end());
    return result;
  }

  Transition Start() {
    return Must(
        Step("StartPayer", [](Account& a, const LifecycleContext& c) { return StartPayer(a, c); }));
  }

  // Saves a card (the lifecycle never calls the gateway) and returns its id.
  std::string AddCard(std::string token = "pm_card_visa") {
    PaymentMethod method;
    method.id = ids_.NewId("cpm");
    method.token = std::move(token);
    method.brand = "visa";
    method.last4 = "4242";
    method.exp_month = 12;
    method.exp_year = 2030;
    method.created_at = now;
    Must(Step("AddPaymentMethod", [&](Account& a, const LifecycleContext& c) {
      return AddPaymentMethod(a, method, false, c);
    }));
    return method.id;
  }

  Result<Transition> Subscribe(std::string plan, BillingInterval interval = kMonth,
                               std::optional<bool> free_trial = std::nullopt) {
    const SubscribeRequest request{std::move(plan), interval, free_trial};
    return Step("Subscribe " + request.plan, [&](Account& a, const LifecycleContext& c) {
      return recur::Subscribe(a, request, c);
    });
  }

  Result<Transition> Cancel(std::string_view item_id, bool end_now = false) {
    return Step("Cancel", [&](Account& a, const LifecycleContext& c) {
      return recur::Cancel(a, item_id, end_now, c);
    });
  }

  Result<Transition> Extend(std::string_view item_id, Instant to) {
    return Step("ExtendTrial", [&](Account& a, const LifecycleContext& c) {
      return ExtendTrial(a, item_id, to, c);
    });
  }

  // Reports the gateway's answer for one attempt, at `now`. A pending answer keeps the attempt
  // among the pending charges.
  Result<Transition> Report(std::string_view attempt_id, const ChargeOutcome& outcome) {
    Result<Transition> result =
        Step("ApplyChargeOutcome", [&](Account& a, const LifecycleContext& c) {
          return ApplyChargeOutcome(a, attempt_id, outcome, c);
        });
    if (result && outcome.status != ChargeStatus::kPending) {
      std::erase(pending_, std::string(attempt_id));
    }
    return result;
  }

  // Reports a plain paid or declined answer.
  Result<Transition> Settle(std::string_view attempt_id, bool paid) {
    ChargeOutcome charge;
    charge.status = paid ? ChargeStatus::kPaid : ChargeStatus::kDeclined;
    charge.gateway_charge_id = paid ? "ch_" + std::string(attempt_id) : "";
    charge.message = paid ? "" : "Your card was declined.";
    return Report(attempt_id, charge);
  }

  // Reports that the charge requires the payer to authenticate it.
  Result<Transition> RequireAction(std::string_view attempt_id) {
    return Report(attempt_id, {ChargeStatus::kRequiresAction, "ch_" + std::string(attempt_id),
                               "authentication_required", kAuthenticationMessage});
  }

  // Reports that the gateway has not decided the charge yet.
  Result<Transition> AnswerPending(std::string_view attempt_id) {
    return Report(attempt_id, {ChargeStatus::kPending, "ch_" + std::string(attempt_id)});
  }

  // Settles every pending charge the same way; returns the events.
  std::vector<BillingEvent> SettlePending(bool paid) {
    std::vector<BillingEvent> events;
    for (const std::string& id : std::vector<std::string>(pending_)) {
      Transition t = Must(Settle(id, paid));
      events.insert(events.end(), t.events.begin(), t.events.end());
    }
    return events;
  }

  // The scheduler: runs all work due up to `until`, earliest first (ties in the order it was
  // scheduled), each at its due time, and settles the charges each run makes as `decide` says.
  // Ends with the clock at `until`. Returns every event, in order.
  std::vector<BillingEvent> AdvanceTo(Instant until,
                                      const Decider& decide = Always(Outcome::kPay)) {
    std::vector<BillingEvent> events;
    while (true) {
      auto next = due_.end();
      for (auto it = due_.begin(); it != due_.end(); ++it) {
        if (it->due_at <= until && (next == due_.end() || it->due_at < next->due_at)) next = it;
      }
      if (next == due_.end()) break;
      const DueWork work = *next;
      due_.erase(next);
      EXPECT_GE(work.due_at, now) << DueKindName(work.kind) << " due " << Show(work.due_at)
                                  << " runs late, at " << Show(now);
      now = work.due_at;
      ran_.push_back(work);
      Transition t =
          Must(Step("RunDueWork " + std::string(DueKindName(work.kind)),
                    [&](Account& a, const LifecycleContext& c) { return RunDueWork(a, work, c); }));
      events.insert(events.end(), t.events.begin(), t.events.end());
      for (const std::string& id : t.charges) {
        const Outcome outcome = decide(Attempt(id));
        Transition settled;
        switch (outcome) {
          case Outcome::kPay:
          case Outcome::kDecline:
            settled = Must(Settle(id, outcome == Outcome::kPay));
            break;
          case Outcome::kRequireAction:
            settled = Must(RequireAction(id));
            break;
          case Outcome::kAnswerPending:
            settled = Must(AnswerPending(id));
            break;
          case Outcome::kLeavePending:
            continue;
        }
        events.insert(events.end(), settled.events.begin(), settled.events.end());
      }
    }
    now = std::max(now, until);
    return events;
  }

  // Runs what is due now (e.g. a notice that goes out at once).
  std::vector<BillingEvent> RunDue(const Decider& decide = Always(Outcome::kPay)) {
    return AdvanceTo(now, decide);
  }

  // Runs one piece of work again, at the later of now and its due time, as a scheduler that
  // handed it out twice would.
  Result<Transition> RunWork(const DueWork& work) {
    now = std::max(now, work.due_at);
    return Step("RunDueWork (again)",
                [&](Account& a, const LifecycleContext& c) { return RunDueWork(a, work, c); });
  }

  // Work still waiting in the scheduler, and work it has run, for one item and kind.
  std::vector<DueWork> Waiting(std::string_view item_id, DueKind kind) const {
    return Select(due_, item_id, kind);
  }
  std::vector<DueWork> Ran(std::string_view item_id, DueKind kind) const {
    return Select(ran_, item_id, kind);
  }
  const std::vector<std::string>& pending() const { return pending_; }

  // Lookups; a missing one fails the test and returns an empty value.
  const SubscriptionItem& Current() const {
    const SubscriptionItem* item = account.CurrentItem();
    EXPECT_NE(item, nullptr) << "no current item";
    return item != nullptr ? *item : kNoItem;
  }
  const SubscriptionItem& Item(std::string_view id) const {
    const SubscriptionItem* item = account.FindItem(id);
    EXPECT_NE(item, nullptr) << "no item " << id;
    return item != nullptr ? *item : kNoItem;
  }
  const PaymentAttempt& Attempt(std::string_view id) const {
    auto it = std::find_if(account.attempts.begin(), account.attempts.end(),
                           [&](const PaymentAttempt& a) { return a.id == id; });
    EXPECT_NE(it, account.attempts.end()) << "no attempt " << id;
    return it != account.attempts.end() ? *it : kNoAttempt;
  }
  std::vector<PaymentAttempt> AttemptsFor(std::string_view item_id) const {
    std::vector<PaymentAttempt> out;
    for (const PaymentAttempt& a : account.attempts) {
      if (a.item_id == item_id) out.push_back(a);
    }
    return out;
  }

  // A payer on `plan`, paid (no trial), from now; returns the item id.
  std::string SubscribePaid(std::string plan, BillingInterval interval = kMonth) {
    const Transition t = Must(Subscribe(std::move(plan), interval, false));
    SettlePending(true);
    EXPECT_EQ(StatusOf(Item(t.item_id)), "active");
    return t.item_id;
  }

  // A payer in the trial of `plan`, from now; returns the item id.
  std::string StartTrial(std::string plan) {
    const Transition t = Must(Subscribe(std::move(plan)));
    EXPECT_TRUE(Item(t.item_id).is_free_trial);
    return t.item_id;
  }

 private:
  static std::vector<DueWork> Select(const std::vector<DueWork>& works, std::string_view item_id,
                                     DueKind kind) {
    std::vector<DueWork> out;
    for (const DueWork& w : works) {
      if (w.item_id == item_id && w.kind == kind) out.push_back(w);
    }
    return out;
  }

  static inline const SubscriptionItem kNoItem{};
  static inline const PaymentAttempt kNoAttempt{};

  SeededIdGenerator ids_{20240110};
  LifecycleOptions options_;
  LifecycleInvariants invariants_;
  std::vector<DueWork> due_;
  std::vector<DueWork> ran_;
  std::vector<std::string> pending_;
};

std::vector<std::string> DueTimes(const std::vector<DueWork>& works) {
  std::vector<std::string> times;
  for (const DueWork& w : works) times.push_back(Show(w.due_at));
  return times;
}

// Notice leads in hours.
std::vector<std::int64_t> Leads(const std::vector<DueWork>& works) {
  std::vector<std::int64_t> leads;
  for (const DueWork& w : works) leads.push_back(w.lead.count());
  return leads;
}

// Asserts a transition did nothing at all.
void ExpectNothingHappened(const Transition& t) {
  EXPECT_THAT(Names(t), IsEmpty());
  EXPECT_THAT(DueTimes(t.scheduled), IsEmpty());
  EXPECT_THAT(t.charges, IsEmpty());
}

// =============================================================================================
// A new payer

TEST(NewPayer, StartsOnTheDefaultFreePlan) {
  Harness h(kStart);
  const Transition t = h.Start();

  EXPECT_THAT(Names(t), ElementsAre("subscription.created", "subscriptionItem.active"));
  ASSERT_THAT(h.account.items, SizeIs(1));
  const SubscriptionItem& free = h.account.items[0];
  EXPECT_EQ(t.item_id, free.id);
  EXPECT_EQ(free.plan_slug, "free");
  EXPECT_EQ(StatusOf(free), "active");
  EXPECT_FALSE(free.is_free_trial);
  EXPECT_EQ(free.period_start, kStart);
  EXPECT_EQ(free.period_end, std::nullopt);
  EXPECT_THAT(t.events[0].subscription, SizeIs(1));
  EXPECT_THAT(DueTimes(t.scheduled), IsEmpty());
  EXPECT_THAT(t.charges, IsEmpty());
  EXPECT_EQ(SubscriptionStatus(h.account), "active");
}

TEST(NewPayer, AnOrganizationStartsOnTheOrgDefaultPlan) {
  Harness h(kStart, PayerType::kOrg);
  const Transition t = h.Start();
  EXPECT_THAT(Names(t), ElementsAre("subscription.created", "subscriptionItem.active"));
  EXPECT_EQ(h.Current().plan_slug, "org-free");
}

TEST(NewPayer, AnOrganizationBuysAnOrgPlan) {
  Harness h(kStart, PayerType::kOrg);
  h.Start();
  h.AddCard();
  const std::string team = h.SubscribePaid("team");
  EXPECT_EQ(h.Current().id, team);
  EXPECT_EQ(h.Current().amount, 9900);
}

// =============================================================================================
// Starting a trial

TEST(Trial, EligiblePayerWithACardStartsTheTrialAtOnce) {
  Harness h(kStart);
  h.Start();
  const std::string free_id = h.Current().id;
  h.AddCard();

  const Transition t = Must(h.Subscribe("pro"));

  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.active", "subscriptionItem.ended",
                                    "subscription.updated"));
  const SubscriptionItem& trial = h.Item(t.item_id);
  EXPECT_EQ(trial.plan_slug, "pro");
  EXPECT_EQ(StatusOf(trial), "active");
  EXPECT_TRUE(trial.is_free_trial);
  EXPECT_EQ(trial.amount, 2000);
  EXPECT_EQ(Show(trial.trial_end), Show(kStart + days(14)));
  EXPECT_EQ(trial.period_end, trial.trial_end);
  EXPECT_TRUE(t.events[0].item->is_free_trial);
  EXPECT_EQ(t.events[1].item->id, free_id);
  EXPECT_EQ(StatusOf(h.Item(free_id)), "ended");
  EXPECT_EQ(h.Current().id, trial.id);
  EXPECT_TRUE(h.account.payer.trial_used);
  EXPECT_THAT(t.charges, IsEmpty());
  EXPECT_THAT(h.account.attempts, IsEmpty());
  EXPECT_THAT(DueTimes(h.Waiting(trial.id, DueKind::kTrialEnd)),
              ElementsAre(Show(kStart + days(14))));
}

TEST(Trial, ATrialThatNeedsACardIsRefusedWithoutOne) {
  Harness h(kStart);
  h.Start();
  const Result<Transition> result = h.Subscribe("pro");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "payment_method_required");
  EXPECT_EQ(result.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(h.Current().plan_slug, "free");
  EXPECT_FALSE(h.account.payer.trial_used);
}

TEST(Trial, ACardlessTrialStartsWithoutAPaymentMethod) {
  Harness h(kStart);
  h.Start();
  const Transition t = Must(h.Subscribe("trial-nocard"));
  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.active", "subscriptionItem.ended",
                                    "subscription.updated"));
  EXPECT_TRUE(h.Item(t.item_id).is_free_trial);
  EXPECT_EQ(Show(h.Item(t.item_id).trial_end), Show(kStart + days(7)));
  EXPECT_THAT(t.charges, IsEmpty());
}

TEST(Trial, FreeTrialFalseSkipsTheTrialAndChargesTheFirstPeriod) {
  Harness h(kStart);
  h.Start();
  const std::string card = h.AddCard();

  const Transition t = Must(h.Subscribe("pro", kMonth, false));

  EXPECT_THAT(Names(t), ElementsAre("paymentAttempt.created"));
  ASSERT_THAT(t.charges, SizeIs(1));
  const PaymentAttempt& attempt = h.Attempt(t.charges[0]);
  EXPECT_EQ(attempt.item_id, t.item_id);
  EXPECT_EQ(attempt.purpose, ChargePurpose::kCheckout);
  EXPECT_EQ(StatusOf(attempt), "pending");
  EXPECT_EQ(attempt.amount, 2000);
  EXPECT_EQ(attempt.proration_credit, 0);
  EXPECT_EQ(attempt.payment_method_id, card);
  EXPECT_EQ(Show(attempt.period_start), Show(kStart));
  EXPECT_EQ(Show(attempt.period_end), Show(At(2024, 2, 10, 9)));
  const SubscriptionItem& item = h.Item(t.item_id);
  EXPECT_EQ(StatusOf(item), "incomplete");
  EXPECT_FALSE(item.is_free_trial);
  EXPECT_EQ(h.Current().plan_slug, "free");  // until the charge succeeds
  EXPECT_FALSE(h.account.payer.trial_used);
}

TEST(Trial, FreeTrialTrueIsRefusedWhenThePlanHasNoTrial) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  EXPECT_EQ(CodeOf(h.Subscribe("max", kMonth, true)), "trial_not_available");
}

TEST(Trial, FreeTrialTrueIsRefusedOnceThePayerHasPaid) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  Must(h.Cancel(max, /*end_now=*/true));
  const Result<Transition> result = h.Subscribe("pro", kMonth, true);
  EXPECT_EQ(CodeOf(result), "trial_not_available");
  // Without asking for one, a payer who has paid is simply charged.
  EXPECT_THAT(Names(Must(h.Subscribe("pro"))), ElementsAre("paymentAttempt.created"));
}

// =============================================================================================
// Checkout

TEST(Checkout, APaidCheckoutActivatesThePlanAndEndsTheFreeItem) {
  Harness h(kStart);
  h.Start();
  const std::string free_id = h.Current().id;
  h.AddCard();
  const Transition t = Must(h.Subscribe("max"));
  EXPECT_THAT(Names(t), ElementsAre("paymentAttempt.created"));
  EXPECT_EQ(h.Attempt(t.charges[0]).amount, 5000);

  const Transition paid = Must(h.Settle(t.charges[0], true));

  EXPECT_THAT(Names(paid), ElementsAre("paymentAttempt.updated", "subscriptionItem.active",
                                       "subscriptionItem.ended", "subscription.updated"));
  EXPECT_EQ(StatusOf(h.Attempt(t.charges[0])), "paid");
  const SubscriptionItem& max = h.Item(t.item_id);
  EXPECT_EQ(StatusOf(max), "active");
  EXPECT_EQ(Show(max.period_start), Show(kStart));
  EXPECT_EQ(Show(max.period_end), Show(At(2024, 2, 10, 9)));
  EXPECT_EQ(StatusOf(h.Item(free_id)), "ended");
  EXPECT_TRUE(h.account.payer.has_paid);
  EXPECT_FALSE(h.account.payer.trial_used);
  EXPECT_THAT(DueTimes(h.Waiting(max.id, DueKind::kPeriodEnd)),
              ElementsAre(Show(At(2024, 2, 10, 9))));
}

TEST(Checkout, AnnualCheckoutChargesTheAnnualPriceForAYear) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const Transition t = Must(h.Subscribe("pro", kAnnual, false));
  const PaymentAttempt& attempt = h.Attempt(t.charges[0]);
  EXPECT_EQ(attempt.amount, 19200);
  EXPECT_EQ(Show(attempt.period_end), Show(At(2025, 1, 10, 9)));
  h.SettlePending(true);
  EXPECT_EQ(h.Item(t.item_id).interval, kAnnual);
  EXPECT_EQ(Show(h.Item(t.item_id).period_end), Show(At(2025, 1, 10, 9)));
}

TEST(Checkout, APlanCanBeBoughtByItsCurrentPriceId) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const Transition t = Must(h.Subscribe("cplan_max"));
  EXPECT_EQ(h.Item(t.item_id).plan_slug, "max");
  EXPECT_EQ(h.Item(t.item_id).plan_version_id, "cplan_max");
}

TEST(Checkout, ADeclinedCheckoutLeavesTheItemIncompleteAndThePayerOnFree) {
  Harness h(kStart);
  h.Start();
  const std::string free_id = h.Current().id;
  h.AddCard("pm_card_chargeDeclined");
  const Transition t = Must(h.Subscribe("max"));

  const Transition declined = Must(h.Settle(t.charges[0], false));

  EXPECT_THAT(Names(declined),
              ElementsAre("paymentAttempt.updated", "subscriptionItem.incomplete"));
  const PaymentAttempt& attempt = h.Attempt(t.charges[0]);
  EXPECT_EQ(StatusOf(attempt), "failed");
  EXPECT_EQ(attempt.failed_reason, "Your card was declined.");
  EXPECT_EQ(StatusOf(h.Item(t.item_id)), "incomplete");
  EXPECT_EQ(h.Current().id, free_id);
  EXPECT_EQ(StatusOf(h.Current()), "active");
  EXPECT_FALSE(h.account.payer.has_paid);
  EXPECT_THAT(DueTimes(declined.scheduled), IsEmpty());
}

TEST(Checkout, ACheckoutPaidLaterStartsThePlanWhenItIsPaidAndPaysForAWholePeriodFromThen) {
  Harness h(kStart);
  h.Start();
  const std::string free_id = h.Current().id;
  h.AddCard();
  const Transition t = Must(h.Subscribe("max"));
  const PaymentAttempt asked = h.Attempt(t.charges[0]);
  const Instant paid_at = kStart + days(1) + hours(5);  // the gateway answered pending
  h.now = paid_at;

  const Transition paid = Must(h.Settle(t.charges[0], true));

  EXPECT_THAT(Names(paid), ElementsAre("paymentAttempt.updated", "subscriptionItem.active",
                                       "subscriptionItem.ended", "subscription.updated"));
  // The payer had the free plan until now: the paid period, and the renewals' anchor, start
  // here, so no day is both the free plan's and paid for.
  const SubscriptionItem& max = h.Item(t.item_id);
  EXPECT_EQ(Show(max.anchor), Show(paid_at));
  EXPECT_EQ(Show(max.period_start), Show(paid_at));
  EXPECT_EQ(Show(max.period_end), Show(At(2024, 2, 11, 14)));
  EXPECT_EQ(Show(h.Item(free_id).ended_at), Show(paid_at));
  const PaymentAttempt& attempt = h.Attempt(t.charges[0]);
  EXPECT_EQ(Show(attempt.period_start), Show(paid_at));
  EXPECT_EQ(Show(attempt.period_end), Show(At(2024, 2, 11, 14)));
  EXPECT_EQ(attempt.amount, asked.amount);
  EXPECT_EQ(attempt.idempotency_key, asked.idempotency_key);  // as the gateway knows the charge
  EXPECT_THAT(DueTimes(h.Waiting(max.id, DueKind::kPeriodEnd)),
              ElementsAre(Show(At(2024, 2, 11, 14))));
}

TEST(Checkout, ACheckoutNeedsAPaymentMethod) {
  Harness h(kStart);
  h.Start();
  EXPECT_EQ(CodeOf(h.Subscribe("max")), "payment_method_required");
}

TEST(Checkout, APendingCheckoutBlocksASecondSubscribe) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const Transition t = Must(h.Subscribe("max"));
  const Result<Transition> second = h.Subscribe("pro", kMonth, false);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, "checkout_in_progress");
  // Once the first checkout has failed, the payer may try again.
  Must(h.Settle(t.charges[0], false));
  EXPECT_EQ(CodeOf(h.Subscribe("pro", kMonth, false)), "ok");
}

// =============================================================================================
// Trial-ending notices

TEST(TrialNotice, GoesOutAtTheLeadBeforeTrialEnd) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  const Instant trial_end = kStart + days(14);

  const std::vector<DueWork> notices = h.Waiting(trial, DueKind::kTrialEndingNotice);
  EXPECT_THAT(DueTimes(notices), ElementsAre(Show(trial_end - hours(72))));
  EXPECT_THAT(Leads(notices), ElementsAre(72));

  const std::vector<BillingEvent> events = h.AdvanceTo(trial_end - milliseconds(1));
  EXPECT_THAT(Names(events), ElementsAre("subscriptionItem.freeTrialEnding"));
  EXPECT_EQ(Show(events[0].occurred_at), Show(trial_end - hours(72)));
  EXPECT_EQ(events[0].item->id, trial);
  EXPECT_TRUE(events[0].item->is_free_trial);
}

TEST(TrialNotice, GoesOutAtEveryLeadAndAtOnceForALeadAsLongAsTheTrial) {
  Harness h(kStart);
  h.Start();
  const std::string trial = h.StartTrial("trial-nocard");
  const Instant trial_end = kStart + days(7);

  // 168h is the whole trial: that notice goes out as the trial starts.
  const std::vector<DueWork> notices = h.Waiting(trial, DueKind::kTrialEndingNotice);
  EXPECT_THAT(DueTimes(notices),
              ElementsAre(Show(kStart), Show(trial_end - hours(72)), Show(trial_end - hours(24))));

  const std::vector<BillingEvent> events = h.AdvanceTo(trial_end - milliseconds(1));
  EXPECT_THAT(TimesOf(events, EventType::kItemFreeTrialEnding),
              ElementsAre(Show(kStart), Show(trial_end - hours(72)), Show(trial_end - hours(24))));
  EXPECT_THAT(events, SizeIs(3));
}

TEST(TrialNotice, LeadsAlreadyPassedGiveOneNoticeAtOnceNotSeveral) {
  Harness h(kStart);
  h.Start();
  const std::string trial = h.StartTrial("sprint");  // 2 days; leads 7d, 3d, 1d
  const Instant trial_end = kStart + days(2);

  EXPECT_THAT(DueTimes(h.Waiting(trial, DueKind::kTrialEndingNotice)),
              ElementsAre(Show(kStart), Show(trial_end - hours(24))));

  const std::vector<BillingEvent> events = h.AdvanceTo(trial_end - milliseconds(1));
  EXPECT_THAT(TimesOf(events, EventType::kItemFreeTrialEnding),
              ElementsAre(Show(kStart), Show(trial_end - hours(24))));
}

// =============================================================================================
// Trial end

TEST(TrialEnd, APaidConversionStartsTheFirstPeriodAtTrialEnd) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  const Instant trial_end = At(2024, 1, 24, 9);
  h.AdvanceTo(trial_end - milliseconds(1));

  const std::vector<BillingEvent> events = h.AdvanceTo(trial_end);

  EXPECT_THAT(Names(events), ElementsAre("paymentAttempt.created", "paymentAttempt.updated",
                                         "subscriptionItem.updated"));
  const PaymentAttempt& attempt = *events[0].attempt;
  EXPECT_EQ(attempt.purpose, ChargePurpose::kTrialConversion);
  EXPECT_EQ(attempt.amount, 2000);
  EXPECT_EQ(Show(attempt.period_start), Show(trial_end));
  EXPECT_EQ(Show(attempt.period_end), Show(At(2024, 2, 24, 9)));
  const SubscriptionItem& item = h.Item(trial);
  EXPECT_EQ(StatusOf(item), "active");
  EXPECT_FALSE(item.is_free_trial);
  EXPECT_FALSE(events[2].item->is_free_trial);
  EXPECT_EQ(Show(item.anchor), Show(trial_end));
  EXPECT_EQ(Show(item.period_start), Show(trial_end));
  EXPECT_EQ(Show(item.period_end), Show(At(2024, 2, 24, 9)));
  EXPECT_THAT(DueTimes(h.Waiting(trial, DueKind::kPeriodEnd)),
              ElementsAre(Show(At(2024, 2, 24, 9))));
}

TEST(TrialEnd, ADeclinedConversionGoesPastDue) {
  Harness h(kStart);
  h.Start();
  h.AddCard("pm_card_chargeDeclined");
  const std::string trial = h.StartTrial("pro");
  const Instant trial_end = At(2024, 1, 24, 9);
  h.AdvanceTo(trial_end - milliseconds(1));

  const std::vector<BillingEvent> events = h.AdvanceTo(trial_end, Always(Outcome::kDecline));

  EXPECT_THAT(Names(events), ElementsAre("paymentAttempt.created", "paymentAttempt.updated",
                                         "subscriptionItem.pastDue", "subscription.pastDue"));
  const SubscriptionItem& item = h.Item(trial);
  EXPECT_EQ(StatusOf(item), "past_due");
  EXPECT_FALSE(item.is_free_trial);
  EXPECT_EQ(Show(item.past_due_at), Show(trial_end));
  EXPECT_EQ(Show(item.period_start), Show(trial_end));
  EXPECT_EQ(Show(item.period_end), Show(At(2024, 2, 24, 9)));
  EXPECT_EQ(SubscriptionStatus(h.account), "past_due");
  EXPECT_TRUE(h.account.payer.trial_used);
  EXPECT_THAT(DueTimes(h.Waiting(trial, DueKind::kDunningRetry)),
              ElementsAre(Show(trial_end + hours(24))));
}

TEST(TrialEnd, ACardlessTrialEndsAndThePayerReturnsToFree) {
  Harness h(kStart);
  h.Start();
  const std::string trial = h.StartTrial("trial-nocard");
  const Instant trial_end = kStart + days(7);
  h.AdvanceTo(trial_end - milliseconds(1));

  const std::vector<BillingEvent> events = h.AdvanceTo(trial_end);

  EXPECT_THAT(Names(events), ElementsAre("subscriptionItem.ended", "subscriptionItem.active",
                                         "subscription.updated"));
  EXPECT_EQ(StatusOf(h.Item(trial)), "ended");
  EXPECT_EQ(Show(h.Item(trial).ended_at), Show(trial_end));
  EXPECT_EQ(h.Current().plan_slug, "free");
  EXPECT_EQ(Show(h.Current().period_start), Show(trial_end));
  EXPECT_THAT(h.account.attempts, IsEmpty());
}

TEST(TrialEnd, ACardlessTrialConvertsWhenACardWasAddedDuringIt) {
  Harness h(kStart);
  h.Start();
  const std::string trial = h.StartTrial("trial-nocard");
  h.AdvanceTo(kStart + days(2));
  h.AddCard();
  const std::vector<BillingEvent> events = h.AdvanceTo(kStart + days(7));
  EXPECT_THAT(
      Names(EventsAt(events, kStart + days(7))),
      ElementsAre("paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated"));
  EXPECT_EQ(h.Current().id, trial);
  EXPECT_FALSE(h.Current().is_free_trial);
}

TEST(TrialEnd, ACanceledTrialEndsAtTrialEndWithoutACharge) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  const Instant trial_end = kStart + days(14);
  h.AdvanceTo(kStart + days(3));

  const Transition canceled = Must(h.Cancel(trial));

  EXPECT_THAT(Names(canceled), ElementsAre("subscriptionItem.canceled", "subscriptionItem.upcoming",
                                           "subscription.updated"));
  EXPECT_EQ(StatusOf(h.Item(trial)), "canceled");
  const SubscriptionItem* upcoming = h.account.UpcomingItem();
  ASSERT_NE(upcoming, nullptr);
  const std::string free_id = upcoming->id;
  EXPECT_EQ(upcoming->plan_slug, "free");
  EXPECT_EQ(Show(upcoming->period_start), Show(trial_end));

  // No notice for a trial that will not convert, and no charge at its end.
  const std::vector<BillingEvent> events = h.AdvanceTo(trial_end);
  EXPECT_THAT(Names(events), ElementsAre("subscriptionItem.ended", "subscriptionItem.active",
                                         "subscription.updated"));
  EXPECT_EQ(Show(events[0].occurred_at), Show(trial_end));
  EXPECT_EQ(h.Current().id, free_id);
  EXPECT_EQ(StatusOf(h.Item(trial)), "ended");
  EXPECT_THAT(h.account.attempts, IsEmpty());
}

// =============================================================================================
// Dunning

TEST(Dunning, RetriesFollowTheDefaultScheduleAfterTheFailure) {
  Harness h(kStart);
  h.Start();
  h.AddCard("pm_card_chargeDeclined");
  const std::string trial = h.StartTrial("pro");
  const Instant failed_at = kStart + days(14);

  h.AdvanceTo(failed_at + days(30), Always(Outcome::kDecline));

  EXPECT_THAT(DueTimes(h.Ran(trial, DueKind::kDunningRetry)),
              ElementsAre(Show(failed_at + days(1)), Show(failed_at + days(3)),
                          Show(failed_at + days(5)), Show(failed_at + days(7))));
  std::vector<std::string> retry_keys;
  for (const PaymentAttempt& a : h.AttemptsFor(trial)) {
    if (a.purpose == ChargePurpose::kDunningRetry) retry_keys.push_back(a.idempotency_key);
  }
  EXPECT_THAT(retry_keys, SizeIs(4));
  std::sort(retry_keys.begin(), retry_keys.end());
  EXPECT_EQ(std::unique(retry_keys.begin(), retry_keys.end()), retry_keys.end());
}

TEST(Dunning, ExhaustionEndsTheItemAndReturnsThePayerToFree) {
  LifecycleOptions options;
  options.dunning_retries = {hours(12), hours(36)};
  Harness h(kStart, PayerType::kUser, options);
  h.Start();
  h.AddCard("pm_card_chargeDeclined");
  const std::string trial = h.StartTrial("pro");
  const Instant failed_at = kStart + days(14);
  h.AdvanceTo(failed_at, Always(Outcome::kDecline));

  const std::vector<BillingEvent> first =
      h.AdvanceTo(failed_at + hours(12), Always(Outcome::kDecline));
  EXPECT_THAT(Names(first), ElementsAre("paymentAttempt.created", "paymentAttempt.updated"));
  EXPECT_EQ(StatusOf(h.Item(trial)), "past_due");

  const std::vector<BillingEvent> last =
      h.AdvanceTo(failed_at + days(30), Always(Outcome::kDecline));
  EXPECT_THAT(Names(last), ElementsAre("paymentAttempt.created", "paymentAttempt.updated",
                                       "subscriptionItem.ended", "subscriptionItem.active",
                                       "subscription.active"));
  EXPECT_EQ(Show(last[0].occurred_at), Show(failed_at + hours(36)));
  EXPECT_EQ(StatusOf(h.Item(trial)), "ended");
  EXPECT_EQ(h.Current().plan_slug, "free");
  EXPECT_EQ(SubscriptionStatus(h.account), "active");
}

TEST(Dunning, ASuccessfulRetryReturnsTheItemToActive) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  const Instant failed_at = kStart + days(14);
  // The conversion and the first retry are declined, the second retry pays.
  const std::vector<BillingEvent> events = h.AdvanceTo(failed_at + days(3), DeclineFirst(2));

  EXPECT_THAT(Names(EventsAt(events, failed_at + days(3))),
              ElementsAre("paymentAttempt.created", "paymentAttempt.updated",
                          "subscriptionItem.active", "subscription.active"));
  const SubscriptionItem& item = h.Item(trial);
  EXPECT_EQ(StatusOf(item), "active");
  EXPECT_EQ(item.past_due_at, std::nullopt);
  EXPECT_EQ(item.dunning_retries, 0);
  EXPECT_EQ(Show(item.period_start), Show(failed_at));
  EXPECT_EQ(Show(item.period_end), Show(At(2024, 2, 24, 9)));
  EXPECT_EQ(SubscriptionStatus(h.account), "active");
  EXPECT_THAT(DueTimes(h.Waiting(trial, DueKind::kPeriodEnd)),
              ElementsAre(Show(At(2024, 2, 24, 9))));
  // Nothing more is retried.
  EXPECT_THAT(Names(h.AdvanceTo(At(2024, 2, 24, 9) - milliseconds(1))), IsEmpty());
}

// Finds: a trial conversion recovered by a dunning retry keeps the anchor at the subscription
// time, so the next renewal bills a short period (to the old anchor day) for a full price.
TEST(Dunning, ARecoveredTrialConversionRenewsAFullPeriodAfterTheFirst) {
  Harness h(kStart);  // Jan 10; the trial ends Jan 24
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  h.AdvanceTo(At(2024, 1, 25, 9), DeclineFirst(1));  // recovered by the first retry
  ASSERT_EQ(StatusOf(h.Item(trial)), "active");
  EXPECT_EQ(Show(h.Item(trial).anchor), Show(At(2024, 1, 24, 9)));

  const std::vector<BillingEvent> events =
      h.AdvanceTo(At(2024, 2, 24, 9), Always(Outcome::kLeavePending));

  ASSERT_THAT(Names(events), ElementsAre("paymentAttempt.created"));
  EXPECT_EQ(Show(events[0].attempt->period_start), Show(At(2024, 2, 24, 9)));
  EXPECT_EQ(Show(events[0].attempt->period_end), Show(At(2024, 3, 24, 9)));
}

TEST(Dunning, PastDueKeepsAccessOnlyWhenConfigured) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  h.AdvanceTo(At(2024, 2, 10, 9), Always(Outcome::kDecline));
  ASSERT_EQ(StatusOf(h.Item(max)), "past_due");

  LifecycleOptions strict;
  strict.past_due_keeps_access = false;
  EXPECT_TRUE(HasAccess(h.Item(max).status, LifecycleOptions{}));
  EXPECT_FALSE(HasAccess(h.Item(max).status, strict));
}

// =============================================================================================
// Renewal

TEST(Renewal, MonthlyPeriodsKeepTheAnchorDayClampedToMonthEnd) {
  Harness h(At(2024, 1, 31, 10));
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  EXPECT_EQ(Show(h.Item(max).period_end), Show(At(2024, 2, 29, 10)));

  const std::vector<BillingEvent> events = h.AdvanceTo(At(2024, 5, 30));

  EXPECT_THAT(
      Names(events),
      ElementsAre("paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated",
                  "paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated",
                  "paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated"));
  std::vector<std::string> period_ends;
  for (const PaymentAttempt& a : h.AttemptsFor(max)) period_ends.push_back(Show(a.period_end));
  EXPECT_THAT(period_ends, ElementsAre(Show(At(2024, 2, 29, 10)), Show(At(2024, 3, 31, 10)),
                                       Show(At(2024, 4, 30, 10)), Show(At(2024, 5, 31, 10))));
  EXPECT_EQ(Show(h.Item(max).period_start), Show(At(2024, 4, 30, 10)));
  EXPECT_EQ(Show(h.Item(max).period_end), Show(At(2024, 5, 31, 10)));
  EXPECT_EQ(h.AttemptsFor(max).back().purpose, ChargePurpose::kRenewal);
  EXPECT_EQ(h.AttemptsFor(max).back().amount, 5000);
}

TEST(Renewal, ADeclinedRenewalGoesPastDue) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");

  const std::vector<BillingEvent> events =
      h.AdvanceTo(At(2024, 2, 10, 9), Always(Outcome::kDecline));

  EXPECT_THAT(Names(events), ElementsAre("paymentAttempt.created", "paymentAttempt.updated",
                                         "subscriptionItem.pastDue", "subscription.pastDue"));
  EXPECT_EQ(events[0].attempt->purpose, ChargePurpose::kRenewal);
  const SubscriptionItem& item = h.Item(max);
  EXPECT_EQ(StatusOf(item), "past_due");
  EXPECT_EQ(Show(item.period_start), Show(At(2024, 2, 10, 9)));
  EXPECT_EQ(Show(item.period_end), Show(At(2024, 3, 10, 9)));
  EXPECT_EQ(SubscriptionStatus(h.account), "past_due");
}

TEST(Renewal, ChangingPlansWhilePastDueIsRefused) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  h.SubscribePaid("pro");
  h.AdvanceTo(At(2024, 2, 10, 9), Always(Outcome::kDecline));
  EXPECT_EQ(CodeOf(h.Subscribe("max")), "subscription_past_due");
}

// =============================================================================================
// Cancel and resubscribe

TEST(Cancel, RunsToPeriodEndThenTheFreePlanTakesOver) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  h.AdvanceTo(At(2024, 1, 20));

  const Transition t = Must(h.Cancel(max));

  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.canceled", "subscriptionItem.upcoming",
                                    "subscription.updated"));
  EXPECT_EQ(t.item_id, max);
  EXPECT_EQ(StatusOf(h.Item(max)), "canceled");
  EXPECT_EQ(Show(h.Item(max).canceled_at), Show(At(2024, 1, 20)));
  ASSERT_NE(h.account.UpcomingItem(), nullptr);
  const std::string free_id = h.account.UpcomingItem()->id;
  EXPECT_EQ(h.account.UpcomingItem()->plan_slug, "free");

  const std::vector<BillingEvent> events = h.AdvanceTo(At(2024, 3, 1));

  EXPECT_THAT(Names(events), ElementsAre("subscriptionItem.ended", "subscriptionItem.active",
                                         "subscription.updated"));
  EXPECT_EQ(Show(events[0].occurred_at), Show(At(2024, 2, 10, 9)));
  EXPECT_EQ(StatusOf(h.Item(max)), "ended");
  EXPECT_EQ(h.Current().id, free_id);
  EXPECT_THAT(Summaries(h.AttemptsFor(max)), SizeIs(1));  // the checkout only: no renewal
}

TEST(Cancel, SubscribingToTheFreePlanCancelsAtPeriodEnd) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  const Transition t = Must(h.Subscribe("free"));
  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.canceled", "subscriptionItem.upcoming",
                                    "subscription.updated"));
  EXPECT_EQ(StatusOf(h.Item(max)), "canceled");
}

TEST(Cancel, EndNowEndsTheItemAtOnce) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  h.AdvanceTo(At(2024, 1, 20));

  const Transition t = Must(h.Cancel(max, /*end_now=*/true));

  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.ended", "subscriptionItem.active",
                                    "subscription.updated"));
  EXPECT_EQ(StatusOf(h.Item(max)), "ended");
  EXPECT_EQ(Show(h.Item(max).ended_at), Show(At(2024, 1, 20)));
  EXPECT_EQ(h.Current().plan_slug, "free");
  EXPECT_EQ(h.account.UpcomingItem(), nullptr);
  // Its period end, still in the scheduler, is stale.
  EXPECT_THAT(Names(h.AdvanceTo(At(2024, 3, 1))), IsEmpty());
}

TEST(Cancel, CancelingAPastDueItemEndsItAtOnce) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  h.AdvanceTo(At(2024, 2, 10, 9), Always(Outcome::kDecline));
  h.AdvanceTo(At(2024, 2, 10, 12));

  const Transition t = Must(h.Cancel(max));

  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.ended", "subscriptionItem.active",
                                    "subscription.active"));
  EXPECT_EQ(h.Current().plan_slug, "free");
  // The dunning retry that was scheduled is stale.
  EXPECT_THAT(Names(h.AdvanceTo(At(2024, 3, 1))), IsEmpty());
}

TEST(Cancel, ResubscribingBeforeTheEndReactivatesAndAbandonsTheUpcomingFree) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  h.AdvanceTo(At(2024, 1, 20));
  Must(h.Cancel(max));
  const std::string free_id = h.account.UpcomingItem()->id;
  h.AdvanceTo(At(2024, 1, 25));

  const Transition t = Must(h.Subscribe("max"));

  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.active", "subscriptionItem.abandoned",
                                    "subscription.updated"));
  EXPECT_EQ(t.item_id, max);
  EXPECT_EQ(StatusOf(h.Item(max)), "active");
  EXPECT_EQ(h.Item(max).canceled_at, std::nullopt);
  EXPECT_EQ(StatusOf(h.Item(free_id)), "abandoned");
  EXPECT_THAT(t.charges, IsEmpty());
  // It renews at its period end as if never canceled.
  EXPECT_THAT(
      Names(h.AdvanceTo(At(2024, 2, 10, 9))),
      ElementsAre("paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated"));
}

TEST(Cancel, ResubscribingDuringACanceledTrialResumesIt) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  h.AdvanceTo(kStart + days(2));
  Must(h.Cancel(trial));
  h.AdvanceTo(kStart + days(4));

  const Transition t = Must(h.Subscribe("pro"));

  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.active", "subscriptionItem.abandoned",
                                    "subscription.updated"));
  EXPECT_TRUE(h.Item(trial).is_free_trial);
  EXPECT_THAT(
      Names(EventsAt(h.AdvanceTo(kStart + days(14)), kStart + days(14))),
      ElementsAre("paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated"));
}

TEST(Cancel, NoSecondTrialAfterACanceledTrial) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  h.AdvanceTo(kStart + days(1));
  Must(h.Cancel(trial));
  h.AdvanceTo(kStart + days(20));
  ASSERT_EQ(h.Current().plan_slug, "free");

  EXPECT_EQ(CodeOf(h.Subscribe("pro", kMonth, true)), "trial_not_available");
  EXPECT_EQ(CodeOf(h.Subscribe("trial-nocard", kMonth, true)), "trial_not_available");
  const Transition t = Must(h.Subscribe("pro"));
  EXPECT_THAT(Names(t), ElementsAre("paymentAttempt.created"));
  EXPECT_FALSE(h.Item(t.item_id).is_free_trial);
}

TEST(Cancel, CancelingAnUpcomingDowngradeAbandonsIt) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  const std::string pro = Must(h.Subscribe("pro")).item_id;
  const Transition t = Must(h.Cancel(pro));
  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.abandoned", "subscription.updated"));
  EXPECT_EQ(StatusOf(h.Item(pro)), "abandoned");
  EXPECT_EQ(StatusOf(h.Item(max)), "active");
  EXPECT_EQ(h.account.UpcomingItem(), nullptr);
}

// =============================================================================================
// Upgrade and downgrade

TEST(PlanChange, AnUpgradeMidPeriodChargesTheNewPriceLessAProrationCredit) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string pro = h.SubscribePaid("pro");
  const Instant upgrade_at = At(2024, 1, 20, 21);
  h.AdvanceTo(upgrade_at);

  const Transition t = Must(h.Subscribe("max"));

  // Pro's period is [Jan 10 09:00, Feb 10 09:00): 20.5 of its 31 days are left.
  const std::int64_t total_ms = (At(2024, 2, 10, 9) - kStart).count();
  const std::int64_t remaining_ms = (At(2024, 2, 10, 9) - upgrade_at).count();
  const std::int64_t credit = 2000 * remaining_ms / total_ms;
  ASSERT_EQ(credit, 1322);
  EXPECT_THAT(Names(t), ElementsAre("paymentAttempt.created"));
  const PaymentAttempt& attempt = h.Attempt(t.charges[0]);
  EXPECT_EQ(attempt.proration_credit, credit);
  EXPECT_EQ(attempt.amount, 5000 - credit);
  EXPECT_EQ(attempt.purpose, ChargePurpose::kCheckout);
  EXPECT_EQ(StatusOf(h.Item(pro)), "active");  // until the charge succeeds

  const Transition paid = Must(h.Settle(t.charges[0], true));

  EXPECT_THAT(Names(paid), ElementsAre("paymentAttempt.updated", "subscriptionItem.active",
                                       "subscriptionItem.ended", "subscription.updated"));
  EXPECT_EQ(StatusOf(h.Item(pro)), "ended");
  const SubscriptionItem& max = h.Item(t.item_id);
  EXPECT_EQ(StatusOf(max), "active");
  EXPECT_EQ(Show(max.period_start), Show(upgrade_at));
  EXPECT_EQ(Show(max.period_end), Show(At(2024, 2, 20, 21)));
  // Pro's old period end does nothing; max renews on its own anchor.
  EXPECT_THAT(Names(h.AdvanceTo(At(2024, 2, 20, 20))), IsEmpty());
  EXPECT_THAT(TimesOf(h.AdvanceTo(At(2024, 2, 20, 21)), EventType::kPaymentAttemptCreated),
              ElementsAre(Show(At(2024, 2, 20, 21))));
}

TEST(PlanChange, ADeclinedUpgradeLeavesTheCurrentPlan) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string pro = h.SubscribePaid("pro");
  h.AdvanceTo(At(2024, 1, 20));
  const Transition t = Must(h.Subscribe("max"));

  const Transition declined = Must(h.Settle(t.charges.at(0), false));

  EXPECT_THAT(Names(declined),
              ElementsAre("paymentAttempt.updated", "subscriptionItem.incomplete"));
  EXPECT_EQ(StatusOf(h.Item(t.item_id)), "incomplete");
  EXPECT_EQ(h.Current().id, pro);
  EXPECT_EQ(StatusOf(h.Item(pro)), "active");
  // Pro renews as before.
  EXPECT_THAT(
      Names(h.AdvanceTo(At(2024, 2, 10, 9))),
      ElementsAre("paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated"));
}

TEST(PlanChange, AnUpgradeFromACanceledPlanIsCreditedAndAbandonsTheUpcomingFree) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string pro = h.SubscribePaid("pro");
  h.AdvanceTo(At(2024, 1, 15));
  Must(h.Cancel(pro));
  const std::string free_id = h.account.UpcomingItem()->id;
  h.AdvanceTo(At(2024, 1, 20, 21));

  const Transition t = Must(h.Subscribe("max"));

  EXPECT_EQ(h.Attempt(t.charges.at(0)).proration_credit, 1322);
  const Transition paid = Must(h.Settle(t.charges.at(0), true));
  EXPECT_THAT(Names(paid), ElementsAre("paymentAttempt.updated", "subscriptionItem.active",
                                       "subscriptionItem.ended", "subscriptionItem.abandoned",
                                       "subscription.updated"));
  EXPECT_EQ(StatusOf(h.Item(free_id)), "abandoned");
  EXPECT_EQ(StatusOf(h.Item(pro)), "ended");
  EXPECT_EQ(h.Current().plan_slug, "max");
}

TEST(PlanChange, AnUpgradeDuringATrialEndsTheTrialAndChargesTheFullPrice) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  h.AdvanceTo(kStart + days(5));

  const Transition t = Must(h.Subscribe("max"));

  EXPECT_THAT(Names(t), ElementsAre("paymentAttempt.created"));
  EXPECT_EQ(h.Attempt(t.charges[0]).amount, 5000);
  EXPECT_EQ(h.Attempt(t.charges[0]).proration_credit, 0);
  const Transition paid = Must(h.Settle(t.charges[0], true));
  EXPECT_THAT(Names(paid), ElementsAre("paymentAttempt.updated", "subscriptionItem.active",
                                       "subscriptionItem.ended", "subscription.updated"));
  EXPECT_EQ(StatusOf(h.Item(trial)), "ended");
  EXPECT_FALSE(h.Item(t.item_id).is_free_trial);
  // The trial's notice and end are stale.
  EXPECT_THAT(Names(h.AdvanceTo(kStart + days(15))), IsEmpty());
}

TEST(PlanChange, ADowngradeIsUpcomingAndTakesOverAtPeriodEndWithACharge) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  h.AdvanceTo(At(2024, 1, 20));

  const Transition t = Must(h.Subscribe("pro"));

  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.upcoming", "subscription.updated"));
  const std::string pro = t.item_id;
  EXPECT_EQ(StatusOf(h.Item(pro)), "upcoming");
  EXPECT_EQ(Show(h.Item(pro).period_start), Show(At(2024, 2, 10, 9)));
  EXPECT_THAT(t.charges, IsEmpty());
  EXPECT_EQ(StatusOf(h.Item(max)), "active");

  const std::vector<BillingEvent> events = h.AdvanceTo(At(2024, 2, 10, 9));

  EXPECT_THAT(Names(events), ElementsAre("subscriptionItem.ended", "subscriptionItem.active",
                                         "subscription.updated", "paymentAttempt.created",
                                         "paymentAttempt.updated", "subscriptionItem.updated"));
  EXPECT_EQ(StatusOf(h.Item(max)), "ended");
  EXPECT_THAT(Summaries(h.AttemptsFor(max)), SizeIs(1));  // max is not renewed
  const SubscriptionItem& item = h.Item(pro);
  EXPECT_EQ(StatusOf(item), "active");
  EXPECT_EQ(Show(item.period_start), Show(At(2024, 2, 10, 9)));
  EXPECT_EQ(Show(item.period_end), Show(At(2024, 3, 10, 9)));
  const PaymentAttempt attempt = h.AttemptsFor(pro).at(0);  // a copy: the list is a temporary
  EXPECT_EQ(attempt.amount, 2000);
  EXPECT_EQ(Show(attempt.period_start), Show(At(2024, 2, 10, 9)));
  EXPECT_EQ(Show(attempt.period_end), Show(At(2024, 3, 10, 9)));
}

// Finds: when a downgrade takes over, its subscriptionItem.active event is recorded before its
// period is set, so the snapshot of an active paid item has no period_end.
TEST(PlanChange, TheActiveEventOfATakingOverDowngradeShowsItsPeriod) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  h.SubscribePaid("max");
  const std::string pro = Must(h.Subscribe("pro")).item_id;

  const std::vector<BillingEvent> events =
      h.AdvanceTo(At(2024, 2, 10, 9), Always(Outcome::kLeavePending));

  ASSERT_THAT(events, SizeIs(4));
  ASSERT_EQ(events[1].type, EventType::kItemActive);
  EXPECT_EQ(events[1].item->id, pro);
  EXPECT_EQ(Show(events[1].item->period_start), Show(At(2024, 2, 10, 9)));
  EXPECT_EQ(Show(events[1].item->period_end), Show(At(2024, 3, 10, 9)));
}

TEST(PlanChange, ANewDowngradeReplacesAnEarlierOne) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  h.SubscribePaid("max");
  const std::string pro = Must(h.Subscribe("pro")).item_id;

  const Transition t = Must(h.Subscribe("trial-nocard"));

  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.abandoned", "subscriptionItem.upcoming",
                                    "subscription.updated"));
  EXPECT_EQ(StatusOf(h.Item(pro)), "abandoned");
  EXPECT_EQ(h.account.UpcomingItem()->plan_slug, "trial-nocard");
  EXPECT_EQ(CodeOf(h.Subscribe("trial-nocard")), "already_scheduled");
}

// =============================================================================================
// Extending a trial

TEST(ExtendTrial, MovesTheEndAndReschedulesTheNotices) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  const Instant old_end = kStart + days(14);
  const Instant new_end = kStart + days(21);
  h.AdvanceTo(kStart + days(5));

  const Transition t = Must(h.Extend(trial, new_end));

  EXPECT_THAT(Names(t), ElementsAre("subscriptionItem.updated"));
  EXPECT_EQ(Show(t.events[0].item->trial_end), Show(new_end));
  EXPECT_EQ(Show(h.Item(trial).trial_end), Show(new_end));
  EXPECT_EQ(Show(h.Item(trial).period_end), Show(new_end));
  std::vector<std::string> scheduled;
  for (const DueWork& w : t.scheduled) {
    scheduled.push_back(std::string(DueKindName(w.kind)) + " " + Show(w.due_at));
  }
  EXPECT_THAT(scheduled, ElementsAre("trial_ending_notice " + Show(new_end - hours(72)),
                                     "trial_end " + Show(new_end)));

  // The old notice and end still sit in the scheduler but do nothing.
  const std::vector<BillingEvent> events = h.AdvanceTo(new_end - milliseconds(1));
  EXPECT_THAT(TimesOf(events, EventType::kItemFreeTrialEnding),
              ElementsAre(Show(new_end - hours(72))));
  EXPECT_THAT(events, SizeIs(1));
  EXPECT_FALSE(h.Waiting(trial, DueKind::kTrialEnd).empty());
  EXPECT_THAT(DueTimes(h.Ran(trial, DueKind::kTrialEnd)), ElementsAre(Show(old_end)));
  EXPECT_TRUE(h.Item(trial).is_free_trial);
  EXPECT_THAT(
      Names(EventsAt(h.AdvanceTo(new_end), new_end)),
      ElementsAre("paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated"));
}

TEST(ExtendTrial, RefusesAnEndThatIsNotLaterOrMoreThan365DaysLater) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  const Instant end = kStart + days(14);

  EXPECT_EQ(CodeOf(h.Extend(trial, end)), "invalid_extend_to");
  EXPECT_EQ(CodeOf(h.Extend(trial, end - hours(1))), "invalid_extend_to");
  EXPECT_EQ(CodeOf(h.Extend(trial, end + days(365) + milliseconds(1))), "invalid_extend_to");
  EXPECT_EQ(h.Extend(trial, end).error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(CodeOf(h.Extend(trial, end + days(365))), "ok");
}

TEST(ExtendTrial, IsRefusedForAnItemNotInARunningTrial) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  EXPECT_EQ(CodeOf(h.Extend(max, kStart + days(40))), "not_in_trial");
}

TEST(ExtendTrial, IsRefusedOnceTheTrialHasEndedAndItsConversionIsBeingCharged) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  const Instant end = kStart + days(14);
  h.AdvanceTo(end + days(2), Always(Outcome::kAnswerPending));
  ASSERT_TRUE(h.Item(trial).is_free_trial);  // the conversion waits for the gateway

  EXPECT_EQ(CodeOf(h.Extend(trial, end + days(1))), "trial_ended");
  EXPECT_EQ(CodeOf(h.Extend(trial, end + days(30))), "trial_ended");
  EXPECT_EQ(h.Extend(trial, end + days(30)).error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(Show(h.Item(trial).trial_end), Show(end));
}

TEST(ExtendTrial, AfterEveryLeadHasPassedOneNoticeGoesOutAtOnce) {
  Harness h(kStart);
  h.Start();
  const std::string trial = h.StartTrial("trial-nocard");  // ends Jan 17 09:00
  h.AdvanceTo(At(2024, 1, 16, 21));                        // all three notices are out
  const Instant new_end = At(2024, 1, 17, 10);

  const Transition t = Must(h.Extend(trial, new_end));

  EXPECT_THAT(DueTimes(h.Waiting(trial, DueKind::kTrialEndingNotice)),
              ElementsAre(Show(At(2024, 1, 16, 21))));
  EXPECT_THAT(Names(h.RunDue()), ElementsAre("subscriptionItem.freeTrialEnding"));
  EXPECT_THAT(t.scheduled, SizeIs(2));
}

// =============================================================================================
// Stale and repeated work

TEST(DueWork, StaleWorkDoesNothingWhileACheckoutIsBeingCharged) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  Must(h.Cancel(trial, true));  // ended now: its notices and its end are stale
  Must(h.Subscribe("max"));     // a checkout the gateway has not answered

  EXPECT_THAT(h.AdvanceTo(kStart + days(14), Always(Outcome::kLeavePending)), IsEmpty());
  EXPECT_TRUE(h.Waiting(trial, DueKind::kTrialEnd).empty());
}

TEST(DueWork, LiveWorkWaitsWhileACheckoutIsBeingCharged) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  Must(h.Subscribe("max"));  // a switch out of the trial, charged now; not answered yet

  // The trial's notices too: a paid checkout ends the trial, and they would tell of an end
  // that does not come.
  const std::vector<DueWork> notices = h.Waiting(trial, DueKind::kTrialEndingNotice);
  ASSERT_THAT(notices, Not(IsEmpty()));
  EXPECT_EQ(CodeOf(h.RunWork(notices[0])), "checkout_in_progress");
  const std::vector<DueWork> trial_end = h.Waiting(trial, DueKind::kTrialEnd);
  ASSERT_THAT(trial_end, SizeIs(1));
  EXPECT_EQ(CodeOf(h.RunWork(trial_end[0])), "checkout_in_progress");
}

TEST(DueWork, ATrialNoticeThatRunsOnlyAfterTheTrialsEndIsNotSent) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  const DueWork notice = h.Waiting(trial, DueKind::kTrialEndingNotice).at(0);
  h.now = *h.Item(trial).trial_end;  // it waited (for a checkout) until the trial's end

  ExpectNothingHappened(Must(h.RunWork(notice)));
}

TEST(DueWork, AStaleTrialNoticeAfterAnExtensionDoesNothing) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  const DueWork old_notice = h.Waiting(trial, DueKind::kTrialEndingNotice).at(0);
  const DueWork old_end = h.Waiting(trial, DueKind::kTrialEnd).at(0);
  h.AdvanceTo(kStart + days(1));
  Must(h.Extend(trial, kStart + days(30)));
  const Account before = h.account;

  ExpectNothingHappened(Must(h.RunWork(old_notice)));
  ExpectNothingHappened(Must(h.RunWork(old_end)));
  EXPECT_TRUE(SameAccount(before, h.account));
}

TEST(DueWork, ThePeriodEndOfAnEndedItemDoesNothing) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  const DueWork period_end = h.Waiting(max, DueKind::kPeriodEnd).at(0);
  h.AdvanceTo(At(2024, 1, 15));
  Must(h.Cancel(max, /*end_now=*/true));
  const Account before = h.account;

  ExpectNothingHappened(Must(h.RunWork(period_end)));
  EXPECT_TRUE(SameAccount(before, h.account));
}

// Finds: running a trial's end a second time while its conversion charge is still pending makes
// a second attempt for the same period (paid twice, the account holds two paid attempts for one
// item period); the work is not seen as done.
TEST(DueWork, RunningATrialEndTwiceChargesTheTrialOnce) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string trial = h.StartTrial("pro");
  const DueWork trial_end = h.Waiting(trial, DueKind::kTrialEnd).at(0);
  h.AdvanceTo(trial_end.due_at, Always(Outcome::kLeavePending));
  ASSERT_THAT(h.pending(), SizeIs(1));

  const Transition again = Must(h.RunWork(trial_end));

  EXPECT_THAT(Names(again), IsEmpty());
  h.SettlePending(true);
  EXPECT_THAT(Summaries(h.AttemptsFor(trial)), SizeIs(1));
}

// =============================================================================================
// Charge outcomes

TEST(ChargeOutcome, SettlingAnAttemptTwiceIsAnErrorAndChangesNothing) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const Transition t = Must(h.Subscribe("max"));
  const std::string attempt = t.charges.at(0);
  Must(h.Settle(attempt, true));
  const Account before = h.account;

  const Result<Transition> again = h.Settle(attempt, false);

  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "attempt_settled");
  EXPECT_EQ(again.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_EQ(CodeOf(h.Settle(attempt, true)), "attempt_settled");
  EXPECT_EQ(CodeOf(h.Settle("cpay_unknown", true)), "attempt_not_found");
  EXPECT_TRUE(SameAccount(before, h.account));
}

// Finds: a charge outcome that arrives after its item ended (a renewal in flight when the payer
// ended the plan now) revives the ended item as past_due, next to the free item: two current
// items.
TEST(ChargeOutcome, AnOutcomeAfterTheItemEndedDoesNotReviveIt) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  h.AdvanceTo(At(2024, 2, 10, 9), Always(Outcome::kLeavePending));
  ASSERT_THAT(h.pending(), SizeIs(1));
  const std::string renewal = h.pending()[0];
  Must(h.Cancel(max, /*end_now=*/true));

  const Transition t = Must(h.Settle(renewal, false));

  EXPECT_THAT(Names(t), ElementsAre("paymentAttempt.updated"));
  EXPECT_EQ(StatusOf(h.Attempt(renewal)), "failed");
  EXPECT_EQ(StatusOf(h.Item(max)), "ended");
  EXPECT_EQ(h.Current().plan_slug, "free");
  EXPECT_EQ(SubscriptionStatus(h.account), "active");
}

// Finds: a renewal paid after its item ended (the payer ended the plan now while the charge was
// in flight) renews the ended item: its period moves on and it gets subscriptionItem.updated.
TEST(ChargeOutcome, APaidOutcomeAfterTheItemEndedDoesNotRenewIt) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  h.AdvanceTo(At(2024, 2, 10, 9), Always(Outcome::kLeavePending));
  ASSERT_THAT(h.pending(), SizeIs(1));
  const std::string renewal = h.pending()[0];
  Must(h.Cancel(max, /*end_now=*/true));
  const SubscriptionItem ended = h.Item(max);

  const Transition t = Must(h.Settle(renewal, true));

  EXPECT_THAT(Names(t), ElementsAre("paymentAttempt.updated"));
  EXPECT_EQ(StatusOf(h.Attempt(renewal)), "paid");
  EXPECT_EQ(StatusOf(h.Item(max)), "ended");
  EXPECT_EQ(Show(h.Item(max).period_end), Show(ended.period_end));
  EXPECT_THAT(DueTimes(t.scheduled), IsEmpty());
  EXPECT_EQ(h.Current().plan_slug, "free");
}

TEST(ChargeOutcome, ARequiredActionFailsAsAuthenticationRequiredWhateverTheGatewaysCode) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string attempt = Must(h.Subscribe("max")).charges.at(0);

  Must(h.Report(attempt, {ChargeStatus::kRequiresAction, "pi_3ds", "requires_action",
                          "The bank asks the cardholder to confirm."}));

  EXPECT_EQ(h.Attempt(attempt).failed_code, "authentication_required");
  EXPECT_EQ(h.Attempt(attempt).failed_reason, "The bank asks the cardholder to confirm.");
  EXPECT_EQ(h.Attempt(attempt).gateway_charge_id, "pi_3ds");
}

TEST(Renewal, ARenewalPaidOnlyAfterItsPeriodEndedRenewsAgainAtOnceFromWhereThePeriodEnds) {
  Harness h(kStart);
  h.Start();
  h.AddCard();
  const std::string max = h.SubscribePaid("max");
  h.AdvanceTo(At(2024, 2, 10, 9), Always(Outcome::kLeavePending));  // the renewal, pending
  const std::string renewal = h.pending().at(0);
  h.now = At(2024, 3, 12, 9);  // the gateway answers after the period it pays for has ended

  const Transition paid = Must(h.Settle(renewal, true));

  EXPECT_EQ(Show(h.Item(max).period_end), Show(At(2024, 3, 10, 9)));
  ASSERT_THAT(paid.scheduled, SizeIs(1));
  EXPECT_EQ(Show(paid.scheduled[0].due_at), Show(At(2024, 3, 12, 9)));  // now, not in the past
  EXPECT_EQ(Show(paid.scheduled[0].reference), Show(At(2024, 3, 10, 9)));
  // It charges the next period from where the paid one ends: no gap, no day twice.
  h.RunDue(Always(Outcome::kLeavePending));
  const PaymentAttempt& next = h.Attempt(h.pending().at(0));
  EXPECT_EQ(Show(next.period_start), Show(At(2024, 3, 10, 9)));
  EXPECT_EQ(Show(next.period_end), Show(At(2024, 4, 10, 9)));
}

// =============================================================================================
// Pending and requires-action answers, for each purpose of a charge

struct ChargeCase {
  std::string name;
  // From a started payer with a card, on free: makes one charge and gives it no answer yet.
  // Returns the attempt.
  std::function<std::string(Harness&)> charge;
  std::vector<std::string> failed_events;  // what a failure of that charge does
};

void PrintTo(const ChargeCase& c, std::ostream* os) { *os << c.name; }

std::vector<ChargeCase> ChargeCases() {
  const Instant renewal = At(2024, 2, 10, 9);
  return {
      {"Checkout",
       [](Harness& h) { return Must(h.Subscribe("max")).charges.at(0); },
       {"paymentAttempt.updated", "subscriptionItem.incomplete"}},
      {"TrialConversion",
       [](Harness& h) {
         h.StartTrial("pro");
         h.AdvanceTo(kStart + days(14), Always(Outcome::kLeavePending));
         return h.pending().at(0);
       },
       {"paymentAttempt.updated", "subscriptionItem.pastDue", "subscription.pastDue"}},
      {"Renewal",
       [=](Harness& h) {
         h.SubscribePaid("max");
         h.AdvanceTo(renewal, Always(Outcome::kLeavePending));
         return h.pending().at(0);
       },
       {"paymentAttempt.updated", "subscriptionItem.pastDue", "subscription.pastDue"}},
      {"DunningRetry",
       [=](Harness& h) {
         h.SubscribePaid("max");
         h.AdvanceTo(renewal, Always(Outcome::kDecline));
         h.AdvanceTo(renewal + days(1), Always(Outcome::kLeavePending));
         return h.pending().at(0);
       },
       {"paymentAttempt.updated"}},
  };
}

// Two payers in step, each with the case's charge made: `h` gets the answer under test, `twin`
// the plain answer it is compared with.
class ChargeCaseTest : public ::testing::TestWithParam<ChargeCase> {
 protected:
  void SetUp() override {
    for (Harness* harness : {&twin, &h}) {
      harness->Start();
      harness->AddCard();
    }
    attempt = GetParam().charge(h);
    ASSERT_EQ(GetParam().charge(twin), attempt);
  }

  Harness twin{kStart};
  Harness h{kStart};
  std::string attempt;
};

class PendingAnswer : public ChargeCaseTest {};

TEST_P(PendingAnswer, LeavesTheAttemptPendingUntilALaterAnswerSettlesIt) {
  Harness& paid_at_once = twin;
  const Account before = h.account;

  ExpectNothingHappened(Must(h.AnswerPending(attempt)));
  ExpectNothingHappened(Must(h.AnswerPending(attempt)));

  EXPECT_TRUE(SameAccount(before, h.account));
  EXPECT_EQ(StatusOf(h.Attempt(attempt)), "pending");
  EXPECT_THAT(h.pending(), ElementsAre(attempt));
  // The answer that comes later settles it as if it had come at once.
  const Transition settled = Must(h.Settle(attempt, true));
  EXPECT_THAT(Names(settled), ElementsAreArray(Names(Must(paid_at_once.Settle(attempt, true)))));
  EXPECT_TRUE(SameAccount(paid_at_once.account, h.account));
  EXPECT_EQ(StatusOf(h.Attempt(attempt)), "paid");
  EXPECT_EQ(CodeOf(h.AnswerPending(attempt)), "attempt_settled");
}

INSTANTIATE_TEST_SUITE_P(Lifecycle, PendingAnswer, ::testing::ValuesIn(ChargeCases()),
                         [](const auto& info) { return info.param.name; });

class RequiredAction : public ChargeCaseTest {};

TEST_P(RequiredAction, FailsAsAuthenticationRequiredThenFollowsTheDeclinePath) {
  Harness& declined = twin;

  const Transition failed = Must(h.RequireAction(attempt));
  const Transition decline = Must(declined.Settle(attempt, false));

  EXPECT_THAT(Names(failed), ElementsAreArray(GetParam().failed_events));
  EXPECT_THAT(Names(decline), ElementsAreArray(GetParam().failed_events));
  EXPECT_EQ(DueTimes(failed.scheduled), DueTimes(decline.scheduled));
  const PaymentAttempt attempt_now = h.Attempt(attempt);  // a copy: attempts are added below
  EXPECT_EQ(StatusOf(attempt_now), "failed");
  EXPECT_EQ(attempt_now.failed_code, "authentication_required");
  EXPECT_EQ(attempt_now.failed_reason, kAuthenticationMessage);
  EXPECT_EQ(attempt_now.gateway_charge_id, "ch_" + attempt);
  // What follows is what follows a decline: the rest of dunning, declined too, ends the same.
  EXPECT_EQ(Names(h.AdvanceTo(kStart + days(90), Always(Outcome::kDecline))),
            Names(declined.AdvanceTo(kStart + days(90), Always(Outcome::kDecline))));
  // Apart from what the gateway said about that one charge, the accounts are the same.
  Account expected = declined.account;
  PaymentAttempt* twin = expected.FindAttempt(attempt);
  ASSERT_NE(twin, nullptr);
  twin->failed_code = attempt_now.failed_code;
  twin->failed_reason = attempt_now.failed_reason;
  twin->gateway_charge_id = attempt_now.gateway_charge_id;
  EXPECT_TRUE(SameAccount(expected, h.account));
}

INSTANTIATE_TEST_SUITE_P(Lifecycle, RequiredAction, ::testing::ValuesIn(ChargeCases()),
                         [](const auto& info) { return info.param.name; });

// =============================================================================================
// Refusals leave the account as it was

struct RefusalCase {
  std::string name;
  std::function<void(Harness&)> setup;  // from a started payer with a card, on free
  std::function<Result<Transition>(Harness&)> action;
  std::string code;
  PayerType payer_type = PayerType::kUser;
};

void PrintTo(const RefusalCase& c, std::ostream* os) { *os << c.name; }

void OnMax(Harness& h) { h.SubscribePaid("max"); }
void OnCanceledMax(Harness& h) { Must(h.Cancel(h.SubscribePaid("max"))); }

std::vector<RefusalCase> RefusalCases() {
  auto nothing = [](Harness&) {};
  auto subscribe = [](std::string plan, BillingInterval interval = kMonth) {
    return [=](Harness& h) { return h.Subscribe(plan, interval); };
  };
  return {
      {"UnknownPlan", nothing, subscribe("nope"), "plan_not_found"},
      {"ArchivedPlan", nothing, subscribe("legacy"), "plan_archived"},
      {"OutdatedPriceId", nothing, subscribe("cplan_pro_old"), "plan_version_outdated"},
      {"UserOnAnOrgPlan", nothing, subscribe("team"), "payer_type_mismatch"},
      {"OrgOnAUserPlan", nothing, subscribe("pro"), "payer_type_mismatch", PayerType::kOrg},
      {"AnnualWithoutAnAnnualPrice", nothing, subscribe("max", kAnnual), "annual_not_offered"},
      {"AlreadySubscribed", OnMax, subscribe("max"), "already_subscribed"},
      {"AlreadyOnTheFreePlan", nothing, subscribe("free"), "already_subscribed"},
      {"CancelTheDefaultPlan", nothing, [](Harness& h) { return h.Cancel(h.Current().id); },
       "cannot_cancel_default_plan"},
      {"CancelTheUpcomingFreePlan", OnCanceledMax,
       [](Harness& h) { return h.Cancel(h.account.UpcomingItem()->id); },
       "cannot_cancel_default_plan"},
      {"CancelTwice", OnCanceledMax, [](Harness& h) { return h.Cancel(h.Current().id); },
       "already_canceled"},
      {"CancelAnEndedItem", OnMax,
       [](Harness& h) { return h.Cancel(h.account.items.front().id, true); },
       "item_not_cancelable"},
      {"CancelAnUnknownItem", nothing, [](Harness& h) { return h.Cancel("csub_item_nope"); },
       "item_not_found"},
      {"ExtendAnUnknownItem", nothing,
       [](Harness& h) { return h.Extend("csub_item_nope", kStart + days(30)); }, "item_not_found"},
  };
}

TEST(UnknownPlan, TheRefusalSuggestsTheClosestSlugOfAPlanStillSold) {
  Harness h(kStart);
  h.Start();
  const Result<Transition> typo = h.Subscribe("prp");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().code, "plan_not_found");
  EXPECT_EQ(typo.error().param, "plan");
  EXPECT_EQ(typo.error().message,
            "no plan \"prp\" (give a plan slug or id); did you mean \"pro\"?");

  // Nothing close: no suggestion. An archived plan is never suggested.
  const Result<Transition> far = h.Subscribe("enterprise-gold");
  ASSERT_FALSE(far);
  EXPECT_EQ(far.error().message, "no plan \"enterprise-gold\" (give a plan slug or id)");
  const Result<Transition> archived = h.Subscribe("legasy");
  ASSERT_FALSE(archived);
  EXPECT_THAT(archived.error().message, Not(HasSubstr("did you mean")));
}

class Refusal : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(Refusal, LeavesTheAccountUnchanged) {
  const RefusalCase& c = GetParam();
  Harness h(kStart, c.payer_type);
  h.Start();
  h.AddCard();
  c.setup(h);
  const Account before = h.account;

  const Result<Transition> result = c.action(h);

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, c.code) << result.error().message;
  EXPECT_FALSE(result.error().message.empty());
  EXPECT_TRUE(SameAccount(before, h.account));
}

INSTANTIATE_TEST_SUITE_P(Lifecycle, Refusal, ::testing::ValuesIn(RefusalCases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace recur::lifecycle_test
