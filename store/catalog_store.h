// Where the catalog and installation settings are kept. Implementations: SqliteStore (the
// embedded default) and PostgresStore.
// Implementations are safe to call from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "domain/catalog/catalog.h"
#include "domain/catalog/catalog_sync.h"

namespace recur {

struct CatalogSyncResult {
  CatalogProblems problems;  // non-empty: nothing was written
  CatalogChanges changes;
  std::shared_ptr<const Catalog> catalog;  // the stored catalog after the sync
};

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;

  virtual Result<std::shared_ptr<const Catalog>> LoadCatalog() = 0;

  // Makes the stored catalog follow `desired` (see catalog_sync.h) in one transaction: either
  // every step is applied or, when the sync finds problems, none.
  virtual Result<CatalogSyncResult> SyncCatalog(const std::vector<PlanSource>& desired,
                                                Instant now) = 0;
};

class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  virtual Result<std::optional<std::string>> GetSetting(const std::string& key) = 0;
  virtual Status PutSetting(const std::string& key, const std::string& value) = 0;
};

}  // namespace recur
