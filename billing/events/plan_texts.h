// The JSON text of every plan at every price version of one catalog snapshot (PlanJson,
// dumped), made once. An event names the plan of each item it carries, and building and
// dumping that plan for every item of every event was most of what rendering events cost.
// Rendering with a PlanTexts in its RenderContext puts a placeholder where each plan goes;
// DumpWithPlans writes the document out with the texts in their places. The result is, byte
// for byte, the dump of the document rendered without placeholders: the plan keeps its key's
// place, and its text is the dump of the same object.
// A placeholder cannot be forged by data: it is an object with a key of ours, and a JSON
// string value cannot contain its text, since every quote inside a string is escaped.
// Immutable once made; share freely between threads.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "billing/catalog/catalog.h"
#include "billing/catalog/catalog_service.h"

namespace recur {

class PlanTexts {
 public:
  explicit PlanTexts(const Catalog& catalog);

  // The dumped PlanJson of the price version with this id; null when the catalog lacks it.
  const std::string* Find(std::string_view version_id) const;

 private:
  std::unordered_map<std::string, std::string> text_by_version_;
};

// What rendering puts where the plan of `version_id` goes.
nlohmann::json PlanPlaceholder(std::string_view version_id);

// `document` dumped, each placeholder replaced by its plan's text from `plans`.
std::string DumpWithPlans(const nlohmann::json& document, const PlanTexts& plans);

// The texts of the catalog service's snapshot, made again when a reload replaces it.
// Thread-safe.
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
