#include "simulate/cohort_model.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "domain/subscriptions/account.h"
#include "simulate/scenario.h"

namespace recur {
namespace {

constexpr int kMaxTrialDays = 365;  // as plan files allow

// Splits "a,b,c" (no empty parts).
std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

Result<double> ParseNumber(std::string_view text, std::string_view what) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_number",
                     std::string(what) + " must be a number, got \"" + std::string(text) + "\"");
  }
  return value;
}

std::string Percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f%%", share * 100);
  return text;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

std::string TrialDesign::Description() const {
  return std::to_string(trial_days) + "-day trial, " +
         (card_up_front ? "card up front" : "no card up front") + ", " + Percent(conversion) +
         " convert";
}

CohortModel CohortModel::Defaults() {
  CohortModel model;
  model.start = DefaultScenarioStart();
  model.mix = {{"pro", BillingInterval::kMonth, 0.7},
               {"pro", BillingInterval::kAnnual, 0.1},
               {"business", BillingInterval::kMonth, 0.2}};
  for (int days : {14, 7}) {
    for (bool card : {true, false}) {
      model.designs.push_back({std::to_string(days) + "d-" + (card ? "card" : "nocard"), days, card,
                               card ? kCardUpFrontConversion : kCardlessConversion});
    }
  }
  model.report_days = {30, 90, 180};
  return model;
}

Result<TrialDesign> ParseTrialDesign(std::string_view text) {
  TrialDesign design;
  bool named = false, converts = false, has_days = false, has_card = false;
  auto bad = [&](std::string why) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_design",
                     "the trial design \"" + std::string(text) + "\": " + why +
                         " (expected days=N,card=yes|no[,conversion=P][,name=NAME])",
                     "design");
  };
  for (std::string_view part : Split(text, ',')) {
    const std::size_t equals = part.find('=');
    if (equals == std::string_view::npos)
      return bad("\"" + std::string(part) + "\" is not key=value");
    const std::string_view key = part.substr(0, equals), value = part.substr(equals + 1);
    if (key == "days") {
      auto days = ParseWholeNumber(value, "days", 1, kMaxTrialDays);
      if (!days) return bad(days.error().message);
      design.trial_days = static_cast<int>(*days);
      has_days = true;
    } else if (key == "card") {
      if (value != "yes" && value != "no") return bad("card must be yes or no");
      design.card_up_front = value == "yes";
      has_card = true;
    } else if (key == "conversion") {
      auto share = ParseProbability(value, "conversion");
      if (!share) return bad(share.error().message);
      design.conversion = *share;
      converts = true;
    } else if (key == "name") {
      if (value.empty() || value.size() > 40) return bad("name must be 1 to 40 characters");
      design.name = value;
      named = true;
    } else {
      return bad("unknown key \"" + std::string(key) + "\"");
    }
  }
  if (!has_days || !has_card) return bad("days and card are required");
  if (!converts)
    design.conversion = design.card_up_front ? kCardUpFrontConversion : kCardlessConversion;
  if (!named) {
    design.name =
        std::to_string(design.trial_days) + "d-" + (design.card_up_front ? "card" : "nocard");
  }
  return design;
}

Result<std::vector<MixedPlan>> ParsePlanMix(std::string_view text) {
  std::vector<MixedPlan> mix;
  for (std::string_view part : Split(text, ',')) {
    auto bad = [&](std::string why) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_mix",
                       "the plan mix entry \"" + std::string(part) + "\": " + why +
                           " (expected plan[/month|/annual]:weight, like pro:0.7,pro/annual:0.3)",
                       "mix");
    };
    const std::size_t colon = part.rfind(':');
    if (colon == std::string_view::npos) return bad("no weight");
    MixedPlan choice;
    std::string_view plan = part.substr(0, colon);
    if (const std::size_t slash = plan.find('/'); slash != std::string_view::npos) {
      auto interval = ParseInterval(plan.substr(slash + 1));
      if (!interval) return bad("the interval must be month or annual");
      choice.interval = *interval;
      plan = plan.substr(0, slash);
    }
    if (plan.empty()) return bad("no plan");
    choice.plan = plan;
    auto weight = ParseNumber(part.substr(colon + 1), "the weight");
    if (!weight || *weight <= 0) return bad("the weight must be a number above 0");
    choice.weight = *weight;
    mix.push_back(std::move(choice));
  }
  return mix;
}

Result<std::int64_t> ParseWholeNumber(std::string_view text, std::string_view what,
                                      std::int64_t low, std::int64_t high) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_number",
                     std::string(what) + " must be a whole number from " + std::to_string(low) +
                         " to " + std::to_string(high) + ", got \"" + std::string(text) + "\"");
  }
  return value;
}

Result<double> ParseProbability(std::string_view text, std::string_view name) {
  auto value = ParseNumber(text, name);
  if (!value || *value < 0 || *value > 1) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_probability",
                     std::string(name) + " must be a probability from 0 to 1, like 0.05, got \"" +
                         std::string(text) + "\"",
                     std::string(name));
  }
  return *value;
}

Result<std::vector<int>> ParseReportDays(std::string_view text, int days) {
  std::vector<int> report;
  for (std::string_view part : Split(text, ',')) {
    auto day = ParseWholeNumber(part, "each report day", 1, days);
    if (!day) return std::unexpected(day.error());
    if (!report.empty() && *day <= report.back()) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_report_days",
                       "the report days must be increasing, like 30,90,180", "report_days");
    }
    report.push_back(static_cast<int>(*day));
  }
  return report;
}

std::vector<CohortAssumption> Assumptions(const CohortModel& model) {
  constexpr const char* kClerkArticle =
      "Clerk, \"Introducing Free Trials in Clerk Billing\" (2025-09-02), citing Userpilot's SaaS "
      "benchmarks: opt-out trials (card up front) convert at nearly 49%, opt-in trials at around "
      "18%";
  constexpr const char* kNoSource =
      "an assumption with no source in this project; replace it with your own figure";
  std::string mix;
  for (const MixedPlan& choice : model.mix) {
    mix += (mix.empty() ? "" : ", ") + choice.plan + "/" +
           std::string(IntervalName(choice.interval)) + " " + Number(choice.weight);
  }
  std::vector<CohortAssumption> assumptions = {
      {"payers", std::to_string(model.payers), "synthetic payers arriving", "the --payers option"},
      {"arrival", "evenly over " + std::to_string(model.ArrivalDays()) + " days",
       "payers start their trials at this steady rate, at random times of day",
       "the --arrival-days option"},
      {"mix", mix, "the plans and intervals payers pick, by relative weight",
       "the --mix option; the default is " + std::string(kNoSource)},
  };
  assumptions.push_back({"conversion",
                         "card up front " + Number(kCardUpFrontConversion) + ", no card " +
                             Number(kCardlessConversion),
                         "the share of trials that convert, for a design that does not say",
                         kClerkArticle});
  assumptions.push_back({"trial length", "7 and 14 days", "the trial lengths compared by default",
                         "the same article recommends testing 7 to 14 days. No source gives how "
                         "length changes conversion, so by default it does not: the difference "
                         "shown is one of timing (set conversion= per design to test a belief)"});
  for (const TrialDesign& design : model.designs) {
    assumptions.push_back({"design " + design.name, design.Description(),
                           "the trial every plan of the mix gets in this design",
                           "the --design option, or the defaults above"});
  }
  assumptions.push_back({"trial_cancel", Number(model.trial_cancel),
                         "of the payers without a card who will not convert, the share who cancel "
                         "the trial instead of letting it lapse",
                         kNoSource});
  assumptions.push_back({"monthly_churn", Number(model.monthly_churn),
                         "the chance a paying payer cancels in each month", kNoSource});
  assumptions.push_back({"payment_failure", Number(model.payment_failure),
                         "the chance each charge on a payer's card is declined", kNoSource});
  assumptions.push_back({"recovery", Number(model.recovery),
                         "the chance a payer whose charge failed adds a working card before "
                         "dunning gives up",
                         kNoSource});
  return assumptions;
}

}  // namespace recur
