// The errors the store contracts name (account_store.h and the others), made alike by every
// backend, so that callers act on the same kind and code whichever store they run on:
//  - "conflict" (kAlreadyExists): the change would take a unique key that is taken (an id, a
//    payer's external id, an attempt's idempotency key, a second paid attempt for one period,
//    a second current or upcoming item); retrying the same change fails again;
//  - "concurrent_change" (kAborted): another writer changed the thing since it was read; read
//    it again and retry;
//  - "work_already_done" (kAborted): another runner applied the due work first;
//  - "work_lease_lost" (kAborted): the due work's lease is no longer the caller's (another node
//    may hold it now); apply nothing of it.
//  - "attempt_lease_lost" (kAborted): another store holds the pending attempt the change
//    settles, and is settling it; settle nothing of it.
//  - "gateway_event_applied" (kAborted): the gateway message the change applies
//    (gateway_event_scope.h) was applied already; the change was not stored.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/error.h"

namespace recur {

// `what` says which key is taken, in the backend's words.
[[nodiscard]] std::unexpected<Error> Conflict(std::string_view what);
[[nodiscard]] std::unexpected<Error> ConcurrentChange(std::string_view what_changed);
[[nodiscard]] std::unexpected<Error> WorkAlreadyDone(std::int64_t work_id);
[[nodiscard]] std::unexpected<Error> WorkLeaseLost(std::int64_t work_id);
[[nodiscard]] std::unexpected<Error> AttemptLeaseLost(std::string_view attempt_id);
[[nodiscard]] std::unexpected<Error> GatewayEventAlreadyApplied(std::string_view event_id);

}  // namespace recur
