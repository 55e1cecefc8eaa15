// Two real `recur serve` nodes on one PostgreSQL database. Node A is killed (SIGKILL) between the
// sandbox gateway's charge of a checkout and the commit of its answer
// (RECUR_TEST_KILL_AFTER_CHARGE), leaving the attempt pending, held by a dead node. Node B, running
// all along and never restarted, takes the attempt over at a poll of its scheduler, looks the
// charge up by its idempotency key and settles it: the attempt is paid, the gateway's ledger holds
// one charge for the payer, and the payer's events are those of a checkout that nothing interrupted
// (a payer subscribed through B alone, for comparison). Built into the suite's PostgreSQL run only
// (recur_e2e_postgres_tests).
#include <signal.h>

#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"
#include "tests/support/wait.h"

namespace recur::testing::pending_charge_nodes_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class PendingChargeNodesTest : public ServeTest {
 protected:
  void TearDown() override {
    a_.reset();
    server_.reset();
  }

  RecurServer::Options NodeOptions() const {
    RecurServer::Options options = Options();
    options.args = {"--lease", "3s"};
    return options;
  }

  // The payer's events, oldest first: type, and the status of a payment attempt's.
  std::vector<std::string> Events(const std::string& payer) {
    Answer events = Call("GET", "/v1/events?limit=100&payer_id=" + payer);
    if (events.status != 200) throw std::runtime_error(events.body.dump());
    std::vector<std::string> seen;
    for (const json& event : events.body["data"]) {
      std::string line = event["type"];
      if (line.starts_with("paymentAttempt."))
        line += " " + event["data"]["status"].get<std::string>();
      seen.insert(seen.begin(), line);
    }
    return seen;
  }

  std::string AttemptStatus(const std::string& payer) {
    Answer attempts = Call("GET", "/v1/payment_attempts?payer_id=" + payer);
    if (attempts.status != 200 || attempts.body["data"].size() != 1) {
      throw std::runtime_error(attempts.body.dump());
    }
    return attempts.body["data"][0]["status"];
  }

  std::unique_ptr<RecurServer> a_;
};

TEST_F(PendingChargeNodesTest, ALiveNodeSettlesTheChargeOfANodeKilledBeforeItsAnswer) {
  if (!OnPostgres()) GTEST_SKIP() << "nodes share a database on PostgreSQL only";
  server_ = RecurServer::Start(NodeOptions());  // B
  ASSERT_NE(server_, nullptr);
  RecurServer::Options killed = NodeOptions();
  killed.env["RECUR_TEST_KILL_AFTER_CHARGE"] = "1";
  a_ = RecurServer::Start(killed);
  ASSERT_NE(a_, nullptr);

  // A checkout nothing interrupts, through B: what the other payer's events must be.
  const std::string control = NewPayer("user_control", "pm_card_visa");
  ASSERT_EQ(
      Call("POST", "/v1/payers/" + control + "/subscription_items", {{"plan", "business"}}).status,
      200);

  // The same checkout through A, which dies once the gateway has charged.
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  httplib::Client to_a = a_->Client();
  to_a.set_read_timeout(30s);
  const httplib::Result cut_off = to_a.Post("/v1/payers/" + payer + "/subscription_items", Auth(),
                                            json{{"plan", "business"}}.dump(), "application/json");
  EXPECT_FALSE(cut_off) << "A answered " << cut_off->status;
  ASSERT_EQ(a_->WaitForExit(30s), 128 + SIGKILL);
  const std::string sandbox_charges =
      "SELECT COUNT(*) FROM sandbox_charges WHERE payer_id = " + Quoted(payer);
  ASSERT_EQ(StoredNumber(sandbox_charges), 1) << "A did not charge before it died";

  // B settles it by itself, at a poll of its scheduler.
  EXPECT_TRUE(WaitUntil("B to settle the attempt A left pending",
                        [&] { return AttemptStatus(payer) != "pending"; }));
  EXPECT_EQ(AttemptStatus(payer), "paid");
  EXPECT_EQ(StoredNumber(sandbox_charges), 1);
  EXPECT_EQ(Events(payer), Events(control));
  EXPECT_THAT(Events(payer), ::testing::Contains("paymentAttempt.updated paid"));
  EXPECT_TRUE(server_->WaitForStderr("pending_charge_settled", 5s));
}

}  // namespace
}  // namespace recur::testing::pending_charge_nodes_test
