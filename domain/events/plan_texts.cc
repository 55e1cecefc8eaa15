#include "domain/events/plan_texts.h"

#include <stdexcept>

#include "domain/events/plan_json.h"

namespace recur {
namespace {

constexpr std::string_view kPlaceholderKey = "$recur_plan";

// The dump of PlanPlaceholder(version_id) up to the id, and what follows the id.
constexpr std::string_view kPlaceholderOpening = "{\"$recur_plan\":\"";
constexpr std::string_view kPlaceholderClosing = "\"}";

}  // namespace

PlanTexts::PlanTexts(const Catalog& catalog) {
  for (const PlanVersion& version : catalog.versions()) {
    const CatalogPlan* plan = catalog.FindPlan(version.plan_slug);
    if (plan != nullptr) text_by_version_.emplace(version.id, PlanJson(*plan, version).dump());
  }
}

const std::string* PlanTexts::Find(std::string_view version_id) const {
  auto it = text_by_version_.find(std::string(version_id));
  return it == text_by_version_.end() ? nullptr : &it->second;
}

nlohmann::json PlanPlaceholder(std::string_view version_id) {
  return {{kPlaceholderKey, version_id}};
}

std::string DumpWithPlans(const nlohmann::json& document, const PlanTexts& plans) {
  const std::string dumped = document.dump();
  std::string out;
  std::size_t copied = 0;
  for (std::size_t at = dumped.find(kPlaceholderOpening); at != std::string::npos;
       at = dumped.find(kPlaceholderOpening, copied)) {
    const std::size_t id_start = at + kPlaceholderOpening.size();
    const std::size_t id_end = dumped.find(kPlaceholderClosing, id_start);
    const std::string* text =
        id_end == std::string::npos
            ? nullptr
            : plans.Find(std::string_view(dumped).substr(id_start, id_end - id_start));
    if (text == nullptr) throw std::logic_error("a plan placeholder names no plan text");
    if (out.empty()) out.reserve(dumped.size() * 2);
    out.append(dumped, copied, at - copied).append(*text);
    copied = id_end + kPlaceholderClosing.size();
  }
  if (copied == 0) return dumped;
  out.append(dumped, copied);
  return out;
}

}  // namespace recur
