#include "services/entitlements/entitlement_cache.h"

#include <mutex>

namespace recur {

void EntitlementCache::Set(const std::string& payer_id, EntitlementEntry entry) {
  std::unique_lock lock(mutex_);
  entries_[payer_id] = std::move(entry);
}

std::optional<EntitlementEntry> EntitlementCache::Get(std::string_view payer_id) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(std::string(payer_id));
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::size_t EntitlementCache::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

Entitlements ResolveEntitlements(const Catalog& catalog, const EntitlementEntry& entry) {
  const CatalogPlan* plan = entry.has_access ? catalog.FindPlan(entry.plan_slug) : nullptr;
  if (plan == nullptr) {
    for (const CatalogPlan& candidate : catalog.plans()) {
      if (!candidate.archived_at && candidate.definition.is_default &&
          candidate.definition.payer_type == entry.payer_type) {
        plan = &candidate;
      }
    }
  }
  Entitlements entitlements;
  if (plan == nullptr) return entitlements;
  entitlements.plan_slug = plan->definition.slug;
  for (const PlanFeature& feature : plan->definition.features) {
    entitlements.features.push_back({feature.slug, feature.name, feature.limit});
  }
  return entitlements;
}

}  // namespace recur
