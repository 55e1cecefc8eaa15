// How many payment attempts a payer's own actions may make (docs/operating.md, "Abuse limits"):
// `per_payer` (a budget of attempts refilled at that rate, rate_limiter.h), counted when an
// action asks the gateway for a charge (a subscribe that buys a plan or upgrades, for one), so
// that a declining card cannot be tried without end. Over the limit, the action is refused with
// rate_limited and the time to wait, before anything is stored or the gateway is called.
// The engine's own charges (renewals, trial conversions, dunning retries, test clock advances)
// are not counted: their schedule is the engine's, not a client's.
// The counts are kept in this process's memory, for at most `max_payers` payers (the least
// recently charged forgotten first), and start again when the server restarts; servers sharing
// a database would each count on their own. Time is the injected clock's.
// Thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/clock.h"
#include "base/error.h"
#include "base/rate.h"
#include "base/rate_limiter.h"

namespace recur {

class PaymentAttemptLimit {
 public:
  PaymentAttemptLimit(Rate per_payer, const Clock& clock, std::size_t max_payers = 100'000);

  // Spends one of the payer's attempts; a rate_limited error naming the limit and the wait
  // when there is none left.
  Status Take(std::string_view payer_id);

 private:
  const Clock& clock_;
  RateLimiter attempts_;
};

}  // namespace recur
