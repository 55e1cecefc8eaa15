#include "simulate/scenario.h"

#include <date/date.h>

#include <map>
#include <sstream>

#include "base/duration_text.h"

namespace recur {
namespace {

std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> words;
  std::istringstream in{std::string(line)};
  for (std::string word; in >> word;) words.push_back(std::move(word));
  return words;
}

bool IsName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Parses one line into `step`; returns the problem, or an empty string. `now` is the simulated
// time the steps before reached, moved on by an advance.
std::string ParseStep(const std::vector<std::string>& words, ScenarioStep& step, Instant& now,
                      std::map<std::string, int, std::less<>>& payers) {
  const std::string& command = words[0];
  const std::size_t n = words.size();
  auto known_payer = [&](const std::string& name) -> std::string {
    if (payers.contains(name)) return "";
    return "no payer \"" + name + "\" yet: declare it first with \"payer " + name + "\"";
  };
  // "DURATION" or "to TIME", from words[first].
  auto read_when = [&](std::size_t first, const char* usage) -> std::string {
    if (n == first + 1) {
      step.by = ParseDuration(words[first]);
      if (!step.by) {
        return "\"" + words[first] + "\" is not a duration like 14d or 12h (1h to 366d); " + usage;
      }
      return "";
    }
    if (n == first + 2 && words[first] == "to") {
      step.to = ParseScenarioTime(words[first + 1]);
      if (!step.to) {
        return "\"" + words[first + 1] +
               "\" is not a time like 2027-01-31 or 2027-01-31T09:30Z (UTC); " + usage;
      }
      if (*step.to <= now) return "\"" + words[first + 1] + "\" is not later than the time here";
      return "";
    }
    return std::string("usage: ") + usage;
  };

  if (command == "payer") {
    step.kind = StepKind::kPayer;
    if (n < 2 || n > 3) return "usage: payer NAME [user|org]";
    step.payer = words[1];
    if (!IsName(step.payer)) {
      return "payer name \"" + step.payer +
             "\" must be 1 to 64 of a-z, 0-9, '-' and '_' (it becomes the external id)";
    }
    if (n == 3) {
      auto type = ParsePayerType(words[2]);
      if (!type) return "payer type must be user or org, got \"" + words[2] + "\"";
      step.payer_type = *type;
    }
    if (auto [it, added] = payers.emplace(step.payer, step.line); !added) {
      return "payer \"" + step.payer + "\" is declared already on line " +
             std::to_string(it->second);
    }
    return "";
  }
  if (command == "advance") {
    step.kind = StepKind::kAdvance;
    std::string problem = read_when(1, "advance DURATION, or advance to TIME");
    if (problem.empty()) now = step.to ? *step.to : now + *step.by;
    return problem;
  }
  if (n < 2) return "\"" + command + "\" needs a payer name";
  step.payer = words[1];
  if (std::string problem = known_payer(step.payer); !problem.empty()) return problem;
  if (command == "card") {
    step.kind = StepKind::kCard;
    if (n != 3) return "usage: card PAYER TOKEN (a sandbox token such as pm_card_visa)";
    step.token = words[2];
    return "";
  }
  if (command == "subscribe") {
    step.kind = StepKind::kSubscribe;
    if (n < 3) return "usage: subscribe PAYER PLAN [month|annual] [trial|no-trial]";
    step.subscribe.plan = words[2];
    for (std::size_t i = 3; i < n; ++i) {
      if (auto interval = ParseInterval(words[i])) {
        step.subscribe.interval = *interval;
      } else if (words[i] == "trial" || words[i] == "no-trial") {
        step.subscribe.free_trial = words[i] == "trial";
      } else {
        return "\"" + words[i] + "\" is neither an interval (month, annual) nor trial/no-trial";
      }
    }
    return "";
  }
  if (command == "cancel") {
    step.kind = StepKind::kCancel;
    for (std::size_t i = 2; i < n; ++i) {
      if (words[i] == "now") {
        step.end_now = true;
      } else if (step.plan.empty() && i == 2) {
        step.plan = words[i];
      } else {
        return "usage: cancel PAYER [PLAN] [now]";
      }
    }
    return "";
  }
  if (command == "settle") {
    step.kind = StepKind::kSettle;
    if (n != 2) return "usage: settle PAYER";
    return "";
  }
  if (command == "extend-trial") {
    step.kind = StepKind::kExtendTrial;
    return read_when(2, "extend-trial PAYER DURATION, or extend-trial PAYER to TIME");
  }
  return "unknown step \"" + command +
         "\"; the steps are start, payer, card, subscribe, cancel, extend-trial, settle and "
         "advance, each but start, payer and advance may follow try";
}

}  // namespace

Instant DefaultScenarioStart() { return date::sys_days(date::year{2027} / date::January / 1); }

std::optional<Instant> ParseScenarioTime(std::string_view text) {
  for (const char* format : {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%d"}) {
    std::istringstream in{std::string(text)};
    date::sys_time<std::chrono::seconds> parsed;
    in >> date::parse(format, parsed);
    if (in && in.peek() == std::char_traits<char>::eof()) {
      return std::chrono::time_point_cast<std::chrono::milliseconds>(parsed);
    }
  }
  return std::nullopt;
}

Result<Scenario> ParseScenario(std::string_view text, std::string_view file_name) {
  Scenario scenario{DefaultScenarioStart(), {}};
  std::map<std::string, int, std::less<>> payers;
  std::string problems;
  auto report = [&](int line, const std::string& problem) {
    problems += std::string(file_name) + ":" + std::to_string(line) + ": " + problem + "\n";
  };
  Instant now = scenario.start;
  int line_number = 0;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (const std::size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::vector<std::string> words = Words(line);
    if (words.empty()) continue;
    if (words[0] == "start") {
      if (!scenario.steps.empty()) {
        report(line_number, "start must come before every other step");
      } else if (words.size() != 2 || !ParseScenarioTime(words[1])) {
        report(line_number, "usage: start TIME, like start 2027-01-31 or start 2027-01-31T09:30Z");
      } else {
        scenario.start = now = *ParseScenarioTime(words[1]);
      }
      continue;
    }
    ScenarioStep step;
    step.line = line_number;
    for (const std::string& word : words) step.text += (step.text.empty() ? "" : " ") + word;
    if (words[0] == "try") {
      words.erase(words.begin());
      step.may_be_refused = true;
      const bool refusable = !words.empty() && (words[0] == "card" || words[0] == "subscribe" ||
                                                words[0] == "cancel" ||
                                                words[0] == "extend-trial" || words[0] == "settle");
      if (!refusable) {
        report(line_number,
               "usage: try card|subscribe|cancel|extend-trial|settle ... (a step the "
               "engine may refuse)");
        continue;
      }
    }
    if (std::string problem = ParseStep(words, step, now, payers); !problem.empty()) {
      report(line_number, problem);
      continue;
    }
    scenario.steps.push_back(std::move(step));
  }
  if (problems.empty() && scenario.steps.empty()) {
    report(line_number, "the scenario has no steps");
  }
  if (!problems.empty()) {
    problems.pop_back();
    return MakeError(ErrorKind::kInvalidArgument, "invalid_scenario", problems);
  }
  return scenario;
}

}  // namespace recur
