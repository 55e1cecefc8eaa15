// The one rule of every take-over of a lease on PostgreSQL, shared by due work, webhook
// deliveries and idempotency claims, and by nothing else: a lease held by `owner` until
// `lease_until` (SQL expressions: a text and a bigint of Unix milliseconds) is over when it
// lapsed by the database's clock (NULL: no lease), or at once when its owner is a dead node:
// registered in `nodes` and its lock not held (schema/postgres/0011, pg_node_liveness.h). An
// owner that is no registered node lapses by time alone. PostgreSQL reads the dead nodes once
// per statement that asks, and only for a lease that has not lapsed by time. Pure.
#pragma once

#include <string>
#include <string_view>

namespace recur {

// The database's clock now, in the schema's bigint Unix milliseconds: what leases are timed by,
// the same for every node whatever its own clock says.
inline constexpr std::string_view kPgDatabaseNow =
    "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

// A boolean SQL expression: whether the lease is over.
inline std::string LeaseLapsedSql(std::string_view owner, std::string_view lease_until) {
  const std::string until(lease_until);
  return "(" + until + " IS NULL OR " + until + " <= " + std::string(kPgDatabaseNow) + " OR " +
         std::string(owner) + " IN (SELECT node_id FROM recur_dead_nodes))";
}

}  // namespace recur
