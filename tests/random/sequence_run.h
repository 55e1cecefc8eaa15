// Runs one random sequence (a scenario's lines, sequence_generator.h) on both backends, with
// the invariants of lifecycle_checker.h checked after every step, then compares the two
// backends' event streams (every payer's events: types, bodies, order) exactly. The engine may
// refuse a card, subscribe, cancel or extend-trial step as a payer's request would be refused
// (a not-found, a conflict, a state that forbids it, a declined card); any other error, and
// any refused advance or new payer, is a problem. Checking stops at the first step with a
// problem.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/random/lifecycle_checker.h"

namespace recur::random_lifecycle {

struct RunOptions {
  std::uint64_t seed = 1;  // seeds the engine's ids
  std::string plans_path;  // the shipped plan files
  std::vector<ExtraInvariant> extra;
  bool compare_backends = true;  // off: the memory store only
};

struct RunReport {
  bool valid = true;  // false: the lines are not a scenario (parse_error says why)
  std::string parse_error;
  std::optional<Problem> problem;  // the first one found
  std::string problem_backend;     // where it was found ("memory", "sqlite", "both")
  int problem_step = -1;           // its step's index among the scenario's steps
  std::vector<bool> refused;       // per step: the engine refused it (on the memory store)
  int steps_taken = 0;             // on every backend together
};

RunReport RunSequence(const std::vector<std::string>& lines, const RunOptions& options);

// Each payer's events (by its scenario name), oldest first.
using EventStreams = std::map<std::string, std::vector<StoredEvent>>;
// The first event where two backends' streams differ (id, type, instant or body), as a
// "backends_differ" problem naming the payer and the event's place; nothing when they agree.
std::optional<Problem> CompareEventStreams(const EventStreams& memory, const EventStreams& sqlite);

// The lines as a scenario file, each card, subscribe, cancel or extend-trial step the run
// refused marked "try" (a replay goes on past it), with a comment heading it.
std::string FormatScenario(const std::vector<std::string>& lines, const std::vector<bool>& refused,
                           const std::string& heading);

}  // namespace recur::random_lifecycle
