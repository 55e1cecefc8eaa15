// Getting webhooks back to an endpoint that missed them: recover (everything not received since
// a time), resend (one event, even if delivered), the endpoint disabled after failing for the
// configured period and brought back, HTTPS receivers trusted through --webhook-ca-file, and
// connections kept open between deliveries. The real `recur serve` delivers to receivers on
// loopback in the test process.
#include <set>

#include <gmock/gmock.h>

#include "tests/e2e/webhook_fixture.h"
#include "tests/support/test_certificate.h"
#include "tests/support/webhook_receiver.h"

namespace recur::testing::webhook_recovery_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAreArray;

std::int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class WebhookRecoveryTest : public WebhookServeTest {
 protected:
  // recur serve delivering to loopback, each delivery tried once unless `schedule` says
  // otherwise.
  void Start(std::vector<std::string> extra = {}, const std::string& schedule = "0") {
    StartDelivering(schedule, extra);
  }

  // Waits until the wall clock, in the server's milliseconds, is past `millis`.
  static void WaitPast(std::int64_t millis) {
    ASSERT_TRUE(WaitUntil("the clock past " + std::to_string(millis),
                          [&] { return NowMillis() > millis; }));
  }

  std::vector<std::string> PayerEventIds(const std::string& payer_id) {
    std::vector<std::string> ids;
    for (const json& event : Events(payer_id)) ids.push_back(event["id"]);
    return ids;
  }

  // The id of the event a delivered body carries (the envelope holds none), or "" when it is
  // none of `events`.
  static std::string EventIdOf(const httplib::Request& request, const std::vector<json>& events) {
    const json envelope = json::parse(request.body);
    for (const json& event : events) {
      if (DeliveredEnvelope(event) == envelope) return event["id"];
    }
    return "";
  }
  static std::vector<std::string> EventIdsOf(const std::vector<httplib::Request>& requests,
                                             std::size_t from, const std::vector<json>& events) {
    std::vector<std::string> ids;
    for (std::size_t i = from; i < requests.size(); ++i)
      ids.push_back(EventIdOf(requests[i], events));
    return ids;
  }
};

TEST_F(WebhookRecoveryTest, RecoverSendsAgainWhatFailedSinceTheGivenTime) {
  Start();
  Receiver& receiver = NewReceiver();
  receiver.AnswerWith({500, 500, 500, 500});
  const std::string endpoint = NewEndpoint(receiver.Url())["id"];
  const std::string early_payer = NewPayer("user_early");
  ASSERT_EQ(SettledAttempts(endpoint, 2).size(), 2u);
  for (const json& event : Events(early_payer)) WaitPast(event["timestamp"]);
  const std::int64_t between = NowMillis();
  WaitPast(between);
  const std::string late_payer = NewPayer("user_late");
  ASSERT_EQ(SettledAttempts(endpoint, 4).size(), 4u);  // all four failed, none to come
  ASSERT_EQ(receiver.Received().size(), 4u);

  Answer recovered =
      Call("POST", "/v1/webhook_endpoints/" + endpoint + "/recover", {{"since", between}});
  ASSERT_EQ(recovered.status, 200) << recovered.body;
  EXPECT_EQ(recovered.body["queued"], 2);
  ASSERT_TRUE(receiver.WaitFor(6));
  const auto received = receiver.Received();
  EXPECT_THAT(EventIdsOf(received, 4, Events(late_payer)),
              UnorderedElementsAreArray(PayerEventIds(late_payer)));
  for (std::size_t i = 4; i < received.size(); ++i) {
    // The same webhook-id as the failed attempt of the same event.
    const auto first = std::find_if(received.begin(), received.begin() + 4,
                                    [&](const auto& r) { return r.body == received[i].body; });
    ASSERT_NE(first, received.begin() + 4);
    EXPECT_EQ(first->get_header_value("webhook-id"), received[i].get_header_value("webhook-id"));
  }

  // Delivered now: recovering again queues nothing for them; the early ones are still owed.
  ASSERT_EQ(SettledAttempts(endpoint, 6).size(), 6u);
  EXPECT_EQ(Call("POST", "/v1/webhook_endpoints/" + endpoint + "/recover", {{"since", between}})
                .body["queued"],
            0);
  EXPECT_EQ(
      Call("POST", "/v1/webhook_endpoints/" + endpoint + "/recover", {{"since", 0}}).body["queued"],
      2);
  // Those two and nothing else.
  ASSERT_EQ(SettledAttempts(endpoint, 8).size(), 8u);
  EXPECT_EQ(receiver.Received().size(), 8u);
}

TEST_F(WebhookRecoveryTest, RecoverAndResendRefuseBadInput) {
  Start();
  Receiver& receiver = NewReceiver();
  const std::string endpoint = NewEndpoint(receiver.Url(), {"subscription.created"})["id"];
  const std::string base = "/v1/webhook_endpoints/" + endpoint;
  EXPECT_EQ(Call("POST", base + "/recover", json::object()).body["error"]["param"], "since");
  EXPECT_EQ(Call("POST", base + "/recover", {{"since", "yesterday"}}).status, 400);
  EXPECT_EQ(Call("POST", base + "/recover", {{"since", 0}, {"sinse", 1}}).status, 400);
  EXPECT_EQ(Call("POST", "/v1/webhook_endpoints/wep_nope/recover", {{"since", 0}}).status, 404);
  EXPECT_EQ(Call("POST", base + "/resend", {{"event_id", "evt_nope"}}).body["error"]["code"],
            "event_not_found");
  const std::string payer = NewPayer("user_1");
  std::string item_event;
  for (const json& event : Events(payer)) {
    if (event["type"] == "subscriptionItem.active") item_event = event["id"];
  }
  ASSERT_FALSE(item_event.empty());
  Answer refused = Call("POST", base + "/resend", {{"event_id", item_event}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.body["error"]["code"], "event_type_not_taken");
  EXPECT_THAT(refused.body["error"]["message"].get<std::string>(),
              HasSubstr("subscriptionItem.active"));
}

TEST_F(WebhookRecoveryTest, ResendSendsOneEventAgainEvenIfDelivered) {
  Start();
  Receiver& receiver = NewReceiver();
  const std::string endpoint = NewEndpoint(receiver.Url())["id"];
  const std::string payer = NewPayer("user_1");
  ASSERT_TRUE(receiver.WaitFor(2));
  ASSERT_EQ(SettledAttempts(endpoint, 2).size(), 2u);
  const std::vector<json> events = Events(payer);
  const std::string event_id = events.front()["id"];
  Answer resent =
      Call("POST", "/v1/webhook_endpoints/" + endpoint + "/resend", {{"event_id", event_id}});
  ASSERT_EQ(resent.status, 200) << resent.body;
  EXPECT_EQ(resent.body["status"], "pending");
  ASSERT_TRUE(receiver.WaitFor(3));
  const auto received = receiver.Received();
  EXPECT_EQ(EventIdOf(received[2], events), event_id);
  const std::string webhook_id = resent.body["webhook_id"];
  EXPECT_EQ(received[2].get_header_value("webhook-id"), webhook_id);
  const auto original = std::find_if(received.begin(), received.begin() + 2,
                                     [&](const auto& r) { return r.body == received[2].body; });
  ASSERT_NE(original, received.begin() + 2);
  EXPECT_EQ(original->get_header_value("webhook-id"), webhook_id);
  // The attempt log goes on counting: the resend is the delivery's second attempt.
  const json attempts = SettledAttempts(endpoint, 3);
  EXPECT_EQ(attempts[0]["event_id"], event_id);
  EXPECT_EQ(attempts[0]["attempt"], 2);
}

TEST_F(WebhookRecoveryTest, AnEndpointFailingForThePeriodIsDisabledAndGetsWhatItMissedBack) {
  // Each delivery is tried twice at once, then every second: the period (a second) passes on a
  // third or later attempt.
  Start({"--webhook-disable-after", "1"}, "0,0,1,1,1,1,1,1");
  Receiver& receiver = NewReceiver();
  Receiver& marker = NewReceiver();
  receiver.AnswerWith(std::deque<int>(100, 500));
  const std::string endpoint = NewEndpoint(receiver.Url())["id"];
  // Made after the other, so that its deliveries come after the other's.
  const std::string marker_endpoint = NewEndpoint(marker.Url())["id"];
  const std::string before = NewPayer("user_before");
  json disabled;
  ASSERT_TRUE(WaitUntil("the endpoint disabled", [&] {
    disabled = EndpointState(endpoint);
    return disabled["disabled"] == true;
  }));
  EXPECT_THAT(disabled["disabled_reason"].get<std::string>(),
              StartsWith("every delivery attempt has failed since "));
  EXPECT_TRUE(disabled["failing_since"].is_number());
  const std::size_t attempts_while_failing = receiver.Received().size();
  EXPECT_GE(attempts_while_failing, 4u);  // two events, each tried at least twice

  // Nothing is sent to it while it is disabled: neither the retries it was owed, once they are
  // due, nor new events. Any of them would have come by the time an event made after the
  // retries fell due has reached the other endpoint and been recorded there.
  std::int64_t retries_due = 0;
  for (const json& attempt : AttemptsOf(endpoint)) {
    if (attempt["next_attempt_at"].is_number()) {
      retries_due = std::max(retries_due, attempt["next_attempt_at"].get<std::int64_t>());
    }
  }
  WaitPast(retries_due);
  const std::string during = NewPayer("user_during");
  json marker_attempts;
  ASSERT_TRUE(WaitForAttempts(marker_endpoint, 4, marker_attempts));
  EXPECT_EQ(receiver.Received().size(), attempts_while_failing);

  receiver.AnswerWith({});  // healthy again: 200 from now on
  // Recovered while still disabled, then enabled: an endpoint enabled first may at once be sent
  // a retry it was owed, and what it has received by the recovery is not queued again.
  Answer recovered = Call("POST", "/v1/webhook_endpoints/" + endpoint + "/recover", {{"since", 0}});
  ASSERT_EQ(recovered.status, 200) << recovered.body;
  EXPECT_EQ(recovered.body["queued"], 4);
  EXPECT_EQ(recovered.body["endpoint_disabled"], true);
  Answer enabled = Call("PATCH", "/v1/webhook_endpoints/" + endpoint, {{"disabled", false}});
  ASSERT_EQ(enabled.status, 200) << enabled.body;
  EXPECT_EQ(enabled.body["disabled_reason"], nullptr);
  EXPECT_EQ(enabled.body["failing_since"], nullptr);

  std::vector<json> events = Events(before);
  for (const json& event : Events(during)) events.push_back(event);
  std::vector<std::string> expected;
  for (const json& event : events) expected.push_back(event["id"]);
  // What was recovered, and nothing more.
  SettledAttempts(endpoint, attempts_while_failing + 4);
  EXPECT_THAT(EventIdsOf(receiver.Received(), attempts_while_failing, events),
              UnorderedElementsAreArray(expected));
  EXPECT_EQ(EndpointState(endpoint)["disabled"], false);
}

TEST_F(WebhookRecoveryTest, HttpsReceiversAreTrustedThroughTheExtraCaFile) {
  const TestCertificate certificate = MakeTestCertificate(dir_.path());
  Receiver& receiver = NewReceiver(&certificate);
  ASSERT_THAT(receiver.Url(), StartsWith("https://127.0.0.1:"));

  Start();  // without the CA file the receiver's certificate is not trusted
  const std::string endpoint = NewEndpoint(receiver.Url())["id"];
  const std::string payer = NewPayer("user_1");
  const json refused = SettledAttempts(endpoint, 2);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[0]["http_status"], nullptr);
  EXPECT_THAT(refused[0]["error"].get<std::string>(), HasSubstr("SSL"));
  EXPECT_TRUE(receiver.Received().empty());

  server_.reset();
  Start({"--webhook-ca-file", certificate.certificate_path});
  Answer recovered = Call("POST", "/v1/webhook_endpoints/" + endpoint + "/recover", {{"since", 0}});
  EXPECT_EQ(recovered.body["queued"], 2);
  ASSERT_TRUE(receiver.WaitFor(2));
  EXPECT_THAT(EventIdsOf(receiver.Received(), 0, Events(payer)),
              UnorderedElementsAreArray(PayerEventIds(payer)));
}

TEST_F(WebhookRecoveryTest, AnUnreadableCaFileStopsServeFromStarting) {
  WriteFile(dir_ / "not-a-certificate.pem", "hello");
  for (const std::string& path : {dir_ / "missing.pem", dir_ / "not-a-certificate.pem"}) {
    CommandResult run = RunRecur({"serve", "--db", db_path(), "--plans", plans_dir(), "--addr",
                                  "127.0.0.1:0", "--webhook-ca-file", path});
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_THAT(run.err, HasSubstr("--webhook-ca-file"));
  }
  CommandResult run = RunRecur({"serve", "--db", db_path(), "--plans", plans_dir(), "--addr",
                                "127.0.0.1:0", "--webhook-disable-after", "0"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--webhook-disable-after"));
}

TEST_F(WebhookRecoveryTest, ConnectionsAreKeptOpenBetweenDeliveries) {
  Start();
  Receiver& receiver = NewReceiver();
  NewEndpoint(receiver.Url());
  for (int i = 0; i < 5; ++i) NewPayer("user_" + std::to_string(i));
  ASSERT_TRUE(receiver.WaitFor(10));
  std::set<int> connections;
  for (const httplib::Request& request : receiver.Received())
    connections.insert(request.remote_port);
  EXPECT_LT(connections.size(), 10u) << "a new connection for every delivery";
}

}  // namespace
}  // namespace recur::testing::webhook_recovery_test
