// PostgresStore's ReportStore half.
#include "store/account_rows.h"
#include "store/postgres/pg_params.h"
#include "store/postgres/postgres_store.h"

namespace recur {

Result<OverviewRows> PostgresStore::OverviewRowsSince(Instant since,
                                                      const std::optional<std::string>& clock_id) {
  const Doing doing{"reading the overview's rows"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    OverviewRows rows;
    // The earliest paid attempt is found through one_paid_attempt_per_period, whose rows are
    // exactly the item's paid attempts.
    const PgResult items = Required(connection.Exec(
        doing,
        "SELECT i.payer_id, i.status, i.is_free_trial, i.amount, i.interval, i.currency, "
        "i.trial_end, i.ended_at, (SELECT MIN(a.paid_at) FROM payment_attempts a "
        "WHERE a.item_id = i.id AND a.status = 'paid') "
        "FROM subscription_items i JOIN payers p ON p.id = i.payer_id "
        "WHERE p.test_clock_id IS NOT DISTINCT FROM $1 "
        "AND i.status NOT IN ('incomplete', 'abandoned', 'upcoming') "
        "AND (i.amount > 0 OR i.trial_end IS NOT NULL) AND (i.ended_at IS NULL OR i.ended_at >= "
        "$2)",
        PgParams().Add(clock_id).Add(since)));
    for (int row = 0; row < items.rows(); ++row) {
      RevenueItem item;
      item.payer_id = items.Text(row, 0);
      item.status = ParsedColumn(ParseItemStatus(items.Text(row, 1)), "item status");
      item.is_free_trial = items.Bool(row, 2);
      item.amount = items.Int64(row, 3);
      item.interval = ParsedColumn(ParseInterval(items.Text(row, 4)), "interval");
      item.currency = items.Text(row, 5);
      item.trial_end = items.OptionalInstant(row, 6);
      item.ended_at = items.OptionalInstant(row, 7);
      item.first_paid_at = items.OptionalInstant(row, 8);
      rows.items.push_back(std::move(item));
    }
    const PgResult payers = Required(
        connection.Exec(doing,
                        "SELECT created_at FROM payers WHERE test_clock_id IS NOT DISTINCT FROM $1 "
                        "AND created_at >= $2",
                        PgParams().Add(clock_id).Add(since)));
    for (int row = 0; row < payers.rows(); ++row) {
      rows.payers_created.push_back(payers.InstantAt(row, 0));
    }
    return rows;
  });
}

}  // namespace recur
