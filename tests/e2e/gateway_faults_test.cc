// A payment gateway that fails mid-charge, under the real `recur serve`: the sandbox's
// pm_card_sandboxAnswerLostThenPaid makes the charge and loses the answer, as a gateway that
// times out after charging does. The checkout answers 503 and is logged, the payer gets nothing
// paid for yet, a retry charges nothing a second time, and the next start asks the gateway with
// the same idempotency key and settles the attempt as paid: one charge in all.
#include <signal.h>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::gateway_faults_test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class GatewayFaultsTest : public ServeTest {
 protected:
  // How many charges the sandbox gateway made for the payer, read from its own file (on
  // PostgreSQL, its own tables).
  int SandboxCharges(const std::string& payer) {
    if (OnPostgres()) {
      return static_cast<int>(
          StoredNumber("SELECT COUNT(*) FROM sandbox_charges WHERE payer_id = " + Quoted(payer)));
    }
    const CommandResult counted = RunCommand(
        {"sqlite3", db_path() + ".sandbox",
         "SELECT COUNT(*) FROM sandbox_charge_requests WHERE payer_id = '" + payer + "'"});
    if (counted.exit_code != 0) throw std::runtime_error("sqlite3: " + counted.err);
    return std::stoi(counted.out);
  }

  nlohmann::json Attempts(const std::string& payer) {
    return Call("GET", "/v1/payment_attempts?payer_id=" + payer).body["data"];
  }
};

TEST_F(GatewayFaultsTest, AChargeWhoseAnswerIsLostIsMadeOnceAndSettledAsPaidAtTheNextStart) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_sandboxAnswerLostThenPaid");
  const nlohmann::json business = {{"plan", "business"}, {"interval", "annual"}};

  const Answer lost = Call("POST", "/v1/payers/" + payer + "/subscription_items", business);
  EXPECT_EQ(lost.status, 503) << lost.body;
  EXPECT_EQ(lost.body["error"]["code"], "gateway_timeout");
  EXPECT_THAT(lost.body["error"]["message"].get<std::string>(), HasSubstr("it may have been made"));
  EXPECT_TRUE(server_->WaitForStderr("\"event\":\"charge_outcome_unknown\"", kPatience));
  EXPECT_THAT(server_->Stderr(), HasSubstr(payer));

  // A defined state: the attempt is pending, and the payer has nothing paid for until it is
  // known to be paid.
  ASSERT_EQ(Attempts(payer).size(), 1u);
  EXPECT_EQ(Attempts(payer)[0]["status"], "pending");
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "free");
  EXPECT_EQ(SandboxCharges(payer), 1);

  // The checkout tried again is refused while the charge is open: no second charge.
  const Answer again = Call("POST", "/v1/payers/" + payer + "/subscription_items", business);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.body["error"]["code"], "checkout_in_progress");
  EXPECT_EQ(Attempts(payer).size(), 1u);
  EXPECT_EQ(SandboxCharges(payer), 1);

  // The next start asks the gateway with the attempt's key and learns it was paid.
  server_->Signal(SIGTERM);
  ASSERT_EQ(server_->WaitForExit(kPatience), 0);
  Serve();
  EXPECT_THAT(server_->Stderr(), HasSubstr("\"event\":\"pending_charge_settled\""));
  ASSERT_EQ(Attempts(payer).size(), 1u);
  EXPECT_EQ(Attempts(payer)[0]["status"], "paid");
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "business");
  EXPECT_EQ(SandboxCharges(payer), 1);
  EXPECT_THAT(InvariantViolations(payer), IsEmpty());
}

}  // namespace
}  // namespace recur::testing::gateway_faults_test
