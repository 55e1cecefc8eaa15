#include "simulate/scenario_runner.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "simulate/scenario_stepper.h"
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
    SimulatedEngine& simulated = **engine;
    ScenarioStepper stepper(
        simulated.billing(), [&simulated] { return simulated.Now(); },
        [&simulated](Instant to) { return simulated.AdvanceTo(to); },
        [&simulated](const std::string& key) { return simulated.FinishPendingCharge(key); });
    for (const ScenarioStep& step : scenario_.steps) {
      TimelineEntry entry;
      entry.at = simulated.Now();
      entry.payer = step.kind == StepKind::kAdvance ? "" : step.payer;
      entry.step = step.text;
      entry.line = step.line;
      auto outcome = stepper.Take(step);
      if (!outcome && step.may_be_refused) {
        outcome = "refused (" + outcome.error().code + "): " + outcome.error().message;
      } else if (outcome && step.kind == StepKind::kPayer) {
        declared_[*outcome] = {static_cast<int>(declared_.size()), step.payer};
      }
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
