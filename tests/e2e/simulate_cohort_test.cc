// `recur simulate cohort` as a product owner runs it: the real binary and engine over synthetic
// payers. Extreme probabilities make the figures exact (everyone converts, nobody pays, every
// card fails...), so each test checks the engine's counting, not a tolerance; reproducibility
// and the HTML report are checked on the defaults.
#include <fstream>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/recur_process.h"

namespace recur::testing::simulate_cohort_test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

CommandResult Cohort(std::vector<std::string> args) {
  args.insert(args.begin(), {"simulate", "cohort"});
  args.insert(args.end(), {"--plans", std::string(RECUR_SOURCE_DIR) + "/plans"});
  return RunRecur(args);
}

// 200 payers arriving over 10 days on Pro monthly, nothing left to chance unless `settings`
// says so; read on day 40 (every 14-day trial has ended by day 24, no renewal is due before
// day 44).
json RunExact(std::map<std::string, std::string> settings,
              const std::vector<std::string>& designs) {
  std::map<std::string, std::string> flags = {{"payers", "200"},      {"days", "40"},
                                              {"arrival-days", "10"}, {"mix", "pro:1"},
                                              {"churn", "0"},         {"failure", "0"}};
  for (auto& [flag, value] : settings) flags[flag] = value;
  std::vector<std::string> args = {"--json"};
  for (const auto& [flag, value] : flags) args.insert(args.end(), {"--" + flag, value});
  for (const std::string& design : designs) args.insert(args.end(), {"--design", design});
  CommandResult run = Cohort(args);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return json::parse(run.out, nullptr, false);
}

TEST(SimulateCohort, WhenEveryTrialConvertsEveryPayerPaysOnce) {
  json report = RunExact({}, {"days=14,card=yes,conversion=1"});
  ASSERT_EQ(report["designs"].size(), 1u);
  const json& design = report["designs"][0];
  EXPECT_EQ(design["trials_started"], 200);
  EXPECT_EQ(design["trials_converted"], 200);
  EXPECT_EQ(design["involuntary_churn"], 0);
  const json& last = design["days"].back();
  EXPECT_EQ(last["day"], 40);
  EXPECT_EQ(last["paying"], 200);
  EXPECT_EQ(last["trialing"], 0);
  EXPECT_EQ(last["mrr"], 200 * 2000);
  EXPECT_EQ(last["cumulative_revenue"], 200 * 2000);
  // On day 5 nobody has paid yet and about half the payers are in their trial.
  const json& day5 = design["days"][4];
  EXPECT_EQ(day5["cumulative_revenue"], 0);
  EXPECT_EQ(day5["paying"], 0);
  EXPECT_GT(day5["trialing"], 60);
  EXPECT_LT(day5["trialing"], 140);
}

TEST(SimulateCohort, WhenNobodyConvertsNothingIsCharged) {
  json report = RunExact({}, {"days=14,card=yes,conversion=0", "days=7,card=no,conversion=0"});
  for (const json& design : report["designs"]) {
    EXPECT_EQ(design["trials_started"], 200) << design["name"];
    EXPECT_EQ(design["trials_converted"], 0);
    EXPECT_EQ(design["voluntary_churn"], 0);  // canceled trials are not churned customers
    EXPECT_EQ(design["days"].back()["paying"], 0);
    EXPECT_EQ(design["days"].back()["trialing"], 0);
    EXPECT_EQ(design["days"].back()["cumulative_revenue"], 0);
  }
}

TEST(SimulateCohort, FailedCardsEndInDunningUnlessThePayerRecovers) {
  json lost = RunExact({{"failure", "1"}, {"recovery", "0"}}, {"days=14,card=yes,conversion=1"});
  const json& lost_design = lost["designs"][0];
  EXPECT_EQ(lost_design["trials_converted"], 0);
  EXPECT_EQ(lost_design["involuntary_churn"], 200);
  EXPECT_EQ(lost_design["days"].back()["paying"], 0);
  EXPECT_EQ(lost_design["days"].back()["cumulative_revenue"], 0);

  json saved = RunExact({{"failure", "1"}, {"recovery", "1"}}, {"days=14,card=yes,conversion=1"});
  const json& saved_design = saved["designs"][0];
  EXPECT_EQ(saved_design["trials_converted"], 200);  // paid by a dunning retry
  EXPECT_EQ(saved_design["involuntary_churn"], 0);
  EXPECT_EQ(saved_design["days"].back()["paying"], 200);
  EXPECT_EQ(saved_design["days"].back()["cumulative_revenue"], 200 * 2000);
}

TEST(SimulateCohort, PayersWhoChurnLeaveAtTheirPeriodEnd) {
  // Everyone converts and churns in the first paid month: each pays once, then leaves.
  json report = RunExact({{"churn", "1"}, {"days", "60"}}, {"days=14,card=yes,conversion=1"});
  const json& design = report["designs"][0];
  EXPECT_EQ(design["trials_converted"], 200);
  EXPECT_EQ(design["voluntary_churn"], 200);
  EXPECT_EQ(design["days"].back()["paying"], 0);
  EXPECT_EQ(design["days"].back()["cumulative_revenue"], 200 * 2000);
}

TEST(SimulateCohort, CardlessConvertersAddACardAndTheRestLapse) {
  // Read on day 30: every 7-day trial has ended by day 17, no renewal is due before day 35.
  json report =
      RunExact({{"trial-cancel", "0"}, {"days", "30"}}, {"days=7,card=no,conversion=0.5"});
  const json& design = report["designs"][0];
  const int converted = design["trials_converted"];
  EXPECT_GT(converted, 70);
  EXPECT_LT(converted, 130);
  EXPECT_EQ(design["days"].back()["paying"], converted);
  EXPECT_EQ(design["days"].back()["cumulative_revenue"], converted * 2000);
}

TEST(SimulateCohort, TheSameSeedGivesTheSameBytesWhateverTheThreads) {
  const std::vector<std::string> args = {"--payers", "400", "--days", "120", "--seed", "7"};
  CommandResult one = Cohort([&] {
    auto a = args;
    a.insert(a.end(), {"--threads", "1"});
    return a;
  }());
  CommandResult two = Cohort([&] {
    auto a = args;
    a.insert(a.end(), {"--threads", "2"});
    return a;
  }());
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  CommandResult other = Cohort({"--payers", "400", "--days", "120", "--seed", "8"});
  EXPECT_NE(one.out, other.out);
  // The default designs, in order, with the default report days.
  EXPECT_THAT(one.out, HasSubstr("14d-card"));
  EXPECT_THAT(one.out, HasSubstr("7d-nocard"));
  EXPECT_THAT(one.err, HasSubstr("400 payers x 4 designs over 120 days in "));
}

TEST(SimulateCohort, DesignsDifferOnlyByTheDesign) {
  CommandResult run = Cohort({"--payers", "1000", "--days", "90", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json report = json::parse(run.out);
  ASSERT_EQ(report["designs"].size(), 4u);
  std::map<std::string, json> by_name;
  for (const json& design : report["designs"]) by_name[design["name"]] = design;
  // Same payers: every design starts the same number of trials.
  for (const auto& [name, design] : by_name) EXPECT_EQ(design["trials_started"], 1000) << name;
  // A card up front converts more (49% against 18% by default).
  EXPECT_GT(by_name["14d-card"]["trials_converted"], by_name["14d-nocard"]["trials_converted"]);
  EXPECT_GT(by_name["7d-card"]["trials_converted"], by_name["7d-nocard"]["trials_converted"]);
  // A shorter trial starts charging sooner.
  EXPECT_GT(by_name["7d-card"]["days"][20]["cumulative_revenue"],
            by_name["14d-card"]["days"][20]["cumulative_revenue"]);
}

TEST(SimulateCohort, WritesASelfContainedHtmlReport) {
  TempDir dir;
  CommandResult run = Cohort({"--payers", "300", "--days", "60", "--report", dir / "r.html"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(dir / "r.html");
  std::stringstream html;
  html << in.rdbuf();
  EXPECT_THAT(html.str(), HasSubstr("<svg"));
  EXPECT_THAT(html.str(), HasSubstr("14d-nocard"));
  EXPECT_THAT(html.str(), HasSubstr("Userpilot"));  // where the conversion defaults come from
  EXPECT_THAT(html.str(), Not(HasSubstr("src=")));
  EXPECT_THAT(html.str(), Not(HasSubstr("<link")));
}

TEST(SimulateCohort, BadOptionsAreRefusedWithTheReason) {
  CommandResult design = Cohort({"--design", "days=0,card=yes"});
  EXPECT_EQ(design.exit_code, 2);
  EXPECT_THAT(design.err, HasSubstr("days must be a whole number from 1 to 365"));
  CommandResult churn = Cohort({"--churn", "1.5"});
  EXPECT_EQ(churn.exit_code, 2);
  EXPECT_THAT(churn.err, HasSubstr("--churn must be a probability from 0 to 1"));
  CommandResult plan = Cohort({"--mix", "nope:1", "--payers", "10", "--days", "5"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_THAT(plan.err, HasSubstr("--mix: plan nope is not in the catalog"));
  CommandResult free = Cohort({"--mix", "free:1", "--payers", "10", "--days", "5"});
  EXPECT_EQ(free.exit_code, 1);
  EXPECT_THAT(free.err, HasSubstr("--mix: plan free is free"));
  CommandResult days = Cohort({"--report-days", "10,5"});
  EXPECT_EQ(days.exit_code, 2);
}

}  // namespace
}  // namespace recur::testing::simulate_cohort_test
