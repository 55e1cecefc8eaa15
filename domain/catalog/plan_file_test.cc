#include "domain/catalog/plan_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace recur::plan_file_test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kFile = "plans/pro.json";

std::vector<std::string> ProblemsOf(std::string_view text) {
  std::vector<std::string> lines;
  for (const CatalogProblem& problem : ParsePlanFile(kFile, text).problems) {
    lines.push_back(problem.ToString());
  }
  return lines;
}

// A valid paid plan; tests splice one field in or out to break one rule at a time.
std::string Pro(std::string_view extra = "", std::string_view features = "[]") {
  return std::string(R"({"slug": "pro", "name": "Pro", "payer_type": "user", "amount": 2000,
                         "currency": "USD", "features": )") +
         std::string(features) + std::string(extra) + "}";
}

TEST(PlanFile, ReadsEveryFieldOfAFullPlan) {
  PlanFileContents contents = ParsePlanFile(kFile, R"({
    "slug": "pro", "name": "Pro", "description": "For growing teams", "payer_type": "org",
    "is_default": false, "publicly_visible": false, "amount": 2000, "annual_amount": 19200,
    "currency": "EUR", "free_trial_days": 14, "free_trial_requires_payment_method": false,
    "trial_ending_notices": ["1d", "7d", "12h"],
    "features": [
      {"slug": "projects", "name": "Projects", "description": "Active projects", "limit": 10},
      {"slug": "sso", "name": "Single sign-on"},
      {"slug": "api_calls", "name": "API calls", "limit": "unlimited"}
    ]})");
  ASSERT_THAT(contents.problems, IsEmpty());
  ASSERT_EQ(contents.plans.size(), 1u);
  const PlanDefinition& plan = contents.plans[0].plan;
  EXPECT_EQ(plan.slug, "pro");
  EXPECT_EQ(plan.name, "Pro");
  EXPECT_EQ(plan.description, "For growing teams");
  EXPECT_EQ(plan.payer_type, PayerType::kOrg);
  EXPECT_FALSE(plan.is_default);
  EXPECT_FALSE(plan.publicly_visible);
  EXPECT_EQ(plan.amount, 2000);
  EXPECT_EQ(plan.annual_amount, 19200);
  EXPECT_EQ(plan.currency, "EUR");
  EXPECT_EQ(plan.free_trial_days, 14);
  EXPECT_FALSE(plan.free_trial_requires_payment_method);
  using std::chrono::hours;
  EXPECT_THAT(plan.trial_ending_notices, ElementsAre(hours(168), hours(24), hours(12)));
  ASSERT_EQ(plan.features.size(), 3u);
  EXPECT_EQ(plan.features[0],
            (PlanFeature{"projects", "Projects", "Active projects", FeatureLimit::Limited(10)}));
  EXPECT_EQ(plan.features[1].limit, FeatureLimit::Flag());
  EXPECT_EQ(plan.features[2].limit, FeatureLimit::Unlimited());
  EXPECT_EQ(contents.plans[0].file, kFile);
  EXPECT_EQ(contents.plans[0].json_prefix, "");
}

TEST(PlanFile, AppliesDocumentedDefaults) {
  PlanFileContents contents = ParsePlanFile(kFile, Pro());
  ASSERT_THAT(contents.problems, IsEmpty());
  const PlanDefinition& plan = contents.plans[0].plan;
  EXPECT_EQ(plan.description, "");
  EXPECT_FALSE(plan.is_default);
  EXPECT_TRUE(plan.publicly_visible);
  EXPECT_EQ(plan.annual_amount, std::nullopt);
  EXPECT_EQ(plan.free_trial_days, 0);
  EXPECT_TRUE(plan.free_trial_requires_payment_method);
  EXPECT_THAT(plan.trial_ending_notices, ElementsAre(std::chrono::hours(72)));
}

TEST(PlanFile, ReadsACatalogFileWithSeveralPlans) {
  PlanFileContents contents = ParsePlanFile("catalog.json", R"({"plans": [
    {"slug": "free", "name": "Free", "payer_type": "user", "is_default": true, "amount": 0,
     "currency": "USD"},
    {"slug": "pro", "name": "Pro", "payer_type": "user", "amount": 2000, "currency": "USD"}]})");
  ASSERT_THAT(contents.problems, IsEmpty());
  ASSERT_EQ(contents.plans.size(), 2u);
  EXPECT_EQ(contents.plans[1].plan.slug, "pro");
  EXPECT_EQ(contents.plans[1].json_prefix, "plans[1]");
}

TEST(PlanFile, ReportsInvalidJsonWithLineAndColumn) {
  EXPECT_THAT(ProblemsOf("{\n  \"slug\": \"pro\",\n  \"name\": ,\n}"),
              ElementsAre(::testing::StartsWith("plans/pro.json:3:11: invalid JSON: ")));
  EXPECT_THAT(ProblemsOf(""),
              ElementsAre(::testing::StartsWith("plans/pro.json:1:1: invalid JSON")));
}

TEST(PlanFile, ReportsANumberOutOfRangeWhereItStandsInsteadOfThrowing) {
  EXPECT_THAT(ProblemsOf("{\"slug\": \"pro\", \"note\": \"1e400\",\n \"amount\": 1e400}"),
              ElementsAre("plans/pro.json:2:12: invalid JSON: the number 1e400 is out of range"));
  EXPECT_THAT(
      ProblemsOf(Pro(R"(, "free_trial_days": -1e999)")),
      ElementsAre(::testing::EndsWith(": invalid JSON: the number -1e999 is out of range")));
}

TEST(PlanFile, RejectsUnknownKeysWithASuggestion) {
  EXPECT_THAT(ProblemsOf(Pro(R"(, "free_trail_days": 14)")),
              ElementsAre("plans/pro.json: free_trail_days: unknown key; did you mean "
                          "\"free_trial_days\"?"));
  EXPECT_THAT(ProblemsOf(Pro("", R"([{"slug": "seats", "name": "Seats", "limt": 5}])")),
              ElementsAre("plans/pro.json: features[0].limt: unknown key; did you mean "
                          "\"limit\"?"));
}

TEST(PlanFile, RejectsDuplicateKeys) {
  EXPECT_THAT(ProblemsOf(Pro(R"(, "amount": 3000)")),
              ElementsAre("plans/pro.json: amount: duplicate key; only one value may be given"));
  EXPECT_THAT(
      ProblemsOf(
          Pro("", R"([{"slug": "a", "name": "A"}, {"slug": "b", "name": "B", "name": "C"}])")),
      ElementsAre("plans/pro.json: features[1].name: duplicate key; only one value may be given"));
}

TEST(PlanFile, RequiresTheEssentialFields) {
  EXPECT_THAT(ProblemsOf("{}"),
              ElementsAre("plans/pro.json: slug: is required", "plans/pro.json: name: is required",
                          "plans/pro.json: payer_type: is required",
                          "plans/pro.json: amount: is required (0 for a free plan)",
                          "plans/pro.json: currency: is required"));
}

TEST(PlanFile, ChecksSlugs) {
  for (std::string_view good : {"pro", "pro-annual", "api_calls", "a1", "team2-yearly"}) {
    EXPECT_TRUE(IsWellFormedSlug(good)) << good;
  }
  for (std::string_view bad :
       {"", "Pro", "1pro", "-pro", "pro-", "pro--x", "pro x", "pró", "pro_-x"}) {
    EXPECT_FALSE(IsWellFormedSlug(bad)) << bad;
  }
  EXPECT_FALSE(IsWellFormedSlug(std::string(65, 'a')));
  EXPECT_TRUE(IsWellFormedSlug(std::string(64, 'a')));
  EXPECT_THAT(
      ProblemsOf(R"({"slug": "Pro Plan", "name": "Pro", "payer_type": "user", "amount": 0,
                     "currency": "USD"})"),
      ElementsAre("plans/pro.json: slug: must be 1 to 64 lower-case letters and digits, words "
                  "joined by single \"-\" or \"_\", starting with a letter (e.g. \"pro-annual\"), "
                  "got \"Pro Plan\""));
  EXPECT_THAT(
      ProblemsOf(Pro("", R"([{"slug": "API calls", "name": "API"}])")),
      ElementsAre(::testing::StartsWith("plans/pro.json: features[0].slug: must be 1 to 64")));
}

TEST(PlanFile, ChecksTypesOfScalarFields) {
  EXPECT_THAT(ProblemsOf(Pro(R"(, "colour": "blue")")),
              ElementsAre("plans/pro.json: colour: unknown key; expected one of slug, name, "
                          "description, payer_type, is_default, publicly_visible, amount, "
                          "annual_amount, currency, free_trial_days, "
                          "free_trial_requires_payment_method, trial_ending_notices, features"));
  EXPECT_THAT(ProblemsOf(Pro(R"(, "is_default": "yes")")),
              ElementsAre("plans/pro.json: is_default: must be true or false, got \"yes\""));
  EXPECT_THAT(ProblemsOf(Pro(R"(, "description": ["a"])")),
              ElementsAre("plans/pro.json: description: must be a string, got an array"));
  EXPECT_THAT(
      ProblemsOf(Pro(R"(, "description": ")" + std::string(1001, 'x') + "\"")),
      ElementsAre("plans/pro.json: description: must be at most 1000 bytes long, got 1001"));
  EXPECT_THAT(
      ProblemsOf(
          R"({"slug": "pro", "name": "", "payer_type": "user", "amount": 0, "currency": "USD"})"),
      ElementsAre("plans/pro.json: name: must not be empty"));
}

TEST(PlanFile, ChecksPayerType) {
  EXPECT_THAT(
      ProblemsOf(
          R"({"slug": "t", "name": "T", "payer_type": "orgs", "amount": 0, "currency": "USD"})"),
      ElementsAre("plans/pro.json: payer_type: must be \"user\" or \"org\", got \"orgs\"; did you "
                  "mean \"org\"?"));
  EXPECT_THAT(
      ProblemsOf(
          R"({"slug": "t", "name": "T", "payer_type": "team", "amount": 0, "currency": "USD"})"),
      ElementsAre("plans/pro.json: payer_type: must be \"user\" or \"org\", got \"team\""));
}

TEST(PlanFile, RequiresIntegerNonNegativeAmounts) {
  const std::string rule =
      "must be a non-negative integer number of minor units (2000 is 20.00 in a two-decimal "
      "currency), ";
  auto with_amount = [](std::string_view amount) {
    return R"({"slug": "pro", "name": "Pro", "payer_type": "user", "currency": "USD", "amount": )" +
           std::string(amount) + "}";
  };
  EXPECT_THAT(ProblemsOf(with_amount("19.99")),
              ElementsAre("plans/pro.json: amount: " + rule + "got 19.99"));
  EXPECT_THAT(ProblemsOf(with_amount("-1")),
              ElementsAre("plans/pro.json: amount: " + rule + "got -1"));
  EXPECT_THAT(ProblemsOf(with_amount("\"2000\"")),
              ElementsAre("plans/pro.json: amount: " + rule + "got \"2000\""));
  EXPECT_THAT(ProblemsOf(with_amount("18446744073709551615")),
              ElementsAre("plans/pro.json: amount: " + rule + "got 18446744073709551615"));
  EXPECT_THAT(ProblemsOf(with_amount("100000000001")),
              ElementsAre("plans/pro.json: amount: " + rule + "got 100000000001"));
  EXPECT_THAT(ProblemsOf(Pro(R"(, "annual_amount": 0)")),
              ElementsAre("plans/pro.json: annual_amount: must be a positive integer number of "
                          "minor units, or null, got 0"));
  EXPECT_THAT(ProblemsOf(Pro(R"(, "annual_amount": null)")), IsEmpty());
  EXPECT_THAT(
      ProblemsOf(
          R"({"slug": "f", "name": "F", "payer_type": "user", "amount": 0, "annual_amount": 100, "currency": "USD"})"),
      ElementsAre("plans/pro.json: annual_amount: a free plan (amount 0) cannot have an annual "
                  "price"));
}

TEST(PlanFile, RequiresAKnownUpperCaseIsoCurrency) {
  auto with_currency = [](std::string_view currency) {
    return R"({"slug": "pro", "name": "Pro", "payer_type": "user", "amount": 1, "currency": )" +
           std::string(currency) + "}";
  };
  EXPECT_THAT(ProblemsOf(with_currency("\"usd\"")),
              ElementsAre("plans/pro.json: currency: must be an upper-case ISO 4217 code; did you "
                          "mean \"USD\"?"));
  EXPECT_THAT(ProblemsOf(with_currency("\"ABC\"")),
              ElementsAre("plans/pro.json: currency: \"ABC\" is not an ISO 4217 currency code"));
  EXPECT_THAT(ProblemsOf(with_currency("840")),
              ElementsAre("plans/pro.json: currency: must be a string, got 840"));
  EXPECT_THAT(ProblemsOf(with_currency("\"JPY\"")), IsEmpty());
}

TEST(PlanFile, ChecksTrialDays) {
  EXPECT_THAT(ProblemsOf(Pro(R"(, "free_trial_days": 366)")),
              ElementsAre("plans/pro.json: free_trial_days: must be an integer from 0 (no trial) "
                          "to 365, got 366"));
  EXPECT_THAT(ProblemsOf(Pro(R"(, "free_trial_days": 7.5)")),
              ElementsAre("plans/pro.json: free_trial_days: must be an integer from 0 (no trial) "
                          "to 365, got 7.5"));
  EXPECT_THAT(
      ProblemsOf(
          R"({"slug": "f", "name": "F", "payer_type": "user", "amount": 0, "currency": "USD", "free_trial_days": 7})"),
      ElementsAre("plans/pro.json: free_trial_days: a free plan (amount 0) has nothing to trial; "
                  "use 0 or remove the key"));
  EXPECT_THAT(ProblemsOf(Pro(R"(, "free_trial_days": 365)")), IsEmpty());
}

TEST(PlanFile, ChecksTrialEndingNoticeLeadTimes) {
  auto with_notices = [](std::string_view notices) {
    return Pro(R"(, "free_trial_days": 14, "trial_ending_notices": )" + std::string(notices));
  };
  EXPECT_THAT(ProblemsOf(with_notices(R"(["7d", "3d", "1d", "12h"])")), IsEmpty());
  EXPECT_THAT(ProblemsOf(with_notices("[]")), IsEmpty());
  EXPECT_THAT(ProblemsOf(with_notices(R"(["3 days"])")),
              ElementsAre("plans/pro.json: trial_ending_notices[0]: must be a lead time of whole "
                          "days or hours such as \"3d\" or \"12h\" (at most 366 days), got "
                          "\"3 days\""));
  EXPECT_THAT(ProblemsOf(with_notices(R"(["-3d"])")),
              ElementsAre(::testing::StartsWith("plans/pro.json: trial_ending_notices[0]: must be "
                                                "a lead time")));
  EXPECT_THAT(ProblemsOf(with_notices(R"(["0d"])")),
              ElementsAre(::testing::StartsWith("plans/pro.json: trial_ending_notices[0]: must be "
                                                "a lead time")));
  EXPECT_THAT(ProblemsOf(with_notices(R"(["367d"])")),
              ElementsAre(::testing::EndsWith("(at most 366 days), got \"367d\"")));
  EXPECT_THAT(ProblemsOf(with_notices(R"(["8785h"])")),
              ElementsAre(::testing::EndsWith("(at most 366 days), got \"8785h\"")));
  EXPECT_THAT(ProblemsOf(with_notices("[3]")),
              ElementsAre(::testing::EndsWith("(at most 366 days), got 3")));
  EXPECT_THAT(ProblemsOf(with_notices(R"(["3d", "72h"])")),
              ElementsAre("plans/pro.json: trial_ending_notices[1]: \"3d\" is listed twice"));
  EXPECT_THAT(ProblemsOf(with_notices(R"(["14d"])")),
              ElementsAre("plans/pro.json: trial_ending_notices[0]: \"14d\" is not shorter than "
                          "the 14-day trial; a notice must come after the trial starts"));
  EXPECT_THAT(ProblemsOf(with_notices(R"(["1d","2d","3d","4d","5d","6d"])")),
              ElementsAre("plans/pro.json: trial_ending_notices: must list at most 5 lead times, "
                          "got 6"));
  EXPECT_THAT(ProblemsOf(with_notices(R"("3d")")),
              ElementsAre("plans/pro.json: trial_ending_notices: must be a list of lead times like "
                          "[\"7d\", \"3d\", \"12h\"], got \"3d\""));
}

TEST(PlanFile, ChecksFeatureLimits) {
  EXPECT_THAT(ProblemsOf(Pro("", R"([{"slug": "a", "name": "A"}, {"slug": "b", "name": "B"},
                                     {"slug": "c", "name": "C", "limit": 0}])")),
              ElementsAre("plans/pro.json: features[2].limit: must be a positive integer or "
                          "\"unlimited\", got 0"));
  EXPECT_THAT(ProblemsOf(Pro("", R"([{"slug": "c", "name": "C", "limit": "infinite"}])")),
              ElementsAre("plans/pro.json: features[0].limit: must be a positive integer or "
                          "\"unlimited\", got \"infinite\""));
  EXPECT_THAT(ProblemsOf(Pro("", R"([{"slug": "c", "name": "C", "limit": null}])")), IsEmpty());
  EXPECT_THAT(ProblemsOf(Pro("", R"(["seats"])")),
              ElementsAre("plans/pro.json: features[0]: must be an object like {\"slug\": "
                          "\"projects\", \"limit\": 10}, got \"seats\""));
  EXPECT_THAT(ProblemsOf(Pro("", R"({"seats": 5})")),
              ElementsAre("plans/pro.json: features: must be a list of feature objects, got an "
                          "object"));
  EXPECT_THAT(ProblemsOf(Pro("", R"([{"slug": "s", "name": "S"}, {"slug": "s", "limit": 2}])")),
              ElementsAre("plans/pro.json: features[1].slug: \"s\" is listed twice in this plan "
                          "(also features[0])"));
}

TEST(PlanFile, RequiresTheDefaultPlanToBeFree) {
  EXPECT_THAT(ProblemsOf(Pro(R"(, "is_default": true)")),
              ElementsAre("plans/pro.json: is_default: a default plan must be free (every new "
                          "payer starts on it), but its amount is 2000"));
  EXPECT_THAT(
      ProblemsOf(
          R"({"slug": "f", "name": "F", "payer_type": "user", "amount": 0, "currency": "USD", "is_default": true})"),
      IsEmpty());
}

TEST(PlanFile, ReportsEveryProblemAndKeepsOnlyValidPlans) {
  PlanFileContents contents = ParsePlanFile("c.json", R"({"plans": [
    {"slug": "ok", "name": "OK", "payer_type": "user", "amount": 0, "currency": "USD"},
    {"slug": "Bad", "name": "Bad", "payer_type": "user", "amount": -5, "currency": "usd"},
    7]})");
  EXPECT_EQ(contents.plans.size(), 1u);
  std::vector<std::string> lines;
  for (const CatalogProblem& problem : contents.problems) lines.push_back(problem.ToString());
  EXPECT_THAT(lines, ElementsAre(::testing::StartsWith("c.json: plans[1].slug: must be"),
                                 ::testing::StartsWith("c.json: plans[1].amount: must be"),
                                 ::testing::StartsWith("c.json: plans[1].currency: must be"),
                                 "c.json: plans[2]: must be a plan object, got 7"));
}

TEST(PlanFile, RejectsDocumentsOfTheWrongShape) {
  EXPECT_THAT(ProblemsOf("[]"), ElementsAre("plans/pro.json: must hold a plan object or a catalog "
                                            "{\"plans\": [...]}, got an array"));
  EXPECT_THAT(ProblemsOf(R"({"plans": {}})"),
              ElementsAre("plans/pro.json: plans: must be a list of plan objects, got an object"));
  EXPECT_THAT(ProblemsOf(R"({"plans": [], "version": 2})"),
              ElementsAre("plans/pro.json: version: unknown key; expected one of plans"));
}

TEST(PlanFile, APlanWithAShortTrialAndTheDefaultNoticeReadsBackEqual) {
  PlanFileContents contents = ParsePlanFile(kFile, Pro(R"(, "free_trial_days": 2)"));
  ASSERT_THAT(contents.problems, IsEmpty());
  PlanFileContents again = ParsePlanFile("stored", SerializePlan(contents.plans[0].plan));
  ASSERT_THAT(again.problems, IsEmpty());
  EXPECT_EQ(again.plans[0].plan, contents.plans[0].plan);
}

TEST(PlanFile, SerializedPlansReadBackEqual) {
  PlanFileContents contents = ParsePlanFile(
      kFile,
      Pro(
          R"(, "annual_amount": 19200, "free_trial_days": 14, "trial_ending_notices": ["7d", "12h"],
         "description": "d", "publicly_visible": false)",
          R"([{"slug": "a", "name": "A", "limit": 3}, {"slug": "b", "name": "B", "limit": "unlimited"},
          {"slug": "c", "name": "C", "description": "flag"}])"));
  ASSERT_THAT(contents.problems, IsEmpty());
  const PlanDefinition& original = contents.plans[0].plan;
  PlanFileContents again = ParsePlanFile("stored", SerializePlan(original));
  ASSERT_THAT(again.problems, IsEmpty());
  EXPECT_EQ(again.plans[0].plan, original);
}

}  // namespace
}  // namespace recur::plan_file_test
