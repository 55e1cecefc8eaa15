#include "services/catalog/catalog_service.h"

#include "services/catalog/catalog_loader.h"

namespace recur {

CatalogService::CatalogService(std::string plans_path, CatalogStore& store, const Clock& clock,
                               PlanAdjustment adjust)
    : plans_path_(std::move(plans_path)),
      store_(store),
      clock_(clock),
      adjust_(std::move(adjust)) {}

Result<ReloadOutcome> CatalogService::Reload() {
  std::lock_guard reload_lock(reload_mutex_);
  LoadedCatalog loaded = LoadCatalog(plans_path_);
  if (!loaded.ok()) return ReloadOutcome{std::move(loaded.problems), {}};
  if (adjust_) {
    for (PlanSource& source : loaded.plans) adjust_(source.plan);
  }
  auto synced = store_.SyncCatalog(loaded.plans, clock_.Now());
  if (!synced) return std::unexpected(synced.error());
  if (!synced->problems.empty()) return ReloadOutcome{std::move(synced->problems), {}};
  {
    std::lock_guard lock(current_mutex_);
    current_ = synced->catalog;
  }
  return ReloadOutcome{{}, std::move(synced->changes)};
}

std::shared_ptr<const Catalog> CatalogService::Current() const {
  std::lock_guard lock(current_mutex_);
  return current_;
}

}  // namespace recur
