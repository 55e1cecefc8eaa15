// The routes of Clerk's Backend API on a real `recur serve` (docs/clerk-compatibility.md): over
// plain HTTP, their shapes, Content-Type and error format beside Recur's own routes, unchanged;
// and with Clerk's own SDK, @clerk/backend (tests/interop/clerk_backend.mjs, skipped without
// RECUR_NODE_MODULES), every billing method an application calls, whose changes are then
// checked through Recur's own API and events.
#include <cstdlib>
#include <string>

#include <gmock/gmock.h>

#include "base/log.h"
#include "tests/e2e/fixture.h"

namespace recur::testing::clerk_backend_test {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::StartsWith;

constexpr std::int64_t kDay = 86'400'000;

class ClerkBackendTest : public ServeTest {
 protected:
  // A GET or DELETE to the running server with the key; its status, Content-Type and body.
  struct Raw {
    int status = 0;
    std::string content_type;
    json body;
  };
  Raw Send(const std::string& method, const std::string& path, bool with_key = true) {
    auto client = server_->Client();
    const httplib::Headers headers = with_key ? Auth() : httplib::Headers{};
    httplib::Result result =
        method == "GET" ? client.Get(path, headers) : client.Delete(path, headers);
    if (!result) throw std::runtime_error("no answer to " + method + " " + path);
    return {result->status, result->get_header_value("Content-Type"), json::parse(result->body)};
  }

  // A new payer of `type` with a card when `token` is given, in `plan`'s trial: its id and the
  // item's answer.
  std::pair<std::string, json> PayerInTrial(const std::string& external_id, const std::string& type,
                                            const std::string& plan, const std::string& token) {
    const std::string payer = NewPayer(external_id, token, type);
    Answer item = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", plan}});
    if (item.status != 200 || item.body["is_free_trial"] != true) {
      throw std::runtime_error("no trial: " + item.body.dump());
    }
    return {payer, item.body};
  }
};

TEST_F(ClerkBackendTest, TheRoutesAnswerInClerksShapesAsExactlyApplicationJson) {
  Serve();
  const auto [payer, trial] = PayerInTrial("user_ada", "user", "pro", "pm_card_visa");

  Raw plans = Send("GET", "/v1/billing/plans?payer_type=user&limit=2&offset=1");
  ASSERT_EQ(plans.status, 200) << plans.body;
  EXPECT_EQ(plans.content_type, "application/json");  // the SDK reads no other
  EXPECT_EQ(plans.body["total_count"], 3);
  ASSERT_EQ(plans.body["data"].size(), 2u);
  EXPECT_EQ(plans.body["data"][0]["object"], "commerce_plan");

  Raw subscription = Send("GET", "/v1/users/user_ada/billing/subscription");
  ASSERT_EQ(subscription.status, 200) << subscription.body;
  EXPECT_EQ(subscription.content_type, "application/json");
  EXPECT_EQ(subscription.body["object"], "commerce_subscription");
  EXPECT_EQ(subscription.body["payer_id"], payer);
  ASSERT_EQ(subscription.body["subscription_items"].size(), 1u);
  const json& item = subscription.body["subscription_items"][0];
  EXPECT_EQ(item["object"], "commerce_subscription_item");
  EXPECT_EQ(item["id"], trial["id"]);
  EXPECT_EQ(item["period_end"], trial["trial_end"]);
  EXPECT_EQ(item["plan"]["fee"]["amount"], 2000);

  // An organization's id is looked up among organizations only: user_ada is none of them.
  Raw as_org = Send("GET", "/v1/organizations/user_ada/billing/subscription");
  ASSERT_EQ(as_org.status, 200) << as_org.body;
  EXPECT_TRUE(as_org.body["id"].is_null());
  EXPECT_EQ(as_org.body["subscription_items"][0]["plan"]["slug"], "org-free");

  const std::int64_t trial_end = trial["trial_end"];
  Answer extended = Call(
      "POST",
      "/v1/billing/subscription_items/" + trial["id"].get<std::string>() + "/extend_free_trial",
      {{"extend_to", "2100-01-01T00:00:00Z"}});
  EXPECT_EQ(extended.status, 400) << extended.body;  // more than 365 days later
  extended = Call(
      "POST",
      "/v1/billing/subscription_items/" + trial["id"].get<std::string>() + "/extend_free_trial",
      {{"extend_to", FormatRfc3339(FromUnixMillis(trial_end + 2 * kDay))}});
  ASSERT_EQ(extended.status, 200) << extended.body;
  EXPECT_EQ(extended.body["object"], "commerce_subscription_item");
  EXPECT_EQ(extended.body["period_end"], trial_end + 2 * kDay);

  Raw canceled = Send("DELETE", "/v1/billing/subscription_items/" + trial["id"].get<std::string>());
  ASSERT_EQ(canceled.status, 200) << canceled.body;
  EXPECT_EQ(canceled.content_type, "application/json");
  EXPECT_EQ(canceled.body["status"], "canceled");
  EXPECT_EQ(canceled.body["period_end"], trial_end + 2 * kDay);  // no end_now: the trial's end
}

TEST_F(ClerkBackendTest, ErrorsAreClerksOnTheseRoutesAndRecursOnRecursOwn) {
  Serve();
  Raw missing = Send("DELETE", "/v1/billing/subscription_items/csub_item_none");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.content_type, "application/json");
  ASSERT_EQ(missing.body["errors"].size(), 1u) << missing.body;
  EXPECT_EQ(missing.body["errors"][0]["code"], "resource_not_found");
  EXPECT_THAT(missing.body["errors"][0]["long_message"].get<std::string>(),
              ::testing::HasSubstr("csub_item_none"));
  EXPECT_EQ(missing.body["errors"][0]["meta"]["recur_code"], "item_not_found");
  EXPECT_THAT(missing.body["clerk_trace_id"].get<std::string>(), StartsWith("req_"));
  EXPECT_FALSE(missing.body.contains("error"));

  Raw recurs = Send("DELETE", "/v1/subscription_items/csub_item_none");
  EXPECT_EQ(recurs.status, 404);
  EXPECT_EQ(recurs.body["error"]["code"], "item_not_found");
  EXPECT_FALSE(recurs.body.contains("errors"));

  // The server's own refusals of these routes are Clerk's too.
  Raw without_key = Send("GET", "/v1/billing/plans", false);
  EXPECT_EQ(without_key.status, 401);
  EXPECT_EQ(without_key.body["errors"][0]["code"], "authentication_invalid");
  Raw recurs_without_key = Send("GET", "/v1/payment_attempts", false);
  EXPECT_EQ(recurs_without_key.body["error"]["code"], "unauthorized");

  Raw unknown = Send("GET", "/v1/billing/plans?payer_typ=user");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body["errors"][0]["code"], "form_param_unknown");
  EXPECT_EQ(unknown.body["errors"][0]["meta"]["param_name"], "payer_typ");
  Raw limit = Send("GET", "/v1/billing/plans?limit=501");
  EXPECT_EQ(limit.status, 400);
  EXPECT_EQ(limit.body["errors"][0]["meta"]["param_name"], "limit");
  Answer not_a_time =
      Call("POST", "/v1/billing/subscription_items/csub_item_none/extend_free_trial",
           {{"extend_to", 1767830400000}});
  EXPECT_EQ(not_a_time.status, 400);
  EXPECT_EQ(not_a_time.body["errors"][0]["meta"]["param_name"], "extend_to");
}

TEST_F(ClerkBackendTest, AUserWithNoPayerIsShownOnTheDefaultPlanAndNothingIsStored) {
  Serve();
  Raw newcomer = Send("GET", "/v1/users/user_new/billing/subscription");
  ASSERT_EQ(newcomer.status, 200) << newcomer.body;
  EXPECT_TRUE(newcomer.body["id"].is_null());
  EXPECT_TRUE(newcomer.body["payer_id"].is_null());
  EXPECT_EQ(newcomer.body["eligible_for_free_trial"], true);
  EXPECT_EQ(newcomer.body["subscription_items"][0]["plan"]["slug"], "free");
  EXPECT_EQ(StoredNumber("SELECT COUNT(*) FROM payers"), 0);
  EXPECT_TRUE(Events().empty());
  // Made afterwards, the payer is the one the route then shows.
  const std::string payer = NewPayer("user_new");
  EXPECT_EQ(Send("GET", "/v1/users/user_new/billing/subscription").body["payer_id"], payer);
}

class ClerkBackendSdkTest : public ClerkBackendTest {
 protected:
  void SetUp() override {
    const char* modules = std::getenv("RECUR_NODE_MODULES");
    if (modules == nullptr || *modules == '\0') {
      GTEST_SKIP() << "needs RECUR_NODE_MODULES with @clerk/backend (tools/test.sh)";
    }
    node_modules_ = modules;
    ClerkBackendTest::SetUp();
    RecurServer::Options options = Options();
    options.env["RECUR_WEBHOOK_ALLOW_CIDRS"] = "127.0.0.0/8";  // the script's own receiver
    server_ = RecurServer::Start(options);
    ASSERT_TRUE(server_);
  }
  std::string node_modules_;
};

TEST_F(ClerkBackendSdkTest, ClerksBackendSdkRunsItsBillingCallsAgainstRecur) {
  const auto [ada, ada_trial] = PayerInTrial("user_ada", "user", "pro", "pm_card_visa");
  const auto [bob, bob_trial] = PayerInTrial("user_bob", "user", "pro", "pm_card_visa");
  const auto [acme, acme_trial] = PayerInTrial("org_acme", "org", "team", "");
  const std::int64_t trial_end = ada_trial["trial_end"];

  CommandResult run = RunCommand(
      {"node", std::string(RECUR_SOURCE_DIR) + "/tests/interop/clerk_backend.mjs"}, "", ".",
      {{"RECUR_NODE_MODULES", node_modules_},
       {"RECUR_URL", "http://127.0.0.1:" + std::to_string(server_->port())},
       {"RECUR_SECRET_KEY", kTestSecretKey},
       {"ADA_PAYER", ada},
       {"ADA_TRIAL_END", std::to_string(trial_end)},
       {"BOB_PAYER", bob},
       {"ACME_PAYER", acme}});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const json outcome = json::parse(run.out);
  EXPECT_EQ(outcome["checks"], 67);  // every check ran
  EXPECT_EQ(outcome["ada_item"], ada_trial["id"]);
  EXPECT_EQ(outcome["bob_item"], bob_trial["id"]);

  // What the SDK changed, as Recur's own API tells it.
  const json ada_now = Call("GET", "/v1/payers/" + ada + "/subscription").body;
  ASSERT_EQ(ada_now["items"].size(), 2u) << ada_now;  // Pro canceled, free upcoming
  const json& pro = ada_now["items"][0];
  EXPECT_EQ(pro["id"], ada_trial["id"]);
  EXPECT_EQ(pro["status"], "canceled");
  EXPECT_EQ(pro["trial_end"], trial_end + 3 * kDay);
  EXPECT_EQ(pro["period_end"], trial_end + 3 * kDay);
  EXPECT_EQ(ada_now["items"][1]["status"], "upcoming");
  const std::vector<std::string> ada_events = EventTypes(ada);
  EXPECT_THAT(ada_events, Contains("subscriptionItem.updated"));  // the extension
  EXPECT_THAT(ada_events, Contains("subscriptionItem.canceled"));

  const json bob_now = Call("GET", "/v1/payers/" + bob + "/subscription").body;
  ASSERT_EQ(bob_now["items"].size(), 1u) << bob_now;
  EXPECT_EQ(bob_now["items"][0]["plan"]["slug"], "free");
  EXPECT_THAT(EventTypes(bob), Contains("subscriptionItem.ended"));
  // Reading a user with no payer made none.
  EXPECT_EQ(StoredNumber("SELECT COUNT(*) FROM payers WHERE external_id = 'user_new'"), 0);
}

}  // namespace
}  // namespace recur::testing::clerk_backend_test
