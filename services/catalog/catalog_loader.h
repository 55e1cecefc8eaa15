// Loads a plan catalog from disk: a folder of *.json plan files (read in name order; other
// files are ignored) or a single catalog file. Each file is checked on its own first
// (plan_file.h); the catalog-wide rules (catalog_rules.h) run once every file is valid, since
// they would otherwise report the consequences of a file's own mistakes.
#pragma once

#include <string>
#include <vector>

#include "domain/catalog/catalog_problem.h"
#include "domain/catalog/plan.h"

namespace recur {

struct LoadedCatalog {
  std::vector<PlanSource> plans;  // complete only when `problems` is empty
  CatalogProblems problems;

  bool ok() const { return problems.empty(); }
};

// `path` is used in messages as given, joined with file names ("plans" -> "plans/pro.json").
LoadedCatalog LoadCatalog(const std::string& path);

}  // namespace recur
