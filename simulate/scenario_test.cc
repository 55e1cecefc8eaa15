#include "simulate/scenario.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "simulate/scenario_runner.h"
#include "simulate/timeline.h"

namespace recur::scenario_test {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Eq;
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

TEST(ParseScenario, TryMarksAStepTheEngineMayRefuse) {
  auto scenario = ParseScenario(
      "payer alice\n"
      "try cancel alice now\n"
      "try subscribe alice pro annual\n"
      "subscribe alice business\n",
      "f");
  ASSERT_TRUE(scenario) << scenario.error().message;
  const auto& steps = scenario->steps;
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_FALSE(steps[0].may_be_refused);
  EXPECT_TRUE(steps[1].may_be_refused);
  EXPECT_EQ(steps[1].kind, StepKind::kCancel);
  EXPECT_TRUE(steps[1].end_now);
  EXPECT_EQ(steps[1].text, "try cancel alice now");
  EXPECT_TRUE(steps[2].may_be_refused);
  EXPECT_EQ(steps[2].subscribe.interval, BillingInterval::kAnnual);
  EXPECT_FALSE(steps[3].may_be_refused);
}

TEST(ParseScenario, TryComesOnlyBeforeAStepTheEngineCanRefuse) {
  for (const char* line : {"try advance 1d", "try payer bob", "try", "try start 2027-02-01"}) {
    auto scenario = ParseScenario(std::string("payer alice\n") + line + "\n", "f");
    ASSERT_FALSE(scenario) << line;
    EXPECT_THAT(scenario.error().message, HasSubstr("f:2: usage: try card|subscribe|cancel"))
        << line;
  }
  EXPECT_THAT(ParseScenario("payer alice\ntry cancel bob\n", "f").error().message,
              HasSubstr("f:2: no payer \"bob\" yet"));
}

TEST(ParseScenario, SettleNamesAPayer) {
  auto scenario = ParseScenario("payer alice\nsettle alice\ntry settle alice\n", "f");
  ASSERT_TRUE(scenario) << scenario.error().message;
  EXPECT_EQ(scenario->steps[1].kind, StepKind::kSettle);
  EXPECT_EQ(scenario->steps[1].payer, "alice");
  EXPECT_TRUE(scenario->steps[2].may_be_refused);
  EXPECT_THAT(ParseScenario("payer alice\nsettle alice now\n", "f").error().message,
              HasSubstr("f:2: usage: settle PAYER"));
  EXPECT_THAT(ParseScenario("settle bob\n", "f").error().message,
              HasSubstr("f:1: no payer \"bob\" yet"));
}

// A scenario run on the shipped plans: each step as "STEP -> OUTCOME", each event as
// "  TYPE SUMMARY", and how the run ended.
struct Replayed {
  Status status;
  std::vector<std::string> lines;
  std::vector<std::string> times;  // of each line, as the timeline prints it
  int steps = 0;
};
Replayed Replay(std::string_view text) {
  Replayed replayed;
  auto scenario = ParseScenario(text, "f");
  if (!scenario) {
    replayed.status = std::unexpected(scenario.error());
    return replayed;
  }
  ScenarioRunOptions options;
  options.plans_path = std::string(RECUR_SOURCE_DIR) + "/plans";
  replayed.status = RunScenario(*scenario, "f", options, [&](TimelineEntry& entry) {
    replayed.steps += entry.is_event() ? 0 : 1;
    replayed.lines.push_back(entry.is_event() ? "  " + entry.event_type + " " + entry.summary
                                              : entry.step + " -> " + entry.outcome);
    replayed.times.push_back(FormatSimulatedTime(entry.at));
  });
  return replayed;
}

TEST(RunScenario, ARefusedTryStepIsPrintedAndTheScenarioGoesOn) {
  const Replayed replayed = Replay(
      "payer alice\n"
      "try cancel alice\n"
      "card alice pm_card_visa\n"
      "subscribe alice pro no-trial\n");
  ASSERT_TRUE(replayed.status) << replayed.status.error().message;
  EXPECT_EQ(replayed.steps, 4);
  EXPECT_THAT(replayed.lines, Contains(HasSubstr("try cancel alice -> refused (")));
  EXPECT_THAT(replayed.lines.back(), HasSubstr("subscription.updated"));  // the checkout went on
}

TEST(RunScenario, ARefusedStepWithoutTryStopsTheScenario) {
  const Replayed replayed = Replay("payer alice\ncancel alice\nadvance 1d\n");
  ASSERT_FALSE(replayed.status);
  EXPECT_THAT(replayed.status.error().message, HasSubstr("f:2: cancel alice: "));
  EXPECT_EQ(replayed.steps, 1);
}

TEST(RunScenario, SettleFinishesThePayersPendingChargesAsTheGatewaysNoticeWould) {
  const Replayed replayed = Replay(
      "payer alice\n"
      "card alice pm_card_sandboxPendingThenPaid\n"
      "subscribe alice pro no-trial\n"
      "settle alice\n"
      "try settle alice\n");
  ASSERT_TRUE(replayed.status) << replayed.status.error().message;
  const std::vector<std::string>& lines = replayed.lines;
  const auto settle = std::find(lines.begin(), lines.end(), "settle alice -> paid");
  ASSERT_NE(settle, lines.end()) << ::testing::PrintToString(lines);
  EXPECT_THAT(
      std::vector<std::string>(settle + 1, lines.end()),
      ElementsAre(HasSubstr("paymentAttempt.updated checkout paid"),
                  HasSubstr("subscriptionItem.active pro month active"),
                  HasSubstr("subscriptionItem.ended free"), HasSubstr("subscription.updated"),
                  HasSubstr("try settle alice -> refused (nothing_pending)")));
}

// The lines from the first one that starts with `step` on.
std::vector<std::string> From(const std::vector<std::string>& lines, std::string_view step) {
  const auto found = std::find_if(lines.begin(), lines.end(),
                                  [&](const std::string& line) { return line.starts_with(step); });
  return std::vector<std::string>(found, lines.end());
}

// p1 in a trial of pro, ending 2027-05-29 18:30, switches to business with `card`, whose
// charge the gateway answers pending.
std::string SwitchOutOfATrialAnsweredPending(const std::string& card) {
  return "start 2027-05-15T18:30Z\n"
         "payer p1\n"
         "card p1 pm_card_visa\n"
         "subscribe p1 pro\n"
         "card p1 " +
         card +
         "\n"
         "subscribe p1 business\n";
}

TEST(RunScenario, APendingCheckoutHoldsThePayersDueWorkWithoutFailingTheAdvance) {
  const Replayed replayed =
      Replay(SwitchOutOfATrialAnsweredPending("pm_card_sandboxPendingThenPaid") +
             "advance 14d\n"
             "settle p1\n"
             "advance 1d\n");
  ASSERT_TRUE(replayed.status) << replayed.status.error().message;
  // The trial's notices and end wait for the checkout; once it is paid the trial has given way,
  // and they do nothing.
  EXPECT_THAT(
      From(replayed.lines, "advance 14d"),
      ElementsAre("advance 14d -> to 2027-05-29 18:30, 0 pieces of due work ran",
                  "settle p1 -> paid", "  paymentAttempt.updated checkout paid $50.00",
                  "  subscriptionItem.active business month active, renews 2027-06-29 18:30",
                  "  subscriptionItem.ended pro month ended",
                  "  subscription.updated subscription active",
                  "advance 1d -> to 2027-05-30 18:30, 4 pieces of due work ran"));
}

TEST(RunScenario, WorkThatWaitedForADeclinedCheckoutRunsAtTheSettlementsInstant) {
  const Replayed replayed =
      Replay(SwitchOutOfATrialAnsweredPending("pm_card_sandboxPendingThenDeclined") +
             "advance 16d\n"  // past the trial's end
             "card p1 pm_card_visa\n"
             "settle p1\n"
             "advance 1d\n");
  ASSERT_TRUE(replayed.status) << replayed.status.error().message;
  // The trial goes on until the checkout is declined; then it converts, at that instant, and
  // pays for the period from the trial's end, which the payer had the plan for. The notices
  // of an end that has come are not sent.
  EXPECT_THAT(
      From(replayed.lines, "settle p1"),
      ElementsAre("settle p1 -> failed",
                  "  paymentAttempt.updated checkout failed $50.00: Your card was declined.",
                  "  subscriptionItem.incomplete business month incomplete",
                  "advance 1d -> to 2027-06-01 18:30, 4 pieces of due work ran",
                  "  paymentAttempt.created recurring pending $20.00",
                  "  paymentAttempt.updated recurring paid $20.00",
                  "  subscriptionItem.updated pro month active, renews 2027-06-29 18:30"));
  const std::vector<std::string> times(replayed.times.end() - 3, replayed.times.end());
  EXPECT_THAT(times, Each(Eq("2027-05-31 18:30")));  // not the trial's end, before the decline
}

TEST(RunScenario, ACheckoutPaidLateStartsThePlanAndItsPeriodWhenItIsPaid) {
  const Replayed replayed = Replay(
      "start 2028-02-29T23:00Z\n"
      "payer p2\n"
      "card p2 pm_card_sandboxPendingThenPaid\n"
      "subscribe p2 business\n"
      "advance 1d\n"
      "settle p2\n");
  ASSERT_TRUE(replayed.status) << replayed.status.error().message;
  // Free until 2028-03-01 23:00, business from then: a month from that instant is paid for.
  EXPECT_THAT(
      From(replayed.lines, "settle p2"),
      ElementsAre("settle p2 -> paid", "  paymentAttempt.updated checkout paid $50.00",
                  "  subscriptionItem.active business month active, renews 2028-04-01 23:00",
                  "  subscriptionItem.ended free month ended",
                  "  subscription.updated subscription active"));
}

}  // namespace
}  // namespace recur::scenario_test
