// A scenario for `recur simulate scenario`: named payers and what they do, on a simulated clock,
// written one step per line (docs/simulate.md has the format):
//
//   start 2027-01-01                 # optional, first; when the simulation begins
//   payer alice                      # a user payer (or: payer acme org)
//   card alice pm_card_visa          # a payment method, made the default
//   subscribe alice pro              # [month|annual] [trial|no-trial]
//   advance 10d                      # or: advance to 2027-02-01T12:00Z
//   cancel alice [PLAN] [now]
//   extend-trial alice 7d            # or: extend-trial alice to 2027-01-25
//   settle alice                     # the gateway finishes alice's pending charges
//   try subscribe alice business     # a step the engine may refuse: its refusal is printed
//                                    # and the scenario goes on (card, subscribe, cancel,
//                                    # extend-trial and settle may follow try)
//
// Actions happen at the simulated time the steps before them reached. Parsing is pure; it
// checks the shape of every line (and that payers are declared once, before use, and that
// absolute times lie ahead) and reports every problem as "FILE:LINE: what is wrong".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "domain/catalog/plan.h"
#include "domain/subscriptions/lifecycle.h"

namespace recur {

enum class StepKind { kPayer, kCard, kSubscribe, kCancel, kExtendTrial, kAdvance, kSettle };

struct ScenarioStep {
  int line = 0;
  std::string text;  // the line as written, without its comment
  StepKind kind = StepKind::kAdvance;
  std::string payer;                        // every kind but kAdvance
  PayerType payer_type = PayerType::kUser;  // kPayer
  std::string token;                        // kCard
  SubscribeRequest subscribe;               // kSubscribe
  std::string plan;                         // kCancel: the item's plan; empty: the current item
  bool end_now = false;                     // kCancel
  // kAdvance and kExtendTrial: by how long (from now, or from the trial's end), or until when.
  std::optional<std::chrono::hours> by;
  std::optional<Instant> to;
  // Written "try STEP": when the engine refuses it, the refusal is the step's outcome and the
  // scenario goes on; a step without it stops the scenario when refused.
  bool may_be_refused = false;
};

struct Scenario {
  Instant start;
  std::vector<ScenarioStep> steps;
};

// The default start: 2027-01-01T00:00:00Z.
Instant DefaultScenarioStart();

Result<Scenario> ParseScenario(std::string_view text, std::string_view file_name);

// "2027-01-31", "2027-01-31T09:30Z" or "2027-01-31T09:30:15Z" (UTC).
std::optional<Instant> ParseScenarioTime(std::string_view text);

}  // namespace recur
