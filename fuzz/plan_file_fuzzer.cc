// Plan files: the input is one catalog file, loaded by LoadCatalog as `recur plans check FILE`
// and `recur serve --plans FILE` load it. Besides crashes, a finding is a loaded plan that does
// not survive being stored: SerializePlan's text must read back to the same definition.
#include <cstddef>
#include <cstdint>

#include "domain/catalog/catalog_problem.h"
#include "domain/catalog/plan_file.h"
#include "fuzz/fuzz_support.h"
#include "services/catalog/catalog_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace recur;
  static const std::string path = fuzz::ScratchFolder() + "/catalog.json";
  fuzz::WriteFile(path, fuzz::AsText(data, size));
  const LoadedCatalog catalog = LoadCatalog(path);
  if (!catalog.ok()) {
    (void)FormatProblems(catalog.problems);
    return 0;
  }
  for (const PlanSource& source : catalog.plans) {
    const std::string stored = SerializePlan(source.plan);
    const PlanFileContents read_back = ParsePlanFile("stored", stored);
    if (!read_back.problems.empty() || read_back.plans.size() != 1 ||
        !(read_back.plans[0].plan == source.plan)) {
      fuzz::Finding("plan " + source.plan.slug + " does not read back from its stored text " +
                    stored + ": " + FormatProblems(read_back.problems));
    }
  }
  return 0;
}
