// For the end-to-end tests of `recur serve --gateway stripe`: a fake Stripe on loopback
// (tests/support/fake_stripe.h) and the server's options pointing at it, with the signing
// secret of Stripe's webhook endpoint where events are sent, and a paid plan of the tests' own.
#pragma once

#include <string>

#include <date/date.h>

#include "gateways/stripe/stripe_signature.h"
#include "tests/e2e/exchange_recorder.h"
#include "tests/e2e/fixture.h"
#include "tests/support/fake_stripe.h"

namespace recur::testing {

inline constexpr std::int64_t kStripeDay = 86'400'000;
inline constexpr const char* kStripeKey = "sk_test_e2eStripeKey4242";
inline constexpr const char* kWebhookSecret = "whsec_e2eWebhookSecret";

// Unix milliseconds of midnight UTC on `day`.
inline std::int64_t MillisOf(date::year_month_day day) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             date::sys_days(day).time_since_epoch())
      .count();
}

class StripeServeFixture : public ServeTest {
 protected:
  RecurServer::Options StripeOptions(const char* key = kStripeKey) const {
    RecurServer::Options options = Options();
    if (key != nullptr) options.env["STRIPE_SECRET_KEY"] = key;
    options.args = {"--gateway", "stripe", "--stripe-api-base", fake_.base_url()};
    return options;
  }

  // With the signing secret of Stripe's webhook endpoint.
  RecurServer::Options WebhookOptions() const {
    RecurServer::Options options = StripeOptions();
    options.env["RECUR_STRIPE_WEBHOOK_SECRET"] = kWebhookSecret;
    return options;
  }
  std::string WebhookUrl() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/v1/gateways/stripe/webhook";
  }
  // Delivers an event's payload again as Stripe would, signed with `secret` at `timestamp`,
  // through a client whose exchanges are recorded (and so checked against docs/openapi.json).
  httplib::Result Redeliver(const std::string& payload, const std::string& secret,
                            std::int64_t timestamp) {
    httplib::Client client("127.0.0.1", server_->port());
    RecordExchanges(client);
    return client.Post("/v1/gateways/stripe/webhook",
                       {{"Stripe-Signature", StripeSignatureHeader(secret, timestamp, payload)}},
                       payload, "application/json");
  }

  // Writes a paid plan of the tests' own, "solo" (2000 USD a month, no trial), beside the
  // shipped ones.
  void AddSoloPlan() {
    WriteFile(plans_dir() + "/solo.json",
              R"({"slug": "solo", "name": "Solo", "payer_type": "user", "amount": 2000,
                  "currency": "USD"})");
  }

  // Starts recur serve with `options` beside the "solo" plan; the test stops when it cannot
  // start.
  void StartWithSoloPlan(const RecurServer::Options& options) {
    AddSoloPlan();
    int exit_code = 0;
    std::string output;
    server_ = RecurServer::Start(options, &exit_code, &output);
    ASSERT_NE(server_, nullptr) << output;
  }

  // The payer's payment attempts, oldest first.
  std::vector<nlohmann::json> AttemptsOf(const std::string& payer) {
    const Answer listed = Call("GET", "/v1/payment_attempts?limit=100&payer_id=" + payer);
    if (listed.status != 200) throw std::runtime_error("attempts: " + listed.body.dump());
    std::vector<nlohmann::json> attempts(listed.body["data"].begin(), listed.body["data"].end());
    std::reverse(attempts.begin(), attempts.end());
    return attempts;
  }

  FakeStripe fake_;
};

}  // namespace recur::testing
