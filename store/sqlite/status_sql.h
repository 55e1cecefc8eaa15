// The domain's item-status rules as SQL, so that queries and the schema say what
// domain/subscriptions/account.h says. The schema's partial unique index one_current_item
// (schema/sqlite/0002_billing.sql) must list the same statuses: sqlite_store_test.cc checks it,
// since a migration, once applied, cannot follow a change here.
#pragma once

#include <string>

namespace recur {

// The current statuses (IsCurrentStatus) as a SQL list: "('active', 'past_due', 'canceled')".
std::string CurrentStatusesSql();

}  // namespace recur
