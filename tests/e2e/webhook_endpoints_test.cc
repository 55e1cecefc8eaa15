// Webhook endpoints through the real `recur serve`: secrets, rotation, filters and the SSRF
// policy with and without an operator allow-list.
#include <gmock/gmock.h>

#include "domain/webhooks/signing.h"
#include "tests/e2e/fixture.h"

namespace recur::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class WebhookEndpointsTest : public ServeTest {
 protected:
  void ServeAllowing(std::vector<std::string> cidrs) {
    RecurServer::Options options = Options();
    for (const std::string& cidr : cidrs)
      options.args.insert(options.args.end(), {"--webhook-allow-cidr", cidr});
    server_ = RecurServer::Start(options);
    if (!server_) throw std::runtime_error("recur serve did not start");
  }
};

TEST_F(WebhookEndpointsTest, RefusesPrivateAndSpecialAddressesByDefault) {
  Serve();
  auto error_of = [&](const std::string& url) {
    return Call("POST", "/v1/webhook_endpoints", {{"url", url}}).body["error"];
  };
  json loopback = error_of("http://127.0.0.1:9000/hooks");
  EXPECT_EQ(loopback["code"], "address_not_allowed");
  EXPECT_EQ(loopback["param"], "url");
  EXPECT_THAT(loopback["message"].get<std::string>(), HasSubstr("loopback"));
  EXPECT_THAT(loopback["message"].get<std::string>(), HasSubstr("--webhook-allow-cidr"));
  EXPECT_EQ(error_of("http://localhost:9000/")["code"], "address_not_allowed");  // resolved
  EXPECT_EQ(error_of("http://10.1.2.3/")["code"], "address_not_allowed");
  EXPECT_EQ(error_of("http://192.168.0.10/")["code"], "address_not_allowed");
  EXPECT_EQ(error_of("http://100.64.0.1/")["code"], "address_not_allowed");
  EXPECT_THAT(error_of("http://169.254.169.254/latest/meta-data")["message"].get<std::string>(),
              HasSubstr("metadata"));
  EXPECT_EQ(error_of("http://[::1]:9000/")["code"], "address_not_allowed");
  EXPECT_EQ(error_of("http://[::ffff:127.0.0.1]/")["code"], "address_not_allowed");
  EXPECT_EQ(error_of("ftp://example.com/")["code"], "invalid_url");
  EXPECT_EQ(error_of("https://user:pass@example.com/")["code"], "invalid_url");
  EXPECT_EQ(Call("GET", "/v1/webhook_endpoints").body["data"], json::array());
}

TEST_F(WebhookEndpointsTest, LoopbackIsAllowedOnlyWhenListed) {
  ServeAllowing({"127.0.0.0/8"});
  Answer created = Call("POST", "/v1/webhook_endpoints",
                        {{"url", "http://127.0.0.1:9000/hooks"},
                         {"event_types", {"subscriptionItem.freeTrialEnding"}},
                         {"description", "trial reminders"}});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(
      Call("POST", "/v1/webhook_endpoints", {{"url", "http://10.0.0.1/"}}).body["error"]["code"],
      "address_not_allowed");
  EXPECT_EQ(Call("POST", "/v1/webhook_endpoints", {{"url", "http://[::1]/"}}).body["error"]["code"],
            "address_not_allowed");
}

TEST_F(WebhookEndpointsTest, ShowsTheSecretOnlyAtCreationAndRotation) {
  ServeAllowing({"127.0.0.0/8"});
  Answer created = Call("POST", "/v1/webhook_endpoints", {{"url", "http://127.0.0.1:9000/"}});
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = created.body["id"];
  EXPECT_THAT(id, ::testing::StartsWith("wep_"));
  EXPECT_EQ(created.body["event_types"], json::array());
  const std::string secret = created.body["secret"];
  auto decoded = DecodeWebhookSecret(secret);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->key.size(), 32u);

  Answer fetched = Call("GET", "/v1/webhook_endpoints/" + id);
  EXPECT_FALSE(fetched.body.contains("secret"));
  EXPECT_EQ(Call("GET", "/v1/webhook_endpoints").body["data"].size(), 1u);

  Answer rotated = Call("POST", "/v1/webhook_endpoints/" + id + "/rotate_secret");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_NE(rotated.body["secret"], secret);
  EXPECT_EQ(rotated.body["previous_secret_expires_at"].get<std::int64_t>() -
                rotated.body["updated_at"].get<std::int64_t>(),
            24LL * 3600 * 1000);
}

TEST_F(WebhookEndpointsTest, UpdatesFiltersAndDeletes) {
  ServeAllowing({"127.0.0.0/8"});
  const std::string id =
      Call("POST", "/v1/webhook_endpoints", {{"url", "http://127.0.0.1:9000/"}}).body["id"];
  Answer typo = Call("PATCH", "/v1/webhook_endpoints/" + id,
                     {{"event_types", {"subscriptionItem.freeTrialEnd"}}});
  EXPECT_EQ(typo.status, 400);
  EXPECT_THAT(typo.body["error"]["message"].get<std::string>(),
              HasSubstr("did you mean subscriptionItem.freeTrialEnding?"));
  Answer updated = Call("PATCH", "/v1/webhook_endpoints/" + id,
                        {{"event_types", {"paymentAttempt.updated"}},
                         {"disabled", true},
                         {"url", "http://127.0.0.2/x"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.body["event_types"], json::array({"paymentAttempt.updated"}));
  EXPECT_EQ(updated.body["disabled"], true);
  EXPECT_EQ(updated.body["disabled_reason"], "disabled through the API");
  EXPECT_EQ(updated.body["url"], "http://127.0.0.2/x");
  EXPECT_EQ(Call("PATCH", "/v1/webhook_endpoints/" + id, {{"url", "http://10.0.0.1/"}}).status,
            400);
  EXPECT_EQ(Call("DELETE", "/v1/webhook_endpoints/" + id).body["deleted"], true);
  EXPECT_EQ(Call("GET", "/v1/webhook_endpoints/" + id).status, 404);
  EXPECT_EQ(Call("GET", "/v1/webhook_endpoints").body["data"], json::array());
}

TEST_F(WebhookEndpointsTest, RefusesABadAllowList) {
  RecurServer::Options options = Options();
  options.args = {"--webhook-allow-cidr", "127.0.0.0/33"};
  int exit_code = 0;
  std::string output;
  EXPECT_EQ(RecurServer::Start(options, &exit_code, &output), nullptr);
  EXPECT_EQ(exit_code, 2) << output;
}

}  // namespace
}  // namespace recur::testing

namespace recur::testing {
namespace {

// Deliveries are made with the events, in the same transaction, for each enabled endpoint
// whose filter takes the event's type.
TEST_F(WebhookEndpointsTest, EventsFanOutToMatchingEndpointsAsTheyAreWritten) {
  ServeAllowing({"127.0.0.0/8"});
  const std::string all =
      Call("POST", "/v1/webhook_endpoints", {{"url", "http://127.0.0.1:9001/"}}).body["id"];
  const std::string trials =
      Call("POST", "/v1/webhook_endpoints",
           {{"url", "http://127.0.0.1:9002/"}, {"event_types", {"subscriptionItem.active"}}})
          .body["id"];
  const std::string off =
      Call("POST", "/v1/webhook_endpoints", {{"url", "http://127.0.0.1:9003/"}}).body["id"];
  ASSERT_EQ(Call("PATCH", "/v1/webhook_endpoints/" + off, {{"disabled", true}}).status, 200);

  NewPayer("user_1");  // subscription.created, subscriptionItem.active
  auto count = [&](const std::string& endpoint) {
    return StoredNumber("SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = " +
                        Quoted(endpoint));
  };
  EXPECT_EQ(count(all), 2);
  EXPECT_EQ(count(trials), 1);
  EXPECT_EQ(count(off), 0);
  EXPECT_EQ(StoredNumber("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending' AND "
                         "msg_id LIKE 'msg_%'"),
            3);
}

}  // namespace
}  // namespace recur::testing
