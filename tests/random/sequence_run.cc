#include "tests/random/sequence_run.h"

#include <map>

namespace recur::random_lifecycle {
namespace {

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// Whether the engine refused the step the way it refuses a payer's request.
bool IsRefusal(const Error& error) {
  switch (error.kind) {
    case ErrorKind::kInvalidArgument:
    case ErrorKind::kNotFound:
    case ErrorKind::kAlreadyExists:
    case ErrorKind::kFailedPrecondition:
    case ErrorKind::kPaymentFailed:
      return true;
    case ErrorKind::kAborted:
    case ErrorKind::kUnauthenticated:
    case ErrorKind::kUnavailable:
    case ErrorKind::kRateLimited:
    case ErrorKind::kInternal:
      return false;
  }
  return false;
}

struct BackendRun {
  std::optional<Problem> problem;
  int problem_step = -1;
  std::vector<bool> refused;
  int steps_taken = 0;
  EventStreams events;
};

BackendRun RunOn(Backend backend, const Scenario& scenario, const RunOptions& options) {
  BackendRun run;
  auto harness = LifecycleHarness::Open(backend, scenario.start, options.seed, options.plans_path);
  if (!harness) {
    run.problem = Problem{"harness", harness.error().message};
    return run;
  }
  LifecycleChecker checker(**harness, options.extra);
  std::vector<std::string> names;
  std::vector<std::string> payer_ids;
  for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
    const ScenarioStep& step = scenario.steps[i];
    auto taken = (*harness)->Take(step);
    ++run.steps_taken;
    run.refused.push_back(!taken);
    std::vector<Problem> problems;
    // Time passing and a payer being made are never refused.
    const bool may_be_refused = step.kind != StepKind::kAdvance && step.kind != StepKind::kPayer;
    if (!taken && (!may_be_refused || !IsRefusal(taken.error()))) {
      problems.push_back({"unexpected_error",
                          step.text + ": " + taken.error().code + ": " + taken.error().message});
    }
    if (taken && step.kind == StepKind::kPayer) {
      names.push_back(step.payer);
      payer_ids.push_back(*taken);
    }
    std::vector<Problem> found = checker.AfterStep(step, !taken, payer_ids);
    problems.insert(problems.end(), found.begin(), found.end());
    if (!problems.empty()) {
      run.problem = problems.front();
      run.problem_step = static_cast<int>(i);
      return run;
    }
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto events = EventsOf((*harness)->billing(), payer_ids[i]);
    if (!events) {
      run.problem = Problem{"read_failed", events.error().message};
      return run;
    }
    run.events[names[i]] = std::move(*events);
  }
  return run;
}

}  // namespace

std::optional<Problem> CompareEventStreams(const EventStreams& memory, const EventStreams& sqlite) {
  for (const auto& [payer, mine] : memory) {
    auto other = sqlite.find(payer);
    const std::vector<StoredEvent> none;
    const std::vector<StoredEvent>& theirs = other == sqlite.end() ? none : other->second;
    for (std::size_t i = 0; i < std::max(mine.size(), theirs.size()); ++i) {
      const StoredEvent* a = i < mine.size() ? &mine[i] : nullptr;
      const StoredEvent* b = i < theirs.size() ? &theirs[i] : nullptr;
      if (a && b && a->id == b->id && a->type == b->type && a->timestamp == b->timestamp &&
          a->body == b->body) {
        continue;
      }
      return Problem{"backends_differ", payer + "'s event " + std::to_string(i) + ": memory " +
                                            (a ? a->type + " " + a->body : "none") + "; sqlite " +
                                            (b ? b->type + " " + b->body : "none")};
    }
  }
  return std::nullopt;
}

RunReport RunSequence(const std::vector<std::string>& lines, const RunOptions& options) {
  RunReport report;
  auto scenario = ParseScenario(JoinLines(lines), "sequence");
  if (!scenario) {
    report.valid = false;
    report.parse_error = scenario.error().message;
    return report;
  }
  BackendRun memory = RunOn(Backend::kMemory, *scenario, options);
  report.refused = memory.refused;
  report.steps_taken = memory.steps_taken;
  if (memory.problem) {
    report.problem = memory.problem;
    report.problem_backend = "memory";
    report.problem_step = memory.problem_step;
    return report;
  }
  if (!options.compare_backends) return report;
  BackendRun sqlite = RunOn(Backend::kSqlite, *scenario, options);
  report.steps_taken += sqlite.steps_taken;
  if (sqlite.problem) {
    report.problem = sqlite.problem;
    report.problem_backend = "sqlite";
    report.problem_step = sqlite.problem_step;
    return report;
  }
  if (auto differ = CompareEventStreams(memory.events, sqlite.events)) {
    report.problem = differ;
    report.problem_backend = "both";
  }
  return report;
}

std::string FormatScenario(const std::vector<std::string>& lines, const std::vector<bool>& refused,
                           const std::string& heading) {
  std::string text;
  for (std::size_t at = 0; at < heading.size();) {
    const std::size_t end = std::min(heading.find('\n', at), heading.size());
    text += "# " + heading.substr(at, end - at) + "\n";
    at = end + 1;
  }
  std::size_t step = 0;
  for (const std::string& line : lines) {
    if (line.starts_with("start ")) {
      text += line + "\n";
      continue;
    }
    const bool may_be_refused = !line.starts_with("payer ") && !line.starts_with("advance ");
    const bool was_refused = step < refused.size() && refused[step];
    text += (was_refused && may_be_refused ? "try " : "") + line + "\n";
    ++step;
  }
  return text;
}

}  // namespace recur::random_lifecycle
