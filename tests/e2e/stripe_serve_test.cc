// `recur serve --gateway stripe` against the fake Stripe of the tests: the start-up refuses a
// missing or wrong key and says test or live without the key, and a trial with Stripe's test card
// converts, charged once: one PaymentIntent, for the payer's one Customer, under the attempt's
// idempotency key.
#include <date/date.h>
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"
#include "tests/support/fake_stripe.h"

namespace recur::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr std::int64_t kDay = 86'400'000;
constexpr const char* kStripeKey = "sk_test_e2eStripeKey4242";

class StripeServeTest : public ServeTest {
 protected:
  RecurServer::Options StripeOptions(const char* key = kStripeKey) const {
    RecurServer::Options options = Options();
    if (key != nullptr) options.env["STRIPE_SECRET_KEY"] = key;
    options.args = {"--gateway", "stripe", "--stripe-api-base", fake_.base_url()};
    return options;
  }

  FakeStripe fake_;
};

TEST_F(StripeServeTest, AStartWithoutAUsableKeyIsRefusedAndNamesNoKey) {
  for (const char* key : {static_cast<const char*>(nullptr), "pk_test_publishable1234"}) {
    int exit_code = 0;
    std::string output;
    EXPECT_EQ(RecurServer::Start(StripeOptions(key), &exit_code, &output), nullptr);
    EXPECT_EQ(exit_code, 2);
    EXPECT_THAT(output, HasSubstr("STRIPE_SECRET_KEY"));
    EXPECT_THAT(output, Not(HasSubstr("publishable1234")));
  }
  RecurServer::Options plain = StripeOptions();
  plain.args = {"--gateway", "stripe", "--stripe-api-base", "http://203.0.113.7:443"};
  int exit_code = 0;
  std::string output;
  EXPECT_EQ(RecurServer::Start(plain, &exit_code, &output), nullptr);
  EXPECT_EQ(exit_code, 2);
  EXPECT_THAT(output, HasSubstr("--stripe-api-base"));
}

TEST_F(StripeServeTest, ATrialWithStripesTestCardConvertsAndIsChargedOnce) {
  WriteFile(plans_dir() + "/trial14.json",
            R"({"slug": "trial14", "name": "Trial 14", "payer_type": "user", "amount": 1500,
                "currency": "USD", "free_trial_days": 14})");
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  EXPECT_THAT(server_->Stderr(), HasSubstr(R"("gateway":"stripe")"));
  EXPECT_THAT(server_->Stderr(), HasSubstr(R"("mode":"test")"));
  EXPECT_THAT(server_->Stderr(), Not(HasSubstr(kStripeKey)));

  const std::int64_t start = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 date::sys_days(date::year{2025} / 3 / 1).time_since_epoch())
                                 .count();
  const std::string clock = NewClock(start);
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  const Answer trial =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "trial14"}});
  ASSERT_EQ(trial.status, 200) << trial.body;
  EXPECT_TRUE(fake_.PaymentIntents().empty());  // nothing is charged during the trial
  const std::int64_t trial_end = trial.body["trial_end"];
  ASSERT_EQ(Advance(clock, trial_end + kDay).status, 200);

  const nlohmann::json item = Call("GET", "/v1/payers/" + payer + "/subscription").body["items"][0];
  EXPECT_EQ(item["is_free_trial"], false);
  EXPECT_EQ(item["status"], "active");
  const nlohmann::json attempts = Call("GET", "/v1/payment_attempts?payer_id=" + payer).body;
  ASSERT_EQ(attempts["data"].size(), 1u) << attempts;
  EXPECT_EQ(attempts["data"][0]["status"], "paid");

  const auto intents = fake_.PaymentIntents();
  ASSERT_EQ(intents.size(), 1u);
  EXPECT_EQ(intents[0].status, "succeeded");
  EXPECT_EQ(intents[0].amount, 1500);
  EXPECT_EQ(intents[0].currency, "usd");
  EXPECT_EQ(attempts["data"][0]["gateway_external_id"], intents[0].id);
  EXPECT_EQ(
      intents[0].idempotency_key,
      StoredText("SELECT idempotency_key FROM payment_attempts WHERE payer_id = " + Quoted(payer)));
  EXPECT_EQ(intents[0].metadata.at("recur_payer_id"), payer);
  EXPECT_EQ(fake_.CustomerCount(), 1u);
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

}  // namespace
}  // namespace recur::testing
