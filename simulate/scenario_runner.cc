#include "simulate/scenario_runner.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "simulate/simulated_engine.h"

namespace recur {
namespace {

// Events stored by the engine, kept until the runner takes them.
class EventTap {
 public:
  void Add(const std::vector<StoredEvent>& events) {
    std::lock_guard lock(mutex_);
    events_.insert(events_.end(), events.begin(), events.end());
  }
  std::vector<StoredEvent> Take() {
    std::lock_guard lock(mutex_);
    return std::exchange(events_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<StoredEvent> events_;
};

class Run {
 public:
  Run(const Scenario& scenario, std::string_view file_name,
      const std::function<void(TimelineEntry&)>& sink)
      : scenario_(scenario), file_name_(file_name), sink_(sink) {}

  Status Go(const ScenarioRunOptions& options) {
    SimulatedEngineOptions engine_options;
    engine_options.plans_path = options.plans_path;
    engine_options.lifecycle = options.lifecycle;
    engine_options.seed = options.seed;
    engine_options.start = scenario_.start;
    engine_options.scheduler.workers = 1;  // ids drawn in one order: reproducible payloads
    auto engine = SimulatedEngine::Open(
        engine_options,
        [this](const Account*, const Account&, const std::vector<StoredEvent>& e) { tap_.Add(e); });
    if (!engine) return std::unexpected(engine.error());
    engine_ = engine->get();
    for (const ScenarioStep& step : scenario_.steps) {
      TimelineEntry entry;
      entry.at = engine_->Now();
      entry.payer = step.kind == StepKind::kAdvance ? "" : step.payer;
      entry.step = step.text;
      entry.line = step.line;
      auto outcome = Take(step);
      if (!outcome) {
        Error error = outcome.error();
        error.message = std::string(file_name_) + ":" + std::to_string(step.line) + ": " +
                        step.text + ": " + error.message;
        return std::unexpected(error);
      }
      entry.outcome = *outcome;
      sink_(entry);
      EmitEvents();
    }
    return Ok();
  }

 private:
  // Takes one step; returns what came of it to say besides its events.
  Result<std::string> Take(const ScenarioStep& step) {
    BillingService& billing = engine_->billing();
    switch (step.kind) {
      case StepKind::kAdvance: {
        const Instant to = step.to ? *step.to : engine_->Now() + *step.by;
        auto ran = engine_->AdvanceTo(to);
        if (!ran) return std::unexpected(ran.error());
        return "to " + FormatSimulatedTime(to) + ", " + std::to_string(*ran) +
               (*ran == 1 ? " piece" : " pieces") + " of due work ran";
      }
      case StepKind::kPayer: {
        NewPayer payer{step.payer, step.payer_type, step.payer + "@example.com",
                       Capitalized(step.payer)};
        auto account = billing.CreatePayer(payer);
        if (!account) return std::unexpected(account.error());
        payer_ids_[step.payer] = account->payer.id;
        declared_[account->payer.id] = {static_cast<int>(declared_.size()), step.payer};
        return account->payer.id;
      }
      case StepKind::kCard: {
        auto method = billing.AddPaymentMethod(payer_ids_[step.payer], step.token, true);
        if (!method) return std::unexpected(method.error());
        return method->brand + " ending " + method->last4 + ", the default";
      }
      case StepKind::kSubscribe: {
        auto outcome = billing.Subscribe(payer_ids_[step.payer], step.subscribe);
        if (!outcome) return std::unexpected(outcome.error());
        if (outcome->declined) return "declined: " + outcome->declined->failed_reason;
        return "";
      }
      case StepKind::kCancel: {
        auto item = FindItem(step);
        if (!item) return std::unexpected(item.error());
        auto outcome = billing.Cancel(item->id, step.end_now);
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
        auto outcome = billing.ExtendTrial(item->id, to);
        if (!outcome) return std::unexpected(outcome.error());
        return "trial ends " + FormatSimulatedTime(to);
      }
    }
    return MakeError(ErrorKind::kInternal, "unknown_step", "unknown step");
  }

  // The payer's item on step.plan (current or upcoming), or its current item.
  Result<SubscriptionItem> FindItem(const ScenarioStep& step) {
    auto account = engine_->billing().GetAccount(payer_ids_[step.payer]);
    if (!account) return std::unexpected(account.error());
    for (const SubscriptionItem* item : {account->CurrentItem(), account->UpcomingItem()}) {
      if (item != nullptr && (step.plan.empty() || item->plan_slug == step.plan)) return *item;
    }
    return MakeError(ErrorKind::kNotFound, "item_not_found",
                     step.payer + " has no current or upcoming item on plan " + step.plan);
  }

  static std::string Capitalized(std::string name) {
    if (!name.empty() && name[0] >= 'a' && name[0] <= 'z')
      name[0] = static_cast<char>(name[0] - 'a' + 'A');
    return name;
  }

  void EmitEvents() {
    std::vector<StoredEvent> events = tap_.Take();
    std::stable_sort(events.begin(), events.end(),
                     [this](const StoredEvent& a, const StoredEvent& b) {
                       if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
                       return declared_[a.payer_id].order < declared_[b.payer_id].order;
                     });
    for (StoredEvent& event : events) {
      TimelineEntry entry;
      entry.at = event.timestamp;
      entry.payer = declared_[event.payer_id].name;
      entry.event_id = event.id;
      entry.event_type = event.type;
      entry.summary = SummarizeEvent(event.type, nlohmann::json::parse(event.body, nullptr, false));
      entry.body = std::move(event.body);
      sink_(entry);
    }
  }

  const Scenario& scenario_;
  std::string_view file_name_;
  const std::function<void(TimelineEntry&)>& sink_;
  EventTap tap_;
  SimulatedEngine* engine_ = nullptr;
  std::map<std::string, std::string> payer_ids_;  // scenario name -> cpayer_...
  struct Declared {
    int order = 0;     // in the scenario
    std::string name;  // the scenario's name
  };
  std::map<std::string, Declared> declared_;  // cpayer_... -> how the scenario declared it
};

}  // namespace

Status RunScenario(const Scenario& scenario, std::string_view file_name,
                   const ScenarioRunOptions& options,
                   const std::function<void(TimelineEntry&)>& sink) {
  Run run(scenario, file_name, sink);
  return run.Go(options);
}

}  // namespace recur
