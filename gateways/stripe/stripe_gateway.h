// The Stripe gateway: the PaymentGateway contract (payment_gateway.h) on Stripe's API, through
// StripeClient (stripe_client.h: form encoding, the pinned version, retries under one key).
//
// How each call maps:
//   EnsureCustomer  the Customer whose metadata[recur_payer_id] is the payer (Customer search),
//                   else a new one, created under the key "recur-customer-<payer id>" so that
//                   concurrent first calls make one. Remembered for the process. Should
//                   Stripe answer that key with a Customer deleted since, another is made
//                   under a key naming the deleted one.
//   StartCardSetup  a SetupIntent for the customer, usage=off_session, cards.
//   Attach          attaches the PaymentMethod to the customer; Stripe gives a test
//                   PaymentMethod (pm_card_visa) a new id when attached, which CardDetails::token
//                   carries. One Stripe.js attached already (a confirmed SetupIntent), which
//                   Stripe refuses to attach again, is read and accepted when it is the
//                   customer's.
//   SetDefaultCard  sets the Customer's invoice_settings[default_payment_method].
//   Detach          detaches the PaymentMethod, once it is read to be the customer's (Stripe
//                   detaches it from whoever holds it).
//   Charge          a PaymentIntent (confirm=true, off_session=true, cards) with the payer,
//                   attempt and key in its metadata, sent with the charge's key as
//                   Idempotency-Key: a retry, here or by the billing service, never charges twice.
//                   The charge id is the PaymentIntent's id.
//   LookUpCharge    retrieves the PaymentIntent by id, or finds it by
//   metadata[recur_idempotency_key]
//                   (Customer and PaymentIntent search: Stripe indexes new objects within about a
//                   minute, and a charge made again in that window is answered by Stripe's
//                   idempotency, which holds a key for 24 hours).
//   Refund          a Refund of the PaymentIntent under the refund's key.
//   ReadNotice      a Stripe event (webhook), once its Stripe-Signature is verified with the
//                   endpoint's signing secret and the clock (stripe_signature.h):
//                   payment_intent.succeeded and .payment_failed are the outcome of the charge
//                   their metadata names; setup_intent.succeeded the card it attached (read from
//                   Stripe); payment_method.detached the card detached and the customer it left
//                   (data.previous_attributes); customer.deleted the Customer. Their payer is
//                   the Customer's metadata[recur_payer_id]. Other events, and those about
//                   objects Recur did not make, are empty.
//
// Outcomes: succeeded is paid; processing pending; a card error (402) or a PaymentIntent left
// requires_payment_method is declined, with Stripe's decline code as the code when it is more
// precise than card_declined (insufficient_funds, ...) and Stripe's message;
// authentication_required, or a PaymentIntent in requires_action, is requires_action with the
// PaymentIntent's id. A charge Stripe did not answer after the client's retries is answered
// pending (no charge id): the attempt stays pending and is looked up later, never charged anew
// under another key.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "base/clock.h"

#include "gateways/payment_gateway.h"
#include "gateways/stripe/stripe_client.h"

namespace recur {

// How Stripe's webhook events are verified (stripe_signature.h).
struct StripeWebhookOptions {
  std::string signing_secret;    // the endpoint's whsec_...; empty: no event is verified
  const Clock* clock = nullptr;  // the signature's time is checked against it; required
  std::chrono::seconds tolerance{300};
};

class StripeGateway final : public PaymentGateway {
 public:
  explicit StripeGateway(StripeClientOptions options, StripeWebhookOptions webhooks = {});

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
  // The payer a Customer was made for (its metadata[recur_payer_id]); empty when Stripe has no
  // such Customer or it is not Recur's.
  Result<std::string> PayerOfCustomer(const std::string& customer);

  StripeClient client_;
  const StripeWebhookOptions webhooks_;
  std::mutex mutex_;
  std::map<std::string, std::string> customers_;  // payer id -> Customer id; guarded by mutex_
};

// The id (acct_...) of the Stripe account the client's key belongs to: the payee of every
// charge (GET /v1/account), as `client` tries it.
Result<std::string> ReadStripeAccountId(StripeClient& client);

}  // namespace recur
