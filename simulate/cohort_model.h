// What a cohort simulation (`recur simulate cohort`) assumes: how many payers arrive and over
// how long, which plans they pick, the trial designs compared, and how payers behave, each as a
// probability with a default whose source is stated (Assumptions()). Parsing the command's
// option texts lives here too. Pure.
//
// How payers behave, decided per payer from the seed alone (so every design sees the same
// payers, the same arrival times and the same draws, and only the design differs):
// - A payer arrives, picks a plan from the mix and starts its trial (with a card when the design
//   asks for one up front).
// - It converts with the design's conversion probability. With a card up front a payer who
//   will not convert cancels at a random time in the trial; without one, a payer who will
//   convert adds a card at a random time in the trial, and one who will not either cancels
//   (trial_cancel) or lets the trial lapse to the free plan.
// - A paying payer cancels in each month with probability monthly_churn (at a random time in
//   that month; the item runs to its period end).
// - Each charge on a payer's card is declined with probability payment_failure; a payer whose
//   item goes past due adds a working card during dunning with probability recovery, at a
//   random time before the last retry, else dunning ends the item (involuntary churn).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "domain/period/billing_period.h"
#include "simulate/cohort_report.h"

namespace recur {

struct TrialDesign {
  std::string name;  // e.g. "14d-card"
  int trial_days = 14;
  bool card_up_front = true;
  double conversion = 0.49;         // share of trials that convert
  std::string Description() const;  // "14-day trial, card up front, 49% convert"
};

struct MixedPlan {
  std::string plan;  // slug
  BillingInterval interval = BillingInterval::kMonth;
  double weight = 1;  // relative
};

struct CohortModel {
  std::int64_t payers = 10000;
  int days = 180;
  int arrival_days = 0;  // payers arrive evenly over this many days; 0: all `days`
  std::uint64_t seed = 1;
  Instant start;
  std::vector<MixedPlan> mix;
  std::vector<TrialDesign> designs;
  double trial_cancel = 0.3;
  double monthly_churn = 0.05;
  double payment_failure = 0.05;
  double recovery = 0.5;
  std::vector<int> report_days;  // days reported as columns (each 1..days)

  // The defaults: the four designs (7 or 14 days, with or without a card), a mix of pro
  // (monthly and annual) and business, days 30, 90 and the last reported.
  static CohortModel Defaults();
  int ArrivalDays() const { return arrival_days > 0 ? arrival_days : days; }
};

// Opt-out (card up front) and opt-in (no card) trial-to-paid conversion by default.
inline constexpr double kCardUpFrontConversion = 0.49;
inline constexpr double kCardlessConversion = 0.18;

// "days=14,card=yes[,conversion=0.49][,name=...]"; the name defaults to "14d-card" /
// "14d-nocard", the conversion to the card's default.
Result<TrialDesign> ParseTrialDesign(std::string_view text);
// "pro:0.7,pro/annual:0.1,business:0.2": plan[/month|/annual]:weight, weights > 0.
Result<std::vector<MixedPlan>> ParsePlanMix(std::string_view text);
// "180": a whole number from `low` to `high`; `what` names it in the message.
Result<std::int64_t> ParseWholeNumber(std::string_view text, std::string_view what,
                                      std::int64_t low, std::int64_t high);
// "0.05": a probability from 0 to 1; `name` names it in the message.
Result<double> ParseProbability(std::string_view text, std::string_view name);
// "30,90,180": increasing days, each from 1 to `days`.
Result<std::vector<int>> ParseReportDays(std::string_view text, int days);

// The model's assumptions for the report: each value as used, what it means and its source.
std::vector<CohortAssumption> Assumptions(const CohortModel& model);

}  // namespace recur
