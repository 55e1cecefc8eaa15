// Runs a scenario (scenario.h) on the real engine (simulated_engine.h) and reports its timeline
// as it unfolds: each step as it is taken, then the events it made. Events of one step come in
// simulated-time order; events at the same instant keep the order the engine stored them in for
// one payer, and follow the order the payers were declared in across payers, so a run prints the
// same timeline every time.
#pragma once

#include <functional>
#include <string>

#include "base/error.h"
#include "domain/subscriptions/lifecycle.h"
#include "simulate/scenario.h"
#include "simulate/timeline.h"

namespace recur {

struct ScenarioRunOptions {
  std::string plans_path = "plans";
  LifecycleOptions lifecycle;
  std::uint64_t seed = 1;  // seeds the ids, so payloads are the same on every run
};

// `sink` sees every entry in order and may fill in its delivery before printing it. Stops at
// the first step the engine refuses, with "FILE:LINE: step: why".
Status RunScenario(const Scenario& scenario, std::string_view file_name,
                   const ScenarioRunOptions& options,
                   const std::function<void(TimelineEntry&)>& sink);

}  // namespace recur
