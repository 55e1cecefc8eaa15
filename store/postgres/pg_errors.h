// What a PostgreSQL failure becomes, alike for every statement of the PostgreSQL store, and
// matching what the SQLite store makes of SQLite's (store_errors.h names the kinds):
//  - a unique key taken (SQLSTATE 23505): "conflict" (kAlreadyExists);
//  - a serialization failure or a deadlock (40001, 40P01): "concurrent_change" (kAborted);
//  - a statement past its timeout (57014): "storage_timeout" (kUnavailable);
//  - a change made for an idempotency key whose claim is no longer this node's (kClaimLapsed,
//    raised by the fence of schema/postgres/0009): "idempotency_claim_lapsed" (kUnavailable: a
//    retry with the same key gets the answer of the node that took the request over);
//  - the server gone, starting or shutting down, or out of connections (class 08, 57P01-57P03,
//    class 53, no SQLSTATE at all): "unavailable" (kUnavailable): retrying later may work;
//  - anything else: "storage_error" (kUnavailable), saying what was being done.
// Pure.
#pragma once

#include <string_view>

#include "base/error.h"
#include "store/doing.h"

namespace recur {

// The SQLSTATE the fence of a keyed change raises when the key's claim is over.
inline constexpr std::string_view kClaimLapsedSqlstate = "RC001";

// `sqlstate` is empty when the failure came from libpq, not the server (a lost connection).
[[nodiscard]] Error PostgresFailure(const Doing& doing, std::string_view sqlstate,
                                    std::string_view message);

}  // namespace recur
