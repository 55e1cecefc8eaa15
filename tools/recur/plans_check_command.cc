// recur plans check PATH: validates a catalog as `recur serve` would load it, printing every
// problem on stderr (file: location: rule) and a summary of the plans on stdout.
#include <cstdio>
#include <map>

#include "services/catalog/catalog_loader.h"
#include "tools/recur/commands.h"
#include "tools/recur/flags.h"

namespace recur {

namespace {

constexpr const char* kUsage =
    "usage: recur plans check PATH   (a folder of *.json plan files, or one file)\n";

int RunPlansCheck(std::span<const std::string> args) {
  if (AsksForHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args.size() != 1 || args[0].starts_with("--")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  LoadedCatalog catalog = LoadCatalog(args[0]);
  if (!catalog.ok()) {
    std::fputs(FormatProblems(catalog.problems).c_str(), stderr);
    std::fprintf(stderr, "%zu problem%s found in %s\n", catalog.problems.size(),
                 catalog.problems.size() == 1 ? "" : "s", args[0].c_str());
    return 1;
  }
  std::map<std::string, std::string> slugs_by_type;
  for (const PlanSource& source : catalog.plans) {
    std::string& slugs = slugs_by_type[std::string(PayerTypeName(source.plan.payer_type))];
    slugs += (slugs.empty() ? "" : ", ") + source.plan.slug +
             (source.plan.is_default ? " (default)" : "");
  }
  std::printf("%s: %zu plan%s, valid\n", args[0].c_str(), catalog.plans.size(),
              catalog.plans.size() == 1 ? "" : "s");
  for (const auto& [type, slugs] : slugs_by_type)
    std::printf("  %s: %s\n", type.c_str(), slugs.c_str());
  return 0;
}

}  // namespace

int RunPlans(std::span<const std::string> args) {
  if (!args.empty() && args[0] == "check") return RunPlansCheck(args.subspan(1));
  if (AsksForHelp(args)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!args.empty())
    std::fprintf(stderr, "recur plans: unknown subcommand \"%s\"\n", args[0].c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace recur
