// The payment gateway: what the billing engine asks of whoever moves the money. Attach checks a
// payment token before it is saved; Charge takes money. Every charge carries an idempotency key,
// and the same key always yields the first outcome, never a second charge, so a caller that lost
// the answer (a crash, a timeout) retries with the same key and learns what happened.
// The answer is a ChargeOutcome (domain/subscriptions/charge_outcome.h), the type the lifecycle
// applies to the attempt: paid, declined, pending or requires action, with the gateway's charge
// id and its own code and message. A decline is an outcome, not an Error: the gateway worked
// and said no. Errors are for bad requests (kInvalidArgument) and for a gateway that could not
// be reached or could not record the charge (kUnavailable, safe to retry with the same key).
// Implementations are safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "domain/subscriptions/charge_outcome.h"

namespace recur {

struct CardDetails {
  std::string brand;  // "visa", "mastercard", "amex"
  std::string last4;
  int exp_month;
  int exp_year;
};

struct ChargeRequest {
  std::string payment_method_token;  // e.g. "pm_card_visa"
  std::int64_t amount;               // minor units, > 0
  std::string currency;              // ISO 4217
  // The same key always yields the first outcome, never a second charge.
  std::string idempotency_key;
  std::string description;
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  // Checks a token before it is saved as a payment method. Declines are
  // Error{kFailedPrecondition, code "card_declined" or "insufficient_funds", message}; unknown
  // tokens Error{kInvalidArgument, "unknown_payment_token"}.
  virtual Result<CardDetails> Attach(std::string_view token) = 0;
  // Charges. A transport/storage failure is an Error (kUnavailable) and may be retried with the
  // same key; a decline is a ChargeOutcome.
  virtual Result<ChargeOutcome> Charge(const ChargeRequest& request) = 0;
};

}  // namespace recur
