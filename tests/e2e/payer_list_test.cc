// The payer list and search through the real `recur serve` (GET /v1/payers): newest first in
// pages, what a query finds (an id exactly, an external id or an email by prefix, the email
// without regard to ASCII case), each entry the payer object plus its current item, and the
// refusals of a bad query, limit or cursor.
#include <chrono>
#include <thread>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::payer_list_test {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class PayerListTest : public ServeTest {
 protected:
  // A new payer, made a few milliseconds after the one before, so that their created_at tells
  // their order (one millisecond's payers are ordered by id).
  std::string Payer(const std::string& external_id, const std::string& email,
                    const std::string& token = "") {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    Answer made = Call("POST", "/v1/payers",
                       {{"external_id", external_id},
                        {"type", "user"},
                        {"email", email},
                        {"name", "Payer " + external_id}});
    if (made.status != 200) throw std::runtime_error("payer: " + made.body.dump());
    const std::string id = made.body["id"];
    if (!token.empty()) {
      Answer method = Call("POST", "/v1/payers/" + id + "/payment_methods", {{"token", token}});
      if (method.status != 200) throw std::runtime_error("method: " + method.body.dump());
    }
    return id;
  }

  // The ids a query of the list answers, in order.
  std::vector<std::string> Found(const std::string& query) {
    Answer page = Call("GET", "/v1/payers?query=" + query);
    EXPECT_EQ(page.status, 200) << page.body.dump();
    std::vector<std::string> ids;
    for (const json& entry : page.body["data"]) ids.push_back(entry["id"]);
    return ids;
  }
};

TEST_F(PayerListTest, AQueryFindsAPayerByIdExternalIdOrEmailNewestFirst) {
  Serve();
  const std::string alice = Payer("user_alice", "Alice.Smith@Example.com");
  const std::string alicia = Payer("user_alicia", "alicia@example.org");
  const std::string bob = Payer("org_bob", "bob@example.com");
  EXPECT_THAT(Found(bob), ElementsAre(bob));
  EXPECT_THAT(Found("user_alice"), ElementsAre(alice));
  EXPECT_THAT(Found("user_ali"), ElementsAre(alicia, alice));
  EXPECT_THAT(Found("alice.smith%40example.com"), ElementsAre(alice));
  EXPECT_THAT(Found("ALICE"), ElementsAre(alice));
  EXPECT_THAT(Found("ali"), ElementsAre(alicia, alice));
  EXPECT_THAT(Found("example.com"), IsEmpty());
  EXPECT_THAT(Found("%25"), IsEmpty());
  EXPECT_THAT(Found(""), ElementsAre(bob, alicia, alice));
}

TEST_F(PayerListTest, EachEntryIsThePayerObjectWithItsCurrentItem) {
  Serve();
  const std::string free_payer = Payer("user_free", "free@example.com");
  const std::string trialing = Payer("user_trial", "trial@example.com", "pm_card_visa");
  Answer trial = Call("POST", "/v1/payers/" + trialing + "/subscription_items",
                      {{"plan", "pro"}, {"free_trial", true}});
  ASSERT_EQ(trial.status, 200) << trial.body.dump();

  Answer page = Call("GET", "/v1/payers");
  ASSERT_EQ(page.status, 200) << page.body.dump();
  EXPECT_EQ(page.body["object"], "list");
  EXPECT_EQ(page.body["has_more"], false);
  ASSERT_EQ(page.body["data"].size(), 2u);
  json trial_entry = page.body["data"][0];
  json free_entry = page.body["data"][1];

  const json item = trial_entry["current_item"];
  EXPECT_EQ(item["id"], trial.body["id"]);
  EXPECT_EQ(item["plan_slug"], "pro");
  EXPECT_EQ(item["plan_name"], "Pro");
  EXPECT_EQ(item["status"], "active");
  EXPECT_EQ(item["trial_ends_at"], trial.body["trial_end"]) << trial.body.dump();
  EXPECT_EQ(item["period_end"], trial.body["period_end"]);
  EXPECT_TRUE(item["trial_ends_at"].is_number());
  trial_entry.erase("current_item");
  EXPECT_EQ(trial_entry, Call("GET", "/v1/payers/" + trialing).body);

  EXPECT_EQ(free_entry["current_item"]["plan_slug"], "free");
  EXPECT_EQ(free_entry["current_item"]["plan_name"], "Free");
  EXPECT_EQ(free_entry["current_item"]["status"], "active");
  EXPECT_EQ(free_entry["current_item"]["trial_ends_at"], nullptr);
  free_entry.erase("current_item");
  EXPECT_EQ(free_entry, Call("GET", "/v1/payers/" + free_payer).body);
}

TEST_F(PayerListTest, PagesFollowOneAnother) {
  Serve();
  std::vector<std::string> newest_first;
  for (int i = 0; i < 5; ++i) {
    newest_first.insert(newest_first.begin(),
                        Payer("team_" + std::to_string(i), "t" + std::to_string(i) + "@x.com"));
  }
  Payer("other", "other@x.com");
  std::vector<std::string> read;
  std::string after;
  for (int pages = 0; pages < 5; ++pages) {
    Answer page = Call("GET", "/v1/payers?query=team_&limit=2" +
                                  (after.empty() ? "" : "&starting_after=" + after));
    ASSERT_EQ(page.status, 200) << page.body.dump();
    for (const json& entry : page.body["data"]) read.push_back(entry["id"]);
    if (!page.body["has_more"]) break;
    after = read.back();
  }
  EXPECT_EQ(read, newest_first);
}

TEST_F(PayerListTest, ABadQueryLimitOrCursorIsRefusedClearly) {
  Serve();
  Payer("user_1", "one@example.com");
  Answer too_long = Call("GET", "/v1/payers?query=" + std::string(321, 'a'));
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(too_long.body["error"]["code"], "invalid_parameter");
  EXPECT_EQ(too_long.body["error"]["param"], "query");
  Answer not_utf8 = Call("GET", "/v1/payers?query=%FF");  // refused at the edge
  EXPECT_EQ(not_utf8.status, 400);
  EXPECT_EQ(not_utf8.body["error"]["code"], "invalid_parameter");
  Answer limit = Call("GET", "/v1/payers?limit=0");
  EXPECT_EQ(limit.status, 400);
  EXPECT_EQ(limit.body["error"]["param"], "limit");
  Answer cursor = Call("GET", "/v1/payers?starting_after=cpayer_nobody");
  EXPECT_EQ(cursor.status, 400);
  EXPECT_EQ(cursor.body["error"]["param"], "starting_after");
  Answer typo = Call("GET", "/v1/payers?qeury=x");
  EXPECT_EQ(typo.status, 400);
  EXPECT_EQ(typo.body["error"]["code"], "unknown_parameter");
  auto client = server_->Client();
  auto keyless = client.Get("/v1/payers");
  ASSERT_TRUE(keyless);
  EXPECT_EQ(keyless->status, 401);
}

}  // namespace
}  // namespace recur::testing::payer_list_test
