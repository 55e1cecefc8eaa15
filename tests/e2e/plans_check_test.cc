// `recur plans check PATH` as a user runs it.
#include <gmock/gmock.h>

#include "tests/e2e/recur_process.h"

namespace recur::testing::plans_check_test {
namespace {

using ::testing::HasSubstr;

TEST(PlansCheck, AcceptsTheShippedCatalog) {
  CommandResult result = RunRecur({"plans", "check", "plans"}, RECUR_SOURCE_DIR);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "plans: 5 plans, valid\n"
            "  org: org-free (default), team\n"
            "  user: business, free (default), pro\n");
  EXPECT_EQ(result.err, "");
}

TEST(PlansCheck, ListsEveryProblemAndFails) {
  TempDir dir;
  WriteFile(dir / "plans/free.json",
            R"({"slug": "free", "name": "Free", "payer_type": "user", "is_default": true,
                "amount": 0, "currency": "USD"})");
  WriteFile(dir / "plans/pro.json",
            "{\"slug\": \"pro\", \"name\": \"Pro\", \"payer_type\": \"user\", \"amount\": 2000,\n"
            " \"currency\": \"usd\", \"free_trail_days\": 14}");
  WriteFile(dir / "plans/broken.json", "{\n  \"slug\": \"x\",\n}");
  CommandResult result = RunRecur({"plans", "check", "plans"}, dir.path());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("plans/broken.json:3:1: invalid JSON: "));
  EXPECT_THAT(result.err, HasSubstr("plans/pro.json: free_trail_days: unknown key; did you mean "
                                    "\"free_trial_days\"?\n"));
  EXPECT_THAT(result.err, HasSubstr("plans/pro.json: currency: must be an upper-case ISO 4217 "
                                    "code; did you mean \"USD\"?\n"));
  EXPECT_THAT(result.err, HasSubstr("3 problems found in plans\n"));
}

TEST(PlansCheck, ChecksCatalogWideRulesOnceFilesAreValid) {
  TempDir dir;
  WriteFile(dir / "catalog.json", R"({"plans": [
    {"slug": "pro", "name": "Pro", "payer_type": "user", "amount": 2000, "currency": "USD"},
    {"slug": "pro", "name": "Pro 2", "payer_type": "user", "amount": 3000, "currency": "USD"}]})");
  CommandResult result = RunRecur({"plans", "check", "catalog.json"}, dir.path());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "catalog.json: plans[1].slug: \"pro\" is already defined in catalog.json (plans[0]); "
            "plan slugs must be unique\n"
            "catalog.json: no default plan for payer_type \"user\"; mark exactly one free user "
            "plan with \"is_default\": true (every new payer starts on it)\n"
            "2 problems found in catalog.json\n");
}

TEST(PlansCheck, ReportsAMissingPathAndBadUsage) {
  CommandResult missing = RunRecur({"plans", "check", "/nonexistent/plans"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/plans: cannot read: no such file or folder"));
  EXPECT_EQ(RunRecur({"plans", "check"}).exit_code, 2);
  EXPECT_EQ(RunRecur({"frobnicate"}).exit_code, 2);
}

}  // namespace
}  // namespace recur::testing::plans_check_test
