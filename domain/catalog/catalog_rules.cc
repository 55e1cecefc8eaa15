#include "domain/catalog/catalog_rules.h"

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace recur {
namespace {

std::string Quote(std::string_view text) { return nlohmann::json(std::string(text)).dump(); }

std::string PathOf(const PlanSource& source, std::string_view key) {
  return source.json_prefix.empty() ? std::string(key)
                                    : source.json_prefix + "." + std::string(key);
}

std::string Where(const PlanSource& source) {
  return source.json_prefix.empty() ? source.file : source.file + " (" + source.json_prefix + ")";
}

void CheckUniqueSlugs(const std::vector<PlanSource>& plans, CatalogProblems& problems) {
  std::map<std::string, const PlanSource*> first_by_slug;
  for (const PlanSource& source : plans) {
    auto [it, inserted] = first_by_slug.emplace(source.plan.slug, &source);
    if (!inserted) {
      problems.push_back({source.file, PathOf(source, "slug"),
                          Quote(source.plan.slug) + " is already defined in " + Where(*it->second) +
                              "; plan slugs must be unique"});
    }
  }
}

void CheckDefaults(const std::vector<PlanSource>& plans, std::string_view catalog_label,
                   CatalogProblems& problems) {
  for (PayerType type : {PayerType::kUser, PayerType::kOrg}) {
    const PlanSource* first_default = nullptr;
    bool type_in_use = false;
    for (const PlanSource& source : plans) {
      if (source.plan.payer_type != type) continue;
      type_in_use = true;
      if (!source.plan.is_default) continue;
      if (first_default == nullptr) {
        first_default = &source;
        continue;
      }
      problems.push_back({source.file, PathOf(source, "is_default"),
                          "a second default plan for payer_type " + Quote(PayerTypeName(type)) +
                              " (" + Where(*first_default) +
                              " is the default already); there must be exactly one"});
    }
    if (type_in_use && first_default == nullptr) {
      problems.push_back({std::string(catalog_label), "",
                          "no default plan for payer_type " + Quote(PayerTypeName(type)) +
                              "; mark exactly one free " + std::string(PayerTypeName(type)) +
                              " plan with \"is_default\": true (every new payer starts on it)"});
    }
  }
}

struct FeatureText {
  std::string name, name_where;
  std::string description, description_where;
};

// Agrees one text (name or description) for a feature slug across plans, reporting conflicts.
void AgreeText(const std::string& given, std::string& agreed, std::string& agreed_where,
               const std::string& where, const PlanSource& source, const std::string& path,
               std::string_view what, const std::string& slug, CatalogProblems& problems) {
  if (given.empty()) return;
  if (agreed.empty()) {
    agreed = given;
    agreed_where = where;
  } else if (agreed != given) {
    problems.push_back({source.file, path,
                        "feature " + Quote(slug) + " has the " + std::string(what) + " " +
                            Quote(agreed) + " in " + agreed_where +
                            "; one feature slug must have one " + std::string(what)});
  }
}

void AgreeFeatures(std::vector<PlanSource>& plans, CatalogProblems& problems) {
  std::map<std::string, FeatureText> by_slug;
  for (const PlanSource& source : plans) {
    for (std::size_t i = 0; i < source.plan.features.size(); ++i) {
      const PlanFeature& feature = source.plan.features[i];
      const std::string path = PathOf(source, "features[" + std::to_string(i) + "]");
      const std::string where = Where(source);
      FeatureText& text = by_slug[feature.slug];
      AgreeText(feature.name, text.name, text.name_where, where, source, path + ".name", "name",
                feature.slug, problems);
      AgreeText(feature.description, text.description, text.description_where, where, source,
                path + ".description", "description", feature.slug, problems);
    }
  }
  for (PlanSource& source : plans) {
    for (std::size_t i = 0; i < source.plan.features.size(); ++i) {
      PlanFeature& feature = source.plan.features[i];
      const FeatureText& text = by_slug[feature.slug];
      if (text.name.empty()) {
        problems.push_back({source.file, PathOf(source, "features[" + std::to_string(i) + "].name"),
                            "is required: no plan names feature " + Quote(feature.slug)});
      }
      feature.name = text.name;
      feature.description = text.description;
    }
  }
}

}  // namespace

CatalogProblems CheckCatalogRules(std::vector<PlanSource>& plans, std::string_view catalog_label) {
  CatalogProblems problems;
  if (plans.empty()) {
    problems.push_back({std::string(catalog_label), "", "the catalog defines no plan"});
    return problems;
  }
  CheckUniqueSlugs(plans, problems);
  CheckDefaults(plans, catalog_label, problems);
  AgreeFeatures(plans, problems);
  return problems;
}

}  // namespace recur
