// An account's items and attempts as rows of columns, alike for every SQL backend: which column
// holds which field, instants as Unix milliseconds, booleans as 1 and 0, enums by their names,
// and the columns a reader selects.
// A backend writes these (store/sqlite/row_writes.h, store/postgres/postgres_row_writes.h) and
// reads them back in its own way. ChangedColumns says which columns an update must set: only
// those that differ, so an update rewrites no index on a column it does not change. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "domain/subscriptions/account.h"

namespace recur {

// The columns of an item and of an attempt as the backends' readers take them, in this order.
inline constexpr const char* kItemReadColumns =
    "id, plan_slug, plan_version_id, interval, status, is_free_trial, amount, currency, "
    "created_at, anchor, period_start, period_end, trial_end, canceled_at, ended_at, "
    "past_due_at, dunning_retries";
inline constexpr const char* kAttemptReadColumns =
    "id, item_id, purpose, status, amount, currency, proration_credit, payment_method_id, "
    "period_start, period_end, idempotency_key, gateway_charge_id, failed_reason, created_at, "
    "updated_at, paid_at, failed_at, failed_code, statement_id, credited_period_start, "
    "credited_period_end";

// A stored name parsed into the domain's enum (ParseItemStatus and the like); throws
// std::runtime_error, which a backend's read turns into an error, for a name the domain does
// not know.
template <typename T>
T ParsedColumn(std::optional<T> value, std::string_view what) {
  if (!value) throw std::runtime_error("unreadable " + std::string(what) + " in the database");
  return *value;
}

// A column's value; monostate is NULL.
using SqlValue = std::variant<std::monostate, std::int64_t, std::string>;

struct Column {
  std::string_view name;
  SqlValue value;
};

// Unix milliseconds, or NULL for none.
SqlValue MillisValue(Instant instant);
SqlValue MillisValue(const std::optional<Instant>& instant);

// The columns of the subscription_items and payment_attempts rows (all but id).
std::vector<Column> ItemColumns(const std::string& payer_id, const SubscriptionItem& item);
std::vector<Column> AttemptColumns(const std::string& payer_id, const PaymentAttempt& attempt);

// The columns of `after` whose values differ from `before`'s. Both lists name the same columns
// in the same order; throws std::runtime_error when they do not.
std::vector<const Column*> ChangedColumns(const std::vector<Column>& before,
                                          const std::vector<Column>& after);

}  // namespace recur
