#include "gateways/stripe/stripe_gateway.h"

#include <algorithm>
#include <cctype>

#include "gateways/stripe/stripe_signature.h"

namespace recur {
namespace {

using json = nlohmann::json;

constexpr const char* kPayerKey = "recur_payer_id";
constexpr const char* kAttemptKey = "recur_attempt_id";
constexpr const char* kIdempotencyKey = "recur_idempotency_key";
// Read by people only, in the dashboard: the period's bounds in Unix seconds, as Stripe writes
// its own.
constexpr const char* kItemKey = "recur_item_id";
constexpr const char* kPeriodStartKey = "recur_period_start";
constexpr const char* kPeriodEndKey = "recur_period_end";

std::string Text(const json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

const json& ErrorOf(const StripeAnswer& answer) {
  static const json kNone = json::object();
  auto it = answer.body.find("error");
  return it != answer.body.end() && it->is_object() ? *it : kNone;
}

// An id that goes into a path or a search query: Stripe's ids and Recur's are letters, digits
// and underscores.
bool PlainId(const std::string& id) {
  return !id.empty() && id.size() <= 255 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

std::string UnixSeconds(Instant at) { return std::to_string(ToUnixMillis(at) / 1000); }

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::unexpected<Error> UnknownCustomer(const std::string& customer) {
  return MakeError(ErrorKind::kInvalidArgument, "unknown_customer",
                   "Stripe has no customer \"" + customer + "\"", "customer");
}

std::unexpected<Error> UnknownToken(const std::string& token) {
  return MakeError(ErrorKind::kInvalidArgument, "unknown_payment_token",
                   "Stripe has no PaymentMethod \"" + token + "\"", "payment_method_token");
}

std::unexpected<Error> ChargeNotFound(const std::string& which) {
  return MakeError(ErrorKind::kNotFound, "charge_not_found",
                   "Stripe holds no PaymentIntent " + which);
}

// The Error for an answer that is not a success and not a card's refusal: what Stripe said, with
// its code, kind by status.
std::unexpected<Error> StripeRefused(const StripeAnswer& answer, const std::string& what) {
  const json& error = ErrorOf(answer);
  const std::string type = Text(error, "type");
  std::string code = Text(error, "code");
  const std::string message = "Stripe refused " + what + " (status " +
                              std::to_string(answer.status) + (type.empty() ? "" : ", " + type) +
                              "): " + Text(error, "message");
  if (answer.status == 401 || answer.status == 403) {
    // Stripe's words may quote part of the key: they are left out.
    return MakeError(ErrorKind::kFailedPrecondition, "stripe_key_refused",
                     "Stripe refused " + what + " (status " + std::to_string(answer.status) +
                         "): the API key is not valid, or a restricted key lacks the permission");
  }
  if (type == "idempotency_error") {
    return MakeError(ErrorKind::kInvalidArgument, "idempotency_key_reused", message,
                     "idempotency_key");
  }
  if (answer.status == 404) return MakeError(ErrorKind::kNotFound, "stripe_not_found", message);
  return MakeError(ErrorKind::kInvalidArgument, code.empty() ? "stripe_invalid_request" : code,
                   message, Text(error, "param"));
}

// Stripe's code for a refused card, made as precise as Stripe's decline code allows:
// card_declined with decline code insufficient_funds is "insufficient_funds".
std::string CardCode(const json& error) {
  const std::string code = Text(error, "code");
  const std::string decline = Text(error, "decline_code");
  if (code == "card_declined" && !decline.empty() && decline != "generic_decline") return decline;
  return code.empty() ? "card_declined" : code;
}

bool NeedsAuthentication(const json& error) {
  return Text(error, "code") == "authentication_required" ||
         Text(error, "decline_code") == "authentication_required";
}

// What a PaymentIntent says about its charge.
ChargeOutcome OutcomeOf(const json& intent) {
  const std::string status = Text(intent, "status");
  ChargeOutcome outcome{ChargeStatus::kPending, Text(intent, "id")};
  const json error = intent.contains("last_payment_error") ? intent["last_payment_error"] : json();
  if (status == "succeeded") {
    outcome.status = ChargeStatus::kPaid;
  } else if (status == "processing" || status == "requires_capture") {
    outcome.status = ChargeStatus::kPending;
  } else if (status == "requires_action" || status == "requires_confirmation" ||
             NeedsAuthentication(error)) {
    outcome.status = ChargeStatus::kRequiresAction;
    outcome.code = std::string(kAuthenticationRequired);
    outcome.message = error.is_object() ? Text(error, "message")
                                        : "The payment requires the cardholder's authentication.";
  } else {  // requires_payment_method, canceled
    outcome.status = ChargeStatus::kDeclined;
    outcome.code = error.is_object() ? CardCode(error) : status;
    outcome.message =
        error.is_object() ? Text(error, "message") : "The PaymentIntent is " + status + ".";
  }
  return outcome;
}

// What a PaymentMethod says of its card; the token to charge is the PaymentMethod's id.
CardDetails DetailsOf(const json& method) {
  const json card = method.contains("card") ? method["card"] : json::object();
  return CardDetails{Text(card, "brand"), Text(card, "last4"), card.value("exp_month", 0),
                     card.value("exp_year", 0), Text(method, "id")};
}

// The id a field holds: the field itself, or an expanded object's id.
std::string IdOf(const json& field) {
  if (field.is_string()) return field.get<std::string>();
  return Text(field, "id");
}

std::unexpected<Error> NotVerified(const std::string& why) {
  return MakeError(ErrorKind::kUnauthenticated, "notice_not_verified",
                   "the message was not verified as Stripe's: " + why, "Stripe-Signature");
}

// A charge's or a refund's amount: positive minor units.
Status CheckAmount(std::int64_t amount, const char* what) {
  if (amount <= 0) {
    return MakeError(
        ErrorKind::kInvalidArgument, "invalid_amount",
        std::string("a ") + what + " is of a positive amount, got " + std::to_string(amount),
        "amount");
  }
  return Ok();
}

Status CheckKey(const std::string& key) {
  if (key.empty() || key.size() > 255) {
    return MakeError(
        ErrorKind::kInvalidArgument, "invalid_idempotency_key",
        "an idempotency key has 1 to 255 characters, got " + std::to_string(key.size()),
        "idempotency_key");
  }
  return Ok();
}

}  // namespace

StripeGateway::StripeGateway(StripeClientOptions options, StripeWebhookOptions webhooks)
    : client_(std::move(options)), webhooks_(std::move(webhooks)) {}

Result<std::string> StripeGateway::EnsureCustomer(const CustomerRequest& request) {
  if (!PlainId(request.payer_id)) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_payer",
                     "a customer needs a payer id of letters, digits and underscores, got \"" +
                         request.payer_id + "\"",
                     "payer_id");
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = customers_.find(request.payer_id); it != customers_.end()) return it->second;
  }
  auto found = client_.Get(
      "/v1/customers/search",
      {{"query", std::string("metadata['") + kPayerKey + "']:'" + request.payer_id + "'"}});
  if (!found) return std::unexpected(found.error());
  if (found->status != 200) return StripeRefused(*found, "the customer search");
  std::string id;
  if (const json& data = found->body["data"]; data.is_array() && !data.empty()) {
    id = Text(data.front(), "id");
  }
  if (id.empty()) {
    StripeForm form;
    if (!request.email.empty()) form.emplace_back("email", request.email);
    if (!request.name.empty()) form.emplace_back("name", request.name);
    form.emplace_back(std::string("metadata[") + kPayerKey + "]", request.payer_id);
    std::string key = "recur-customer-" + request.payer_id;
    for (int made_before = 0; id.empty(); ++made_before) {
      auto made = client_.Post("/v1/customers", form, key);
      if (!made) return std::unexpected(made.error());
      if (made->status != 200) return StripeRefused(*made, "the customer of " + request.payer_id);
      id = Text(made->body, "id");
      if (!made->replayed || id.empty() || made_before == 3) break;
      // Stripe keeps a key's answer for a day: the Customer it made may be deleted since
      // (customer.deleted), and then another is made under a key naming the deleted one.
      auto read = client_.Get("/v1/customers/" + id, {});
      if (!read) return std::unexpected(read.error());
      if (read->status == 200 && !read->body.value("deleted", false)) break;
      if (read->status != 200 && read->status != 404) return StripeRefused(*read, "reading " + id);
      key = "recur-customer-" + request.payer_id + "-after-" + id;
      id.clear();
    }
  }
  if (id.empty()) {
    return MakeError(ErrorKind::kUnavailable, "stripe_unreadable",
                     "Stripe's customer of " + request.payer_id + " has no id");
  }
  std::lock_guard lock(mutex_);
  customers_[request.payer_id] = id;
  return id;
}

Result<CardSetup> StripeGateway::StartCardSetup(const std::string& customer) {
  if (!PlainId(customer)) return UnknownCustomer(customer);
  auto made = client_.Post(
      "/v1/setup_intents",
      {{"customer", customer}, {"usage", "off_session"}, {"payment_method_types[]", "card"}}, "");
  if (!made) return std::unexpected(made.error());
  if (made->status != 200) {
    if (Text(ErrorOf(*made), "code") == "resource_missing") return UnknownCustomer(customer);
    return StripeRefused(*made, "the card setup");
  }
  return CardSetup{Text(made->body, "id"), Text(made->body, "client_secret")};
}

Result<CardDetails> StripeGateway::Attach(const AttachRequest& request) {
  if (!PlainId(request.token)) return UnknownToken(request.token);
  if (!PlainId(request.customer)) return UnknownCustomer(request.customer);
  auto attached = client_.Post("/v1/payment_methods/" + request.token + "/attach",
                               {{"customer", request.customer}}, "");
  if (!attached) return std::unexpected(attached.error());
  const json& error = ErrorOf(*attached);
  if (attached->status == 402) {
    return MakeError(ErrorKind::kFailedPrecondition, CardCode(error), Text(error, "message"),
                     "payment_method_token");
  }
  if (Text(error, "code") == "resource_missing") {
    if (Text(error, "param") == "customer") return UnknownCustomer(request.customer);
    return UnknownToken(request.token);
  }
  if (attached->status == 400) {
    // Stripe.js attached it already when the payer confirmed a SetupIntent: it stands as it is
    // when it is this customer's.
    auto held = client_.Get("/v1/payment_methods/" + request.token, {});
    if (!held) return std::unexpected(held.error());
    if (held->status == 200 && Text(held->body, "customer") == request.customer) {
      CardDetails details = DetailsOf(held->body);
      details.attached_before = true;
      return details;
    }
  }
  if (attached->status != 200) return StripeRefused(*attached, "attaching " + request.token);
  return DetailsOf(attached->body);
}

Status StripeGateway::SetDefaultCard(const SavedCard& card) {
  if (!PlainId(card.token)) return UnknownToken(card.token);
  if (!PlainId(card.customer)) return UnknownCustomer(card.customer);
  auto updated = client_.Post("/v1/customers/" + card.customer,
                              {{"invoice_settings[default_payment_method]", card.token}}, "");
  if (!updated) return std::unexpected(updated.error());
  if (updated->status == 200) return Ok();
  const json& error = ErrorOf(*updated);
  if (Text(error, "code") == "resource_missing") {
    if (Text(error, "param").find("default_payment_method") != std::string::npos) {
      return UnknownToken(card.token);
    }
    return UnknownCustomer(card.customer);
  }
  return StripeRefused(*updated, "the default card of " + card.customer);
}

Status StripeGateway::Detach(const SavedCard& card) {
  if (!PlainId(card.token) || !PlainId(card.customer)) return Ok();  // no such card to detach
  // Stripe detaches whoever holds the PaymentMethod: it is read first, so that only this
  // customer's card is ever detached.
  auto held = client_.Get("/v1/payment_methods/" + card.token, {});
  if (!held) return std::unexpected(held.error());
  if (held->status == 404) return Ok();
  if (held->status != 200) return StripeRefused(*held, "reading " + card.token);
  if (Text(held->body, "customer") != card.customer) return Ok();
  auto detached = client_.Post("/v1/payment_methods/" + card.token + "/detach", {}, "");
  if (!detached) return std::unexpected(detached.error());
  if (detached->status == 200 || Text(ErrorOf(*detached), "code") == "resource_missing") {
    return Ok();
  }
  return StripeRefused(*detached, "detaching " + card.token);
}

Result<ChargeOutcome> StripeGateway::Charge(const ChargeRequest& request) {
  if (auto amount = CheckAmount(request.amount, "charge"); !amount) {
    return std::unexpected(amount.error());
  }
  if (auto key = CheckKey(request.idempotency_key); !key) return std::unexpected(key.error());
  if (!PlainId(request.payment_method_token)) return UnknownToken(request.payment_method_token);
  if (!PlainId(request.customer)) return UnknownCustomer(request.customer);
  // The same request always encodes the same: Stripe compares it under the key. The description
  // is left out so that it may change without the key being taken as reused.
  StripeForm form = {{"amount", std::to_string(request.amount)},
                     {"currency", Lower(request.currency)},
                     {"customer", request.customer},
                     {"payment_method", request.payment_method_token},
                     {"payment_method_types[]", "card"},
                     {"confirm", "true"},
                     {"off_session", "true"},
                     {std::string("metadata[") + kPayerKey + "]", request.payer_id},
                     {std::string("metadata[") + kAttemptKey + "]", request.attempt_id},
                     {std::string("metadata[") + kIdempotencyKey + "]", request.idempotency_key}};
  if (!request.item_id.empty()) {
    form.emplace_back(std::string("metadata[") + kItemKey + "]", request.item_id);
  }
  for (const auto& [key, at] : {std::pair{kPeriodStartKey, request.period_start},
                                std::pair{kPeriodEndKey, request.period_end}}) {
    if (at) form.emplace_back(std::string("metadata[") + key + "]", UnixSeconds(*at));
  }
  auto answer = client_.Post("/v1/payment_intents", form, request.idempotency_key);
  if (!answer) {
    if (answer.error().kind != ErrorKind::kUnavailable) return std::unexpected(answer.error());
    // Whether Stripe made it is not known: pending, to be looked up; never charged under
    // another key.
    return ChargeOutcome{ChargeStatus::kPending, "", "stripe_unavailable", answer.error().message};
  }
  if (answer->status == 200) {
    ChargeOutcome outcome = OutcomeOf(answer->body);
    outcome.replayed = answer->replayed;
    return outcome;
  }
  const json& error = ErrorOf(*answer);
  if (answer->status == 402 && Text(error, "type") == "card_error") {
    const json intent = error.contains("payment_intent") ? error["payment_intent"] : json();
    ChargeOutcome outcome{ChargeStatus::kDeclined, Text(intent, "id"), CardCode(error),
                          Text(error, "message"), answer->replayed};
    if (NeedsAuthentication(error)) {
      outcome.status = ChargeStatus::kRequiresAction;
      outcome.code = std::string(kAuthenticationRequired);
    }
    return outcome;
  }
  if (Text(error, "code") == "resource_missing") {
    if (Text(error, "param") == "customer") return UnknownCustomer(request.customer);
    if (Text(error, "param") == "payment_method") return UnknownToken(request.payment_method_token);
  }
  return StripeRefused(*answer, "the charge with key \"" + request.idempotency_key + "\"");
}

Result<ChargeOutcome> StripeGateway::LookUpCharge(const ChargeLookup& lookup) {
  if (lookup.idempotency_key.empty() && lookup.gateway_charge_id.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_lookup",
                     "a look-up names a charge by its key or its id");
  }
  json intent;
  if (!lookup.gateway_charge_id.empty()) {
    if (!PlainId(lookup.gateway_charge_id)) return ChargeNotFound(lookup.gateway_charge_id);
    auto read = client_.Get("/v1/payment_intents/" + lookup.gateway_charge_id, {});
    if (!read) return std::unexpected(read.error());
    if (read->status == 404) return ChargeNotFound(lookup.gateway_charge_id);
    if (read->status != 200) return StripeRefused(*read, "reading " + lookup.gateway_charge_id);
    intent = std::move(read->body);
  } else {
    if (lookup.idempotency_key.find('\'') != std::string::npos ||
        lookup.idempotency_key.find('\\') != std::string::npos) {
      return ChargeNotFound("for key \"" + lookup.idempotency_key + "\"");
    }
    auto found = client_.Get("/v1/payment_intents/search",
                             {{"query", std::string("metadata['") + kIdempotencyKey + "']:'" +
                                            lookup.idempotency_key + "'"}});
    if (!found) return std::unexpected(found.error());
    if (found->status != 200) return StripeRefused(*found, "the PaymentIntent search");
    const json& data = found->body["data"];
    if (!data.is_array() || data.empty()) {
      return ChargeNotFound("for key \"" + lookup.idempotency_key + "\"");
    }
    intent = data.front();
  }
  const std::string key = Text(intent.value("metadata", json::object()), kIdempotencyKey);
  const std::string customer = Text(intent, "customer");
  if ((!lookup.idempotency_key.empty() && key != lookup.idempotency_key) ||
      (!lookup.customer.empty() && !customer.empty() && customer != lookup.customer)) {
    return ChargeNotFound(lookup.gateway_charge_id + " for key \"" + lookup.idempotency_key + "\"");
  }
  return OutcomeOf(intent);
}

Result<std::string> ReadStripeAccountId(StripeClient& client) {
  auto read = client.Get("/v1/account", {});
  if (!read) return std::unexpected(read.error());
  if (read->status != 200) return StripeRefused(*read, "reading the account");
  return Text(read->body, "id");
}

Result<std::string> StripeGateway::PayerOfCustomer(const std::string& customer) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& [payer, id] : customers_) {
      if (id == customer) return payer;
    }
  }
  if (!PlainId(customer)) return std::string();
  auto read = client_.Get("/v1/customers/" + customer, {});
  if (!read) return std::unexpected(read.error());
  if (read->status == 404) return std::string();
  if (read->status != 200) return StripeRefused(*read, "reading " + customer);
  return Text(read->body.value("metadata", json::object()), kPayerKey);
}

Result<std::optional<GatewayNotice>> StripeGateway::ReadNotice(const GatewayMessage& message) {
  if (webhooks_.signing_secret.empty() || webhooks_.clock == nullptr) {
    return NotVerified("no webhook signing secret is set (RECUR_STRIPE_WEBHOOK_SECRET)");
  }
  std::string header;
  for (const auto& [name, value] : message.headers) {
    if (Lower(name) == "stripe-signature") header = value;
  }
  if (header.empty()) return NotVerified("it has no Stripe-Signature header");
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(webhooks_.clock->Now().time_since_epoch())
          .count();
  if (Status verified = VerifyStripeSignature(webhooks_.signing_secret, header, message.body, now,
                                              webhooks_.tolerance);
      !verified) {
    return NotVerified(verified.error().message);
  }
  const json event = json::parse(message.body, nullptr, false);
  if (!event.is_object() || Text(event, "id").empty() || Text(event, "type").empty() ||
      !event.contains("data") || !event["data"].is_object() || !event["data"].contains("object") ||
      !event["data"]["object"].is_object()) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_notice",
                     "the message is not a Stripe event (an object with id, type and "
                     "data.object)");
  }
  GatewayNotice notice;
  notice.id = Text(event, "id");
  notice.type = Text(event, "type");
  const json& object = event["data"]["object"];
  if (notice.type == "payment_intent.succeeded" || notice.type == "payment_intent.payment_failed") {
    const json metadata = object.value("metadata", json::object());
    notice.kind = GatewayNotice::Kind::kChargeOutcome;
    notice.charge = {Text(metadata, kPayerKey), Text(metadata, kAttemptKey),
                     Text(metadata, kIdempotencyKey), OutcomeOf(object)};
    notice.payer_id = notice.charge.payer_id;
    notice.customer = IdOf(object.value("customer", json()));
    if (notice.charge.payer_id.empty() || notice.charge.attempt_id.empty() ||
        notice.charge.idempotency_key.empty()) {
      return std::nullopt;  // not a charge Recur made
    }
    return notice;
  }
  if (notice.type == "setup_intent.succeeded" || notice.type == "payment_method.detached") {
    const bool saved = notice.type == "setup_intent.succeeded";
    const json previous = event["data"].value("previous_attributes", json::object());
    notice.customer =
        IdOf(saved ? object.value("customer", json()) : previous.value("customer", json()));
    const std::string method =
        saved ? IdOf(object.value("payment_method", json())) : Text(object, "id");
    if (notice.customer.empty() || method.empty()) return std::nullopt;
    auto payer = PayerOfCustomer(notice.customer);
    if (!payer) return std::unexpected(payer.error());
    if (payer->empty()) return std::nullopt;  // not a customer Recur made
    notice.payer_id = *payer;
    if (!saved) {
      notice.kind = GatewayNotice::Kind::kCardDetached;
      notice.card.token = method;
      return notice;
    }
    // The event names the card; what Recur keeps of it is read.
    if (!PlainId(method)) return std::nullopt;
    auto read = client_.Get("/v1/payment_methods/" + method, {});
    if (!read) return std::unexpected(read.error());
    if (read->status == 404) return std::nullopt;  // gone since
    if (read->status != 200) return StripeRefused(*read, "reading " + method);
    if (Text(read->body, "customer") != notice.customer) return std::nullopt;  // detached since
    notice.kind = GatewayNotice::Kind::kCardSaved;
    notice.card = DetailsOf(read->body);
    return notice;
  }
  if (notice.type == "customer.deleted") {
    notice.kind = GatewayNotice::Kind::kCustomerDeleted;
    notice.customer = Text(object, "id");
    notice.payer_id = Text(object.value("metadata", json::object()), kPayerKey);
    if (notice.customer.empty() || notice.payer_id.empty()) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (auto it = customers_.find(notice.payer_id);
        it != customers_.end() && it->second == notice.customer) {
      customers_.erase(it);
    }
    return notice;
  }
  return std::nullopt;
}

Result<RefundOutcome> StripeGateway::Refund(const RefundRequest& request) {
  if (auto amount = CheckAmount(request.amount, "refund"); !amount) {
    return std::unexpected(amount.error());
  }
  if (auto key = CheckKey(request.idempotency_key); !key) return std::unexpected(key.error());
  if (!PlainId(request.gateway_charge_id)) return ChargeNotFound(request.gateway_charge_id);
  auto answer = client_.Post(
      "/v1/refunds",
      {{"payment_intent", request.gateway_charge_id}, {"amount", std::to_string(request.amount)}},
      request.idempotency_key);
  if (!answer) return std::unexpected(answer.error());
  const json& error = ErrorOf(*answer);
  const std::string code = Text(error, "code");
  const std::string message = Text(error, "message");
  if (answer->status == 200) {
    const std::string status = Text(answer->body, "status");
    RefundOutcome outcome{status == "succeeded"                        ? RefundStatus::kSucceeded
                          : status == "failed" || status == "canceled" ? RefundStatus::kFailed
                                                                       : RefundStatus::kPending,
                          Text(answer->body, "id"), request.gateway_charge_id,
                          answer->body.value("amount", std::int64_t{0}),
                          Upper(Text(answer->body, "currency"))};
    outcome.code = Text(answer->body, "failure_reason");
    outcome.replayed = answer->replayed;
    return outcome;
  }
  if (code == "resource_missing") return ChargeNotFound(request.gateway_charge_id);
  if (code == "charge_not_refundable") {
    return MakeError(ErrorKind::kFailedPrecondition, "charge_not_paid", message, "amount");
  }
  if (code == "charge_already_refunded" ||
      (Text(error, "param") == "amount" && code.empty() && answer->status == 400)) {
    return MakeError(ErrorKind::kFailedPrecondition, "refund_exceeds_charge", message, "amount");
  }
  return StripeRefused(*answer, "the refund with key \"" + request.idempotency_key + "\"");
}

}  // namespace recur
