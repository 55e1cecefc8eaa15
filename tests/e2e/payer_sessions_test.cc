// Payer sessions through the real `recur serve`: minting and revoking them with the secret key,
// what a browser may do with one for its payer, and each kind of refusal: a route for the key
// only (403), another payer's ids (404, as ids that do not exist), an unknown, revoked or
// expired session (401). One test walks every route of the table with a session, so that a new
// route cannot be reachable by a session without being meant to.
#include <gmock/gmock.h>

#include "base/clock.h"
#include "base/sha256.h"
#include "http/billing_api.h"
#include "tests/e2e/fixture.h"

namespace recur::testing::payer_sessions_test {
namespace {

using nlohmann::json;

class PayerSessionsTest : public ServeTest {
 protected:
  // A new session of `payer`; its token.
  std::string NewSession(const std::string& payer, json body = json::object()) {
    Answer made = Call("POST", "/v1/payers/" + payer + "/sessions", body);
    if (made.status != 200) throw std::runtime_error("session: " + made.body.dump());
    return made.body["token"];
  }

  // A JSON request with `token` as its bearer credential.
  Answer AsSession(const std::string& token, const std::string& method, const std::string& path,
                   const json& body = nullptr) {
    auto client = server_->Client();
    const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
    const std::string text = body.is_null() ? "" : body.dump();
    httplib::Result result = method == "GET"      ? client.Get(path, headers)
                             : method == "DELETE" ? client.Delete(path, headers)
                             : method == "PATCH"
                                 ? client.Patch(path, headers, text, "application/json")
                                 : client.Post(path, headers, text, "application/json");
    if (!result) throw std::runtime_error("no HTTP answer to " + method + " " + path);
    // Every answer is JSON but the components' script (GET /v1/assets/recur.js) and receipts.
    const bool is_json = result->get_header_value("Content-Type").starts_with("application/json");
    return {result->status, is_json ? json::parse(result->body) : json(result->body)};
  }

  // An error body without its request id, which every answer has of its own.
  static json WithoutRequestId(json body) {
    if (body.contains("error")) body["error"].erase("request_id");
    return body;
  }
};

TEST_F(PayerSessionsTest, ASessionIsMintedWithTheKeyForAnHourByDefaultAndADayAtMost) {
  Serve();
  const std::string payer = NewPayer("user_1");
  auto client = server_->Client();
  const std::int64_t before = ToUnixMillis(SystemClock().Now());
  auto made = client.Post("/v1/payers/" + payer + "/sessions", Auth(), "", "application/json");
  const std::int64_t after = ToUnixMillis(SystemClock().Now());
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 200) << made->body;
  EXPECT_EQ(made->get_header_value("Cache-Control"), "no-store");
  const json session = json::parse(made->body);
  EXPECT_EQ(session["object"], "payer_session");
  EXPECT_EQ(session["payer_id"], payer);
  EXPECT_THAT(session["token"].get<std::string>(), ::testing::MatchesRegex("ps_[0-9A-Za-z]{43}"));
  EXPECT_GE(session["expires_at"].get<std::int64_t>(), before + 3'600'000);
  EXPECT_LE(session["expires_at"].get<std::int64_t>(), after + 3'600'000);
  // Only the token's hash is stored.
  EXPECT_EQ(StoredNumber("SELECT count(*) FROM payer_sessions WHERE token_hash = " +
                         Quoted(session["token"]) + " OR token_hash = " +
                         Quoted(Sha256Hex(session["token"].get<std::string>()))),
            1);
  EXPECT_EQ(StoredText("SELECT token_hash FROM payer_sessions"),
            Sha256Hex(session["token"].get<std::string>()));

  Answer day = Call("POST", "/v1/payers/" + payer + "/sessions", {{"ttl_seconds", 86400}});
  EXPECT_EQ(day.status, 200) << day.body;
}

TEST_F(PayerSessionsTest, ABadLifetimeOrUnknownPayerIsRefusedClearlyAndMintsNothing) {
  Serve();
  const std::string payer = NewPayer("user_1");
  for (const json& ttl : {json(0), json(86401), json(-1), json("3600"), json(1.5)}) {
    Answer refused = Call("POST", "/v1/payers/" + payer + "/sessions", {{"ttl_seconds", ttl}});
    EXPECT_EQ(refused.status, 400) << ttl.dump();
    EXPECT_EQ(refused.body["error"]["param"], "ttl_seconds") << refused.body.dump();
  }
  Answer unknown_field = Call("POST", "/v1/payers/" + payer + "/sessions", {{"ttl", 60}});
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_EQ(unknown_field.body["error"]["code"], "unknown_parameter");
  Answer no_payer = Call("POST", "/v1/payers/cpayer_nope/sessions");
  EXPECT_EQ(no_payer.status, 404);
  EXPECT_EQ(no_payer.body["error"]["code"], "payer_not_found");
  EXPECT_EQ(StoredNumber("SELECT count(*) FROM payer_sessions"), 0);
}

TEST_F(PayerSessionsTest, ABrowserWithASessionRunsItsPayersWholeSubscription) {
  Serve();
  const std::string payer = NewPayer("user_1");
  const std::string token = NewSession(payer);

  Answer table = AsSession(token, "GET", "/v1/pricing_table");
  ASSERT_EQ(table.status, 200) << table.body.dump();
  EXPECT_EQ(table.body["payer_id"], payer);

  Answer card = AsSession(token, "POST", "/v1/payers/" + payer + "/payment_methods",
                          {{"token", "pm_card_visa"}});
  ASSERT_EQ(card.status, 200) << card.body.dump();
  Answer cards = AsSession(token, "GET", "/v1/payers/" + payer + "/payment_methods");
  ASSERT_EQ(cards.status, 200) << cards.body.dump();
  ASSERT_EQ(cards.body["data"].size(), 1u);
  EXPECT_EQ(cards.body["data"][0]["last4"], "4242");

  Answer trial = AsSession(token, "POST", "/v1/payers/" + payer + "/subscription_items",
                           {{"plan", "pro"}, {"free_trial", true}});
  ASSERT_EQ(trial.status, 200) << trial.body.dump();
  EXPECT_EQ(trial.body["status"], "active");
  const std::string item = trial.body["id"];
  Answer subscription = AsSession(token, "GET", "/v1/payers/" + payer + "/subscription");
  ASSERT_EQ(subscription.status, 200);
  Answer entitlements = AsSession(token, "GET", "/v1/payers/" + payer + "/entitlements");
  ASSERT_EQ(entitlements.status, 200);
  EXPECT_EQ(entitlements.body["plan"], "pro");

  Answer canceled = AsSession(token, "DELETE", "/v1/subscription_items/" + item);
  ASSERT_EQ(canceled.status, 200) << canceled.body.dump();
  Answer resubscribed =
      AsSession(token, "POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}});
  EXPECT_EQ(resubscribed.status, 200) << resubscribed.body.dump();
  Answer upgraded = AsSession(token, "POST", "/v1/payers/" + payer + "/subscription_items",
                              {{"plan", "business"}});
  EXPECT_EQ(upgraded.status, 200) << upgraded.body.dump();
}

TEST_F(PayerSessionsTest, ARouteForTheSecretKeyOnlyIsForbiddenToASession) {
  Serve();
  const std::string payer = NewPayer("user_1");
  const std::string token = NewSession(payer);
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/payers/" + payer},
           {"POST", "/v1/payers"},
           {"GET", "/v1/events?payer_id=" + payer},
           {"POST", "/v1/payers/" + payer + "/sessions"},
           {"DELETE", "/v1/payers/" + payer + "/sessions"},
           {"POST", "/v1/payers/" + payer + "/entitlement_token"}}) {
    Answer refused = AsSession(token, method, path, json::object());
    EXPECT_EQ(refused.status, 403) << method << " " << path;
    EXPECT_EQ(refused.body["error"]["code"], "forbidden") << method << " " << path;
  }
}

TEST_F(PayerSessionsTest, AnotherPayersIdsAnswerExactlyAsIdsThatDoNotExist) {
  Serve();
  const std::string mine = NewPayer("user_1");
  const std::string theirs = NewPayer("user_2", "pm_card_visa");
  Answer their_item =
      Call("POST", "/v1/payers/" + theirs + "/subscription_items", {{"plan", "business"}});
  ASSERT_EQ(their_item.status, 200) << their_item.body.dump();
  const std::string item = their_item.body["id"];
  const std::string token = NewSession(mine);

  // What the secret key gets for ids that do not exist, with the same ids spelled in.
  for (const std::string& suffix :
       {std::string("/subscription"), std::string("/payment_methods"), std::string("/entitlements"),
        std::string("/entitlements/seats")}) {
    Answer foreign = AsSession(token, "GET", "/v1/payers/" + theirs + suffix);
    Answer missing = Call("GET", "/v1/payers/cpayer_missing" + suffix);
    EXPECT_EQ(foreign.status, 404) << suffix;
    EXPECT_EQ(missing.status, 404) << suffix;
    json expected = WithoutRequestId(missing.body);
    expected["error"]["message"] = "no payer " + theirs;
    EXPECT_EQ(WithoutRequestId(foreign.body), expected) << suffix;
  }
  Answer subscribe =
      AsSession(token, "POST", "/v1/payers/" + theirs + "/subscription_items", {{"plan", "pro"}});
  EXPECT_EQ(subscribe.status, 404);
  EXPECT_EQ(subscribe.body["error"]["code"], "payer_not_found");
  Answer table = AsSession(token, "GET", "/v1/pricing_table?payer_id=" + theirs);
  EXPECT_EQ(table.status, 404);
  EXPECT_EQ(table.body["error"]["code"], "payer_not_found");

  Answer cancel = AsSession(token, "DELETE", "/v1/subscription_items/" + item);
  Answer cancel_missing = Call("DELETE", "/v1/subscription_items/csubi_missing");
  EXPECT_EQ(cancel.status, 404);
  json expected = WithoutRequestId(cancel_missing.body);
  expected["error"]["message"] = "no subscription item " + item;
  EXPECT_EQ(WithoutRequestId(cancel.body), expected);
  // Nothing of theirs changed.
  Answer still = Call("GET", "/v1/payers/" + theirs + "/subscription");
  EXPECT_EQ(still.body["items"][0]["status"], "active") << still.body.dump();
}

TEST_F(PayerSessionsTest, AnUnknownRevokedOrExpiredSessionIsUnauthorized) {
  Serve();
  const std::string payer = NewPayer("user_1");
  const std::string path = "/v1/payers/" + payer + "/subscription";

  Answer unknown = AsSession("ps_" + std::string(43, 'x'), "GET", path);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body["error"]["code"], "unauthorized");

  const std::string token = NewSession(payer);
  ASSERT_EQ(AsSession(token, "GET", path).status, 200);
  Answer revoked_count = Call("DELETE", "/v1/payers/" + payer + "/sessions");
  ASSERT_EQ(revoked_count.status, 200) << revoked_count.body.dump();
  EXPECT_EQ(revoked_count.body["revoked"], 1);
  Answer revoked = AsSession(token, "GET", path);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_THAT(revoked.body["error"]["message"].get<std::string>(), ::testing::HasSubstr("revoked"));

  const std::string short_lived = NewSession(payer, {{"ttl_seconds", 1}});
  EXPECT_TRUE(WaitUntil("the one-second session to expire",
                        [&] { return AsSession(short_lived, "GET", path).status == 401; }));
}

// Every route of the table, asked with a session of the payer whose ids it names: a route for
// the key only answers 403 forbidden, and any other is let through to its handler (which may
// still refuse the empty body). A new route is classified in the table, or this fails.
TEST_F(PayerSessionsTest, EveryRouteOfTheTableIsEitherForbiddenOrOpenToItsPayersSession) {
  Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  // Charged now, so that the payer has a statement.
  Answer item = Call("POST", "/v1/payers/" + payer + "/subscription_items",
                     {{"plan", "pro"}, {"free_trial", false}});
  ASSERT_EQ(item.status, 200) << item.body.dump();
  const std::string statement =
      Call("GET", "/v1/payers/" + payer + "/statements").body["data"][0]["id"];
  const std::string attempt =
      Call("GET", "/v1/payment_attempts?payer_id=" + payer).body["data"][0]["id"];
  const std::string token = NewSession(payer);
  for (const ApiRoute& route : kApiRoutes) {
    std::string path(route.pattern);
    const std::string id = route.access == Access::kItemSession ? item.body["id"].get<std::string>()
                           : route.access == Access::kStatementSession ? statement
                           : route.access == Access::kAttemptSession   ? attempt
                           : path.starts_with("/v1/payers/")           ? payer
                                                                       : "x_unknown";
    if (auto at = path.find("{id}"); at != std::string::npos) path.replace(at, 4, id);
    if (auto at = path.find("{feature}"); at != std::string::npos) path.replace(at, 9, "seats");
    if (auto at = path.find("{file}"); at != std::string::npos) path.replace(at, 6, "console.css");
    const std::string name = std::string(route.method) + " " + std::string(route.pattern);
    Answer answer = AsSession(token, std::string(route.method), path,
                              route.method == "GET" ? json(nullptr) : json::object());
    if (route.access == Access::kSecretKey || route.access == Access::kConsoleSession) {
      EXPECT_EQ(answer.status, 403) << name;
      if (route.errors == ErrorFormat::kClerk) {  // Clerk's Backend API, in Clerk's format
        EXPECT_EQ(answer.body["errors"][0]["code"], "authorization_invalid") << name;
        EXPECT_EQ(answer.body["errors"][0]["meta"]["recur_code"], "forbidden") << name;
      } else {
        EXPECT_EQ(answer.body["error"]["code"], "forbidden") << name;
      }
    } else {
      EXPECT_NE(answer.status, 401) << name << ": " << answer.body.dump();
      EXPECT_NE(answer.status, 403) << name << ": " << answer.body.dump();
      EXPECT_NE(answer.status, 404) << name << ": " << answer.body.dump();
    }
  }
}

}  // namespace
}  // namespace recur::testing::payer_sessions_test
