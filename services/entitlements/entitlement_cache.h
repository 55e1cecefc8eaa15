// What each payer is entitled to, kept in memory so that checks never touch the database.
// The billing service updates an entry after every committed change of that payer (and loads
// all entries at start), so the cache is exact for a process alone on its database. An entry
// names the payer's current plan and whether it grants access now, and the payer's version it
// was made from: where other nodes write the same database, the billing service checks that
// version against the stored one before answering (BillingService::Entitlement). The plan's
// features come from the catalog in force, so a catalog reload changes answers at once.
// Thread-safe: many readers, one writer at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/catalog/catalog.h"

namespace recur {

struct EntitlementEntry {
  PayerType payer_type = PayerType::kUser;
  std::string external_id;
  std::string plan_slug;           // the current item's plan
  bool has_access = true;          // false: past due without access, the default plan applies
  std::int64_t payer_version = 0;  // the payer's version the entry was made from; 0: not known
};

struct FeatureEntitlement {
  std::string slug;
  std::string name;
  FeatureLimit limit;
};

struct Entitlements {
  std::string plan_slug;  // the plan whose features apply
  std::vector<FeatureEntitlement> features;
};

class EntitlementCache {
 public:
  void Set(const std::string& payer_id, EntitlementEntry entry);
  std::optional<EntitlementEntry> Get(std::string_view payer_id) const;
  std::size_t size() const;

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, EntitlementEntry> entries_;
};

// The features an entry grants under `catalog`. Falls back to the default plan of the payer's
// type when the entry has no access or its plan is unknown.
Entitlements ResolveEntitlements(const Catalog& catalog, const EntitlementEntry& entry);

}  // namespace recur
