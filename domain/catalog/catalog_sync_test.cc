#include "domain/catalog/catalog_sync.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace recur::catalog_sync_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

PlanSource Source(std::string slug, std::int64_t amount, PayerType type = PayerType::kUser) {
  PlanSource source;
  source.plan.slug = slug;
  source.plan.name = slug;
  source.plan.payer_type = type;
  source.plan.amount = amount;
  source.plan.currency = "USD";
  source.file = "plans/" + slug + ".json";
  return source;
}

// A stored catalog holding `sources` at price version 1, archived where asked.
Catalog Stored(const std::vector<PlanSource>& sources,
               const std::vector<std::string>& archived = {}) {
  std::vector<CatalogPlan> plans;
  std::vector<PlanVersion> versions;
  for (const PlanSource& source : sources) {
    const std::string id = "cplan_" + source.plan.slug;
    versions.push_back({id, source.plan.slug, 1, source.plan.amount, source.plan.annual_amount,
                        source.plan.currency, Instant{}});
    CatalogPlan plan{source.plan, id};
    if (std::find(archived.begin(), archived.end(), source.plan.slug) != archived.end()) {
      plan.archived_at = Instant{};
    }
    plans.push_back(plan);
  }
  return Catalog(plans, versions);
}

TEST(CatalogSync, NothingChangesForTheSameFiles) {
  std::vector<PlanSource> files = {Source("free", 0), Source("pro", 2000)};
  CatalogSync sync = PlanCatalogSync(Stored(files), files);
  EXPECT_THAT(sync.problems, IsEmpty());
  EXPECT_THAT(sync.steps, IsEmpty());
}

TEST(CatalogSync, AddsNewPlans) {
  std::vector<PlanSource> files = {Source("free", 0), Source("pro", 2000)};
  CatalogSync sync = PlanCatalogSync(Stored({files[0]}), files);
  EXPECT_THAT(sync.Summary().added, ElementsAre("pro"));
  ASSERT_EQ(sync.steps.size(), 1u);
  EXPECT_TRUE(sync.steps[0].is_new && sync.steps[0].new_price);
}

TEST(CatalogSync, APriceChangeIsANewVersionOtherChangesAreUpdates) {
  std::vector<PlanSource> stored = {Source("free", 0), Source("pro", 2000), Source("max", 9000)};
  std::vector<PlanSource> files = stored;
  files[1].plan.amount = 2500;
  files[2].plan.name = "Maximum";
  CatalogSync sync = PlanCatalogSync(Stored(stored), files);
  EXPECT_THAT(sync.Summary().repriced, ElementsAre("pro"));
  EXPECT_THAT(sync.Summary().updated, ElementsAre("max"));

  files = stored;
  files[1].plan.currency = "EUR";
  EXPECT_THAT(PlanCatalogSync(Stored(stored), files).Summary().repriced, ElementsAre("pro"));
  files = stored;
  files[1].plan.annual_amount = 19200;
  EXPECT_THAT(PlanCatalogSync(Stored(stored), files).Summary().repriced, ElementsAre("pro"));
}

TEST(CatalogSync, ArchivesMissingPlansAndRestoresReturningOnes) {
  std::vector<PlanSource> stored = {Source("free", 0), Source("pro", 2000), Source("old", 100)};
  CatalogSync sync = PlanCatalogSync(Stored(stored, {"old"}), {stored[0], stored[2]});
  EXPECT_THAT(sync.Summary().archived, ElementsAre("pro"));
  EXPECT_THAT(sync.Summary().restored, ElementsAre("old"));
  EXPECT_THAT(sync.Summary().repriced, IsEmpty());
  // An archived plan that stays out of the files is left alone.
  EXPECT_THAT(PlanCatalogSync(Stored(stored, {"old"}), {stored[0], stored[1]}).steps, IsEmpty());
}

TEST(CatalogSync, RefusesAPayerTypeChange) {
  std::vector<PlanSource> stored = {Source("free", 0), Source("team", 9900)};
  std::vector<PlanSource> files = {Source("free", 0), Source("team", 9900, PayerType::kOrg)};
  files[1].json_prefix = "plans[1]";
  CatalogSync sync = PlanCatalogSync(Stored(stored), files);
  ASSERT_EQ(sync.problems.size(), 1u);
  EXPECT_EQ(sync.problems[0].ToString(),
            "plans/team.json: plans[1].payer_type: plan \"team\" is stored as a user plan and "
            "cannot change payer type (its subscribers are of that type); give the org plan a "
            "new slug");
}

}  // namespace
}  // namespace recur::catalog_sync_test
