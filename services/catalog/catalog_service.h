// Keeps the catalog in force: loads the plan files, validates them, stores them (catalog_sync.h
// says how the store follows the files) and installs the stored result as the current snapshot.
// A reload that fails for any reason leaves the running catalog in force.
// Thread safety: Current() may be called from any thread at any time; reloads are serialized.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "domain/catalog/catalog.h"
#include "store/catalog_store.h"

namespace recur {

struct ReloadOutcome {
  CatalogProblems problems;  // non-empty: refused, the running catalog stays
  CatalogChanges changes;
  bool ok() const { return problems.empty(); }
};

// Changes a plan as read from the files before it is stored (the simulator tries trial designs
// this way); the catalog-wide rules are not run again on the result, so an adjustment must keep
// the plan valid.
using PlanAdjustment = std::function<void(PlanDefinition& plan)>;

class CatalogService {
 public:
  CatalogService(std::string plans_path, CatalogStore& store, const Clock& clock,
                 PlanAdjustment adjust = {});

  // Storage failures are errors; an invalid catalog is an outcome with problems.
  Result<ReloadOutcome> Reload();

  // The catalog in force; empty until the first successful Reload.
  std::shared_ptr<const Catalog> Current() const;

  const std::string& plans_path() const { return plans_path_; }

 private:
  const std::string plans_path_;
  CatalogStore& store_;
  const Clock& clock_;
  const PlanAdjustment adjust_;
  std::mutex reload_mutex_;
  mutable std::mutex current_mutex_;
  std::shared_ptr<const Catalog> current_;
};

}  // namespace recur
