#include "services/billing/plan_texts_cache.h"

namespace recur {

std::shared_ptr<const PlanTexts> PlanTextsCache::For(const Catalog& catalog) {
  std::lock_guard lock(mutex_);
  if (&catalog != catalog_.get()) {
    std::shared_ptr<const Catalog> current = catalogs_.Current();
    if (&catalog != current.get()) return nullptr;
    texts_ = std::make_shared<const PlanTexts>(*current);
    catalog_ = std::move(current);
  }
  return texts_;
}

}  // namespace recur
