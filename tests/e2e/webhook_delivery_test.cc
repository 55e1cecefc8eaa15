// Webhook delivery from the real `recur serve` to receivers on loopback in the test process.
#include <ctime>
#include <thread>

#include <gmock/gmock.h>

#include "domain/webhooks/signing.h"
#include "tests/e2e/fixture.h"
#include "tests/support/webhook_receiver.h"

namespace recur::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::ElementsAre;

class WebhookDeliveryTest : public ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    RecurServer::Options options = Options();
    options.args = {"--webhook-allow-cidr", "127.0.0.0/8", "--webhook-retry-schedule", "0,1,1,1"};
    server_ = RecurServer::Start(options);
    ASSERT_TRUE(server_);
  }

  json NewEndpoint(const std::string& url, json event_types = json::array()) {
    Answer created =
        Call("POST", "/v1/webhook_endpoints", {{"url", url}, {"event_types", event_types}});
    if (created.status != 200) throw std::runtime_error(created.body.dump());
    return created.body;
  }
};

TEST_F(WebhookDeliveryTest, DeliversEveryEventSignedInTheClerkEnvelope) {
  Receiver receiver;
  const json endpoint = NewEndpoint(receiver.Url());
  const std::string payer = NewPayer("user_1");
  ASSERT_TRUE(receiver.WaitFor(2, 10s));
  auto secret = DecodeWebhookSecret(endpoint["secret"].get<std::string>());
  ASSERT_TRUE(secret);
  std::vector<std::string> types;
  for (const httplib::Request& request : receiver.Received()) {
    const std::string id = request.get_header_value("webhook-id");
    EXPECT_EQ(request.get_header_value("svix-id"), id);
    EXPECT_EQ(request.get_header_value("svix-signature"),
              request.get_header_value("webhook-signature"));
    EXPECT_EQ(request.get_header_value("Content-Type"), "application/json");
    EXPECT_TRUE(VerifyWebhook(*secret, id, request.get_header_value("webhook-timestamp"),
                              request.get_header_value("webhook-signature"), request.body,
                              std::time(nullptr)))
        << request.body;
    const json envelope = json::parse(request.body);
    EXPECT_EQ(envelope["object"], "event");
    EXPECT_THAT(envelope["instance_id"].get<std::string>(), ::testing::StartsWith("ins_"));
    types.push_back(envelope["type"]);
  }
  std::sort(types.begin(), types.end());
  EXPECT_THAT(types, ElementsAre("subscription.created", "subscriptionItem.active"));
}

TEST_F(WebhookDeliveryTest, RetriesWithTheSameIdUntilA2xx) {
  Receiver receiver;
  receiver.AnswerWith({500, 503});
  const json endpoint = NewEndpoint(receiver.Url(), {"subscription.created"});
  NewPayer("user_1");
  ASSERT_TRUE(receiver.WaitFor(3, 20s));
  // The receiver counts a request when it arrives, before the dispatcher has its answer and
  // records the attempt: wait for the third record.
  const std::string attempts_path =
      "/v1/webhook_endpoints/" + endpoint["id"].get<std::string>() + "/attempts";
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  Answer attempts = Call("GET", attempts_path);
  while (attempts.body["data"].size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    attempts = Call("GET", attempts_path);
  }
  std::this_thread::sleep_for(1500ms);  // no fourth attempt comes after the success
  const auto received = receiver.Received();
  ASSERT_EQ(received.size(), 3u);
  for (const httplib::Request& request : received) {
    EXPECT_EQ(request.get_header_value("webhook-id"), received[0].get_header_value("webhook-id"));
  }
  attempts = Call("GET", attempts_path);
  std::vector<int> statuses;
  for (const json& attempt : attempts.body["data"])
    statuses.insert(statuses.begin(), attempt["http_status"].get<int>());
  EXPECT_THAT(statuses, ElementsAre(500, 503, 200));
  EXPECT_EQ(attempts.body["data"][0]["next_attempt_at"], nullptr);
  EXPECT_EQ(attempts.body["data"][1]["attempt"], 2);
}

TEST_F(WebhookDeliveryTest, ARedirectIsAFailureAndIsNotFollowed) {
  Receiver receiver;
  receiver.AnswerWith({302});
  NewEndpoint(receiver.Url("/hooks"), {"subscription.created"});
  NewPayer("user_1");
  ASSERT_TRUE(receiver.WaitFor(2, 20s));  // the retry after the 302
  for (const httplib::Request& request : receiver.Received()) {
    EXPECT_EQ(request.path, "/hooks");  // /moved is never asked for
  }
}

TEST_F(WebhookDeliveryTest, GoneDisablesTheEndpoint) {
  Receiver receiver;
  receiver.AnswerWith({410});
  const json endpoint = NewEndpoint(receiver.Url(), {"subscription.created"});
  NewPayer("user_1");
  ASSERT_TRUE(receiver.WaitFor(1, 10s));
  const std::string path = "/v1/webhook_endpoints/" + endpoint["id"].get<std::string>();
  json state;
  for (int i = 0; i < 100; ++i) {
    state = Call("GET", path).body;
    if (state["disabled"] == true) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(state["disabled"], true);
  EXPECT_EQ(state["disabled_reason"], "the endpoint answered 410 Gone");
  NewPayer("user_2");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(receiver.Received().size(), 1u);  // nothing more goes to a disabled endpoint
}

TEST_F(WebhookDeliveryTest, ASlowEndpointDoesNotDelayAHealthyOne) {
  Receiver slow, healthy;
  slow.Delay(4s);
  NewEndpoint(slow.Url());
  NewEndpoint(healthy.Url());
  const auto started = std::chrono::steady_clock::now();
  NewPayer("user_1");
  NewPayer("user_2");
  ASSERT_TRUE(healthy.WaitFor(4, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s)
      << "the healthy endpoint waited for the slow one";
}

TEST_F(WebhookDeliveryTest, ASlowEndpointsBacklogDoesNotHoldBackTheOthers) {
  // More deliveries than the dispatcher reads at a time (200) wait for the slow endpoint, which
  // takes 300 ms each, two at a time: about 45 s for all of them. The healthy one must not
  // follow its pace.
  Receiver slow, healthy;
  slow.Delay(300ms);
  NewEndpoint(slow.Url());
  NewEndpoint(healthy.Url());
  constexpr int kPayers = 150;  // two events each
  for (int i = 0; i < kPayers; ++i) NewPayer("user_" + std::to_string(i));
  EXPECT_TRUE(healthy.WaitFor(2 * kPayers, 20s))
      << "the healthy endpoint got " << healthy.Count() << " of " << 2 * kPayers
      << " while the slow one got " << slow.Count();
}

}  // namespace
}  // namespace recur::testing
