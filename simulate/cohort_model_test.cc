#include "simulate/cohort_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "simulate/cohort_gateway.h"
#include "simulate/draws.h"

namespace recur::cohort_model_test {
namespace {

using ::testing::HasSubstr;

TEST(TrialDesignText, DefaultsTheNameAndTheConversionByCard) {
  auto card = ParseTrialDesign("days=14,card=yes");
  ASSERT_TRUE(card) << card.error().message;
  EXPECT_EQ(card->name, "14d-card");
  EXPECT_EQ(card->conversion, kCardUpFrontConversion);
  auto cardless = ParseTrialDesign("card=no,days=7,conversion=0.25,name=short");
  ASSERT_TRUE(cardless) << cardless.error().message;
  EXPECT_EQ(cardless->name, "short");
  EXPECT_EQ(cardless->trial_days, 7);
  EXPECT_FALSE(cardless->card_up_front);
  EXPECT_EQ(cardless->conversion, 0.25);
  EXPECT_EQ(cardless->Description(), "7-day trial, no card up front, 25% convert");
}

TEST(TrialDesignText, RefusesWhatItCannotRead) {
  EXPECT_THAT(ParseTrialDesign("days=14").error().message, HasSubstr("days and card are required"));
  EXPECT_THAT(ParseTrialDesign("days=366,card=yes").error().message,
              HasSubstr("days must be a whole number from 1 to 365"));
  EXPECT_THAT(ParseTrialDesign("days=7,card=maybe").error().message,
              HasSubstr("card must be yes or no"));
  EXPECT_THAT(ParseTrialDesign("days=7,card=yes,conversion=2").error().message,
              HasSubstr("conversion must be a probability from 0 to 1"));
  EXPECT_THAT(ParseTrialDesign("days=7,card=yes,color=red").error().message,
              HasSubstr("unknown key \"color\""));
}

TEST(PlanMixText, ReadsPlansIntervalsAndWeights) {
  auto mix = ParsePlanMix("pro:0.7,pro/annual:0.1,business/month:2");
  ASSERT_TRUE(mix) << mix.error().message;
  ASSERT_EQ(mix->size(), 3u);
  EXPECT_EQ((*mix)[1].plan, "pro");
  EXPECT_EQ((*mix)[1].interval, BillingInterval::kAnnual);
  EXPECT_EQ((*mix)[2].weight, 2);
  EXPECT_FALSE(ParsePlanMix("pro"));
  EXPECT_FALSE(ParsePlanMix("pro:0"));
  EXPECT_FALSE(ParsePlanMix("pro/weekly:1"));
  EXPECT_FALSE(ParsePlanMix(":1"));
}

TEST(ReportDaysText, MustIncreaseWithinTheSimulation) {
  EXPECT_EQ(ParseReportDays("30,90,180", 180), (std::vector<int>{30, 90, 180}));
  EXPECT_FALSE(ParseReportDays("30,181", 180));
  EXPECT_FALSE(ParseReportDays("90,30", 180));
  EXPECT_FALSE(ParseReportDays("0", 180));
}

TEST(Draws, DependOnlyOnSeedAndKeysAndLookUniform) {
  EXPECT_EQ(Draw(1, {2, 3}), Draw(1, {2, 3}));
  EXPECT_NE(Draw(1, {2, 3}), Draw(1, {3, 2}));
  EXPECT_NE(Draw(1, {2, 3}), Draw(2, {2, 3}));
  int below_tenth = 0;
  for (std::uint64_t i = 0; i < 100000; ++i) {
    const double u = Draw(9, {i});
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    if (u < 0.1) ++below_tenth;
  }
  EXPECT_NEAR(below_tenth, 10000, 400);  // about 4 standard deviations
}

TEST(CohortGateway, DeclinesAtTheRateAskedAndRetriesOfAPeriodShareTheOutcome) {
  CohortGateway gateway(5, 0.2);
  const std::string customer = gateway.EnsureCustomer({"cpayer_1", "u@example.com", ""}).value();
  int declined = 0;
  for (int payer = 0; payer < 5000; ++payer) {
    const std::string key = "csub_item_x:1800000000000";
    auto first = gateway.Charge({customer, CohortGateway::CardToken(payer), 2000, "USD", key, ""});
    ASSERT_TRUE(first);
    auto retry = gateway.Charge(
        {customer, CohortGateway::CardToken(payer), 2000, "USD", key + ":retry1", ""});
    ASSERT_TRUE(retry);
    EXPECT_EQ(first->status, retry->status);
    if (first->status == ChargeStatus::kDeclined) {
      ++declined;
      EXPECT_EQ(first->code, "card_declined");
      auto replaced = gateway.Charge(
          {customer, CohortGateway::ReplacementToken(payer), 2000, "USD", key + ":retry2", ""});
      ASSERT_TRUE(replaced);
      EXPECT_EQ(replaced->status, ChargeStatus::kPaid);
    }
  }
  EXPECT_NEAR(declined, 1000, 120);
  EXPECT_FALSE(gateway.Attach({customer, "pm_card_visa"}));
  EXPECT_FALSE(gateway.Charge({customer, "pm_card_visa", 2000, "USD", "k:1", ""}));
}

}  // namespace
}  // namespace recur::cohort_model_test
