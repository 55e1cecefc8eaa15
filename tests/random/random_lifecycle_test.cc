#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "simulate/scenario.h"
#include "simulate/scenario_runner.h"
#include "tests/random/sequence_generator.h"
#include "tests/random/shrink.h"

namespace recur::random_lifecycle {
namespace {

RunOptions Options(std::uint64_t seed) {
  RunOptions options;
  options.seed = seed;
  options.plans_path = std::string(RECUR_SOURCE_DIR) + "/plans";
  return options;
}

// The shrunk scenario of a failing sequence, for the failure message.
std::string Shrunk(std::uint64_t seed, const std::vector<std::string>& lines) {
  const ShrinkResult shrunk = Shrink(lines, Options(seed));
  const Problem& problem = *shrunk.report.problem;
  return FormatScenario(shrunk.lines, shrunk.report.refused,
                        "seed " + std::to_string(seed) + " breaks " + problem.rule + " (" +
                            shrunk.report.problem_backend + "): " + problem.message);
}

TEST(RandomLifecycle, TheSameSeedGivesTheSameScenarioAndItParses) {
  EXPECT_EQ(GenerateSequence(42), GenerateSequence(42));
  EXPECT_NE(GenerateSequence(42), GenerateSequence(43));
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    std::string text;
    for (const std::string& line : GenerateSequence(seed)) text += line + "\n";
    auto scenario = ParseScenario(text, "generated");
    ASSERT_TRUE(scenario) << scenario.error().message;
  }
}

TEST(RandomLifecycle, FixedSeedsKeepEveryInvariantAndBothBackendsTellTheSameEvents) {
  int steps = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const std::vector<std::string> lines = GenerateSequence(seed);
    const RunReport report = RunSequence(lines, Options(seed));
    ASSERT_TRUE(report.valid) << report.parse_error;
    steps += report.steps_taken;
    ASSERT_FALSE(report.problem) << Shrunk(seed, lines);
  }
  EXPECT_GT(steps, 200 * 2 * 8);  // every sequence ran to its end on both backends
}

TEST(RandomLifecycle, TheBackendsEventsAreComparedByIdTypeInstantAndBody) {
  const Instant at = FromUnixMillis(1'000'000);
  const StoredEvent created{"evt_1", "subscription.created", "cpayer_1", at, "{\"a\":1}"};
  const StoredEvent active{"evt_2", "subscriptionItem.active", "cpayer_1", at, "{\"b\":2}"};
  const EventStreams memory{{"p1", {created, active}}};
  EXPECT_FALSE(CompareEventStreams(memory, memory));

  StoredEvent other_body = active;
  other_body.body = "{\"b\":3}";
  auto differ = CompareEventStreams(memory, {{"p1", {created, other_body}}});
  ASSERT_TRUE(differ);
  EXPECT_EQ(differ->rule, "backends_differ");
  EXPECT_THAT(differ->message,
              ::testing::StartsWith("p1's event 1: memory subscriptionItem.active"));

  StoredEvent later = active;
  later.timestamp = at + std::chrono::milliseconds(1);
  EXPECT_TRUE(CompareEventStreams(memory, {{"p1", {created, later}}}));
  EXPECT_TRUE(CompareEventStreams(memory, {{"p1", {created}}}));          // one missing
  EXPECT_TRUE(CompareEventStreams(memory, {{"p1", {active, created}}}));  // in another order
}

// Every shrunk scenario of a failure found and fixed is kept in tests/random/regressions/, as
// printed (the steps the engine refused marked "try"): each must now keep every invariant on
// both backends, and replay on the simulator.
TEST(RandomLifecycle, EveryScenarioOfAFixedFailureNowKeepsEveryInvariant) {
  int scenarios = 0;
  const std::filesystem::path folder =
      std::filesystem::path(RECUR_SOURCE_DIR) / "tests/random/regressions";
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".scenario") continue;
    ++scenarios;
    std::ifstream in(entry.path());
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    std::vector<std::string> lines;
    std::istringstream read(text);
    for (std::string line; std::getline(read, line);) {
      if (line.empty() || line.starts_with("#")) continue;
      lines.push_back(line.starts_with("try ") ? line.substr(4) : line);
    }
    const RunReport report = RunSequence(lines, Options(1));
    ASSERT_TRUE(report.valid) << entry.path() << ": " << report.parse_error;
    EXPECT_FALSE(report.problem) << entry.path() << " breaks " << report.problem->rule << ": "
                                 << report.problem->message;

    auto scenario = ParseScenario(text, entry.path().string());
    ASSERT_TRUE(scenario) << scenario.error().message;
    ScenarioRunOptions replay;
    replay.plans_path = std::string(RECUR_SOURCE_DIR) + "/plans";
    Status ran = RunScenario(*scenario, entry.path().string(), replay, [](TimelineEntry&) {});
    EXPECT_TRUE(ran) << ran.error().message;
  }
  EXPECT_GE(scenarios, 1);
}

// A rule made false on purpose: no item is ever past due. Random sequences break it whenever a
// failing card meets a renewal or a trial's end, so it shows what the shrinker makes of a
// failure.
ExtraInvariant NeverPastDue() {
  return {"planted_never_past_due", [](const Account& account, Instant) -> std::string {
            for (const SubscriptionItem& item : account.items) {
              if (item.status == ItemStatus::kPastDue) return item.id + " is past due";
            }
            return "";
          }};
}

TEST(RandomLifecycle, AFailingSequenceShrinksToAMinimalScenarioThatReplaysTheFailure) {
  RunOptions options = Options(0);
  options.extra.push_back(NeverPastDue());
  std::vector<std::string> failing;
  for (std::uint64_t seed = 1; seed <= 200 && failing.empty(); ++seed) {
    options.seed = seed;
    const std::vector<std::string> lines = GenerateSequence(seed);
    const RunReport report = RunSequence(lines, options);
    if (report.problem && report.problem->rule == "planted_never_past_due") failing = lines;
  }
  ASSERT_FALSE(failing.empty()) << "no sequence of the first 200 seeds made an item past due";

  const ShrinkResult shrunk = Shrink(failing, options);
  ASSERT_TRUE(shrunk.report.problem);
  EXPECT_EQ(shrunk.report.problem->rule, "planted_never_past_due");
  // A payer, a card that fails, a subscribe, time passing past the charge: four steps at least.
  EXPECT_LE(shrunk.lines.size(), 7u);
  EXPECT_LT(shrunk.lines.size(), failing.size());
  // One-minimal: without any one of its steps, the sequence no longer fails.
  for (std::size_t i = 1; i < shrunk.lines.size(); ++i) {
    std::vector<std::string> fewer = shrunk.lines;
    fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
    const RunReport report = RunSequence(fewer, options);
    EXPECT_FALSE(report.valid && report.problem && report.problem->rule == "planted_never_past_due")
        << "still fails without \"" << shrunk.lines[i] << "\"";
  }

  // Printed as a scenario file, it replays on the simulator and shows the item going past due.
  const std::string text =
      FormatScenario(shrunk.lines, shrunk.report.refused, shrunk.report.problem->message);
  auto scenario = ParseScenario(text, "shrunk.scenario");
  ASSERT_TRUE(scenario) << scenario.error().message << "\n" << text;
  ScenarioRunOptions replay;
  replay.plans_path = options.plans_path;
  bool past_due = false;
  Status ran = RunScenario(*scenario, "shrunk.scenario", replay, [&](TimelineEntry& entry) {
    past_due = past_due || entry.event_type == "subscriptionItem.pastDue";
  });
  ASSERT_TRUE(ran) << ran.error().message << "\n" << text;
  EXPECT_TRUE(past_due) << text;
}

}  // namespace
}  // namespace recur::random_lifecycle
