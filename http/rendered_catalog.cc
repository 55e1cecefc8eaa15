#include "http/rendered_catalog.h"

#include <nlohmann/json.hpp>

#include "domain/events/plan_json.h"

namespace recur {
namespace {

std::shared_ptr<const RenderedCatalog> Render(std::shared_ptr<const Catalog> catalog) {
  auto rendered = std::make_shared<RenderedCatalog>();
  for (const CatalogPlan& plan : catalog->plans()) {
    rendered->plan_text[plan.definition.slug] =
        PlanJson(plan, catalog->CurrentVersion(plan)).dump();
  }
  for (std::string_view filter : {"", "user", "org"}) {
    std::vector<std::string> plans;
    for (PayerType type : {PayerType::kUser, PayerType::kOrg}) {
      if (!filter.empty() && filter != PayerTypeName(type)) continue;
      for (const CatalogPlan* plan : catalog->VisiblePlans(type)) {
        plans.push_back(rendered->plan_text[plan->definition.slug]);
      }
    }
    const nlohmann::json list = {{"object", "list"}, {"has_more", false}};
    rendered->list_text[std::string(filter)] =
        WithMemberText(list.dump(), "data", ArrayText(plans));
  }
  rendered->catalog = std::move(catalog);
  return rendered;
}

}  // namespace

std::shared_ptr<const RenderedCatalog> RenderedCatalogs::Current() {
  std::shared_ptr<const Catalog> catalog = catalog_.Current();
  std::lock_guard lock(mutex_);
  if (!current_ || current_->catalog != catalog) current_ = Render(std::move(catalog));
  return current_;
}

std::string WithMemberText(std::string object_text, std::string_view key,
                           std::string_view value_text) {
  object_text.pop_back();  // the closing brace
  if (object_text.size() > 1) object_text += ',';
  object_text += nlohmann::json(key).dump();
  object_text += ':';
  object_text += value_text;
  object_text += '}';
  return object_text;
}

std::string ArrayText(const std::vector<std::string>& elements) {
  std::string text = "[";
  for (const std::string& element : elements) {
    if (text.size() > 1) text += ',';
    text += element;
  }
  text += ']';
  return text;
}

}  // namespace recur
