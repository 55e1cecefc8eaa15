// Deciding how the stored catalog follows the plan files, without touching storage:
//  - a slug new to the store is added with price version 1;
//  - a changed amount, annual amount or currency makes a new price version (existing
//    subscribers keep the version they bought); other changed fields update the plan in place;
//  - a stored plan missing from the files is archived (hidden, kept), and restored if it
//    comes back;
//  - a plan never changes payer type (its subscribers are of the old type): that is a problem
//    and nothing may be applied.
// Pure; the store applies the steps in one transaction.
#pragma once

#include <string>
#include <vector>

#include "domain/catalog/catalog.h"
#include "domain/catalog/catalog_problem.h"
#include "domain/catalog/plan.h"

namespace recur {

struct PlanSyncStep {
  std::string slug;
  const PlanDefinition* desired = nullptr;  // null when the plan is archived
  bool is_new = false;
  bool new_price = false;       // a new price version is needed
  bool new_definition = false;  // the stored definition text changes
  bool restore = false;         // archived, back in the files
  bool archive = false;         // in the store, gone from the files
};

// Slugs by kind of change, for logs and the reload answer.
struct CatalogChanges {
  std::vector<std::string> added, repriced, updated, archived, restored;
};

struct CatalogSync {
  CatalogProblems problems;
  std::vector<PlanSyncStep> steps;  // only plans that change

  CatalogChanges Summary() const;
};

// `desired` must outlive the result (steps point into it).
CatalogSync PlanCatalogSync(const Catalog& stored, const std::vector<PlanSource>& desired);

}  // namespace recur
