#include "domain/events/plan_json.h"

#include "base/money.h"
#include "domain/catalog/plan_file.h"

namespace recur {
namespace {

using nlohmann::json;

json FeatureJson(const PlanFeature& feature) {
  return {{"slug", feature.slug},
          {"name", feature.name},
          {"description", feature.description},
          {"limit", FeatureLimitJson(feature.limit)}};
}

json Formatted(std::optional<std::int64_t> amount, const Currency& currency) {
  return amount ? json(FormatMoney(*amount, currency)) : json(nullptr);
}

json OrNull(std::optional<std::int64_t> amount) { return amount ? json(*amount) : json(nullptr); }

}  // namespace

std::optional<std::int64_t> AnnualMonthlyAmount(std::optional<std::int64_t> annual_amount) {
  if (!annual_amount) return std::nullopt;
  return (*annual_amount + 6) / 12;
}

json PlanJson(const CatalogPlan& plan, const PlanVersion& price) {
  const PlanDefinition& definition = plan.definition;
  // Stored currencies were validated when the plan was defined.
  const Currency currency =
      FindCurrency(price.currency).value_or(Currency{price.currency, 2, price.currency});
  const std::optional<std::int64_t> annual_monthly = AnnualMonthlyAmount(price.annual_amount);
  json features = json::array();
  for (const PlanFeature& feature : definition.features) features.push_back(FeatureJson(feature));
  return {
      {"object", "plan"},
      {"id", price.id},
      {"slug", definition.slug},
      {"version", price.version},
      {"name", definition.name},
      {"description", definition.description},
      {"payer_type", PayerTypeName(definition.payer_type)},
      {"is_default", definition.is_default},
      {"is_recurring", price.amount > 0},
      {"publicly_visible", definition.publicly_visible},
      {"archived", plan.archived_at.has_value()},
      {"period", "month"},
      {"interval", 1},
      {"amount", price.amount},
      {"amount_formatted", FormatMoney(price.amount, currency)},
      {"annual_amount", OrNull(price.annual_amount)},
      {"annual_amount_formatted", Formatted(price.annual_amount, currency)},
      {"annual_monthly_amount", OrNull(annual_monthly)},
      {"annual_monthly_amount_formatted", Formatted(annual_monthly, currency)},
      {"currency", price.currency},
      {"currency_symbol", currency.symbol},
      {"free_trial_enabled", definition.HasTrial()},
      {"free_trial_days", definition.free_trial_days},
      {"free_trial_requires_payment_method",
       definition.HasTrial() && definition.free_trial_requires_payment_method},
      {"features", std::move(features)},
  };
}

}  // namespace recur
