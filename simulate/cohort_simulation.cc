#include "simulate/cohort_simulation.h"

#include <atomic>
#include <cmath>
#include <queue>
#include <thread>

#include "base/log.h"
#include "simulate/cohort_gateway.h"
#include "simulate/cohort_metrics.h"
#include "simulate/draws.h"
#include "simulate/simulated_engine.h"
#include "store/memory/memory_account_store.h"

namespace recur {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;

// What each draw decides, so that draws for one payer are independent of each other.
enum DrawKind : std::uint64_t {
  kArrivalTime = 1,
  kPlanPick,
  kConverts,
  kTimeInTrial,
  kCancelsTrial,
  kChurnMonth,
  kTimeInMonth,
  kRecovers,
  kTimeInDunning,
};

enum class Act { kArrive, kAddCard, kCancel, kRecover };

struct Action {
  Instant at;
  std::int64_t payer = 0;
  Act act = Act::kArrive;
  friend bool operator>(const Action& a, const Action& b) {
    if (a.at != b.at) return a.at > b.at;
    if (a.payer != b.payer) return a.payer > b.payer;
    return a.act > b.act;
  }
};

milliseconds Fraction(double share, milliseconds of) {
  return milliseconds(static_cast<std::int64_t>(share * static_cast<double>(of.count())));
}

// The design's trial on every plan of the mix, keeping the plan valid: notices must fall
// inside the trial.
void ApplyDesign(const CohortModel& model, const TrialDesign& design, PlanDefinition& plan) {
  bool in_mix = false;
  for (const MixedPlan& choice : model.mix) in_mix = in_mix || choice.plan == plan.slug;
  if (!in_mix || plan.IsFree()) return;  // a free plan in the mix is refused by CheckMix
  plan.free_trial_days = design.trial_days;
  plan.free_trial_requires_payment_method = design.card_up_front;
  const hours trial = days(design.trial_days);
  std::erase_if(plan.trial_ending_notices, [&](hours lead) { return lead >= trial; });
  if (plan.trial_ending_notices.empty()) plan.trial_ending_notices = {trial / 2};
}

class DesignRun {
 public:
  DesignRun(const CohortModel& model, const TrialDesign& design, const CohortRunOptions& options)
      : model_(model),
        design_(design),
        options_(options),
        accounts_(MemoryAccountStoreOptions{.keep_events = false, .keep_settled_attempts = false}),
        gateway_(model.seed, model.payment_failure),
        payer_ids_(static_cast<std::size_t>(model.payers)) {}

  // The currency of the mix's plans, known once Go has checked them.
  const std::string& currency() const { return currency_; }

  Result<CohortDesignResult> Go() {
    SimulatedEngineOptions engine_options;
    engine_options.plans_path = options_.plans_path;
    engine_options.lifecycle = options_.lifecycle;
    engine_options.seed = model_.seed;
    engine_options.start = model_.start;
    engine_options.accounts = &accounts_;
    engine_options.gateway = &gateway_;
    engine_options.scheduler.workers = 1;                 // designs run in parallel instead
    engine_options.event_bodies = EventBodies::kOmitted;  // counted, never read
    engine_options.adjust_plan = [this](PlanDefinition& plan) {
      ApplyDesign(model_, design_, plan);
    };
    auto engine =
        SimulatedEngine::Open(engine_options, [this](const Account* before, const Account& after,
                                                     const std::vector<StoredEvent>& events) {
          metrics_.Observe(before, after, events);
        });
    if (!engine) return std::unexpected(engine.error());
    engine_ = engine->get();
    if (auto mix = CheckMix(); !mix) return std::unexpected(mix.error());

    ScheduleArrivals();
    CohortDesignResult result;
    result.name = design_.name;
    result.description = design_.Description();
    for (int day = 1; day <= model_.days; ++day) {
      const Instant day_end = model_.start + days(day);
      while (!actions_.empty() && actions_.top().at < day_end) {
        const Action action = actions_.top();
        actions_.pop();
        if (auto advanced = AdvanceTo(action.at); !advanced)
          return std::unexpected(advanced.error());
        if (auto acted = Take(action); !acted) return std::unexpected(acted.error());
      }
      if (auto advanced = AdvanceTo(day_end); !advanced) return std::unexpected(advanced.error());
      result.days.push_back(metrics_.Snapshot(day));
    }
    metrics_.Fill(result);
    return result;
  }

 private:
  double DrawFor(DrawKind kind, std::int64_t payer, std::int64_t more = 0) const {
    return Draw(model_.seed,
                {kind, static_cast<std::uint64_t>(payer), static_cast<std::uint64_t>(more)});
  }

  Status CheckMix() {
    auto catalog = engine_->catalog();
    for (const MixedPlan& choice : model_.mix) {
      const CatalogPlan* plan = catalog->FindPlan(choice.plan);
      std::string problem;
      if (plan == nullptr) {
        problem = "is not in the catalog at " + options_.plans_path;
      } else if (plan->definition.IsFree()) {
        problem = "is free: a trial design needs paid plans";
      } else if (choice.interval == BillingInterval::kAnnual && !plan->definition.annual_amount) {
        problem = "has no annual price";
      }
      if (plan != nullptr && problem.empty()) {
        if (currency_.empty()) currency_ = plan->definition.currency;
        if (plan->definition.currency != currency_) {
          problem = "is priced in " + plan->definition.currency + ", the mix's first plan in " +
                    currency_ + ": revenue could not be added up";
        }
      }
      if (!problem.empty()) {
        return MakeError(ErrorKind::kInvalidArgument, "invalid_mix",
                         "plan " + choice.plan + " " + problem, "mix");
      }
    }
    return Ok();
  }

  void ScheduleArrivals() {
    const std::int64_t arrival_days = model_.ArrivalDays();
    for (std::int64_t payer = 0; payer < model_.payers; ++payer) {
      const std::int64_t day = payer * arrival_days / model_.payers;
      const Instant at = model_.start + days(day) + Fraction(DrawFor(kArrivalTime, payer), days(1));
      actions_.push({at, payer, Act::kArrive});
    }
  }

  // Runs the engine up to `to`, then decides what the payers who went past due on the way do.
  Status AdvanceTo(Instant to) {
    auto ran = engine_->AdvanceTo(to);
    if (!ran) return std::unexpected(ran.error());
    const milliseconds dunning = options_.lifecycle.dunning_retries.back() - hours(1);
    for (const PastDue& past_due : metrics_.TakePastDue()) {
      const std::int64_t since = ToUnixMillis(past_due.since);
      if (DrawFor(kRecovers, past_due.payer, since) >= model_.recovery) continue;
      const Instant at =
          past_due.since + Fraction(DrawFor(kTimeInDunning, past_due.payer, since), dunning);
      actions_.push({std::max(at, engine_->Now()), past_due.payer, Act::kRecover});
    }
    return Ok();
  }

  const MixedPlan& PickPlan(std::int64_t payer) const {
    double total = 0;
    for (const MixedPlan& choice : model_.mix) total += choice.weight;
    double pick = DrawFor(kPlanPick, payer) * total;
    for (const MixedPlan& choice : model_.mix) {
      if (pick < choice.weight) return choice;
      pick -= choice.weight;
    }
    return model_.mix.back();
  }

  Status Take(const Action& action) {
    BillingService& billing = engine_->billing();
    const std::string& payer_id = payer_ids_[static_cast<std::size_t>(action.payer)];
    switch (action.act) {
      case Act::kArrive:
        return Arrive(action);
      case Act::kAddCard:
        return AddCard(payer_id, CohortGateway::CardToken(action.payer));
      case Act::kCancel: {
        auto account = billing.GetAccount(payer_id);
        if (!account) return std::unexpected(account.error());
        const SubscriptionItem* current = account->CurrentItem();
        // Only a running paid item is canceled; one that ended already has nothing to cancel.
        if (current == nullptr || current->amount == 0 || current->status != ItemStatus::kActive) {
          return Ok();
        }
        auto canceled = billing.Cancel(current->id, false);
        return canceled ? Ok() : Status(std::unexpected(canceled.error()));
      }
      case Act::kRecover: {
        auto account = billing.GetAccount(payer_id);
        if (!account) return std::unexpected(account.error());
        const SubscriptionItem* current = account->CurrentItem();
        if (current == nullptr || current->status != ItemStatus::kPastDue) return Ok();
        return AddCard(payer_id, CohortGateway::ReplacementToken(action.payer));
      }
    }
    return Ok();
  }

  // The payer's new default card.
  Status AddCard(const std::string& payer_id, const std::string& token) {
    auto added = engine_->billing().AddPaymentMethod(payer_id, token, true);
    return added ? Ok() : Status(std::unexpected(added.error()));
  }

  Status Arrive(const Action& action) {
    const std::int64_t payer = action.payer;
    const MixedPlan& choice = PickPlan(payer);
    const PayerType type = engine_->catalog()->FindPlan(choice.plan)->definition.payer_type;
    const std::string name = "p" + std::to_string(payer);
    BillingService& billing = engine_->billing();
    auto account = billing.CreatePayer({name, type, name + "@example.com", "Payer " + name});
    if (!account) return std::unexpected(account.error());
    const std::string& payer_id = payer_ids_[static_cast<std::size_t>(payer)] = account->payer.id;
    if (design_.card_up_front) {
      if (auto added = AddCard(payer_id, CohortGateway::CardToken(payer)); !added) return added;
    }
    auto subscribed = billing.Subscribe(payer_id, {choice.plan, choice.interval, true});
    if (!subscribed) return std::unexpected(subscribed.error());

    const Instant trial_end = action.at + days(design_.trial_days);
    const Instant in_trial =
        action.at + Fraction(DrawFor(kTimeInTrial, payer), days(design_.trial_days));
    const bool converts = DrawFor(kConverts, payer) < design_.conversion;
    if (!converts) {
      if (design_.card_up_front || DrawFor(kCancelsTrial, payer) < model_.trial_cancel) {
        actions_.push({in_trial, payer, Act::kCancel});
      }
      return Ok();  // without a card and without a cancel, the trial lapses to the free plan
    }
    if (!design_.card_up_front) actions_.push({in_trial, payer, Act::kAddCard});
    if (model_.monthly_churn > 0) {
      // Months paid before the payer leaves: geometric with the monthly churn.
      const double stays = DrawFor(kChurnMonth, payer);
      const double months =
          model_.monthly_churn >= 1
              ? 0
              : std::floor(std::log1p(-stays) / std::log1p(-model_.monthly_churn));
      const Instant at = trial_end + days(30) * static_cast<std::int64_t>(std::min(months, 1e6)) +
                         Fraction(DrawFor(kTimeInMonth, payer), days(29));
      if (at < model_.start + days(model_.days)) actions_.push({at, payer, Act::kCancel});
    }
    return Ok();
  }

  const CohortModel& model_;
  const TrialDesign& design_;
  const CohortRunOptions& options_;
  MemoryAccountStore accounts_;
  CohortGateway gateway_;
  CohortMetrics metrics_;
  SimulatedEngine* engine_ = nullptr;
  std::string currency_;
  std::vector<std::string> payer_ids_;  // by payer number
  std::priority_queue<Action, std::vector<Action>, std::greater<>> actions_;
};

}  // namespace

Result<CohortReport> RunCohort(const CohortModel& model, const CohortRunOptions& options) {
  CohortReport report;
  report.seed = model.seed;
  report.payers = model.payers;
  report.days = model.days;
  report.start_date = FormatRfc3339(model.start).substr(0, 10);
  report.report_days = model.report_days;
  report.assumptions = Assumptions(model);
  report.designs.resize(model.designs.size());

  std::vector<std::optional<Error>> failures(model.designs.size());
  std::atomic<std::size_t> next = 0;
  auto work = [&] {
    for (std::size_t i = next++; i < model.designs.size(); i = next++) {
      DesignRun run(model, model.designs[i], options);
      auto result = run.Go();
      if (result) {
        report.designs[i] = std::move(*result);
        if (i == 0) report.currency = run.currency();
      } else {
        failures[i] = result.error();
      }
    }
  };
  std::vector<std::thread> threads;
  const std::size_t count =
      std::min<std::size_t>(model.designs.size(), std::max(1, options.threads));
  for (std::size_t t = 1; t < count; ++t) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();
  for (const std::optional<Error>& failure : failures) {
    if (failure) return std::unexpected(*failure);
  }
  return report;
}

}  // namespace recur
