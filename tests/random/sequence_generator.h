// Random lifecycle sequences, for the randomized lifecycle tests: from a seed alone, a scenario
// (simulate/scenario.h) of a few payers doing what payers do (cards that pay, fail, need
// authentication or stay pending; subscribes, trials, upgrades, downgrades, cancels, ends now,
// resubscribes, trial extensions) between clock advances of varied lengths that cross trial
// ends, period ends and dunning retries. The generator does not look at the engine: many steps
// are ones the engine refuses (a cancel with nothing to cancel), which the tests check change
// nothing. The same seed gives the same lines on every machine (its own random numbers, not the
// standard library's distributions). Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace recur::random_lifecycle {

struct GeneratorOptions {
  int max_payers = 4;
  int min_steps = 8;
  int max_steps = 40;
  // Cards whose charges stay pending (pm_card_sandboxPendingThen*), and steps in which the
  // gateway settles them.
  bool pending_cards = true;
};

// The scenario's lines: a start line, then steps. No step is marked "try": whoever runs them
// decides which refusals to write down (see FormatScenario).
std::vector<std::string> GenerateSequence(std::uint64_t seed, const GeneratorOptions& options = {});

}  // namespace recur::random_lifecycle
