// The rules that span a whole catalog, checked after each file passed its own (plan_file.h):
//  - at least one plan, and every plan slug defined once;
//  - exactly one default plan for each payer type that has plans (a new payer starts on it);
//  - one feature slug means one feature: its name and description agree wherever given, and a
//    plan may leave them out when another plan of the catalog gives them (they are filled in).
// Pure. `catalog_label` names the catalog as a whole in messages (the folder or file checked).
#pragma once

#include <string_view>
#include <vector>

#include "domain/catalog/catalog_problem.h"
#include "domain/catalog/plan.h"

namespace recur {

CatalogProblems CheckCatalogRules(std::vector<PlanSource>& plans, std::string_view catalog_label);

}  // namespace recur
