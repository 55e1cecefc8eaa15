// Due work that waits for a checkout. While a payer has a checkout the gateway has not decided
// (Account::HasPendingCheckout), its outcome decides what the payer's due work must do, so
// DueWorkUntil hands out none of that payer's work. The change that settles the checkout
// releases it: the work that fell due meanwhile is moved to the instant of the settlement, so
// it runs after it and the payer's events never go back in time (account_store.h, step 5 of a
// SaveTransition). This is the rule every backend applies, worked out from a transition's
// changes (account_changes.h), and, for the statements that hand work out, a condition in SQL
// that SQLite and PostgreSQL both run. Pure.
#pragma once

#include <optional>

#include "base/clock.h"
#include "store/account_changes.h"

namespace recur {

// The instant a checkout of the payer was settled by these changes (the attempt's updated_at),
// or none when they settle no checkout.
std::optional<Instant> WaitingWorkReleasedAt(const AccountChanges& changes);

// Of a row of due_work: its payer has no checkout pending, so its work is handed out.
inline constexpr const char* kNotWaitingForACheckoutSql =
    "NOT EXISTS (SELECT 1 FROM payment_attempts p WHERE p.payer_id = due_work.payer_id AND "
    "p.status = 'pending' AND p.purpose = 'checkout')";

}  // namespace recur
