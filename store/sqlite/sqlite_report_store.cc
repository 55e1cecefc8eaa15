// SqliteStore's ReportStore half.
#include <SQLiteCpp/Statement.h>

#include "store/account_rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"

namespace recur {

Result<OverviewRows> SqliteStore::OverviewRowsSince(Instant since,
                                                    const std::optional<std::string>& clock_id) {
  return connections_->Read({"reading the overview's rows"}, [&](SQLite::Database& db) {
    OverviewRows rows;
    // The earliest paid attempt is found through one_paid_attempt_per_period, whose rows are
    // exactly the item's paid attempts.
    StatementLease items = Prepared(
        db,
        "SELECT i.payer_id, i.status, i.is_free_trial, i.amount, i.interval, i.currency, "
        "i.trial_end, i.ended_at, (SELECT MIN(a.paid_at) FROM payment_attempts a "
        "WHERE a.item_id = i.id AND a.status = 'paid') "
        "FROM subscription_items i JOIN payers p ON p.id = i.payer_id "
        "WHERE p.test_clock_id IS ? AND i.status NOT IN ('incomplete', 'abandoned', 'upcoming') "
        "AND (i.amount > 0 OR i.trial_end IS NOT NULL) AND (i.ended_at IS NULL OR i.ended_at >= ?)",
        clock_id, since);
    while (items->executeStep()) {
      RevenueItem item;
      item.payer_id = items->getColumn(0).getString();
      item.status = ParsedColumn(ParseItemStatus(items->getColumn(1).getString()), "item status");
      item.is_free_trial = items->getColumn(2).getInt() != 0;
      item.amount = items->getColumn(3).getInt64();
      item.interval = ParsedColumn(ParseInterval(items->getColumn(4).getString()), "interval");
      item.currency = items->getColumn(5).getString();
      item.trial_end = OptionalInstant(items->getColumn(6));
      item.ended_at = OptionalInstant(items->getColumn(7));
      item.first_paid_at = OptionalInstant(items->getColumn(8));
      rows.items.push_back(std::move(item));
    }
    StatementLease payers =
        Prepared(db, "SELECT created_at FROM payers WHERE test_clock_id IS ? AND created_at >= ?",
                 clock_id, since);
    while (payers->executeStep()) rows.payers_created.push_back(InstantOf(payers->getColumn(0)));
    return rows;
  });
}

}  // namespace recur
