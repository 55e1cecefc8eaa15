// An account's items and attempts as rows of columns, alike for every SQL backend: which column
// holds which field, instants as Unix milliseconds, booleans as 1 and 0, enums by their names.
// A backend writes these (store/sqlite/row_writes.h, store/postgres/postgres_row_writes.h) and
// reads them back in its own way. ChangedColumns says which columns an update must set: only
// those that differ, so an update rewrites no index on a column it does not change. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "domain/subscriptions/account.h"

namespace recur {

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
