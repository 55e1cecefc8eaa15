// What goes wrong between `recur serve --gateway stripe` and Stripe (the fake of the tests), and
// that no fault charges twice: a connection dropped after the PaymentIntent was made is retried
// under the same Idempotency-Key and answered by Stripe's replay; Stripe answering 429 or 500,
// or refusing connections, for longer than the retries last leaves the attempt pending, settled
// once Stripe is back (at the next start; on PostgreSQL once its look-up's wait is over); and a
// server killed with SIGKILL between Stripe's charge and the commit of its answer settles the
// attempt when it starts again. Each ends with one PaymentIntent per attempt at the fake. A server
// killed after a webhook event's effect committed and before its answer finds the event recorded
// with it when Stripe delivers it again: a duplicate, applied once.
#include <signal.h>

#include <ctime>

#include <gmock/gmock.h>

#include "tests/e2e/stripe_fixture.h"

namespace recur::testing::stripe_faults_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::IsEmpty;

class StripeFaultsTest : public StripeServeFixture {
 protected:
  void SetUp() override {
    StripeServeFixture::SetUp();
    AddSoloPlan();
  }

  // A checkout of the solo plan.
  Answer BuySolo(const std::string& payer) {
    return Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "solo"}});
  }

  // Stops the server as an operator would and starts it again with `options` on its database.
  void Restart(const RecurServer::Options& options) {
    server_->Signal(SIGTERM);
    ASSERT_EQ(server_->WaitForExit(kPatience), 0);
    server_ = RecurServer::Start(options);
    ASSERT_NE(server_, nullptr) << "recur serve did not start again on the same database";
  }

  // Stripe is back: the attempt left pending is looked up and settled. On SQLite at the next
  // start (a lease of an earlier run is over at once). On PostgreSQL a look-up put off waits out
  // its minute whatever starts, since nodes share the database: the minute is made to pass by
  // ending the wait in the database, and the running node settles it at its next poll.
  void SettleOnceStripeIsBack() {
    if (OnPostgres()) {
      auto connection = PgConnection::Open({database()});
      ASSERT_TRUE(connection) << connection.error().message;
      auto ended =
          (*connection)
              ->Exec({"ending the wait for a test"},
                     "UPDATE payment_attempts SET lease_until = 0 WHERE status = 'pending'");
      ASSERT_TRUE(ended) << ended.error().message;
    } else {
      ASSERT_NO_FATAL_FAILURE(Restart(StripeOptions()));
    }
    EXPECT_TRUE(server_->WaitForStderr("\"event\":\"pending_charge_settled\"", kPatience));
  }

  // The PaymentIntents the fake made for the payer.
  std::vector<FakePaymentIntent> IntentsOf(const std::string& payer) {
    std::vector<FakePaymentIntent> intents;
    for (FakePaymentIntent& intent : fake_.PaymentIntents()) {
      if (intent.metadata["recur_payer_id"] == payer) intents.push_back(std::move(intent));
    }
    return intents;
  }

  // A checkout that Stripe could not be asked about: its item incomplete, the attempt left
  // pending, the payer still on the free plan.
  void ExpectLeftPending(const std::string& payer, const Answer& checkout) {
    ASSERT_EQ(checkout.status, 200) << checkout.body;
    EXPECT_EQ(checkout.body["status"], "incomplete") << checkout.body;
    const std::vector<json> attempts = AttemptsOf(payer);
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_EQ(attempts[0]["status"], "pending");
    EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "free");
  }

  // The payer's one attempt paid by its one PaymentIntent, made under the attempt's key.
  void ExpectPaidOnce(const std::string& payer) {
    const std::vector<json> attempts = AttemptsOf(payer);
    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_EQ(attempts[0]["status"], "paid") << attempts[0];
    const std::vector<FakePaymentIntent> intents = IntentsOf(payer);
    ASSERT_EQ(intents.size(), 1u);
    EXPECT_EQ(intents[0].status, "succeeded");
    EXPECT_EQ(intents[0].amount, 2000);
    EXPECT_EQ(attempts[0]["gateway_external_id"], intents[0].id);
    EXPECT_EQ(intents[0].idempotency_key,
              StoredText("SELECT idempotency_key FROM payment_attempts WHERE id = " +
                         Quoted(attempts[0]["id"])));
    EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "solo");
    EXPECT_THAT(InvariantViolations(payer), IsEmpty());
  }
};

TEST_F(StripeFaultsTest, AConnectionDroppedAfterChargingIsRetriedUnderTheSameKeyAndChargesOnce) {
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  const std::size_t requests_before = fake_.RequestCount();
  fake_.DropAnswersAfterCharging(1);

  const Answer bought = BuySolo(payer);
  ASSERT_EQ(bought.status, 200) << bought.body;
  EXPECT_EQ(bought.body["status"], "active");
  // The charge was made and its answer lost; the retry under its key got Stripe's replay.
  EXPECT_EQ(fake_.RequestCount() - requests_before, 2u);
  ExpectPaidOnce(payer);
}

TEST_F(StripeFaultsTest, StripeAnswering429ForAMomentIsRetriedAndChargesOnce) {
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  fake_.FailNextRequests(2, 429);
  const Answer bought = BuySolo(payer);
  ASSERT_EQ(bought.status, 200) << bought.body;
  ExpectPaidOnce(payer);
}

TEST_F(StripeFaultsTest, StripeAnswering500ForAWhileLeavesTheAttemptPendingUntilItIsBack) {
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  fake_.FailNextRequests(1000, 500);  // down for longer than the retries last
  const Answer checkout = BuySolo(payer);
  ASSERT_NO_FATAL_FAILURE(ExpectLeftPending(payer, checkout));
  EXPECT_TRUE(IntentsOf(payer).empty());

  fake_.FailNextRequests(0, 500);  // back
  ASSERT_NO_FATAL_FAILURE(SettleOnceStripeIsBack());
  ExpectPaidOnce(payer);
}

TEST_F(StripeFaultsTest, StripeRefusingConnectionsLeavesTheAttemptPendingUntilItIsBack) {
  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  fake_.Suspend();
  const Answer checkout = BuySolo(payer);
  ASSERT_NO_FATAL_FAILURE(ExpectLeftPending(payer, checkout));

  fake_.Resume();
  ASSERT_NO_FATAL_FAILURE(SettleOnceStripeIsBack());
  ExpectPaidOnce(payer);
}

TEST_F(StripeFaultsTest, AServerKilledBetweenTheChargeAndItsAnswerSettlesItAtStartOnce) {
  RecurServer::Options killed = StripeOptions();
  killed.env["RECUR_TEST_KILL_AFTER_CHARGE"] = "1";
  server_ = RecurServer::Start(killed);
  ASSERT_NE(server_, nullptr);
  const std::string payer = NewPayer("user_1", "pm_card_visa");

  httplib::Client client = server_->Client();
  client.set_read_timeout(30s);
  const httplib::Result cut_off = client.Post("/v1/payers/" + payer + "/subscription_items", Auth(),
                                              json{{"plan", "solo"}}.dump(), "application/json");
  EXPECT_FALSE(cut_off) << "the server answered " << cut_off->status;
  ASSERT_EQ(server_->WaitForExit(30s), 128 + SIGKILL);
  ASSERT_EQ(IntentsOf(payer).size(), 1u) << "the server did not charge before it died";
  EXPECT_EQ(StoredText("SELECT status FROM payment_attempts WHERE payer_id = " + Quoted(payer)),
            "pending");

  server_ = RecurServer::Start(StripeOptions());
  ASSERT_NE(server_, nullptr);
  EXPECT_TRUE(server_->WaitForStderr("\"event\":\"pending_charge_settled\"", kPatience));
  ExpectPaidOnce(payer);
}

TEST_F(StripeFaultsTest, AWebhookEventAppliedJustBeforeACrashIsADuplicateWhenDeliveredAgain) {
  RecurServer::Options killed = WebhookOptions();
  killed.env["RECUR_TEST_KILL_BEFORE_GATEWAY_EVENT_ANSWER"] = "1";
  server_ = RecurServer::Start(killed);
  ASSERT_NE(server_, nullptr);
  const std::string payer = NewPayer("user_1", "pm_card_fakeProcessingThenSucceeded");
  ASSERT_EQ(BuySolo(payer).status, 200);
  ASSERT_EQ(AttemptsOf(payer).at(0)["status"], "pending");
  const std::string intent = IntentsOf(payer).at(0).id;
  const std::int64_t now = std::time(nullptr);

  // The event settles the attempt; the server dies before it answers.
  const auto cut_off =
      fake_.SendEvent(WebhookUrl(), "payment_intent.succeeded", intent, kWebhookSecret, now);
  EXPECT_EQ(cut_off.status, 0) << cut_off.body;
  ASSERT_EQ(server_->WaitForExit(30s), 128 + SIGKILL);
  const std::string attempt_status =
      "SELECT status FROM payment_attempts WHERE payer_id = " + Quoted(payer);
  ASSERT_EQ(StoredText(attempt_status), "paid");
  const std::string recorded =
      "SELECT count(*) FROM gateway_events WHERE id = " + Quoted(cut_off.event_id);
  EXPECT_EQ(StoredNumber(recorded), 1);  // committed with the settlement

  // Stripe, without an answer, delivers it again to the next run.
  server_ = RecurServer::Start(WebhookOptions());
  ASSERT_NE(server_, nullptr);
  const auto again = fake_.Resend(WebhookUrl(), cut_off, kWebhookSecret, now + 1);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["effect"], "duplicate");
  int settlements = 0;
  for (const json& event : Events(payer)) {
    if (event["type"] == "paymentAttempt.updated") ++settlements;
  }
  EXPECT_EQ(settlements, 1);
  EXPECT_EQ(StoredNumber(recorded), 1);
  ExpectPaidOnce(payer);
}

}  // namespace
}  // namespace recur::testing::stripe_faults_test
