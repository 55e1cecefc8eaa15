// GET /v1/pricing_table through the real `recur serve`: what each plan's button would do.
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::pricing_table_test {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

// "slug/interval=action" for every choice of the table, in order.
std::vector<std::string> Actions(const json& table) {
  std::vector<std::string> actions;
  for (const json& row : table["data"]) {
    for (const json& choice : row["choices"]) {
      actions.push_back(row["plan"]["slug"].get<std::string>() + "/" +
                        choice["interval"].get<std::string>() + "=" +
                        choice["action"].get<std::string>());
    }
  }
  return actions;
}

json Choice(const json& table, const std::string& slug, const std::string& interval) {
  for (const json& row : table["data"]) {
    for (const json& choice : row["choices"]) {
      if (row["plan"]["slug"] == slug && choice["interval"] == interval) return choice;
    }
  }
  return nullptr;
}

// The table for a new payer (payer_type) is public: asked without a key.
json PublicGet(RecurServer& server, const std::string& path) {
  auto answer = server.Client().Get(path);
  if (!answer) throw std::runtime_error("no answer");
  return json::parse(answer->body);
}

// The table of a payer (payer_id) needs the secret key.
json KeyedGet(RecurServer& server, const std::string& path) {
  auto answer =
      server.Client().Get(path, {{"Authorization", std::string("Bearer ") + kTestSecretKey}});
  if (!answer) throw std::runtime_error("no answer");
  return json::parse(answer->body);
}

TEST_F(ServeTest, PricingTableForANewPayer) {
  RecurServer& server = Serve();
  json table = PublicGet(server, "/v1/pricing_table?payer_type=user");
  EXPECT_EQ(table["object"], "pricing_table");
  EXPECT_EQ(table["trial_eligible"], true);
  EXPECT_EQ(table["payer_id"], nullptr);
  EXPECT_EQ(table["gateway"], json({{"name", "sandbox"}, {"publishable_key", nullptr}}));
  EXPECT_THAT(Actions(table),
              ElementsAre("free/month=current", "pro/month=start_trial", "pro/annual=start_trial",
                          "business/month=subscribe", "business/annual=subscribe"));
  EXPECT_EQ(Choice(table, "pro", "month")["requires_payment_method"], true);
  EXPECT_EQ(Choice(table, "business", "annual")["amount_due_now"], 48000);
  EXPECT_THAT(
      Actions(PublicGet(server, "/v1/pricing_table?payer_type=org")),
      ElementsAre("org-free/month=current", "team/month=start_trial", "team/annual=start_trial"));
  EXPECT_EQ(Choice(PublicGet(server, "/v1/pricing_table?payer_type=org"), "team",
                   "month")["requires_payment_method"],
            false);
}

TEST_F(ServeTest, PricingTableFollowsThePayer) {
  RecurServer& server = Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items",
                 {{"plan", "pro"}, {"free_trial", false}})
                .status,
            200);
  json table = KeyedGet(server, "/v1/pricing_table?payer_id=" + payer);
  EXPECT_EQ(table["trial_eligible"], false);
  EXPECT_THAT(Actions(table),
              ElementsAre("free/month=downgrade", "pro/month=current", "pro/annual=downgrade",
                          "business/month=upgrade", "business/annual=upgrade"));
  json upgrade = Choice(table, "business", "month");
  EXPECT_EQ(upgrade["amount_due_now"].get<std::int64_t>() +
                upgrade["proration_credit"].get<std::int64_t>(),
            5000);
  EXPECT_GT(upgrade["proration_credit"].get<std::int64_t>(), 1900);

  // What the table promised is what subscribing does.
  Answer item = Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "free"}});
  ASSERT_EQ(item.status, 200);
  EXPECT_EQ(Choice(table, "free", "month")["takes_effect_at"], item.body["period_end"]);
  EXPECT_THAT(Actions(KeyedGet(server, "/v1/pricing_table?payer_id=" + payer)),
              ElementsAre("free/month=scheduled", "pro/month=resubscribe", "pro/annual=downgrade",
                          "business/month=upgrade", "business/annual=upgrade"));
}

TEST_F(ServeTest, PricingTableOfATestClockPayerIsAtTheClocksTime) {
  RecurServer& server = Serve();
  constexpr std::int64_t kStart = 1740787200000;  // 2025-03-01T00:00:00Z
  constexpr std::int64_t kDay = 86400000;
  const std::string clock = NewClock(kStart);
  const std::string payer = NewPayer("user_1", "pm_card_visa", "user", clock);
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items",
                 {{"plan", "pro"}, {"free_trial", false}})
                .status,
            200);
  ASSERT_EQ(Advance(clock, kStart + 15 * kDay).status, 200);

  const json upgrade =
      Choice(KeyedGet(server, "/v1/pricing_table?payer_id=" + payer), "business", "month");
  EXPECT_EQ(upgrade["action"], "upgrade");
  EXPECT_EQ(upgrade["takes_effect_at"], kStart + 15 * kDay);
  // What the table promised is what subscribing does, at the clock's time.
  const Answer item = Call("POST", "/v1/payers/" + payer + "/subscription_items",
                           {{"plan", "business"}, {"interval", "month"}});
  ASSERT_EQ(item.status, 200) << item.body;
  const json attempts = Call("GET", "/v1/payment_attempts?payer_id=" + payer).body["data"];
  ASSERT_FALSE(attempts.empty());
  const json& charged = attempts.front();  // the newest
  EXPECT_EQ(charged["amount"]["amount"], upgrade["amount_due_now"]);
  EXPECT_EQ(charged["proration_credit"]["amount"], upgrade["proration_credit"]);
  EXPECT_GT(upgrade["proration_credit"].get<std::int64_t>(), 0);
}

TEST_F(ServeTest, PricingTableNeedsAPayerOrAType) {
  RecurServer& server = Serve();
  EXPECT_EQ(PublicGet(server, "/v1/pricing_table")["error"]["code"], "missing_parameter");
  EXPECT_EQ(KeyedGet(server, "/v1/pricing_table?payer_id=cpayer_nope")["error"]["code"],
            "payer_not_found");
  EXPECT_EQ(PublicGet(server, "/v1/pricing_table?payer_type=team")["error"]["param"], "payer_type");
}

TEST_F(ServeTest, APayersPricingTableNeedsTheKeyAndWithoutItAnyPayerIdAnswersAlike) {
  RecurServer& server = Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  auto client = server.Client();
  // Without the key (or with a wrong one), an existing payer, an unknown one and an empty id get
  // the same answer: nothing of the payer, nor whether it exists.
  // Each request names itself alike (X-Request-Id), so that the answers may be compared whole.
  for (const httplib::Headers& credentials :
       {httplib::Headers{{"X-Request-Id", "alike"}},
        httplib::Headers{{"Authorization", "Bearer sk_wrong_0123456789"},
                         {"X-Request-Id", "alike"}}}) {
    std::vector<std::pair<int, std::string>> answers;
    for (const std::string& id : {payer, std::string("cpayer_nope"), std::string()}) {
      for (const std::string& query : {"payer_id=" + id, "payer_type=user&payer_id=" + id}) {
        auto answer = client.Get("/v1/pricing_table?" + query, credentials);
        ASSERT_TRUE(answer);
        answers.emplace_back(answer->status, answer->body);
        EXPECT_EQ(answer->status, 401) << query;
        EXPECT_EQ(answer->get_header_value("WWW-Authenticate"), "Bearer");
        EXPECT_EQ(json::parse(answer->body)["error"]["code"], "unauthorized");
        EXPECT_EQ(answer->body.find(payer), std::string::npos) << answer->body;
      }
    }
    for (const auto& answer : answers) EXPECT_EQ(answer, answers.front());
  }
  // With the key, the payer's table; the public table of a new payer stays public.
  EXPECT_EQ(KeyedGet(server, "/v1/pricing_table?payer_id=" + payer)["payer_id"], payer);
  auto public_table = client.Get("/v1/pricing_table?payer_type=user");
  ASSERT_TRUE(public_table);
  EXPECT_EQ(public_table->status, 200);
  EXPECT_EQ(json::parse(public_table->body)["payer_id"], nullptr);
}

TEST_F(ServeTest, NoPublicRouteTellsAnythingOfAPayer) {
  RecurServer& server = Serve();
  const std::string payer = NewPayer("user_1", "pm_card_visa");
  auto client = server.Client();
  // Every public route, asked about the payer every way a query could name it.
  for (const std::string path : {"/healthz", "/v1/plans", "/v1/plans?payer_type=user",
                                 "/.well-known/jwks.json", "/v1/pricing_table?payer_type=user"}) {
    for (const std::string& query :
         {std::string(), "payer_id=" + payer, "payer=" + payer, "id=" + payer}) {
      const std::string target =
          query.empty() ? path : path + (path.find('?') == std::string::npos ? "?" : "&") + query;
      auto answer = client.Get(target);
      ASSERT_TRUE(answer) << target;
      EXPECT_EQ(answer->body.find(payer), std::string::npos) << target << ": " << answer->body;
      EXPECT_EQ(answer->body.find("pm_card"), std::string::npos) << target;
    }
  }
}

}  // namespace
}  // namespace recur::testing::pricing_table_test
