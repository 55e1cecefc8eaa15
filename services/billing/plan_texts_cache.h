// The plan texts (domain/events/plan_texts.h) of the catalog service's snapshot in force, made
// once per snapshot and made again when a reload replaces it. Thread-safe.
#pragma once

#include <memory>
#include <mutex>

#include "domain/events/plan_texts.h"
#include "services/catalog/catalog_service.h"

namespace recur {

class PlanTextsCache {
 public:
  explicit PlanTextsCache(const CatalogService& catalogs) : catalogs_(catalogs) {}

  // The texts of `catalog`, a snapshot of the service. Null when it is neither the snapshot
  // the texts were made from nor the current one (a reload came in between): render the
  // plans in full then.
  std::shared_ptr<const PlanTexts> For(const Catalog& catalog);

 private:
  const CatalogService& catalogs_;
  std::mutex mutex_;
  std::shared_ptr<const Catalog> catalog_;  // held, so its address names only this snapshot
  std::shared_ptr<const PlanTexts> texts_;
};

}  // namespace recur
