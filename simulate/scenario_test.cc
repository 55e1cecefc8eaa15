#include "simulate/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace recur {
namespace {

using ::testing::HasSubstr;

Instant At(std::int64_t unix_seconds) { return FromUnixMillis(unix_seconds * 1000); }

TEST(ScenarioTime, ReadsDaysMinutesAndSecondsInUtc) {
  EXPECT_EQ(ParseScenarioTime("2027-01-31"), At(1801353600));
  EXPECT_EQ(ParseScenarioTime("2027-01-31T09:30Z"), At(1801353600 + 9 * 3600 + 30 * 60));
  EXPECT_EQ(ParseScenarioTime("2027-01-31T09:30:15Z"), At(1801353600 + 9 * 3600 + 30 * 60 + 15));
  EXPECT_EQ(ParseScenarioTime("2027-01-31T09:30"), std::nullopt);  // no zone: ambiguous
  EXPECT_EQ(ParseScenarioTime("2027-02-30"), std::nullopt);
  EXPECT_EQ(ParseScenarioTime("2027-01-31 junk"), std::nullopt);
  EXPECT_EQ(ParseScenarioTime(""), std::nullopt);
}

TEST(ParseScenario, ReadsEveryKindOfStep) {
  auto scenario = ParseScenario(
      "start 2027-01-31T09:30Z   # a comment\n"
      "\n"
      "payer acme org\n"
      "card acme pm_card_visa\n"
      "subscribe acme team annual no-trial\n"
      "advance 12h\n"
      "cancel acme team now\n"
      "extend-trial acme to 2027-03-01\n"
      "advance to 2027-02-02\n",
      "x.scenario");
  ASSERT_TRUE(scenario) << scenario.error().message;
  EXPECT_EQ(scenario->start, *ParseScenarioTime("2027-01-31T09:30Z"));
  ASSERT_EQ(scenario->steps.size(), 7u);
  const auto& steps = scenario->steps;
  EXPECT_EQ(steps[0].kind, StepKind::kPayer);
  EXPECT_EQ(steps[0].payer_type, PayerType::kOrg);
  EXPECT_EQ(steps[0].line, 3);
  EXPECT_EQ(steps[1].token, "pm_card_visa");
  EXPECT_EQ(steps[2].subscribe.plan, "team");
  EXPECT_EQ(steps[2].subscribe.interval, BillingInterval::kAnnual);
  EXPECT_EQ(steps[2].subscribe.free_trial, false);
  EXPECT_EQ(steps[3].by, std::chrono::hours(12));
  EXPECT_EQ(steps[4].plan, "team");
  EXPECT_TRUE(steps[4].end_now);
  EXPECT_EQ(steps[5].to, *ParseScenarioTime("2027-03-01"));
  EXPECT_EQ(steps[6].kind, StepKind::kAdvance);
  EXPECT_EQ(steps[6].text, "advance to 2027-02-02");
}

TEST(ParseScenario, StartsOnTheDefaultDayWithoutStart) {
  auto scenario = ParseScenario("payer alice\nsubscribe alice pro\n", "x");
  ASSERT_TRUE(scenario);
  EXPECT_EQ(scenario->start, DefaultScenarioStart());
  EXPECT_EQ(scenario->steps[1].subscribe.free_trial, std::nullopt);  // trial when eligible
  EXPECT_EQ(scenario->steps[1].subscribe.interval, BillingInterval::kMonth);
}

TEST(ParseScenario, AbsoluteTimesMustLieAheadOfTheAdvancesBefore) {
  auto scenario =
      ParseScenario("start 2027-01-01\nadvance 10d\nadvance to 2027-01-05\n", "late.scenario");
  ASSERT_FALSE(scenario);
  EXPECT_THAT(scenario.error().message,
              HasSubstr("late.scenario:3: \"2027-01-05\" is not later than the time here"));
}

TEST(ParseScenario, RefusesBadNamesDurationsAndEmptyFiles) {
  EXPECT_THAT(ParseScenario("payer Alice\n", "f").error().message,
              HasSubstr("f:1: payer name \"Alice\" must be"));
  EXPECT_THAT(ParseScenario("advance 400d\n", "f").error().message,
              HasSubstr("f:1: \"400d\" is not a duration"));
  EXPECT_THAT(ParseScenario("payer a\ncard a\n", "f").error().message,
              HasSubstr("f:2: usage: card PAYER TOKEN"));
  EXPECT_THAT(ParseScenario("# nothing\n", "f").error().message,
              HasSubstr("f:1: the scenario has no steps"));
}

}  // namespace
}  // namespace recur
