// The built-in sandbox gateway for tests, the simulator and local development. It moves no
// money and understands test tokens (sandbox_cards.h: Stripe's, such as pm_card_visa and
// pm_card_authenticationRequired, and pm_card_sandboxPendingThenPaid and
// pm_card_sandboxPendingThenDeclined for charges that stay pending until asked about again).
// Like a real gateway it is an external system that remembers: its customers, every charge by
// idempotency key, what each pending charge became and every refund, in a SandboxLedger of its
// own (sandbox_ledger.h; `recur serve` keeps it in a SQLite file beside the database). So a
// repeated key answers the first outcome, also after a restart, and a key reused for a
// different amount, currency or token is refused with "idempotency_key_reused", as Stripe does.
//
// The tokens:
//   pm_card_visa, pm_card_mastercard, pm_card_amex   attach; charges are paid
//   pm_card_chargeDeclined                 Attach refuses it: card_declined
//   pm_card_chargeDeclinedInsufficientFunds  Attach refuses it: insufficient_funds
//   pm_card_chargeCustomerFail             attaches; every charge is declined: card_declined
//   pm_card_authenticationRequired         attaches; every charge requires action:
//                                          authentication_required
//   pm_card_sandboxPendingThenPaid         attaches; a charge answers pending, and is paid once
//                                          looked up (LookUpCharge) or finished
//                                          (FinishPendingCharge)
//   pm_card_sandboxPendingThenDeclined     the same, declined (card_declined) in the end
//   pm_card_sandboxAnswerLostThenPaid      attaches; a key's first charge is made (paid), but
//                                          the call fails as a timeout does (kUnavailable
//                                          "gateway_timeout"); asked again with the key, it
//                                          answers paid
//
// A customer's reference is "cus_sandbox_" followed by the payer id. A card setup is only an id
// and a secret: attaching a token needs none. A sandbox card is a token, not an object kept per
// customer, so SetDefaultCard only checks the customer and the token, Detach has nothing to
// do, and neither keeps anything. Notices are JSON the
// sandbox writes itself (FinishPendingCharge); ReadNotice verifies one by checking it against
// the ledger: it must say what the ledger holds. Thread-safe (the ledger runs each charge's
// look-up and record as one transaction, so concurrent calls charge a key once).
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/ids.h"
#include "gateways/payment_gateway.h"
#include "gateways/sandbox/sandbox_ledger.h"

namespace recur {

class SandboxGateway final : public PaymentGateway {
 public:
  // Keeps its records in `ledger`, which must outlive it. Charge and refund ids ("ch_sandbox_...",
  // "re_sandbox_...") come from `ids` when given (the simulator's seeded ids), else they are
  // random.
  explicit SandboxGateway(SandboxLedger& ledger, IdGenerator* ids = nullptr);

  Result<std::string> EnsureCustomer(const CustomerRequest& request) override;
  Result<CardSetup> StartCardSetup(const std::string& customer) override;
  Result<CardDetails> Attach(const AttachRequest& request) override;
  Status SetDefaultCard(const SavedCard& card) override;
  Status Detach(const SavedCard& card) override;
  Result<ChargeOutcome> Charge(const ChargeRequest& request) override;
  Result<ChargeOutcome> LookUpCharge(const ChargeLookup& lookup) override;
  Result<std::optional<GatewayNotice>> ReadNotice(const GatewayMessage& message) override;
  Result<RefundOutcome> Refund(const RefundRequest& request) override;

  // Stands in for the card network finishing a charge the sandbox answered pending: decides it
  // now as its token says (unless a look-up decided it already) and returns the notice the
  // sandbox sends about it; for a charge decided before, the same notice again. An unknown
  // charge is kNotFound "charge_not_found", one that was not answered pending kFailedPrecondition
  // "charge_not_pending".
  Result<GatewayMessage> FinishPendingCharge(std::string_view gateway_charge_id);
  // The same for the charge made with `idempotency_key`: all a payment attempt knows of a charge
  // answered pending. An unknown key is kNotFound "charge_not_found".
  Result<GatewayMessage> FinishPendingChargeWithKey(std::string_view idempotency_key);

 private:
  std::string NewId(std::string_view prefix);
  // Ok when `customer` is one of the sandbox's, else unknown_customer.
  Status CheckCustomer(const std::string& customer);

  SandboxLedger& ledger_;
  IdGenerator* ids_;  // none: random ids
};

}  // namespace recur
