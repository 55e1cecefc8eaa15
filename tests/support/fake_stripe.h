// A fake Stripe API for tests: an httplib server on 127.0.0.1 that answers the calls Recur makes
// in Stripe's wire format, so the Stripe gateway (and Stripe's own npm client, which checks the
// fake's fidelity in tests/e2e/fake_stripe_interop_test.cc) can be driven without the network.
//
// What it speaks: form-encoded bodies with bracket notation (`metadata[key]`, `expand[]`), Bearer
// keys (`sk_test_`, `sk_live_` or `rk_`; none or another: 401 in Stripe's shape), the
// `Idempotency-Key` header on POST (the same key and body replay the first answer with
// `Idempotent-Replayed: true`; the same key with another body or path is 400
// `idempotency_error`; like Stripe, an answer is remembered only once the endpoint ran, so a
// request refused for its parameters leaves its key free), and Stripe's error object
// (`{"error": {"type", "code", "decline_code", "message", "payment_intent", ...}}`).
//
// The endpoints: the account the key belongs to (retrieve: kAccountId), customers (create,
// retrieve, update of invoice_settings[default_payment_method], search by metadata), setup_intents
// (create, retrieve, and confirm with a payment_method or with a test card's number in
// payment_method_data, which attaches the card to the SetupIntent's customer as Stripe.js's
// confirmation does; a succeeded one cannot be confirmed again), payment_methods (retrieve, attach,
// detach, list by customer), payment_intents (create with confirm and off_session, retrieve) and
// refunds (create). Stripe's test PaymentMethods answer as Stripe documents them:
//   pm_card_visa, pm_card_mastercard            attach; charges succeed
//   pm_card_chargeDeclined                      attach fails: card_declined (generic_decline)
//   pm_card_chargeDeclinedInsufficientFunds     attach fails: card_declined (insufficient_funds)
//   pm_card_chargeDeclinedExpiredCard           attach fails: expired_card
//   pm_card_chargeCustomerFail                  attaches; charges fail: card_declined
//   pm_card_authenticationRequired              attaches; off-session charges fail:
//                                               authentication_required
// Attaching one makes a PaymentMethod of its own (pm_fake_...) that charges as its source does.
// Three more are the fake's own: for charges Stripe leaves "processing" (as it does for some
// payment methods) until they are retrieved, pm_card_fakeProcessingThenSucceeded and
// pm_card_fakeProcessingThenDeclined; and pm_card_fakeChargeDeclinedInsufficientFunds, a card
// that attaches and whose charges fail card_declined with decline code insufficient_funds, as a
// saved card whose account ran dry does (Stripe's own insufficient-funds card fails on attach).
//
// A publishable key (pk_test_, pk_live_), as a Bearer token or the form's `key` as Stripe.js
// sends it, may only read and confirm a SetupIntent whose `client_secret` it gives (anything else
// is 403 secret_key_required), so a stand-in Stripe.js in a browser test confirms at the fake
// what the payer typed: Stripe's test numbers 4242424242424242 and 5555555555554444 pay,
// 4000000000000002, 4000000000009995 and 4000000000000069 are refused, 4000000000000341
// attaches and its charges fail; another number is incorrect_number. Every answer carries
// `Access-Control-Allow-Origin: *`, as Stripe's API does for Stripe.js.
//
// Fault switches for tests of what goes wrong: the next N requests answered 500 or 429 without
// doing anything, the next N PaymentIntents made but their answers cut off mid-body (the
// connection dropped after charging), and connections refused for a while (Suspend, Resume).
// Requests are handled one at a time, so two concurrent requests with one key charge once.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace recur::testing {

// A PaymentIntent as the fake holds it.
struct FakePaymentIntent {
  std::string id;
  std::int64_t amount = 0;
  std::string currency;  // lower case, as Stripe keeps it
  std::string customer;
  std::string payment_method;
  std::string status;  // succeeded, processing, requires_payment_method
  std::string idempotency_key;
  std::map<std::string, std::string> metadata;
};

class FakeStripe {
 public:
  // The id of the account every key belongs to (GET /v1/account).
  static constexpr const char* kAccountId = "acct_1RecurFakeStripe0";

  // Listening on 127.0.0.1:`port` (0: a free one) once constructed; throws when it cannot.
  explicit FakeStripe(int port = 0);
  ~FakeStripe();
  FakeStripe(const FakeStripe&) = delete;
  FakeStripe& operator=(const FakeStripe&) = delete;

  int port() const { return port_; }
  std::string base_url() const;  // http://127.0.0.1:PORT

  // Runs until Stop (from a signal handler's thread or another): for `fake-stripe` alone.
  void Wait();
  void Stop();

  // Every PaymentIntent made, in order.
  std::vector<FakePaymentIntent> PaymentIntents() const;
  std::size_t CustomerCount() const;
  // Requests answered, counting faults and refusals.
  std::size_t RequestCount() const;
  // What Stripe.js does in the payer's browser with a SetupIntent's client secret: confirms it
  // with `payment_method` (POST /v1/setup_intents/{id}/confirm, over HTTP), which attaches the
  // card to the SetupIntent's customer. Returns the attached PaymentMethod's id; empty when
  // the fake refused.
  std::string ConfirmSetupIntent(const std::string& setup_intent,
                                 const std::string& payment_method);
  // What Stripe does on its own, for tests of Stripe's webhooks: sends the event `type` about
  // the object `object_id` (a pi_, seti_, pm_ or cus_ id), as the object stands now (a
  // processing PaymentIntent is decided first, as when it is read), to `url` (http on
  // loopback), signed with `secret` at `timestamp` (Unix seconds) in a Stripe-Signature
  // header. A payment_method.detached event names the customer the method was detached from in
  // data.previous_attributes. `event_id` empty: a new evt_ id. The answer's status and body;
  // status 0 when the URL did not answer.
  struct Delivery {
    std::string event_id;
    std::string payload;  // the event as sent
    int status = 0;
    std::string body;
  };
  Delivery SendEvent(const std::string& url, const std::string& type, const std::string& object_id,
                     const std::string& secret, std::int64_t timestamp,
                     const std::string& event_id = "");
  // The signed request of a Delivery sent again, byte for byte the same body, signed anew.
  Delivery Resend(const std::string& url, const Delivery& delivery, const std::string& secret,
                  std::int64_t timestamp);
  // Deletes the customer, as the Dashboard would (DELETE /v1/customers/{id}).
  void DeleteCustomer(const std::string& customer);
  // The customer a PaymentMethod is attached to; empty when detached or unknown.
  std::string CustomerOfPaymentMethod(const std::string& payment_method) const;
  // The Customer's invoice_settings[default_payment_method]; empty when none.
  std::string DefaultPaymentMethodOf(const std::string& customer) const;

  // The next `count` requests (after the key check) are answered `status` (500 or 429) with
  // Stripe's api_error or rate_limit error, doing nothing.
  void FailNextRequests(int count, int status);
  // The next `count` PaymentIntents are made, and their answers cut off after the head.
  void DropAnswersAfterCharging(int count);
  // Stripe out of reach: the fake stops listening, so connections are refused, until Resume
  // listens again on the same port, with everything it held. Both from one thread (the test's),
  // not while another calls Stop.
  void Suspend();
  void Resume();

 private:
  struct State;
  // Binds 127.0.0.1:`port` (0: a free one) and serves on a thread of its own.
  void Listen(int port);
  void Handle(const httplib::Request& request, httplib::Response& response);

  std::unique_ptr<State> state_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace recur::testing
