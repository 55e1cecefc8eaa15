#include "services/billing/payment_attempt_limit.h"

#include <chrono>
#include <string>

namespace recur {

PaymentAttemptLimit::PaymentAttemptLimit(Rate per_payer, const Clock& clock, std::size_t max_payers)
    : clock_(clock), attempts_(per_payer, max_payers) {}

Status PaymentAttemptLimit::Take(std::string_view payer_id) {
  auto wait = attempts_.Take(payer_id, clock_.Now());
  if (!wait) return Ok();
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(*wait);
  Error error{ErrorKind::kRateLimited, "rate_limited",
              "payer " + std::string(payer_id) +
                  " has used up its payment attempts: the limit is " +
                  FormatRate(attempts_.rate()) + " per payer; retry in " +
                  std::to_string(seconds.count()) + " s",
              "payer_id"};
  error.retry_after = seconds;
  return std::unexpected(error);
}

}  // namespace recur
