// Keeps the catalog in force: loads the plan files, validates them, stores them (catalog_sync.h
// says how the store follows the files) and installs the stored result as the current snapshot.
// A reload that fails for any reason leaves the running catalog in force.
// Nodes sharing one database (PostgreSQL): a reload on one node stores the catalog there and
// moves the stored catalog's revision on (stored_versions.h). Given the database's
// StoredVersions (CheckAgainst), Follow() compares that revision with the one in force, one
// cheap read, and installs the stored catalog when they differ. The billing service follows
// before each change a payer asks for, so no node sells from a catalog another node replaced;
// a CatalogFollower (catalog_follower.h) follows every second or so for reads. Everything made
// from a snapshot (rendered plan texts, resolved entitlements) is keyed by the snapshot, so it
// follows too. Alone on its database (SQLite), Follow() does nothing.
// Thread safety: Current() and Follow() may be called from any thread at any time; reloads are
// serialized.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "domain/catalog/catalog.h"
#include "store/catalog_store.h"
#include "store/stored_versions.h"

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

  // Other nodes write the same store: Follow() checks the catalog in force against `shared`'s
  // revision. Call before serving.
  void CheckAgainst(StoredVersions& shared) { shared_ = &shared; }
  // Installs the stored catalog when another node's reload changed it since the one in force
  // was installed (or after a reload here, whose revision is not known). Returns whether it
  // installed one; false, and no read, when the store is not shared. Storage failures are
  // errors and leave the catalog in force.
  Result<bool> Follow();

  const std::string& plans_path() const { return plans_path_; }

 private:
  const std::string plans_path_;
  CatalogStore& store_;
  const Clock& clock_;
  const PlanAdjustment adjust_;
  std::mutex reload_mutex_;
  mutable std::mutex current_mutex_;
  std::shared_ptr<const Catalog> current_;
  StoredVersions* shared_ = nullptr;
  // The stored revision the catalog in force was read at; kUnknownRevision before that is known.
  static constexpr std::int64_t kUnknownRevision = -1;
  std::atomic<std::int64_t> revision_in_force_ = kUnknownRevision;
};

}  // namespace recur
