// The webhooks `recur serve` delivers, taken by a real consumer: tests/interop/webhook_receiver.mjs
// verifies each delivery with the npm packages svix and standardwebhooks, as Clerk and Standard
// Webhooks handlers do (tools/test.sh installs them into RECUR_NODE_MODULES; without it the test
// is skipped). One payer on a test clock goes through a whole Pro trial: start, ending notices,
// conversion, cancel, end. Every one of its events must reach the receiver under a webhook-id of
// its own, be accepted by both libraries and carry the event exactly as GET /v1/events shows it;
// in event order, the types must be the lifecycle's sequence.
#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <date/date.h>
#include <gmock/gmock.h>

#include "base/clock.h"
#include "tests/e2e/webhook_fixture.h"

namespace recur::testing::webhooks_node_receiver_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::ElementsAreArray;
using ::testing::StartsWith;

constexpr std::int64_t kDay = 86'400'000;

// tests/interop/webhook_receiver.mjs in the background, reading the endpoint secret from
// `secret_file` at each delivery.
class NodeReceiver {
 public:
  explicit NodeReceiver(const std::string& secret_file)
      : process_({"node", std::string(RECUR_SOURCE_DIR) + "/tests/interop/webhook_receiver.mjs",
                  secret_file},
                 ".", {}) {}

  // The port it listens on; 0 if it does not say within `timeout`.
  int WaitForPort(std::chrono::milliseconds timeout) const {
    static const std::regex kListening(R"(^listening (\d+)\n)");
    int port = 0;
    PollUntil(
        [&] {
          std::smatch match;
          const std::string out = process_.Stdout();
          if (std::regex_search(out, match, kListening)) port = std::stoi(match[1]);
          return port != 0;
        },
        timeout);
    return port;
  }

  // One line per delivery, in arrival order.
  std::vector<json> Deliveries() const {
    std::vector<json> deliveries;
    std::istringstream out(process_.Stdout());
    std::string line;
    while (std::getline(out, line)) {
      if (out.eof()) break;  // a line still being written
      if (line.starts_with("listening ")) continue;
      deliveries.push_back(json::parse(line));
    }
    return deliveries;
  }

  std::string Output() const { return process_.Stdout() + process_.Stderr(); }

 private:
  BackgroundProcess process_;
};

class WebhooksNodeReceiverTest : public WebhookServeTest {
 protected:
  void SetUp() override {
    const char* modules = std::getenv("RECUR_NODE_MODULES");
    if (modules == nullptr || *modules == '\0') {
      GTEST_SKIP() << "needs RECUR_NODE_MODULES with svix and standardwebhooks (tools/test.sh)";
    }
    WebhookServeTest::SetUp();
    RecurServer::Options options = Options();
    options.env["RECUR_WEBHOOK_ALLOW_CIDRS"] = "127.0.0.0/8";
    options.env["RECUR_WEBHOOK_RETRY_SCHEDULE"] = "0,1,1,1";
    server_ = RecurServer::Start(options);
    ASSERT_TRUE(server_);
  }
};

// A new payer on the free plan starts Pro's 14-day trial with a card, gets the notices 7, 3 and
// 1 days before its end, converts to a paid month, cancels, and ends on the free plan.
const std::vector<std::string> kTrialLifecycle = {
    // POST /v1/payers
    "subscription.created", "subscriptionItem.active",
    // the trial starts
    "subscriptionItem.active", "subscriptionItem.ended", "subscription.updated",
    // trial-ending notices
    "subscriptionItem.freeTrialEnding", "subscriptionItem.freeTrialEnding",
    "subscriptionItem.freeTrialEnding",
    // trial end: converted, the first month paid
    "paymentAttempt.created", "paymentAttempt.updated", "subscriptionItem.updated",
    // DELETE /v1/subscription_items/{id}: canceled at period end
    "subscriptionItem.canceled", "subscriptionItem.upcoming", "subscription.updated",
    // period end: the free plan takes over
    "subscriptionItem.ended", "subscriptionItem.active", "subscription.updated"};

TEST_F(WebhooksNodeReceiverTest, SvixAndStandardWebhooksAcceptEveryEventOfATrial) {
  const std::string secret_file = dir_ / "endpoint_secret";
  NodeReceiver receiver(secret_file);
  const int port = receiver.WaitForPort(10s);
  ASSERT_GT(port, 0) << receiver.Output();
  Answer endpoint = Call("POST", "/v1/webhook_endpoints",
                         {{"url", "http://127.0.0.1:" + std::to_string(port) + "/webhooks/recur"}});
  ASSERT_EQ(endpoint.status, 200) << endpoint.body;
  WriteFile(secret_file, endpoint.body["secret"].get<std::string>());  // before any event

  const std::int64_t start = ToUnixMillis(date::sys_days(date::year{2025} / 3 / 1));
  const std::string clock = NewClock(start);
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  Answer trial = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}});
  ASSERT_EQ(trial.status, 200) << trial.body;
  ASSERT_EQ(trial.body["is_free_trial"], true);
  const std::int64_t trial_end = trial.body["trial_end"];
  ASSERT_EQ(trial_end, start + 14 * kDay);

  ASSERT_EQ(Advance(clock, trial_end - kDay / 2).status, 200);  // after the last notice
  ASSERT_EQ(Advance(clock, trial_end + kDay).status, 200);
  const std::string item = trial.body["id"];
  Answer canceled = Call("DELETE", "/v1/subscription_items/" + item);
  ASSERT_EQ(canceled.status, 200) << canceled.body;
  ASSERT_EQ(canceled.body["is_free_trial"], false);  // converted
  const std::int64_t period_end = canceled.body["period_end"];
  ASSERT_EQ(Advance(clock, period_end + kDay).status, 200);
  json subscription = Call("GET", "/v1/payers/" + payer + "/subscription").body;
  ASSERT_EQ(subscription["items"].size(), 1u);
  ASSERT_EQ(subscription["items"][0]["plan"]["slug"], "free");

  const std::vector<json> events = Events(payer);
  ASSERT_FALSE(events.empty());
  std::set<std::string> delivered_ids;
  PollUntil(
      [&] {
        delivered_ids.clear();
        for (const json& delivery : receiver.Deliveries()) {
          delivered_ids.insert(delivery["webhook_id"].get<std::string>());
        }
        return delivered_ids.size() >= events.size();
      },
      30s, 50ms);
  const std::vector<json> deliveries = receiver.Deliveries();
  EXPECT_EQ(delivered_ids.size(), events.size()) << "webhook-ids received, one per event";

  // The server's own record of which webhook-id carried which event, and how it was answered.
  const std::string endpoint_id = endpoint.body["id"];
  std::map<std::string, std::string> event_of_webhook;
  std::map<std::string, std::set<std::string>> webhooks_of_event;
  json attempts;
  EXPECT_TRUE(WaitForAttempts(endpoint_id, events.size(), attempts));
  for (const json& attempt : attempts) {
    EXPECT_EQ(attempt["http_status"], 204) << attempt;
    const std::string webhook_id = attempt["webhook_id"], event_id = attempt["event_id"];
    event_of_webhook[webhook_id] = event_id;
    webhooks_of_event[event_id].insert(webhook_id);
  }

  std::map<std::string, std::vector<json>> deliveries_of_event;
  for (const json& delivery : deliveries) {
    const std::string webhook_id = delivery["webhook_id"];
    const std::string refusal = delivery.value("error", "");
    EXPECT_EQ(delivery["verified_by_svix"], true) << webhook_id << ": " << refusal;
    EXPECT_EQ(delivery["verified_by_standardwebhooks"], true) << webhook_id << ": " << refusal;
    ASSERT_TRUE(event_of_webhook.contains(webhook_id)) << "not in the attempt log: " << delivery;
    deliveries_of_event[event_of_webhook[webhook_id]].push_back(delivery);
  }

  std::vector<std::string> types_received;
  std::int64_t previous_timestamp = 0;
  for (const json& event : events) {
    const std::string event_id = event["id"];
    EXPECT_EQ(webhooks_of_event[event_id].size(), 1u) << "webhook-ids of " << event_id;
    const std::vector<json>& received = deliveries_of_event[event_id];
    if (received.empty()) {
      ADD_FAILURE() << event_id << " " << event["type"] << " never arrived";
      types_received.push_back("(missing)");
      continue;
    }
    const json expected = DeliveredEnvelope(event);
    for (const json& delivery : received) EXPECT_EQ(delivery["payload"], expected);

    const json& payload = received.front()["payload"];
    EXPECT_EQ(payload["object"], "event");
    EXPECT_TRUE(payload["type"].is_string());
    EXPECT_TRUE(payload["data"].is_object());
    EXPECT_EQ(payload["data"]["payer_id"], payer);
    EXPECT_THAT(payload["instance_id"].get<std::string>(), StartsWith("ins_"));
    EXPECT_EQ(payload["event_attributes"],
              json({{"http_request", {{"client_ip", ""}, {"user_agent", ""}}}}));
    EXPECT_EQ(payload.size(), 6u) << "more than Clerk's envelope: " << payload;
    const std::int64_t timestamp = payload["timestamp"];
    EXPECT_GE(timestamp, previous_timestamp) << "events out of order at " << event_id;
    previous_timestamp = timestamp;
    types_received.push_back(payload["type"].get<std::string>());
  }
  EXPECT_EQ(event_of_webhook.size(), events.size()) << "one webhook-id per event";
  EXPECT_THAT(types_received, ElementsAreArray(kTrialLifecycle));
}

}  // namespace
}  // namespace recur::testing::webhooks_node_receiver_test
