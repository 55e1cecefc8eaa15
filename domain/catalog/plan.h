// The plan catalog's vocabulary: what a plan file defines, once parsed and validated.
// Plain values with no behaviour beyond small derived facts; the rules that make a definition
// valid live in plan_file.h (one file) and catalog_rules.h (the whole catalog).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recur {

enum class PayerType { kUser, kOrg };

std::string_view PayerTypeName(PayerType type);             // "user" | "org"
std::optional<PayerType> ParsePayerType(std::string_view);  // exact names only

// A feature on a plan is either a flag (present means allowed), a numeric limit, or unlimited.
struct FeatureLimit {
  enum class Kind { kFlag, kLimited, kUnlimited };
  Kind kind = Kind::kFlag;
  std::int64_t limit = 0;  // meaningful only for kLimited; always >= 1 there

  static FeatureLimit Flag() { return {Kind::kFlag, 0}; }
  static FeatureLimit Limited(std::int64_t n) { return {Kind::kLimited, n}; }
  static FeatureLimit Unlimited() { return {Kind::kUnlimited, 0}; }
  friend bool operator==(const FeatureLimit&, const FeatureLimit&) = default;
};

struct PlanFeature {
  std::string slug;
  std::string name;
  std::string description;
  FeatureLimit limit;
  friend bool operator==(const PlanFeature&, const PlanFeature&) = default;
};

// The default trial-ending notice: three days before the trial ends.
inline constexpr std::chrono::hours kDefaultTrialEndingNotice{72};

struct PlanDefinition {
  std::string slug;
  std::string name;
  std::string description;
  PayerType payer_type = PayerType::kUser;
  bool is_default = false;
  bool publicly_visible = true;
  std::int64_t amount = 0;                    // monthly price, minor units
  std::optional<std::int64_t> annual_amount;  // yearly price, minor units; none = monthly only
  std::string currency;                       // ISO 4217 code
  int free_trial_days = 0;                    // 0 = no trial
  bool free_trial_requires_payment_method = true;
  // Lead times before trial end at which a trial-ending notice goes out, longest first.
  std::vector<std::chrono::hours> trial_ending_notices{kDefaultTrialEndingNotice};
  std::vector<PlanFeature> features;

  bool IsFree() const { return amount == 0 && !annual_amount.has_value(); }
  bool HasTrial() const { return free_trial_days > 0; }
  friend bool operator==(const PlanDefinition&, const PlanDefinition&) = default;
};

// A definition together with where it was read from, for messages.
struct PlanSource {
  PlanDefinition plan;
  std::string file;         // as given by the user, e.g. "plans/pro.json"
  std::string json_prefix;  // "" for a one-plan file, "plans[2]" inside a catalog file
};

}  // namespace recur
