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
  // Another node's sync may land between this one and a read of the revision, so the revision
  // of what is now in force is not known: the next Follow reads the stored catalog again.
  revision_in_force_ = kUnknownRevision;
  return ReloadOutcome{{}, std::move(synced->changes)};
}

Result<bool> CatalogService::Follow() {
  if (shared_ == nullptr) return false;
  auto stored = shared_->CatalogRevision();
  if (!stored) return std::unexpected(stored.error());
  if (*stored == revision_in_force_) return false;
  std::lock_guard reload_lock(reload_mutex_);
  // Read again under the lock, before the catalog: a sync landing in between makes the
  // revision kept older than the catalog read, which costs one more read later, never a
  // catalog kept as current when it is not.
  stored = shared_->CatalogRevision();
  if (!stored) return std::unexpected(stored.error());
  if (*stored == revision_in_force_) return false;
  auto loaded = store_.LoadCatalog();
  if (!loaded) return std::unexpected(loaded.error());
  {
    std::lock_guard lock(current_mutex_);
    current_ = *loaded;
  }
  revision_in_force_ = *stored;
  return true;
}

std::shared_ptr<const Catalog> CatalogService::Current() const {
  std::lock_guard lock(current_mutex_);
  return current_;
}

}  // namespace recur
