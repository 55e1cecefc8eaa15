#include "tests/support/fake_stripe.h"

#include <algorithm>
#include <atomic>
#include <regex>
#include <stdexcept>
#include <variant>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "gateways/stripe/stripe_signature.h"

namespace recur::testing {
namespace {

using json = nlohmann::json;

constexpr std::int64_t kCreated = 1767225600;  // 2026-01-01: the fake's objects do not age

// What one of Stripe's test PaymentMethods does.
struct TestCard {
  const char* token;
  const char* brand;
  const char* last4;
  // Refused on attach (and on a charge): Stripe's code, decline code and message.
  const char* attach_code;
  const char* decline_code;
  const char* message;
  // How a charge ends: "succeeded", "declined", "authentication_required", or "processing" then
  // the second word once retrieved.
  const char* charge;
  const char* then;
};

constexpr const char* kDeclined = "Your card was declined.";
constexpr TestCard kTestCards[] = {
    {"pm_card_visa", "visa", "4242", nullptr, nullptr, nullptr, "succeeded", nullptr},
    {"pm_card_mastercard", "mastercard", "4444", nullptr, nullptr, nullptr, "succeeded", nullptr},
    {"pm_card_chargeDeclined", "visa", "0002", "card_declined", "generic_decline", kDeclined,
     "declined", nullptr},
    {"pm_card_chargeDeclinedInsufficientFunds", "visa", "9995", "card_declined",
     "insufficient_funds", "Your card has insufficient funds.", "declined", nullptr},
    {"pm_card_chargeDeclinedExpiredCard", "visa", "0069", "expired_card", "expired_card",
     "Your card has expired.", "declined", nullptr},
    {"pm_card_chargeCustomerFail", "visa", "0341", nullptr, "generic_decline", kDeclined,
     "declined", nullptr},
    {"pm_card_authenticationRequired", "visa", "3184", nullptr, "authentication_required",
     "Your card was declined. This transaction requires authentication.", "authentication_required",
     nullptr},
    {"pm_card_fakeChargeDeclinedInsufficientFunds", "visa", "9995", nullptr, "insufficient_funds",
     "Your card has insufficient funds.", "declined", nullptr},
    {"pm_card_fakeProcessingThenSucceeded", "visa", "0077", nullptr, nullptr, nullptr, "processing",
     "succeeded"},
    {"pm_card_fakeProcessingThenDeclined", "visa", "0085", nullptr, "generic_decline", kDeclined,
     "processing", "declined"},
};

// Stripe's test card numbers, as Stripe.js sends them from its card form
// (payment_method_data[card][number]), and the test PaymentMethod each one behaves as.
constexpr std::pair<const char*, const char*> kTestCardNumbers[] = {
    {"4242424242424242", "pm_card_visa"},
    {"5555555555554444", "pm_card_mastercard"},
    {"4000000000000002", "pm_card_chargeDeclined"},
    {"4000000000009995", "pm_card_chargeDeclinedInsufficientFunds"},
    {"4000000000000069", "pm_card_chargeDeclinedExpiredCard"},
    {"4000000000000341", "pm_card_chargeCustomerFail"},
};

// The test PaymentMethod a card number stands for; empty when it is none of Stripe's test numbers.
std::string TokenOfCardNumber(std::string number) {
  std::erase(number, ' ');
  for (const auto& [test_number, token] : kTestCardNumbers) {
    if (number == test_number) return token;
  }
  return "";
}

const TestCard* FindTestCard(const std::string& token) {
  for (const TestCard& card : kTestCards) {
    if (token == card.token) return &card;
  }
  return nullptr;
}

struct Answer {
  int status = 200;
  json body;
};

Answer StripeError(int status, std::string type, std::string message, std::string code = "",
                   std::string param = "") {
  json error = {{"type", type}, {"message", message}};
  if (!code.empty()) {
    error["code"] = code;
    error["doc_url"] = "https://stripe.com/docs/error-codes/" + code;
  }
  if (!param.empty()) error["param"] = param;
  return {status, {{"error", error}}};
}

Answer NoSuch(const std::string& what, const std::string& id, const std::string& param) {
  return StripeError(param.empty() ? 404 : 400, "invalid_request_error",
                     "No such " + what + ": '" + id + "'", "resource_missing", param);
}

// The form's `amount` (`fallback` when it has none), or Stripe's refusal of it.
std::variant<std::int64_t, Answer> AmountOf(const httplib::Request& request,
                                            std::int64_t fallback) {
  std::int64_t amount = fallback;
  if (request.has_param("amount")) {
    try {
      amount = std::stoll(request.get_param_value("amount"));
    } catch (...) {
      amount = 0;
    }
  }
  if (amount < 1) {
    return StripeError(400, "invalid_request_error",
                       "This value must be greater than or equal to 1.", "", "amount");
  }
  return amount;
}

Answer Missing(const std::string& param) {
  return StripeError(400, "invalid_request_error", "Missing required param: " + param + ".",
                     "parameter_missing", param);
}

// The form's `name[key]` entries as an object.
json Bracketed(const httplib::Request& request, const std::string& name) {
  json object = json::object();
  const std::string prefix = name + "[";
  for (const auto& [key, value] : request.params) {
    if (key.starts_with(prefix) && key.ends_with("]")) {
      object[key.substr(prefix.size(), key.size() - prefix.size() - 1)] = value;
    }
  }
  return object;
}

}  // namespace

struct FakeStripe::State {
  mutable std::mutex mutex;  // one request at a time
  std::atomic<std::size_t> requests{0};
  std::uint64_t next_id = 1;
  std::map<std::string, json> customers;
  std::map<std::string, json> payment_methods;      // attached ones (pm_fake_...)
  std::map<std::string, std::string> method_cards;  // pm_fake_... -> its test card's token
  std::map<std::string, json> payment_intents;
  std::map<std::string, json> setup_intents;
  std::map<std::string, std::string> detached_from;  // pm_... -> the customer it left
  std::map<std::string, json> deleted_customers;
  std::vector<std::string> intent_order;
  std::map<std::string, std::string> intent_keys;  // pi_... -> Idempotency-Key
  std::map<std::string, std::int64_t> refunded;    // pi_... -> refunded so far
  struct Remembered {
    std::string method_path;
    std::string body;
    Answer answer;
  };
  std::map<std::string, Remembered> idempotent;  // Idempotency-Key -> its first answer
  int fail_count = 0;
  int fail_status = 500;
  int drop_count = 0;

  std::string NewId(const std::string& prefix) {
    static constexpr char kDigits[] =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::uint64_t n = next_id++ * 2654435761u;
    std::string id = prefix + "_Fake";
    for (int i = 0; i < 14; ++i) {
      id += kDigits[n % 62];
      n /= 62;
    }
    return id;
  }

  json NewCustomer(const httplib::Request& request) {
    const std::string id = NewId("cus");
    json customer = {{"id", id},
                     {"object", "customer"},
                     {"created", kCreated},
                     {"livemode", false},
                     {"email", nullptr},
                     {"name", nullptr},
                     {"metadata", Bracketed(request, "metadata")},
                     {"invoice_settings", {{"default_payment_method", nullptr}}}};
    if (request.has_param("email")) customer["email"] = request.get_param_value("email");
    if (request.has_param("name")) customer["name"] = request.get_param_value("name");
    customers[id] = customer;
    return customer;
  }

  static json MethodObject(const std::string& id, const TestCard& card, json customer) {
    return {{"id", id},
            {"object", "payment_method"},
            {"type", "card"},
            {"created", kCreated},
            {"livemode", false},
            {"customer", std::move(customer)},
            {"metadata", json::object()},
            {"billing_details",
             {{"address", nullptr}, {"email", nullptr}, {"name", nullptr}, {"phone", nullptr}}},
            {"card",
             {{"brand", card.brand},
              {"last4", card.last4},
              {"exp_month", 12},
              {"exp_year", 2034},
              {"funding", "credit"},
              {"country", "US"}}}};
  }

  // The test card behind a PaymentMethod id, attached or one of Stripe's test ids.
  const TestCard* CardOf(const std::string& id) {
    if (auto it = method_cards.find(id); it != method_cards.end()) return FindTestCard(it->second);
    return FindTestCard(id);
  }

  static json CardError(const TestCard& card) {
    json error = {{"type", "card_error"},
                  {"code", card.attach_code != nullptr ? card.attach_code : "card_declined"},
                  {"message", card.message}};
    if (card.decline_code != nullptr) error["decline_code"] = card.decline_code;
    if (std::string(card.charge) == "authentication_required") {
      error["code"] = "authentication_required";
    }
    error["doc_url"] = "https://stripe.com/docs/error-codes/" + error["code"].get<std::string>();
    return error;
  }

  // A processing PaymentIntent is decided when it is next read, as its card says.
  void Settle(json& intent) {
    if (intent["status"] != "processing") return;
    const TestCard* card = CardOf(intent["payment_method"].get<std::string>());
    if (std::string(card->then) == "succeeded") {
      intent["status"] = "succeeded";
      intent["amount_received"] = intent["amount"];
    } else {
      intent["status"] = "requires_payment_method";
      intent["last_payment_error"] = CardError(*card);
    }
  }

  Answer Route(const httplib::Request& request, const std::string& key);
  Answer RoutePublishable(const httplib::Request& request);
  Answer ConfirmSetup(const httplib::Request& request, json& intent);
  Answer CreatePaymentIntent(const httplib::Request& request, const std::string& key);
  Answer Refund(const httplib::Request& request);
  Answer Search(const httplib::Request& request, bool intents);
};

FakeStripe::FakeStripe(int port) : state_(std::make_unique<State>()) { Listen(port); }

void FakeStripe::Listen(int port) {
  server_ = std::make_unique<httplib::Server>();
  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    Handle(request, response);
  };
  const std::string pattern = R"(/v1/.*)";
  server_->Get(pattern, handler);
  server_->Post(pattern, handler);
  server_->Delete(pattern, handler);
  port_ = port == 0 ? server_->bind_to_any_port("127.0.0.1")
                    : (server_->bind_to_port("127.0.0.1", port) ? port : -1);
  if (port_ <= 0) {
    throw std::runtime_error("the fake Stripe cannot listen on 127.0.0.1:" + std::to_string(port));
  }
  // Connections wait in the bound socket's backlog until the loop accepts them.
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

FakeStripe::~FakeStripe() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

void FakeStripe::Suspend() {
  Stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();  // the socket closed: connections are refused
}

void FakeStripe::Resume() {
  if (server_ == nullptr) Listen(port_);
}

std::string FakeStripe::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeStripe::Wait() {
  if (thread_.joinable()) thread_.join();
}

void FakeStripe::Stop() {
  if (server_ != nullptr) server_->stop();
}

std::vector<FakePaymentIntent> FakeStripe::PaymentIntents() const {
  std::lock_guard lock(state_->mutex);
  std::vector<FakePaymentIntent> intents;
  for (const std::string& id : state_->intent_order) {
    const json& intent = state_->payment_intents.at(id);
    FakePaymentIntent kept{
        id,
        intent["amount"].get<std::int64_t>(),
        intent["currency"].get<std::string>(),
        intent["customer"].is_string() ? intent["customer"].get<std::string>() : "",
        intent["payment_method"].get<std::string>(),
        intent["status"].get<std::string>(),
        state_->intent_keys.count(id) ? state_->intent_keys.at(id) : "",
        {}};
    for (const auto& [key, value] : intent["metadata"].items()) {
      kept.metadata[key] = value.get<std::string>();
    }
    intents.push_back(std::move(kept));
  }
  return intents;
}

std::size_t FakeStripe::CustomerCount() const {
  std::lock_guard lock(state_->mutex);
  return state_->customers.size();
}

std::size_t FakeStripe::RequestCount() const { return state_->requests; }

std::string FakeStripe::ConfirmSetupIntent(const std::string& setup_intent,
                                           const std::string& payment_method) {
  httplib::Client client("127.0.0.1", port_);
  const httplib::Headers headers = {{"Authorization", "Bearer sk_test_stripejs"}};
  auto answer =
      client.Post("/v1/setup_intents/" + setup_intent + "/confirm", headers,
                  "payment_method=" + payment_method, "application/x-www-form-urlencoded");
  if (!answer || answer->status != 200) return "";
  const json intent = json::parse(answer->body, nullptr, false);
  return intent.is_object() && intent["payment_method"].is_string()
             ? intent["payment_method"].get<std::string>()
             : "";
}

FakeStripe::Delivery FakeStripe::SendEvent(const std::string& url, const std::string& type,
                                           const std::string& object_id, const std::string& secret,
                                           std::int64_t timestamp, const std::string& event_id) {
  json event;
  {
    std::lock_guard lock(state_->mutex);
    State& state = *state_;
    json object = json::object();
    json previous = nullptr;
    if (auto it = state.payment_intents.find(object_id); it != state.payment_intents.end()) {
      state.Settle(it->second);
      object = it->second;
    } else if (auto setup = state.setup_intents.find(object_id);
               setup != state.setup_intents.end()) {
      object = setup->second;
    } else if (auto method = state.payment_methods.find(object_id);
               method != state.payment_methods.end()) {
      object = method->second;
      if (auto from = state.detached_from.find(object_id); from != state.detached_from.end()) {
        previous = {{"customer", from->second}};
      }
    } else if (auto customer = state.customers.find(object_id); customer != state.customers.end()) {
      object = customer->second;
    } else if (auto gone = state.deleted_customers.find(object_id);
               gone != state.deleted_customers.end()) {
      object = gone->second;
    }
    json data = {{"object", object}};
    if (!previous.is_null()) data["previous_attributes"] = previous;
    event = {{"id", event_id.empty() ? state.NewId("evt") : event_id},
             {"object", "event"},
             {"api_version", "2024-06-20"},
             {"created", timestamp},
             {"livemode", false},
             {"pending_webhooks", 1},
             {"request", {{"id", nullptr}, {"idempotency_key", nullptr}}},
             {"type", type},
             {"data", data}};
  }
  Delivery delivery;
  delivery.event_id = event["id"];
  delivery.payload = event.dump();
  return Resend(url, delivery, secret, timestamp);
}

FakeStripe::Delivery FakeStripe::Resend(const std::string& url, const Delivery& delivery,
                                        const std::string& secret, std::int64_t timestamp) {
  Delivery sent = delivery;
  static const std::regex kUrl(R"(http://([^/:]+):(\d+)(/.*))");
  std::smatch match;
  if (!std::regex_match(url, match, kUrl)) return sent;
  httplib::Client client(match[1].str(), std::stoi(match[2].str()));
  const httplib::Headers headers = {
      {"Stripe-Signature", StripeSignatureHeader(secret, timestamp, sent.payload)},
      {"User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}};
  auto answer =
      client.Post(match[3].str(), headers, sent.payload, "application/json; charset=utf-8");
  if (!answer) return sent;
  sent.status = answer->status;
  sent.body = answer->body;
  return sent;
}

void FakeStripe::DeleteCustomer(const std::string& customer) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->customers.find(customer);
  if (it == state_->customers.end()) return;
  state_->deleted_customers[customer] = it->second;
  state_->customers.erase(it);
}

std::string FakeStripe::CustomerOfPaymentMethod(const std::string& payment_method) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->payment_methods.find(payment_method);
  if (it == state_->payment_methods.end() || !it->second["customer"].is_string()) return "";
  return it->second["customer"].get<std::string>();
}

std::string FakeStripe::DefaultPaymentMethodOf(const std::string& customer) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->customers.find(customer);
  if (it == state_->customers.end()) return "";
  const json& method = it->second["invoice_settings"]["default_payment_method"];
  return method.is_string() ? method.get<std::string>() : "";
}

void FakeStripe::FailNextRequests(int count, int status) {
  std::lock_guard lock(state_->mutex);
  state_->fail_count = count;
  state_->fail_status = status;
}

void FakeStripe::DropAnswersAfterCharging(int count) {
  std::lock_guard lock(state_->mutex);
  state_->drop_count = count;
}

void FakeStripe::Handle(const httplib::Request& request, httplib::Response& response) {
  State& state = *state_;
  ++state.requests;
  std::lock_guard lock(state.mutex);
  Answer answer;
  bool replayed = false;
  bool drop = false;
  const std::string authorization = request.get_header_value("Authorization");
  const std::string key = request.get_header_value("Idempotency-Key");
  // The key comes as a Bearer token, or (as Stripe.js sends its publishable key) as the form's
  // `key`, so that a browser's request needs no preflight.
  const std::string api_key = authorization.starts_with("Bearer ") ? authorization.substr(7)
                              : request.has_param("key")           ? request.get_param_value("key")
                                                                   : std::string();
  const bool publishable = api_key.starts_with("pk_test_") || api_key.starts_with("pk_live_");
  if (api_key.empty()) {
    answer = StripeError(401, "invalid_request_error",
                         "You did not provide an API key. You need to provide your API key in the "
                         "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                         "YOUR_SECRET_KEY').");
  } else if (!api_key.starts_with("sk_test_") && !api_key.starts_with("sk_live_") &&
             !api_key.starts_with("rk_") && !publishable) {
    // Stripe masks all but the key's first 8 and last 4 characters.
    const std::string masked =
        api_key.size() > 12 ? api_key.substr(0, 8) + "****" + api_key.substr(api_key.size() - 4)
                            : "****";
    answer = StripeError(401, "invalid_request_error", "Invalid API Key provided: " + masked);
  } else if (state.fail_count > 0) {
    --state.fail_count;
    answer = state.fail_status == 429
                 ? StripeError(429, "invalid_request_error",
                               "Too many requests hit the API too quickly.", "rate_limit")
                 : StripeError(state.fail_status, "api_error",
                               "An unknown error occurred while processing the request.");
  } else if (publishable) {
    answer = state.RoutePublishable(request);
  } else if (request.method == "POST" && !key.empty()) {
    const std::string method_path = request.method + " " + request.path;
    if (auto first = state.idempotent.find(key); first != state.idempotent.end()) {
      if (first->second.method_path != method_path || first->second.body != request.body) {
        answer = StripeError(400, "idempotency_error",
                             "Keys for idempotent requests can only be used with the same "
                             "parameters they were first used with. Try using a key other than '" +
                                 key + "' if you meant to execute a different request.");
      } else {
        answer = first->second.answer;
        replayed = true;
      }
    } else {
      const std::size_t intents_before = state.payment_intents.size();
      answer = state.Route(request, key);
      // Stripe keeps the answer of a request whose endpoint ran: a success or a card error, not
      // a refusal of its parameters.
      if (answer.status < 400 || answer.status == 402) {
        state.idempotent[key] = {method_path, request.body, answer};
      }
      drop = state.payment_intents.size() > intents_before && state.drop_count > 0;
      if (drop) --state.drop_count;
    }
  } else {
    answer = state.Route(request, key);
  }
  response.status = answer.status;
  response.set_header("Request-Id", "req_fake" + std::to_string(state.requests.load()));
  response.set_header("Stripe-Version", request.has_header("Stripe-Version")
                                            ? request.get_header_value("Stripe-Version")
                                            : "2024-06-20");
  if (!key.empty()) response.set_header("Idempotency-Key", key);
  // Stripe's API answers browsers of any origin: Stripe.js calls it from the payer's page.
  response.set_header("Access-Control-Allow-Origin", "*");
  if (replayed) response.set_header("Idempotent-Replayed", "true");
  const std::string body = answer.body.dump();
  if (drop) {
    // The head goes out with the body's length, then the connection closes before the body.
    response.set_content_provider(
        body.size(), "application/json",
        [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
    return;
  }
  response.set_content(body, "application/json");
}

Answer FakeStripe::State::Route(const httplib::Request& request, const std::string& key) {
  static const std::regex kCustomer(R"(/v1/customers/([^/]+))");
  static const std::regex kMethodAction(R"(/v1/payment_methods/([^/]+)/(attach|detach))");
  static const std::regex kMethod(R"(/v1/payment_methods/([^/]+))");
  static const std::regex kIntent(R"(/v1/payment_intents/([^/]+))");
  static const std::regex kCustomerMethods(R"(/v1/customers/([^/]+)/payment_methods)");
  static const std::regex kSetupIntent(R"(/v1/setup_intents/([^/]+))");
  static const std::regex kSetupIntentConfirm(R"(/v1/setup_intents/([^/]+)/confirm)");
  const std::string& path = request.path;
  const bool post = request.method == "POST";
  std::smatch match;

  if (request.method == "GET" && path == "/v1/account") {
    return {200,
            {{"id", FakeStripe::kAccountId}, {"object", "account"}, {"charges_enabled", true}}};
  }
  if (post && path == "/v1/customers") return {200, NewCustomer(request)};
  if (request.method == "GET" && path == "/v1/customers/search") return Search(request, false);
  if (request.method == "GET" && path == "/v1/payment_intents/search") {
    return Search(request, true);
  }
  if (std::regex_match(path, match, kCustomerMethods) && request.method == "GET") {
    if (!customers.count(match[1])) return NoSuch("customer", match[1], "");
    json data = json::array();
    for (const auto& [id, method] : payment_methods) {
      if (method["customer"] == match[1].str()) data.push_back(method);
    }
    return {200, {{"object", "list"}, {"data", data}, {"has_more", false}, {"url", path}}};
  }
  if (std::regex_match(path, match, kCustomer)) {
    auto it = customers.find(match[1]);
    if (it == customers.end()) return NoSuch("customer", match[1], "");
    if (post && request.has_param("invoice_settings[default_payment_method]")) {
      const std::string method =
          request.get_param_value("invoice_settings[default_payment_method]");
      auto held = payment_methods.find(method);
      if (!method.empty() &&
          (held == payment_methods.end() || held->second["customer"] != it->first)) {
        return StripeError(400, "invalid_request_error",
                           "The customer does not have a payment method with the ID " + method +
                               ". The payment method must be attached to the customer.",
                           "resource_missing", "invoice_settings[default_payment_method]");
      }
      it->second["invoice_settings"]["default_payment_method"] =
          method.empty() ? json(nullptr) : json(method);
    }
    return {200, it->second};
  }
  if (std::regex_match(path, match, kSetupIntentConfirm) && post) {
    auto it = setup_intents.find(match[1]);
    if (it == setup_intents.end()) return NoSuch("setup_intent", match[1], "");
    return ConfirmSetup(request, it->second);
  }
  if (std::regex_match(path, match, kSetupIntent) && request.method == "GET") {
    auto it = setup_intents.find(match[1]);
    if (it == setup_intents.end()) return NoSuch("setup_intent", match[1], "");
    return {200, it->second};
  }
  if (post && path == "/v1/setup_intents") {
    const std::string customer = request.get_param_value("customer");
    if (!customer.empty() && !customers.count(customer)) {
      return NoSuch("customer", customer, "customer");
    }
    const std::string id = NewId("seti");
    json types = json::array();
    for (std::size_t i = 0; i < request.get_param_value_count("payment_method_types[]"); ++i) {
      types.push_back(request.get_param_value("payment_method_types[]", i));
    }
    if (types.empty()) types.push_back("card");
    setup_intents[id] = {
        {"id", id},
        {"object", "setup_intent"},
        {"client_secret", id + "_secret_" + NewId("s").substr(6)},
        {"created", kCreated},
        {"livemode", false},
        {"customer", customer.empty() ? json(nullptr) : json(customer)},
        {"usage", request.has_param("usage") ? request.get_param_value("usage") : "off_session"},
        {"payment_method_types", types},
        {"payment_method", nullptr},
        {"metadata", Bracketed(request, "metadata")},
        {"status", "requires_payment_method"}};
    return {200, setup_intents[id]};
  }
  if (std::regex_match(path, match, kMethodAction) && post) {
    const std::string id = match[1];
    if (match[2] == "detach") {
      auto it = payment_methods.find(id);
      if (it == payment_methods.end() || it->second["customer"].is_null()) {
        return StripeError(400, "invalid_request_error",
                           "The payment method you provided is not attached to a customer so "
                           "detachment is impossible.",
                           "", "");
      }
      detached_from[id] = it->second["customer"];
      it->second["customer"] = nullptr;
      return {200, it->second};
    }
    const std::string customer = request.get_param_value("customer");
    if (customer.empty()) return Missing("customer");
    const TestCard* card = CardOf(id);
    if (card == nullptr) return NoSuch("PaymentMethod", id, "payment_method");
    if (!customers.count(customer)) return NoSuch("customer", customer, "customer");
    if (card->attach_code != nullptr) return {402, {{"error", CardError(*card)}}};
    std::string attached = id;
    if (!payment_methods.count(id)) {
      attached = NewId("pm");
      method_cards[attached] = card->token;
    } else if (payment_methods[id]["customer"].is_string()) {
      return StripeError(400, "invalid_request_error",
                         "The payment method you provided has already been attached to a "
                         "customer.",
                         "payment_method_already_attached");
    }
    payment_methods[attached] = MethodObject(attached, *card, customer);
    return {200, payment_methods[attached]};
  }
  if (path == "/v1/payment_methods" && request.method == "GET") {
    const std::string customer = request.get_param_value("customer");
    json data = json::array();
    for (const auto& [id, method] : payment_methods) {
      if (customer.empty() || method["customer"] == customer) data.push_back(method);
    }
    return {200, {{"object", "list"}, {"data", data}, {"has_more", false}, {"url", path}}};
  }
  if (std::regex_match(path, match, kMethod) && request.method == "GET") {
    if (auto it = payment_methods.find(match[1]); it != payment_methods.end()) {
      return {200, it->second};
    }
    if (const TestCard* card = FindTestCard(match[1])) {
      return {200, MethodObject(match[1], *card, nullptr)};
    }
    return NoSuch("PaymentMethod", match[1], "");
  }
  if (post && path == "/v1/payment_intents") return CreatePaymentIntent(request, key);
  if (std::regex_match(path, match, kIntent) && request.method == "GET") {
    auto it = payment_intents.find(match[1]);
    if (it == payment_intents.end()) return NoSuch("payment_intent", match[1], "");
    Settle(it->second);
    return {200, it->second};
  }
  if (post && path == "/v1/refunds") return Refund(request);
  return StripeError(404, "invalid_request_error",
                     "Unrecognized request URL (" + request.method + ": " + path + ").");
}

// What Stripe.js may do with a publishable key: read and confirm a SetupIntent whose client secret
// it holds. Everything else needs a secret key.
Answer FakeStripe::State::RoutePublishable(const httplib::Request& request) {
  static const std::regex kSetupIntent(R"(/v1/setup_intents/([^/]+?)(/confirm)?)");
  std::smatch match;
  if (!std::regex_match(request.path, match, kSetupIntent) ||
      request.method != (match[2].matched ? "POST" : "GET")) {
    return StripeError(403, "invalid_request_error",
                       "This API call cannot be made with a publishable API key. Please use a "
                       "secret API key. You can find a list of your API keys at "
                       "https://dashboard.stripe.com/account/apikeys.",
                       "secret_key_required");
  }
  const std::string secret = request.get_param_value("client_secret");
  if (secret.empty()) return Missing("client_secret");
  auto it = setup_intents.find(match[1]);
  if (it == setup_intents.end() || it->second["client_secret"] != secret) {
    return StripeError(400, "invalid_request_error",
                       "The client_secret provided does not match any associated SetupIntent on "
                       "this account. Ensure the publishable key used belongs to the same account "
                       "that created the SetupIntent.",
                       "resource_missing", "client_secret");
  }
  if (!match[2].matched) return {200, it->second};
  return ConfirmSetup(request, it->second);
}

// Confirms `intent` with a PaymentMethod (`payment_method`, as a server does) or with card details
// (`payment_method_data[card][number]`, as Stripe.js's card form does), attaching the card to the
// SetupIntent's customer. A card refused leaves the intent requiring a payment method, with its
// last_setup_error; a succeeded intent cannot be confirmed again.
Answer FakeStripe::State::ConfirmSetup(const httplib::Request& request, json& intent) {
  if (intent["status"] == "succeeded") {
    return StripeError(400, "invalid_request_error",
                       "You cannot confirm this SetupIntent because it has already succeeded.",
                       "setup_intent_unexpected_state");
  }
  std::string method = request.get_param_value("payment_method");
  if (method.empty() && request.has_param("payment_method_data[type]")) {
    if (request.get_param_value("payment_method_data[type]") != "card") {
      return StripeError(400, "invalid_request_error", "The fake Stripe takes card details only.",
                         "", "payment_method_data[type]");
    }
    const std::string number = request.get_param_value("payment_method_data[card][number]");
    if (number.empty()) return Missing("payment_method_data[card][number]");
    method = TokenOfCardNumber(number);
    if (method.empty()) {
      json error = {{"type", "card_error"},
                    {"code", "incorrect_number"},
                    {"message", "Your card number is incorrect."},
                    {"param", "number"},
                    {"doc_url", "https://stripe.com/docs/error-codes/incorrect_number"}};
      intent["last_setup_error"] = error;
      error["setup_intent"] = intent;
      return {402, {{"error", error}}};
    }
  }
  if (method.empty()) return Missing("payment_method");
  const TestCard* card = CardOf(method);
  if (card == nullptr) return NoSuch("PaymentMethod", method, "payment_method");
  if (card->attach_code != nullptr) {
    json error = CardError(*card);
    intent["last_setup_error"] = error;
    error["setup_intent"] = intent;
    return {402, {{"error", error}}};
  }
  // As Stripe.js's confirmation does: the card is attached to the SetupIntent's customer.
  const std::string attached = NewId("pm");
  method_cards[attached] = card->token;
  payment_methods[attached] = MethodObject(attached, *card, intent["customer"]);
  intent["payment_method"] = attached;
  intent["last_setup_error"] = nullptr;
  intent["status"] = "succeeded";
  return {200, intent};
}

Answer FakeStripe::State::CreatePaymentIntent(const httplib::Request& request,
                                              const std::string& key) {
  for (const char* required : {"amount", "currency"}) {
    if (!request.has_param(required)) return Missing(required);
  }
  const auto amount_or_refusal = AmountOf(request, 0);
  if (const Answer* refusal = std::get_if<Answer>(&amount_or_refusal)) return *refusal;
  const std::int64_t amount = std::get<std::int64_t>(amount_or_refusal);
  const std::string customer = request.get_param_value("customer");
  const std::string method = request.get_param_value("payment_method");
  if (!customer.empty() && !customers.count(customer)) {
    return NoSuch("customer", customer, "customer");
  }
  const TestCard* card = method.empty() ? nullptr : CardOf(method);
  if (!method.empty() && card == nullptr) return NoSuch("PaymentMethod", method, "payment_method");
  const std::string id = NewId("pi");
  std::string currency = request.get_param_value("currency");
  for (char& c : currency) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  json intent = {{"id", id},
                 {"object", "payment_intent"},
                 {"amount", amount},
                 {"amount_received", 0},
                 {"currency", currency},
                 {"customer", customer.empty() ? json(nullptr) : json(customer)},
                 {"payment_method", method},
                 {"description", request.has_param("description")
                                     ? json(request.get_param_value("description"))
                                     : json(nullptr)},
                 {"metadata", Bracketed(request, "metadata")},
                 {"created", kCreated},
                 {"livemode", false},
                 {"capture_method", "automatic"},
                 {"confirmation_method", "automatic"},
                 {"client_secret", id + "_secret_" + NewId("s").substr(6)},
                 {"last_payment_error", nullptr},
                 {"latest_charge", nullptr},
                 {"next_action", nullptr},
                 {"payment_method_types", json::array({"card"})},
                 {"status", "requires_payment_method"}};
  intent_order.push_back(id);
  if (!key.empty()) intent_keys[id] = key;
  const bool confirm = request.get_param_value("confirm") == "true";
  if (!confirm || card == nullptr) {
    if (confirm)
      intent["status"] = "requires_payment_method";
    else if (card != nullptr)
      intent["status"] = "requires_confirmation";
    payment_intents[id] = intent;
    return {200, intent};
  }
  const std::string outcome = card->charge;
  if (outcome == "succeeded" || outcome == "processing") {
    intent["status"] = outcome;
    if (outcome == "succeeded") intent["amount_received"] = amount;
    intent["latest_charge"] = NewId("ch");
    payment_intents[id] = intent;
    return {200, intent};
  }
  json error = CardError(*card);
  error["charge"] = NewId("ch");
  intent["latest_charge"] = error["charge"];
  intent["last_payment_error"] = error;
  intent["status"] = "requires_payment_method";
  payment_intents[id] = intent;
  error["payment_intent"] = intent;
  return {402, {{"error", error}}};
}

Answer FakeStripe::State::Refund(const httplib::Request& request) {
  const std::string id = request.get_param_value("payment_intent");
  if (id.empty()) return Missing("payment_intent");
  auto it = payment_intents.find(id);
  if (it == payment_intents.end()) return NoSuch("payment_intent", id, "payment_intent");
  const json& intent = it->second;
  if (intent["status"] != "succeeded") {
    return StripeError(400, "invalid_request_error",
                       "This PaymentIntent (" + id +
                           ") does not have a successful charge to "
                           "refund.",
                       "charge_not_refundable", "payment_intent");
  }
  const std::int64_t total = intent["amount"].get<std::int64_t>();
  const std::int64_t left = total - refunded[id];
  const auto amount_or_refusal = AmountOf(request, std::max<std::int64_t>(left, 1));
  if (const Answer* refusal = std::get_if<Answer>(&amount_or_refusal)) return *refusal;
  const std::int64_t amount = std::get<std::int64_t>(amount_or_refusal);
  if (left == 0) {
    return StripeError(
        400, "invalid_request_error",
        "Charge " + intent["latest_charge"].get<std::string>() + " has already been refunded.",
        "charge_already_refunded", "");
  }
  if (amount > left) {
    return StripeError(400, "invalid_request_error",
                       "Refund amount (" + std::to_string(amount) +
                           ") is greater than unrefunded amount on charge (" +
                           std::to_string(left) + ")",
                       "", "amount");
  }
  refunded[id] += amount;
  return {200,
          {{"id", NewId("re")},
           {"object", "refund"},
           {"amount", amount},
           {"currency", intent["currency"]},
           {"charge", intent["latest_charge"]},
           {"payment_intent", id},
           {"created", kCreated},
           {"metadata", Bracketed(request, "metadata")},
           {"reason", nullptr},
           {"status", "succeeded"}}};
}

// Stripe's search query language, as far as Recur uses it: one `metadata['key']:'value'`.
Answer FakeStripe::State::Search(const httplib::Request& request, bool intents) {
  static const std::regex kQuery(R"(metadata\['([^']+)'\]:'([^']*)')");
  const std::string query = request.get_param_value("query");
  std::smatch match;
  if (!std::regex_match(query, match, kQuery)) {
    return StripeError(
        400, "invalid_request_error",
        "The fake Stripe understands one metadata['key']:'value' query, not " + query, "", "query");
  }
  json data = json::array();
  for (auto& [id, object] : intents ? payment_intents : customers) {
    if (intents) Settle(object);
    const json& metadata = object["metadata"];
    if (auto it = metadata.find(match[1].str()); it != metadata.end() && *it == match[2].str()) {
      data.push_back(object);
    }
  }
  return {200,
          {{"object", "search_result"},
           {"data", data},
           {"has_more", false},
           {"next_page", nullptr},
           {"url", request.path}}};
}

}  // namespace recur::testing
