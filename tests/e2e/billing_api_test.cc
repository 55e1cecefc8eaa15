// Payers, subscriptions, payments and entitlements through the real `recur serve`.
#include <atomic>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> ItemSummary(const json& subscription) {
  std::vector<std::string> summary;
  for (const json& item : subscription["items"]) {
    summary.push_back(item["plan"]["slug"].get<std::string>() + ":" +
                      item["status"].get<std::string>());
  }
  return summary;
}

TEST_F(ServeTest, ANewPayerIsOnTheFreePlanAtOnce) {
  Serve();
  const std::string payer = NewPayer("user_1");
  Answer subscription = Call("GET", "/v1/payers/" + payer + "/subscription");
  ASSERT_EQ(subscription.status, 200);
  EXPECT_EQ(subscription.body["object"], "subscription");
  EXPECT_EQ(subscription.body["status"], "active");
  EXPECT_EQ(subscription.body["payer_id"], payer);
  EXPECT_THAT(ItemSummary(subscription.body), ElementsAre("free:active"));
  EXPECT_THAT(EventTypes(payer), ElementsAre("subscription.created", "subscriptionItem.active"));

  Answer again = Call("POST", "/v1/payers",
                      {{"external_id", "user_1"}, {"type", "user"}, {"email", "x@example.com"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body["error"]["code"], "payer_exists");
  EXPECT_EQ(again.body["error"]["param"], "external_id");
  // The same external id is another payer when it names an organization.
  EXPECT_EQ(Call("POST", "/v1/payers",
                 {{"external_id", "user_1"}, {"type", "org"}, {"email", "o@example.com"}})
                .status,
            200);
}

TEST_F(ServeTest, RejectsBadPayerInputAndChangesNothing) {
  Serve();
  auto error_of = [&](const json& body) { return Call("POST", "/v1/payers", body).body["error"]; };
  EXPECT_EQ(error_of({{"type", "user"}, {"email", "a@example.com"}})["param"], "external_id");
  EXPECT_EQ(error_of({{"external_id", "u"}, {"type", "team"}, {"email", "a@example.com"}})["param"],
            "type");
  EXPECT_EQ(error_of({{"external_id", "u"}, {"type", "user"}, {"email", "not-an-email"}})["param"],
            "email");
  json typo = error_of({{"external_id", "u"},
                        {"type", "user"},
                        {"emial", "a@example.com"},
                        {"email", "a@example.com"}});
  EXPECT_EQ(typo["code"], "unknown_parameter");
  EXPECT_EQ(typo["message"], "unknown parameter emial; did you mean email?");
  EXPECT_EQ(error_of({{"external_id", 5}, {"type", "user"}, {"email", "a@example.com"}})["code"],
            "invalid_parameter");
  EXPECT_EQ(Call("GET", "/v1/events").body["data"], json::array());
  EXPECT_EQ(Call("GET", "/v1/payers/cpayer_nope").status, 404);
}

TEST_F(ServeTest, AttachesSandboxCardsAndRefusesDeclinedOnes) {
  Serve();
  const std::string payer = NewPayer("user_1");
  Answer visa =
      Call("POST", "/v1/payers/" + payer + "/payment_methods", {{"token", "pm_card_visa"}});
  ASSERT_EQ(visa.status, 200);
  EXPECT_EQ(visa.body["brand"], "visa");
  EXPECT_EQ(visa.body["last4"], "4242");
  EXPECT_EQ(visa.body["is_default"], true);
  Answer declined = Call("POST", "/v1/payers/" + payer + "/payment_methods",
                         {{"token", "pm_card_chargeDeclinedInsufficientFunds"}});
  EXPECT_EQ(declined.status, 422);
  EXPECT_EQ(declined.body["error"]["code"], "insufficient_funds");
  EXPECT_EQ(declined.body["error"]["param"], "token");
  EXPECT_EQ(Call("POST", "/v1/payers/" + payer + "/payment_methods", {{"token", "tok_x"}}).status,
            400);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer).body["default_payment_method_id"], visa.body["id"]);
}

TEST_F(ServeTest, StartsATrialAndGrantsItsFeatures) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  Answer item = Call("POST", "/v1/payers/" + payer + "/subscription_items",
                     {{"plan", "pro"}, {"interval", "month"}});
  ASSERT_EQ(item.status, 200) << item.body;
  EXPECT_EQ(item.body["is_free_trial"], true);
  EXPECT_EQ(item.body["status"], "active");
  EXPECT_EQ(
      item.body["trial_end"].get<std::int64_t>() - item.body["period_start"].get<std::int64_t>(),
      14LL * 24 * 3600 * 1000);
  EXPECT_THAT(ItemSummary(Call("GET", "/v1/payers/" + payer + "/subscription").body),
              ElementsAre("pro:active"));
  EXPECT_THAT(EventTypes(payer), ElementsAre("subscription.created", "subscriptionItem.active",
                                             "subscriptionItem.active", "subscriptionItem.ended",
                                             "subscription.updated"));
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements/projects").body,
            json({{"object", "entitlement"},
                  {"payer_id", payer},
                  {"plan", "pro"},
                  {"feature", "projects"},
                  {"allowed", true},
                  {"limit", 20}}));
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements/priority_support").body["allowed"],
            false);
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer).body["trial_used"], true);
  EXPECT_THAT(InvariantViolations(payer), ::testing::IsEmpty());
}

TEST_F(ServeTest, RefusesATrialThatNeedsACardWithoutOne) {
  Serve();
  const std::string payer = NewPayer("user_1");
  Answer refused = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.body["error"]["code"], "payment_method_required");
  EXPECT_THAT(ItemSummary(Call("GET", "/v1/payers/" + payer + "/subscription").body),
              ElementsAre("free:active"));
}

TEST_F(ServeTest, ADeclinedCheckoutLeavesAnIncompleteItemAndTheFreePlan) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_chargeCustomerFail");
  Answer declined = Call("POST", "/v1/payers/" + payer + "/subscription_items",
                         {{"plan", "business"}, {"interval", "annual"}});
  EXPECT_EQ(declined.status, 402);
  EXPECT_EQ(declined.body["error"]["code"], "payment_declined");
  EXPECT_THAT(declined.body["error"]["message"].get<std::string>(),
              HasSubstr("Your card was declined."));
  EXPECT_EQ(declined.body["error"]["details"]["subscription_item"]["status"], "incomplete");
  EXPECT_THAT(ItemSummary(Call("GET", "/v1/payers/" + payer + "/subscription").body),
              ElementsAre("free:active"));
  Answer attempts = Call("GET", "/v1/payment_attempts?payer_id=" + payer);
  ASSERT_EQ(attempts.body["data"].size(), 1u);
  EXPECT_EQ(attempts.body["data"][0]["status"], "failed");
  EXPECT_EQ(attempts.body["data"][0]["amount"]["amount"], 48000);
  EXPECT_THAT(EventTypes(payer), ElementsAre("subscription.created", "subscriptionItem.active",
                                             "paymentAttempt.created", "paymentAttempt.updated",
                                             "subscriptionItem.incomplete"));
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "free");
  EXPECT_THAT(InvariantViolations(payer), ::testing::IsEmpty());
}

TEST_F(ServeTest, TheSandboxGatewayKeepsItsChargesInAFileOfItsOwn) {
  const std::string charge_id = ChargeOnceAndStop();

  SQLite::Database sandbox(db_path() + ".sandbox");
  SQLite::Statement charges(sandbox, "SELECT status, charge_id FROM sandbox_charges");
  ASSERT_TRUE(charges.executeStep());
  EXPECT_EQ(charges.getColumn(0).getString(), "paid");
  EXPECT_EQ(charges.getColumn(1).getString(), charge_id);
  EXPECT_FALSE(charges.executeStep());
  SQLite::Database store(db_path());
  EXPECT_FALSE(store.tableExists("sandbox_charges"));
}

TEST_F(ServeTest, UpgradesNowWithAProrationCreditAndDowngradesAtPeriodEnd) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  Answer pro = Call("POST", "/v1/payers/" + payer + "/subscription_items",
                    {{"plan", "pro"}, {"free_trial", false}});
  ASSERT_EQ(pro.status, 200) << pro.body;
  EXPECT_EQ(pro.body["is_free_trial"], false);
  Answer business =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "business"}});
  ASSERT_EQ(business.status, 200) << business.body;
  EXPECT_EQ(business.body["status"], "active");
  json upgrade = Call("GET", "/v1/payment_attempts?payer_id=" + payer).body["data"][0];
  EXPECT_EQ(upgrade["status"], "paid");
  const std::int64_t credit = upgrade["proration_credit"]["amount"];
  EXPECT_GE(credit, 1990);  // a fresh month of 2000, a moment used
  EXPECT_LE(credit, 2000);
  EXPECT_EQ(upgrade["amount"]["amount"].get<std::int64_t>() + credit, 5000);
  EXPECT_EQ(upgrade["charge_type"], "checkout");

  Answer downgrade = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}});
  ASSERT_EQ(downgrade.status, 200) << downgrade.body;
  EXPECT_EQ(downgrade.body["status"], "upcoming");
  EXPECT_EQ(downgrade.body["period_start"], business.body["period_end"]);
  EXPECT_THAT(ItemSummary(Call("GET", "/v1/payers/" + payer + "/subscription").body),
              ElementsAre("business:active", "pro:upcoming"));
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements").body["plan"], "business");
  EXPECT_THAT(InvariantViolations(payer), ::testing::IsEmpty());
}

TEST_F(ServeTest, CancelsResubscribesAndEndsNow) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  const std::string item =
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}}).body["id"];
  Answer canceled = Call("DELETE", "/v1/subscription_items/" + item);
  ASSERT_EQ(canceled.status, 200) << canceled.body;
  EXPECT_EQ(canceled.body["status"], "canceled");
  EXPECT_THAT(ItemSummary(Call("GET", "/v1/payers/" + payer + "/subscription").body),
              ElementsAre("pro:canceled", "free:upcoming"));
  EXPECT_EQ(Call("DELETE", "/v1/subscription_items/" + item).body["error"]["code"],
            "already_canceled");

  Answer again = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body["id"], item);
  EXPECT_EQ(again.body["is_free_trial"], true);  // the same trial, not a second one
  EXPECT_THAT(ItemSummary(Call("GET", "/v1/payers/" + payer + "/subscription").body),
              ElementsAre("pro:active"));

  Answer ended = Call("DELETE", "/v1/subscription_items/" + item + "?end_now=true");
  EXPECT_EQ(ended.body["status"], "ended");
  EXPECT_THAT(ItemSummary(Call("GET", "/v1/payers/" + payer + "/subscription").body),
              ElementsAre("free:active"));
  EXPECT_THAT(
      EventTypes(payer),
      ElementsAre("subscription.created", "subscriptionItem.active", "subscriptionItem.active",
                  "subscriptionItem.ended", "subscription.updated", "subscriptionItem.canceled",
                  "subscriptionItem.upcoming", "subscription.updated", "subscriptionItem.active",
                  "subscriptionItem.abandoned", "subscription.updated", "subscriptionItem.ended",
                  "subscriptionItem.active", "subscription.updated"));
  // No second trial after a canceled one.
  Answer no_trial = Call("POST", "/v1/payers/" + payer + "/subscription_items",
                         {{"plan", "pro"}, {"free_trial", true}});
  EXPECT_EQ(no_trial.body["error"]["code"], "trial_not_available");
  EXPECT_THAT(InvariantViolations(payer), ::testing::IsEmpty());
}

TEST_F(ServeTest, ExtendsARunningTrial) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  json item = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}}).body;
  const std::int64_t trial_end = item["trial_end"];
  const std::string path =
      "/v1/subscription_items/" + item["id"].get<std::string>() + "/extend_free_trial";
  Answer extended = Call("POST", path, {{"extend_to", trial_end + 7 * 86400000LL}});
  ASSERT_EQ(extended.status, 200) << extended.body;
  EXPECT_EQ(extended.body["trial_end"], trial_end + 7 * 86400000LL);
  EXPECT_EQ(extended.body["period_end"], trial_end + 7 * 86400000LL);
  EXPECT_EQ(Call("POST", path, {{"extend_to", trial_end}}).body["error"]["code"],
            "invalid_extend_to");
  EXPECT_EQ(Call("POST", path, {{"extend_to", trial_end + 400 * 86400000LL}}).status, 400);
  EXPECT_EQ(Call("POST", path, {{"extend_to", "tomorrow"}}).body["error"]["param"], "extend_to");
}

TEST_F(ServeTest, RejectsBadSubscriptionRequestsAndChangesNothing) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  const std::string path = "/v1/payers/" + payer + "/subscription_items";
  auto code_of = [&](const json& body) {
    return Call("POST", path, body).body["error"]["code"].get<std::string>();
  };
  EXPECT_EQ(code_of({{"plan", "platinum"}}), "plan_not_found");
  EXPECT_EQ(code_of({{"plan", "team"}}), "payer_type_mismatch");
  EXPECT_EQ(code_of({{"plan", "pro"}, {"interval", "weekly"}}), "invalid_parameter");
  EXPECT_EQ(code_of({{"plan", "free"}}), "already_subscribed");
  EXPECT_EQ(code_of({{"plan", "pro"}, {"intreval", "month"}}), "unknown_parameter");
  EXPECT_EQ(code_of(json::object()), "missing_parameter");
  EXPECT_EQ(Call("POST", "/v1/payers/cpayer_nope/subscription_items", {{"plan", "pro"}}).status,
            404);
  EXPECT_EQ(Call("DELETE", "/v1/subscription_items/csub_item_nope").status, 404);
  EXPECT_THAT(EventTypes(payer), ElementsAre("subscription.created", "subscriptionItem.active"));
}

TEST_F(ServeTest, AnUnknownPlanSlugGetsTheClosestSlugOfTheCatalog) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  const std::string path = "/v1/payers/" + payer + "/subscription_items";
  const Answer typo = Call("POST", path, {{"plan", "prp"}});
  EXPECT_EQ(typo.status, 404);
  json typo_error = typo.body["error"];
  EXPECT_TRUE(typo_error["request_id"].is_string());
  typo_error.erase("request_id");
  EXPECT_EQ(typo_error,
            json({{"code", "plan_not_found"},
                  {"message", "no plan \"prp\" (give a plan slug or id); did you mean \"pro\"?"},
                  {"param", "plan"}}));
  EXPECT_EQ(Call("POST", path, {{"plan", "platinum"}}).body["error"]["message"],
            "no plan \"platinum\" (give a plan slug or id)");
  EXPECT_THAT(EventTypes(payer), ElementsAre("subscription.created", "subscriptionItem.active"));
}

// The same rule as for body keys: the unknown name, and the known one it is a likely typo of.
TEST_F(ServeTest, AnUnknownQueryParameterGetsADidYouMeanForALikelyTypo) {
  Serve();
  const std::string payer = NewPayer("user_1");
  auto error_of = [&](const std::string& path, const std::string& method = "GET") {
    const Answer answer = Call(method, path);
    EXPECT_EQ(answer.status, 400) << method << " " << path;
    json error = answer.body["error"];
    EXPECT_TRUE(error["request_id"].is_string());
    error.erase("request_id");
    return error;
  };
  EXPECT_EQ(error_of("/v1/events?limt=5"),
            json({{"code", "unknown_parameter"},
                  {"message", "unknown query parameter limt; did you mean limit?"},
                  {"param", "limt"}}));
  EXPECT_EQ(error_of("/v1/events?starting_afer=evt_1")["message"],
            "unknown query parameter starting_afer; did you mean starting_after?");
  EXPECT_EQ(error_of("/v1/payment_attempts?payerid=" + payer)["message"],
            "unknown query parameter payerid; did you mean payer_id?");
  EXPECT_EQ(error_of("/v1/plans?payer_typ=user")["message"],
            "unknown query parameter payer_typ; did you mean payer_type?");
  EXPECT_EQ(error_of("/v1/pricing_table?payer_tpye=org")["message"],
            "unknown query parameter payer_tpye; did you mean payer_type?");
  EXPECT_EQ(error_of("/v1/subscription_items/csub_item_1?end_nwo=true", "DELETE")["message"],
            "unknown query parameter end_nwo; did you mean end_now?");
  // Nothing close: the name alone.
  EXPECT_EQ(error_of("/v1/events?page=2")["message"], "unknown query parameter page");
}

TEST_F(ServeTest, ConcurrentSubscribesMakeOneSubscriptionAndOneCharge) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  std::atomic<int> succeeded = 0, conflicted = 0;
  std::mutex mutex;
  std::vector<std::string> unexpected;
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      auto client = server_->Client();
      auto result = client.Post("/v1/payers/" + payer + "/subscription_items", Auth(),
                                R"({"plan": "business"})", "application/json");
      if (result && result->status == 200) {
        ++succeeded;
      } else if (result && result->status == 409) {
        ++conflicted;
      } else {
        std::lock_guard lock(mutex);
        unexpected.push_back(result ? std::to_string(result->status) + " " + result->body
                                    : "no answer: " + httplib::to_string(result.error()));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(succeeded, 1);
  EXPECT_EQ(conflicted, 19);
  EXPECT_THAT(unexpected, ::testing::IsEmpty()) << server_->Stderr();
  Answer attempts = Call("GET", "/v1/payment_attempts?payer_id=" + payer);
  ASSERT_EQ(attempts.body["data"].size(), 1u);
  EXPECT_EQ(attempts.body["data"][0]["status"], "paid");
  EXPECT_THAT(ItemSummary(Call("GET", "/v1/payers/" + payer + "/subscription").body),
              ElementsAre("business:active"));
  EXPECT_THAT(InvariantViolations(payer), ::testing::IsEmpty());
}

TEST_F(ServeTest, PaginatesEventsNewestFirst) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}}).status,
            200);
  Answer first = Call("GET", "/v1/events?limit=2&payer_id=" + payer);
  ASSERT_EQ(first.body["data"].size(), 2u);
  EXPECT_EQ(first.body["has_more"], true);
  EXPECT_EQ(first.body["data"][0]["type"], "subscription.updated");
  const std::string last = first.body["data"][1]["id"];
  Answer rest = Call("GET", "/v1/events?limit=10&payer_id=" + payer + "&starting_after=" + last);
  EXPECT_EQ(rest.body["data"].size(), 3u);
  EXPECT_EQ(rest.body["has_more"], false);
  EXPECT_EQ(rest.body["data"][2]["type"], "subscription.created");
  Answer typed = Call("GET", "/v1/events?type=subscriptionItem.ended");
  ASSERT_EQ(typed.body["data"].size(), 1u);
  EXPECT_EQ(typed.body["data"][0]["data"]["plan"]["slug"], "free");
  EXPECT_EQ(Call("GET", "/v1/events?type=subscriptionItem.finished").status, 400);
  EXPECT_EQ(Call("GET", "/v1/events?limit=0").status, 400);
  EXPECT_EQ(Call("GET", "/v1/events?starting_after=evt_nope").body["error"]["param"],
            "starting_after");
  EXPECT_EQ(Call("GET", "/v1/events?payer_id=cpayer_nope").status, 404);
}

TEST_F(ServeTest, EntitlementsSurviveARestart) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  ASSERT_EQ(
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "business"}}).status,
      200);
  server_.reset();
  Serve();
  EXPECT_EQ(Call("GET", "/v1/payers/" + payer + "/entitlements/projects").body["limit"],
            "unlimited");
  EXPECT_EQ(Call("GET", "/v1/payers/cpayer_nope/entitlements").status, 404);
}

}  // namespace
}  // namespace recur::testing

namespace recur::testing {
namespace {

using nlohmann::json;

TEST_F(ServeTest, AnIdempotencyKeyReplaysTheFirstAnswer) {
  Serve();
  auto client = server_->Client();
  httplib::Headers headers = Auth();
  headers.emplace("Idempotency-Key", "create-user-7");
  const std::string body =
      R"({"external_id": "user_7", "type": "user", "email": "u7@example.com"})";
  auto first = client.Post("/v1/payers", headers, body, "application/json");
  auto second = client.Post("/v1/payers", headers, body, "application/json");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, first->body);
  EXPECT_EQ(first->get_header_value("Idempotent-Replayed"), "");
  EXPECT_EQ(second->get_header_value("Idempotent-Replayed"), "true");
  EXPECT_EQ(Call("GET", "/v1/events").body["data"].size(), 2u);  // one payer, created once

  auto reused =
      client.Post("/v1/payers", headers,
                  R"({"external_id": "user_8", "type": "user", "email": "u8@example.com"})",
                  "application/json");
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->status, 422);
  EXPECT_EQ(json::parse(reused->body)["error"]["code"], "idempotency_key_reused");

  headers = Auth();
  headers.emplace("Idempotency-Key", std::string(256, 'k'));
  auto too_long = client.Post("/v1/payers", headers, body, "application/json");
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->status, 400);
  EXPECT_EQ(json::parse(too_long->body)["error"]["param"], "Idempotency-Key");
}

TEST_F(ServeTest, AnIdempotencyKeyAlsoReplaysAnError) {
  Serve();
  const std::string payer = NewPayer("user_1");
  auto client = server_->Client();
  httplib::Headers headers = Auth();
  headers.emplace("Idempotency-Key", "subscribe-1");
  const std::string path = "/v1/payers/" + payer + "/subscription_items";
  auto first = client.Post(path, headers, R"({"plan": "pro"})", "application/json");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 422);  // no payment method yet
  ASSERT_EQ(
      Call("POST", "/v1/payers/" + payer + "/payment_methods", {{"token", "pm_card_visa"}}).status,
      200);
  auto retried = client.Post(path, headers, R"({"plan": "pro"})", "application/json");
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->status, 422);  // the same key answers the same; a new attempt needs a new key
  EXPECT_EQ(retried->get_header_value("Idempotent-Replayed"), "true");
}

}  // namespace
}  // namespace recur::testing
