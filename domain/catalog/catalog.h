// The stored catalog as the engine sees it: every plan ever defined (archived ones included,
// since their subscribers keep them) and every price version. Immutable once built, so a
// snapshot can be shared by any number of threads; a reload builds a new one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "domain/catalog/plan.h"

namespace recur {

// An immutable price of a plan. A changed amount, annual amount or currency makes a new version.
struct PlanVersion {
  std::string id;  // cplan_...
  std::string plan_slug;
  int version = 1;
  std::int64_t amount = 0;
  std::optional<std::int64_t> annual_amount;
  std::string currency;
  Instant created_at;
  friend bool operator==(const PlanVersion&, const PlanVersion&) = default;
};

struct CatalogPlan {
  PlanDefinition definition;
  std::string current_version_id;  // the price new subscriptions buy
  std::optional<Instant> archived_at;
  friend bool operator==(const CatalogPlan&, const CatalogPlan&) = default;
};

class Catalog {
 public:
  Catalog() = default;
  // Every plan's current_version_id must name one of `versions`.
  Catalog(std::vector<CatalogPlan> plans, std::vector<PlanVersion> versions);

  const std::vector<CatalogPlan>& plans() const { return plans_; }
  const std::vector<PlanVersion>& versions() const { return versions_; }

  const CatalogPlan* FindPlan(std::string_view slug) const;
  const PlanVersion* FindVersion(std::string_view version_id) const;
  const PlanVersion& CurrentVersion(const CatalogPlan& plan) const;

  // Plans a pricing table shows: not archived, publicly visible, of that payer type, cheapest
  // first (by monthly amount, then slug).
  std::vector<const CatalogPlan*> VisiblePlans(PayerType type) const;

 private:
  std::vector<CatalogPlan> plans_;
  std::vector<PlanVersion> versions_;
  std::unordered_map<std::string_view, std::size_t> plan_index_;
  std::unordered_map<std::string_view, std::size_t> version_index_;
};

}  // namespace recur
