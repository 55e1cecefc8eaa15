// recur_random_lifecycle: runs random lifecycle sequences (tests/random/) on both backends and
// reports how fast; a failing sequence is shrunk and printed as a scenario file.
//
//   recur_random_lifecycle [--sequences N] [--first-seed S] [--memory-only] [--no-pending-cards]
//   recur_random_lifecycle --seed S       one sequence: prints it and what became of it
//
// Exit status: 0 when every sequence kept every invariant, 1 when one did not, 2 for bad usage.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/random/sequence_generator.h"
#include "tests/random/shrink.h"

namespace {

using namespace recur::random_lifecycle;

int Usage() {
  std::fprintf(stderr,
               "usage: recur_random_lifecycle [--sequences N] [--first-seed S] [--memory-only] "
               "[--no-pending-cards] [--plans PATH]\n       recur_random_lifecycle --seed S "
               "[--plans PATH]\n");
  return 2;
}

bool ReadNumber(const char* text, std::uint64_t& number) {
  char* end = nullptr;
  number = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

int ReportFailure(std::uint64_t seed, const std::vector<std::string>& lines,
                  const RunOptions& options) {
  const RunReport found = RunSequence(lines, options);
  std::printf("seed %llu breaks %s (%s): %s\nshrinking...\n", static_cast<unsigned long long>(seed),
              found.problem->rule.c_str(), found.problem_backend.c_str(),
              found.problem->message.c_str());
  const ShrinkResult shrunk = Shrink(lines, options);
  const std::string heading =
      "seed " + std::to_string(seed) + " breaks " + shrunk.report.problem->rule + " (" +
      shrunk.report.problem_backend + "):\n" + shrunk.report.problem->message + "\nshrunk from " +
      std::to_string(lines.size()) + " lines in " + std::to_string(shrunk.runs) + " runs";
  std::printf("%s", FormatScenario(shrunk.lines, shrunk.report.refused, heading).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t sequences = 10000;
  std::uint64_t first_seed = 1;
  std::optional<std::uint64_t> one_seed;
  GeneratorOptions generator;
  RunOptions options;
  options.plans_path = std::string(RECUR_SOURCE_DIR) + "/plans";
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const bool has_value = i + 1 < argc;
    std::uint64_t number = 0;
    if (flag == "--no-pending-cards") {
      generator.pending_cards = false;
    } else if (flag == "--memory-only") {
      options.compare_backends = false;
    } else if (flag == "--plans" && has_value) {
      options.plans_path = argv[++i];
    } else if (flag == "--sequences" && has_value && ReadNumber(argv[++i], number)) {
      sequences = number;
    } else if (flag == "--first-seed" && has_value && ReadNumber(argv[++i], number)) {
      first_seed = number;
    } else if (flag == "--seed" && has_value && ReadNumber(argv[++i], number)) {
      one_seed = number;
    } else {
      return Usage();
    }
  }
  if (one_seed) {
    options.seed = *one_seed;
    const std::vector<std::string> lines = GenerateSequence(*one_seed, generator);
    const RunReport report = RunSequence(lines, options);
    if (report.problem) return ReportFailure(*one_seed, lines, options);
    std::printf("%s",
                FormatScenario(lines, report.refused,
                               "seed " + std::to_string(*one_seed) + ": every invariant held on " +
                                   (options.compare_backends ? "both backends" : "memory"))
                    .c_str());
    return 0;
  }
  const auto began = std::chrono::steady_clock::now();
  std::uint64_t steps = 0;
  for (std::uint64_t seed = first_seed; seed < first_seed + sequences; ++seed) {
    options.seed = seed;
    const std::vector<std::string> lines = GenerateSequence(seed, generator);
    const RunReport report = RunSequence(lines, options);
    steps += static_cast<std::uint64_t>(report.steps_taken);
    if (report.problem) return ReportFailure(seed, lines, options);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf("%llu sequences (%llu steps, %s) in %.1f s: %.0f sequences/s, %.0f steps/s\n",
              static_cast<unsigned long long>(sequences), static_cast<unsigned long long>(steps),
              options.compare_backends ? "memory and sqlite" : "memory only", seconds,
              static_cast<double>(sequences) / seconds, static_cast<double>(steps) / seconds);
  return 0;
}
