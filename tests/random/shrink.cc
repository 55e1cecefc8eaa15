#include "tests/random/shrink.h"

#include <sstream>

namespace recur::random_lifecycle {
namespace {

class Shrinker {
 public:
  Shrinker(const RunOptions& options, std::string rule)
      : options_(options), rule_(std::move(rule)) {}

  bool Fails(const std::vector<std::string>& lines) {
    ++runs_;
    RunReport report = RunSequence(lines, options_);
    if (!report.valid || !report.problem || report.problem->rule != rule_) return false;
    last_ = std::move(report);
    return true;
  }

  // Delta debugging (Zeller's ddmin, complements first) over the steps after the start line.
  std::vector<std::string> DropSteps(std::vector<std::string> lines) {
    const std::string start = lines.front();
    std::vector<std::string> steps(lines.begin() + 1, lines.end());
    auto with_start = [&](const std::vector<std::string>& some) {
      std::vector<std::string> all{start};
      all.insert(all.end(), some.begin(), some.end());
      return all;
    };
    std::size_t parts = 2;
    while (steps.size() >= 2) {
      const std::size_t chunk = (steps.size() + parts - 1) / parts;
      bool reduced = false;
      for (std::size_t first = 0; first < steps.size() && !reduced; first += chunk) {
        std::vector<std::string> complement(steps.begin(), steps.begin() + first);
        complement.insert(complement.end(), steps.begin() + std::min(first + chunk, steps.size()),
                          steps.end());
        if (Fails(with_start(complement))) {
          steps = std::move(complement);
          parts = std::max<std::size_t>(parts - 1, 2);
          reduced = true;
        }
      }
      for (std::size_t first = 0; first < steps.size() && !reduced && parts > 2; first += chunk) {
        std::vector<std::string> subset(steps.begin() + first,
                                        steps.begin() + std::min(first + chunk, steps.size()));
        if (Fails(with_start(subset))) {
          steps = std::move(subset);
          parts = 2;
          reduced = true;
        }
      }
      if (reduced) continue;
      if (parts >= steps.size()) break;
      parts = std::min(parts * 2, steps.size());
    }
    return with_start(steps);
  }

  // Tries simpler arguments for each line, keeping every change that still fails.
  std::vector<std::string> SimplifyArguments(std::vector<std::string> lines) {
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t i = 1; i < lines.size(); ++i) {
        for (const std::string& simpler : Simpler(lines[i])) {
          std::vector<std::string> candidate = lines;
          candidate[i] = simpler;
          if (Fails(candidate)) {
            lines = std::move(candidate);
            changed = true;
            break;
          }
        }
      }
    }
    return lines;
  }

  int runs() const { return runs_; }
  RunReport& last() { return last_; }

 private:
  static std::vector<std::string> Words(const std::string& line) {
    std::vector<std::string> words;
    std::istringstream in(line);
    for (std::string word; in >> word;) words.push_back(word);
    return words;
  }
  static std::string Join(const std::vector<std::string>& words) {
    std::string line;
    for (const std::string& word : words) line += (line.empty() ? "" : " ") + word;
    return line;
  }

  // Simpler versions of a line, simplest first.
  static std::vector<std::string> Simpler(const std::string& line) {
    std::vector<std::string> words = Words(line);
    std::vector<std::string> simpler;
    auto without = [&](std::size_t index) {
      std::vector<std::string> fewer = words;
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(index));
      simpler.push_back(Join(fewer));
    };
    auto replaced = [&](std::size_t index, const std::string& word) {
      if (words[index] == word) return;
      std::vector<std::string> other = words;
      other[index] = word;
      simpler.push_back(Join(other));
    };
    // A duration made shorter: halved, then one unit less.
    auto shorter = [&](std::size_t index) {
      const std::string& text = words[index];
      if (text.size() < 2 || (text.back() != 'd' && text.back() != 'h')) return;
      const int count = std::atoi(text.substr(0, text.size() - 1).c_str());
      const std::string unit(1, text.back());
      if (count > 1) replaced(index, std::to_string(count / 2) + unit);
      if (count > 1) replaced(index, std::to_string(count - 1) + unit);
    };
    if (words.empty()) return simpler;
    if (words[0] == "advance" && words.size() == 2) shorter(1);
    if (words[0] == "extend-trial" && words.size() == 3) shorter(2);
    if (words[0] == "card" && words.size() == 3) replaced(2, "pm_card_visa");
    if (words[0] == "subscribe" || words[0] == "cancel") {
      for (std::size_t i = words.size() - 1; i >= 3; --i) without(i);
    }
    if (words[0] == "cancel" && words.size() >= 3 && words[2] != "now") without(2);
    return simpler;
  }

  const RunOptions& options_;
  const std::string rule_;
  RunReport last_;
  int runs_ = 0;
};

}  // namespace

ShrinkResult Shrink(const std::vector<std::string>& lines, const RunOptions& options) {
  RunReport first = RunSequence(lines, options);
  if (!first.problem) return {lines, first, 1};
  Shrinker shrinker(options, first.problem->rule);
  shrinker.last() = first;
  // Checking stops at the failing step: the steps after it play no part.
  std::vector<std::string> shrunk = lines;
  if (first.problem_step >= 0) {
    const std::size_t keep = static_cast<std::size_t>(first.problem_step) + 2;  // start line too
    if (keep < shrunk.size()) shrunk.resize(keep);
  }
  // A simpler argument can make a step unneeded (a card that pays makes the step that worked
  // around the failing one idle), so the two take turns until neither changes anything.
  for (std::vector<std::string> before; shrunk != before;) {
    before = shrunk;
    shrunk = shrinker.DropSteps(shrunk);
    shrunk = shrinker.SimplifyArguments(shrunk);
  }
  // The report of the smallest sequence, run once more so that it is its own.
  RunReport report = RunSequence(shrunk, options);
  return {shrunk, report, shrinker.runs() + 2};
}

}  // namespace recur::random_lifecycle
