// Webhook delivery from the real `recur serve` to receivers on loopback in the test process.
#include <ctime>

#include <gmock/gmock.h>

#include "domain/webhooks/signing.h"
#include "tests/e2e/webhook_fixture.h"
#include "tests/support/webhook_receiver.h"

namespace recur::testing::webhook_delivery_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::ElementsAre;

// Retries come at once: when they come is the dispatcher's unit test's business
// (services/webhooks/dispatcher_test.cc); here, what is sent and what the server records.
class WebhookDeliveryTest : public WebhookServeTest {
 protected:
  void SetUp() override {
    WebhookServeTest::SetUp();
    StartDelivering("0,0,0,0");
  }
};

TEST_F(WebhookDeliveryTest, DeliversEveryEventSignedInTheClerkEnvelope) {
  Receiver& receiver = NewReceiver();
  const json endpoint = NewEndpoint(receiver.Url());
  const std::string payer = NewPayer("user_1");
  ASSERT_TRUE(receiver.WaitFor(2));
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

// A named host: the server connects to the address it resolved and checked (127.0.0.1; where
// the system also answers ::1, that is refused by the allow-list unless listed, so it is listed
// here and its refused connection gives way to 127.0.0.1), and the Host header is the URL's.
TEST_F(WebhookDeliveryTest, AUrlWithAHostNameIsDeliveredWithThatNameAsHost) {
  server_.reset();
  StartDelivering("0,0,0,0", {"--webhook-allow-cidr", "::1/128"});
  Receiver& receiver = NewReceiver();
  const std::string host = "localhost:" + std::to_string(receiver.Port());
  const std::string endpoint = NewEndpoint("http://" + host + "/hooks")["id"];
  NewPayer("user_1");  // two events
  for (const json& attempt : SettledAttempts(endpoint, 2)) {
    EXPECT_EQ(attempt["http_status"], 200) << attempt;
  }
  ASSERT_EQ(receiver.Count(), 2u);
  for (const httplib::Request& request : receiver.Received()) {
    EXPECT_EQ(request.get_header_value("Host"), host);
  }
}

TEST_F(WebhookDeliveryTest, RetriesWithTheSameIdUntilA2xx) {
  Receiver& receiver = NewReceiver();
  receiver.AnswerWith({500, 503});
  const std::string endpoint = NewEndpoint(receiver.Url(), {"subscription.created"})["id"];
  NewPayer("user_1");
  // Three attempts and none to come after the success.
  const json attempts = SettledAttempts(endpoint, 3);
  const auto received = receiver.Received();
  ASSERT_EQ(received.size(), 3u);
  for (const httplib::Request& request : received) {
    EXPECT_EQ(request.get_header_value("webhook-id"), received[0].get_header_value("webhook-id"));
  }
  std::vector<int> statuses;
  for (const json& attempt : attempts) {
    statuses.insert(statuses.begin(), attempt["http_status"].get<int>());
  }
  EXPECT_THAT(statuses, ElementsAre(500, 503, 200));
  EXPECT_EQ(attempts[0]["next_attempt_at"], nullptr);
  EXPECT_EQ(attempts[1]["attempt"], 2);
  EXPECT_EQ(attempts[0]["superseded"], false);  // one node made them all
}

TEST_F(WebhookDeliveryTest, ARedirectIsAFailureAndIsNotFollowed) {
  Receiver& receiver = NewReceiver();
  receiver.AnswerWith({302});
  NewEndpoint(receiver.Url("/hooks"), {"subscription.created"});
  NewPayer("user_1");
  ASSERT_TRUE(receiver.WaitFor(2));  // the retry after the 302
  for (const httplib::Request& request : receiver.Received()) {
    EXPECT_EQ(request.path, "/hooks");  // /moved is never asked for
  }
}

TEST_F(WebhookDeliveryTest, GoneDisablesTheEndpoint) {
  Receiver& receiver = NewReceiver();
  receiver.AnswerWith({410});
  const std::string endpoint = NewEndpoint(receiver.Url(), {"subscription.created"})["id"];
  NewPayer("user_1");
  json state;
  ASSERT_TRUE(WaitUntil("the endpoint disabled", [&] {
    state = EndpointState(endpoint);
    return state["disabled"] == true;
  }));
  EXPECT_EQ(state["disabled_reason"], "the endpoint answered 410 Gone");
  NewPayer("user_2");
  SettledAttempts(endpoint, 1);
  EXPECT_EQ(receiver.Received().size(), 1u);  // nothing more goes to a disabled endpoint
}

TEST_F(WebhookDeliveryTest, ASlowEndpointDoesNotDelayAHealthyOne) {
  Receiver& slow = NewReceiver();
  Receiver& healthy = NewReceiver();
  slow.Hold();  // answers nothing until the test ends
  NewEndpoint(slow.Url());
  NewEndpoint(healthy.Url());
  NewPayer("user_1");
  NewPayer("user_2");
  ASSERT_TRUE(slow.WaitFor(2));  // the two attempts an endpoint may have in flight hang
  EXPECT_TRUE(healthy.WaitFor(4)) << "the healthy endpoint waited for the slow one";
}

TEST_F(WebhookDeliveryTest, ASlowEndpointsBacklogDoesNotHoldBackTheOthers) {
  // More deliveries than the dispatcher reads at a time (200) wait for the slow endpoint, which
  // answers none of the two it has in flight until the test ends. The healthy one must not
  // wait for it.
  Receiver& slow = NewReceiver();
  Receiver& healthy = NewReceiver();
  slow.Hold();
  NewEndpoint(slow.Url());
  NewEndpoint(healthy.Url());
  constexpr int kPayers = 150;  // two events each
  for (int i = 0; i < kPayers; ++i) NewPayer("user_" + std::to_string(i));
  EXPECT_TRUE(healthy.WaitFor(2 * kPayers))
      << "the healthy endpoint got " << healthy.Count() << " of " << 2 * kPayers
      << " while the slow one got " << slow.Count();
}

}  // namespace
}  // namespace recur::testing::webhook_delivery_test
