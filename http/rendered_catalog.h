// The catalog's JSON text, rendered once per catalog snapshot. The catalog only changes on a
// reload, and rendering plans (features, formatted amounts) on every request was a fifth of a
// pricing-table request. Current() renders a new snapshot the first time it is asked for it,
// then hands out the same texts until the next reload. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "services/catalog/catalog_service.h"

namespace recur {

struct RenderedCatalog {
  std::shared_ptr<const Catalog> catalog;  // the snapshot the texts were rendered from
  // PlanJson of every plan at its current price, by slug.
  std::unordered_map<std::string, std::string> plan_text;
  // The body of GET /v1/plans by payer_type filter: "" (both), "user", "org".
  std::map<std::string, std::string, std::less<>> list_text;
};

class RenderedCatalogs {
 public:
  explicit RenderedCatalogs(CatalogService& catalog) : catalog_(catalog) {}
  std::shared_ptr<const RenderedCatalog> Current();

 private:
  CatalogService& catalog_;
  std::mutex mutex_;
  std::shared_ptr<const RenderedCatalog> current_;
};

// Ways to place JSON text rendered once into an answer:
// `object_text`, the dumped text of a JSON object, with one more member whose value is the
// JSON text `value_text`;
std::string WithMemberText(std::string object_text, std::string_view key,
                           std::string_view value_text);
// a JSON array of the JSON texts `elements`.
std::string ArrayText(const std::vector<std::string>& elements);

}  // namespace recur
