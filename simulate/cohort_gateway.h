// The payment gateway of a cohort simulation: every synthetic payer has its own card token,
// "cohort_card_<payer>", whose charges are declined with the model's payment_failure
// probability, and a replacement, "cohort_card_<payer>_new", that always pays. Whether a charge
// is declined is drawn from the seed, the payer and the period charged (the idempotency key's
// "<item>:<period start>" part; dunning retries of one period add ":retryN" and share its
// outcome), so the same key always gets the same answer, as the PaymentGateway contract asks,
// without storing anything. It never answers pending nor requires action, and keeps nothing to
// look up, notify about or refund: LookUpCharge and Refund answer charge_not_found (charging
// the key again gives the same answer, and moves no money), ReadNotice refuses every message.
// Its cards are made up, so it opens no card setups; it keeps no default card and nothing to
// detach (both are Ok).
// A payer's customer is "cus_cohort_" and the payer id. Thread-safe (it keeps no state).
#pragma once

#include <cstdint>
#include <string>

#include "gateways/payment_gateway.h"

namespace recur {

class CohortGateway final : public PaymentGateway {
 public:
  CohortGateway(std::uint64_t seed, double failure) : seed_(seed), failure_(failure) {}

  static std::string CardToken(std::int64_t payer);
  static std::string ReplacementToken(std::int64_t payer);

  Result<std::string> EnsureCustomer(const CustomerRequest& request) override;
  Result<CardSetup> StartCardSetup(const std::string& customer) override;
  Result<CardDetails> Attach(const AttachRequest& request) override;
  Status SetDefaultCard(const SavedCard& card) override;
  Status Detach(const SavedCard& card) override;
  Result<ChargeOutcome> Charge(const ChargeRequest& request) override;
  Result<ChargeOutcome> LookUpCharge(const ChargeLookup& lookup) override;
  Result<std::optional<GatewayNotice>> ReadNotice(const GatewayMessage& message) override;
  Result<RefundOutcome> Refund(const RefundRequest& request) override;

 private:
  const std::uint64_t seed_;
  const double failure_;
};

}  // namespace recur
