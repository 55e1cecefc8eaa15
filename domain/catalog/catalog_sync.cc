#include "domain/catalog/catalog_sync.h"

#include <set>

namespace recur {
namespace {

bool SamePrice(const PlanDefinition& plan, const PlanVersion& version) {
  return plan.amount == version.amount && plan.annual_amount == version.annual_amount &&
         plan.currency == version.currency;
}

}  // namespace

CatalogSync PlanCatalogSync(const Catalog& stored, const std::vector<PlanSource>& desired) {
  CatalogSync sync;
  std::set<std::string_view> desired_slugs;
  for (const PlanSource& source : desired) {
    const PlanDefinition& plan = source.plan;
    desired_slugs.insert(plan.slug);
    const CatalogPlan* existing = stored.FindPlan(plan.slug);
    if (existing == nullptr) {
      sync.steps.push_back({plan.slug, &plan, /*is_new=*/true, true, true, false, false});
      continue;
    }
    if (existing->definition.payer_type != plan.payer_type) {
      const std::string path =
          source.json_prefix.empty() ? "payer_type" : source.json_prefix + ".payer_type";
      sync.problems.push_back(
          {source.file, path,
           "plan \"" + plan.slug + "\" is stored as a " +
               std::string(PayerTypeName(existing->definition.payer_type)) +
               " plan and cannot change payer type (its subscribers are of that type); give "
               "the " +
               std::string(PayerTypeName(plan.payer_type)) + " plan a new slug"});
      continue;
    }
    PlanSyncStep step{plan.slug, &plan};
    step.new_price = !SamePrice(plan, stored.CurrentVersion(*existing));
    step.new_definition = existing->definition != plan;
    step.restore = existing->archived_at.has_value();
    if (step.new_price || step.new_definition || step.restore) sync.steps.push_back(step);
  }
  for (const CatalogPlan& plan : stored.plans()) {
    if (!plan.archived_at && !desired_slugs.contains(plan.definition.slug)) {
      PlanSyncStep step{plan.definition.slug};
      step.archive = true;
      sync.steps.push_back(step);
    }
  }
  return sync;
}

CatalogChanges CatalogSync::Summary() const {
  CatalogChanges changes;
  for (const PlanSyncStep& step : steps) {
    if (step.is_new) {
      changes.added.push_back(step.slug);
      continue;
    }
    if (step.archive) changes.archived.push_back(step.slug);
    if (step.restore) changes.restored.push_back(step.slug);
    if (step.new_price) changes.repriced.push_back(step.slug);
    if (step.new_definition && !step.new_price) changes.updated.push_back(step.slug);
  }
  return changes;
}

}  // namespace recur
