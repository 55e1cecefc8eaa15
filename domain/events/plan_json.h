// The API's JSON for a plan, in the shape of Clerk's billing plan (BillingPlan): id (the
// current price version), slug, name, description, payer_type, is_default, is_recurring,
// publicly_visible, amount, annual_amount, annual_monthly_amount, currency, free trial fields
// and features [{slug, name, description, limit}], plus formatted amounts for display.
// annual_monthly_amount is annual_amount / 12 rounded half up to a minor unit.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "domain/catalog/catalog.h"

namespace recur {

std::optional<std::int64_t> AnnualMonthlyAmount(std::optional<std::int64_t> annual_amount);

nlohmann::json PlanJson(const CatalogPlan& plan, const PlanVersion& price);

}  // namespace recur
