// The payment gateway: what the billing engine asks of whoever moves the money.
//
// Who calls what. The billing service is the caller. Before it saves a payment method or
// charges, it makes sure the payer has a customer at the gateway (EnsureCustomer) and passes
// that customer's reference on StartCardSetup, Attach, SetDefaultCard, Detach and Charge. A charge
// answered pending, or whose answer was lost, is asked about again (LookUpCharge); a message the
// gateway sends on its own (a webhook) is read with ReadNotice, and the billing service applies it
// to the pending attempt it names.
//
// Outcomes. The answer about a charge is a ChargeOutcome (domain/subscriptions/charge_outcome.h
// says what each status means). Every outcome carries the gateway's charge id: for
// requires_action, the charge the payer would confirm. A pending charge is decided later,
// through LookUpCharge or a notice, and is never made a second time. A decline or a required
// action is an outcome, not an Error: the gateway worked and said no. Errors are for bad
// requests (kInvalidArgument, unknown tokens and customers among them), a charge the gateway
// does not hold (kNotFound), what each method below names, and a gateway that could not be
// reached or could not record the request (kUnavailable: nothing is known to have happened, and
// the same call may be made again with the same key).
//
// Idempotency. Every Charge and every Refund carries an idempotency key, and a key always means
// one charge (one refund): however often it is sent, money moves once, and every call after the
// first answers the first outcome (`replayed` set), pending included (what became of a pending
// charge is LookUpCharge's to say). A key sent again for a different amount, currency or
// payment method (refund: charge or amount) is refused: kInvalidArgument
// "idempotency_key_reused". A request refused with an Error (malformed, an unknown customer, a
// refund above what is left) is not remembered: its key stays free. Charge keys and refund keys
// are apart: a refund's key never answers for a charge. EnsureCustomer is idempotent by payer:
// one customer per payer, however often and however concurrently asked.
// Notices may arrive more than once, late and in any order: ReadNotice does not deduplicate,
// and the billing service changes only an attempt that is still pending.
//
// Thread safety: implementations are safe to call from any thread, and two concurrent calls
// with one key still move money once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "domain/subscriptions/charge_outcome.h"

namespace recur {

// The payer a customer is made for. Email and name are what the customer starts with.
struct CustomerRequest {
  std::string payer_id;  // cpayer_...: a payer has one customer at a gateway
  std::string email;
  std::string name;
};

// A setup in which the payer's browser collects a card for charges made later, off session.
struct CardSetup {
  std::string id;
  std::string client_secret;  // for the payer's browser only: never logged nor stored
};

struct AttachRequest {
  std::string customer;  // EnsureCustomer's reference
  std::string token;     // what the payer's browser or the test gave, e.g. "pm_card_visa"
};

// A card saved for a customer: its CardDetails::token.
struct SavedCard {
  std::string customer;  // EnsureCustomer's reference
  std::string token;
};

struct CardDetails {
  std::string brand;  // "visa", "mastercard", "amex"
  std::string last4;
  int exp_month;
  int exp_year;
  // What to charge from now on: the gateway's id of the saved method. It may differ from the
  // token attached (Stripe gives its test PaymentMethods a new id when attached).
  std::string token;
  // The gateway held it for this customer before the Attach (a card setup the payer's browser
  // confirmed attached it): it may be saved in Recur already.
  bool attached_before = false;
};

struct ChargeRequest {
  std::string customer;              // EnsureCustomer's reference
  std::string payment_method_token;  // a saved method's CardDetails::token
  std::int64_t amount;               // minor units, > 0
  std::string currency;              // ISO 4217
  std::string idempotency_key;       // 1 to 255 characters
  std::string description;
  // What the charge is for. The gateway keeps both with the charge (Stripe: metadata) and names
  // them in its notices, so a notice finds its attempt.
  std::string payer_id;
  std::string attempt_id;
  // The item and the period the charge pays for, kept with it for the people who read the
  // gateway's records (Stripe: metadata); nothing reads them back. Fixed for an attempt, like
  // everything above: a retry under the same key sends the same request.
  std::string item_id;
  std::optional<Instant> period_start;
  std::optional<Instant> period_end;
};

// A charge made earlier: by its key, or by the gateway's charge id when an answer gave one.
struct ChargeLookup {
  std::string customer;  // EnsureCustomer's reference
  std::string idempotency_key;
  std::string gateway_charge_id;  // empty: by key alone
};

// A message the gateway sent on its own, as it arrived (an HTTP POST's headers and raw body:
// signatures cover the exact bytes). Header names as received; compare them ignoring case.
struct GatewayMessage {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// What a verified notice says: the charge with this key, made for this payer's attempt, now
// has this outcome.
struct ChargeNotice {
  std::string payer_id;
  std::string attempt_id;
  std::string idempotency_key;
  ChargeOutcome outcome;
};

// What a verified message from the gateway says.
struct GatewayNotice {
  enum class Kind {
    kChargeOutcome,    // `charge`: a charge's outcome
    kCardSaved,        // `customer` holds the card `card` now (Stripe: setup_intent.succeeded)
    kCardDetached,     // `customer` no longer holds the card `card.token` (payment_method.detached)
    kCustomerDeleted,  // the gateway deleted `customer` (customer.deleted)
  };
  Kind kind = Kind::kChargeOutcome;
  // The gateway's id of the message (Stripe: evt_...), the same when it is delivered again;
  // empty when the gateway gives none.
  std::string id;
  std::string type;  // the gateway's name of it (Stripe: the event type)
  ChargeNotice charge;
  std::string customer;
  std::string payer_id;  // the payer it is about (all kinds)
  CardDetails card;
};

struct RefundRequest {
  std::string gateway_charge_id;  // a paid charge
  // Minor units of the charge's currency, > 0, at most what is left of the charge after its
  // earlier refunds.
  std::int64_t amount;
  std::string idempotency_key;  // 1 to 255 characters
};

enum class RefundStatus {
  kSucceeded,
  kPending,  // the gateway has it and will finish it later
  kFailed,   // `code` and `message` say why
};

struct RefundOutcome {
  RefundStatus status;
  std::string gateway_refund_id;
  std::string gateway_charge_id;
  std::int64_t amount;
  std::string currency;
  std::string code;
  std::string message;
  bool replayed = false;  // the answer of an earlier call with the same key
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;

  // The payer's customer at the gateway, made on first need: its reference for Attach and
  // Charge. The same payer always gets the same reference.
  virtual Result<std::string> EnsureCustomer(const CustomerRequest& request) = 0;

  // Opens a card setup for the customer (Stripe: a SetupIntent for off-session use), whose
  // secret the payer's browser uses to collect a card; the token the browser then gets is
  // saved with Attach. An unknown customer is Error{kInvalidArgument, "unknown_customer"}.
  virtual Result<CardSetup> StartCardSetup(const std::string& customer) = 0;

  // Checks a token before it is saved as a payment method of the customer, attaching it to the
  // customer where the gateway keeps cards per customer; a token attached to this customer
  // already (by a completed card setup) is accepted as it stands. A refused card is
  // Error{kFailedPrecondition, the gateway's code ("card_declined", "insufficient_funds"),
  // message}; an unknown token Error{kInvalidArgument, "unknown_payment_token"}; an unknown
  // customer Error{kInvalidArgument, "unknown_customer"}.
  virtual Result<CardDetails> Attach(const AttachRequest& request) = 0;

  // Makes a saved card the customer's default at the gateway (Stripe: the Customer's
  // invoice_settings[default_payment_method]), so that the gateway's own views agree with the
  // payer's default in Recur. Unknown tokens and customers are refused as Attach refuses them.
  virtual Status SetDefaultCard(const SavedCard& card) = 0;

  // Detaches a saved card from the customer: it can be charged no more. A card the customer does
  // not hold (detached before, here or at the gateway, or never the customer's) is left as it
  // is, and Ok: detaching is idempotent, and never touches another customer's card.
  virtual Status Detach(const SavedCard& card) = 0;

  // Charges off session, once per key (see Idempotency above). Unknown tokens and customers are
  // refused as Attach refuses them.
  virtual Result<ChargeOutcome> Charge(const ChargeRequest& request) = 0;

  // What became of a charge made earlier (one answered pending, or one whose answer was lost to
  // a crash or a timeout), as it stands now: a charge answered pending may since be paid,
  // declined or require action, or still be pending. Error{kNotFound, "charge_not_found"} when
  // the gateway holds no such charge: it was never made, and charging with the same key is safe.
  virtual Result<ChargeOutcome> LookUpCharge(const ChargeLookup& lookup) = 0;

  // Verifies a message from the gateway (its signature, or against the gateway's records) and
  // reads it. Empty when it is genuine but about nothing Recur follows (the receiver
  // acknowledges and ignores it); Error{kUnauthenticated, "notice_not_verified"} when it cannot
  // be verified, Error{kInvalidArgument, "invalid_notice"} when it cannot be read.
  virtual Result<std::optional<GatewayNotice>> ReadNotice(const GatewayMessage& message) = 0;

  // Gives back part or all of a paid charge, once per key (nothing in the engine refunds yet).
  // An unknown charge is Error{kNotFound, "charge_not_found"}; one that was not paid
  // Error{kFailedPrecondition, "charge_not_paid"}; more than is left of it
  // Error{kFailedPrecondition, "refund_exceeds_charge"}.
  virtual Result<RefundOutcome> Refund(const RefundRequest& request) = 0;
};

}  // namespace recur
