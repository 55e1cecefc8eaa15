#include "domain/catalog/catalog_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace recur::catalog_rules_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

PlanSource Plan(std::string slug, PayerType type, bool is_default, std::string file = "") {
  PlanSource source;
  source.plan.slug = slug;
  source.plan.name = slug;
  source.plan.payer_type = type;
  source.plan.is_default = is_default;
  source.plan.amount = is_default ? 0 : 1000;
  source.plan.currency = "USD";
  source.file = file.empty() ? "plans/" + slug + ".json" : file;
  return source;
}

std::vector<std::string> Check(std::vector<PlanSource>& plans) {
  std::vector<std::string> lines;
  for (const CatalogProblem& problem : CheckCatalogRules(plans, "plans")) {
    lines.push_back(problem.ToString());
  }
  return lines;
}

TEST(CatalogRules, AcceptsOneDefaultPerPayerTypeInUse) {
  std::vector<PlanSource> plans = {Plan("free", PayerType::kUser, true),
                                   Plan("pro", PayerType::kUser, false)};
  EXPECT_THAT(Check(plans), IsEmpty());
}

TEST(CatalogRules, RejectsAnEmptyCatalog) {
  std::vector<PlanSource> plans;
  EXPECT_THAT(Check(plans), ElementsAre("plans: the catalog defines no plan"));
}

TEST(CatalogRules, RejectsDuplicateSlugsNamingBothPlaces) {
  std::vector<PlanSource> plans = {Plan("free", PayerType::kUser, true),
                                   Plan("pro", PayerType::kUser, false),
                                   Plan("pro", PayerType::kUser, false, "plans/pro2.json")};
  plans[2].json_prefix = "plans[0]";
  EXPECT_THAT(Check(plans), ElementsAre("plans/pro2.json: plans[0].slug: \"pro\" is already "
                                        "defined in plans/pro.json; plan slugs must be unique"));
}

TEST(CatalogRules, RequiresADefaultForEachPayerTypeInUse) {
  std::vector<PlanSource> plans = {Plan("free", PayerType::kUser, true),
                                   Plan("team", PayerType::kOrg, false)};
  EXPECT_THAT(Check(plans),
              ElementsAre("plans: no default plan for payer_type \"org\"; mark exactly one free "
                          "org plan with \"is_default\": true (every new payer starts on it)"));
}

TEST(CatalogRules, RejectsASecondDefault) {
  std::vector<PlanSource> plans = {Plan("free", PayerType::kUser, true),
                                   Plan("basic", PayerType::kUser, true)};
  EXPECT_THAT(Check(plans),
              ElementsAre("plans/basic.json: is_default: a second default plan for payer_type "
                          "\"user\" (plans/free.json is the default already); there must be "
                          "exactly one"));
}

TEST(CatalogRules, FillsFeatureTextGivenByAnotherPlan) {
  std::vector<PlanSource> plans = {Plan("free", PayerType::kUser, true),
                                   Plan("pro", PayerType::kUser, false)};
  plans[0].plan.features = {{"projects", "Projects", "Active projects", FeatureLimit::Limited(3)}};
  plans[1].plan.features = {{"projects", "", "", FeatureLimit::Unlimited()}};
  EXPECT_THAT(Check(plans), IsEmpty());
  EXPECT_EQ(plans[1].plan.features[0],
            (PlanFeature{"projects", "Projects", "Active projects", FeatureLimit::Unlimited()}));
}

TEST(CatalogRules, RejectsConflictingFeatureText) {
  std::vector<PlanSource> plans = {Plan("free", PayerType::kUser, true),
                                   Plan("pro", PayerType::kUser, false)};
  plans[0].plan.features = {{"projects", "Projects", "", FeatureLimit::Limited(3)}};
  plans[1].plan.features = {{"seats", "Seats", "", FeatureLimit::Flag()},
                            {"projects", "Project count", "", FeatureLimit::Unlimited()}};
  EXPECT_THAT(Check(plans),
              ElementsAre("plans/pro.json: features[1].name: feature \"projects\" has the name "
                          "\"Projects\" in plans/free.json; one feature slug must have one name"));
}

TEST(CatalogRules, RequiresEachFeatureToBeNamedSomewhere) {
  std::vector<PlanSource> plans = {Plan("free", PayerType::kUser, true)};
  plans[0].plan.features = {{"projects", "", "", FeatureLimit::Limited(3)}};
  EXPECT_THAT(Check(plans), ElementsAre("plans/free.json: features[0].name: is required: no plan "
                                        "names feature \"projects\""));
}

}  // namespace
}  // namespace recur::catalog_rules_test
