#include "domain/catalog/catalog.h"

#include <algorithm>
#include <tuple>

namespace recur {

Catalog::Catalog(std::vector<CatalogPlan> plans, std::vector<PlanVersion> versions)
    : plans_(std::move(plans)), versions_(std::move(versions)) {
  for (std::size_t i = 0; i < plans_.size(); ++i) plan_index_[plans_[i].definition.slug] = i;
  for (std::size_t i = 0; i < versions_.size(); ++i) version_index_[versions_[i].id] = i;
}

const CatalogPlan* Catalog::FindPlan(std::string_view slug) const {
  auto it = plan_index_.find(slug);
  return it == plan_index_.end() ? nullptr : &plans_[it->second];
}

const PlanVersion* Catalog::FindVersion(std::string_view version_id) const {
  auto it = version_index_.find(version_id);
  return it == version_index_.end() ? nullptr : &versions_[it->second];
}

const PlanVersion& Catalog::CurrentVersion(const CatalogPlan& plan) const {
  return versions_[version_index_.at(plan.current_version_id)];
}

std::vector<const CatalogPlan*> Catalog::VisiblePlans(PayerType type) const {
  std::vector<const CatalogPlan*> visible;
  for (const CatalogPlan& plan : plans_) {
    if (!plan.archived_at && plan.definition.publicly_visible &&
        plan.definition.payer_type == type) {
      visible.push_back(&plan);
    }
  }
  std::sort(visible.begin(), visible.end(), [](const CatalogPlan* a, const CatalogPlan* b) {
    return std::tie(a->definition.amount, a->definition.slug) <
           std::tie(b->definition.amount, b->definition.slug);
  });
  return visible;
}

}  // namespace recur
