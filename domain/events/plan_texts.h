// The JSON text of every plan at every price version of one catalog snapshot (PlanJson,
// dumped), made once. An event names the plan of each item it carries, and building and
// dumping that plan for every item of every event was most of what rendering events cost.
// Rendering with a PlanTexts in its RenderContext puts a placeholder where each plan goes;
// DumpWithPlans writes the document out with the texts in their places. The result is, byte
// for byte, the dump of the document rendered without placeholders: the plan keeps its key's
// place, and its text is the dump of the same object.
// A placeholder cannot be forged by data: it is an object with a key of ours, and a JSON
// string value cannot contain its text, since every quote inside a string is escaped.
// Pure; a PlanTexts is immutable once made, so threads share it freely.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "domain/catalog/catalog.h"

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

}  // namespace recur
