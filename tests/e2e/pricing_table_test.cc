// GET /v1/pricing_table through the real `recur serve`: what each plan's button would do.
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing {
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

json PublicGet(RecurServer& server, const std::string& path) {
  auto answer = server.Client().Get(path);  // no key: the pricing table is public
  if (!answer) throw std::runtime_error("no answer");
  return json::parse(answer->body);
}

TEST_F(ServeTest, PricingTableForANewPayer) {
  RecurServer& server = Serve();
  json table = PublicGet(server, "/v1/pricing_table?payer_type=user");
  EXPECT_EQ(table["object"], "pricing_table");
  EXPECT_EQ(table["trial_eligible"], true);
  EXPECT_EQ(table["payer_id"], nullptr);
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
  json table = PublicGet(server, "/v1/pricing_table?payer_id=" + payer);
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
  EXPECT_THAT(Actions(PublicGet(server, "/v1/pricing_table?payer_id=" + payer)),
              ElementsAre("free/month=scheduled", "pro/month=resubscribe", "pro/annual=downgrade",
                          "business/month=upgrade", "business/annual=upgrade"));
}

TEST_F(ServeTest, PricingTableNeedsAPayerOrAType) {
  RecurServer& server = Serve();
  EXPECT_EQ(PublicGet(server, "/v1/pricing_table")["error"]["code"], "missing_parameter");
  EXPECT_EQ(PublicGet(server, "/v1/pricing_table?payer_id=cpayer_nope")["error"]["code"],
            "payer_not_found");
  EXPECT_EQ(PublicGet(server, "/v1/pricing_table?payer_type=team")["error"]["param"], "payer_type");
}

}  // namespace
}  // namespace recur::testing
