// GET /v1/plans and catalog reloads against the real `recur serve`.
#include <signal.h>

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::plans_api_test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::StartsWith;

std::vector<std::string> Slugs(const json& list) {
  std::vector<std::string> slugs;
  for (const json& plan : list["data"]) slugs.push_back(plan["slug"]);
  return slugs;
}

TEST_F(ServeTest, ListsVisiblePlansPubliclyCheapestFirst) {
  auto client = Serve().Client();
  auto users = client.Get("/v1/plans?payer_type=user");
  ASSERT_TRUE(users);
  EXPECT_EQ(users->status, 200);
  EXPECT_EQ(users->get_header_value("Content-Type"), "application/json");
  json list = json::parse(users->body);
  EXPECT_EQ(list["object"], "list");
  EXPECT_EQ(list["has_more"], false);
  EXPECT_THAT(Slugs(list), ElementsAre("free", "pro", "business"));
  EXPECT_THAT(Slugs(Json(client.Get("/v1/plans?payer_type=org"))), ElementsAre("org-free", "team"));
  EXPECT_THAT(Slugs(Json(client.Get("/v1/plans"))),
              ElementsAre("free", "pro", "business", "org-free", "team"));
}

TEST_F(ServeTest, RendersAPlanInClerksShape) {
  json pro = Json(Serve().Client().Get("/v1/plans?payer_type=user"))["data"][1];
  EXPECT_THAT(pro["id"].get<std::string>(), StartsWith("cplan_"));
  pro.erase("id");
  EXPECT_EQ(pro, json::parse(R"json({
    "object": "plan", "slug": "pro", "version": 1, "name": "Pro",
    "description": "For professionals who ship every week.", "payer_type": "user",
    "is_default": false, "is_recurring": true, "publicly_visible": true, "archived": false,
    "period": "month", "interval": 1,
    "amount": 2000, "amount_formatted": "$20.00",
    "annual_amount": 19200, "annual_amount_formatted": "$192.00",
    "annual_monthly_amount": 1600, "annual_monthly_amount_formatted": "$16.00",
    "currency": "USD", "currency_symbol": "$",
    "free_trial_enabled": true, "free_trial_days": 14, "free_trial_requires_payment_method": true,
    "features": [
      {"slug": "projects", "name": "Projects", "description": "Active projects at once", "limit": 20},
      {"slug": "storage_gb", "name": "Storage (GB)", "description": "File storage in gigabytes", "limit": 50},
      {"slug": "custom_domains", "name": "Custom domains",
       "description": "Serve projects from your own domain", "limit": null},
      {"slug": "api_access", "name": "API access",
       "description": "Programmatic access with API tokens", "limit": null}
    ]})json"));
}

TEST_F(ServeTest, HidesPlansThatAreNotPubliclyVisible) {
  WriteFile(plans_dir() + "/internal.json",
            R"({"slug": "internal", "name": "Internal", "payer_type": "user", "amount": 1,
                "currency": "USD", "publicly_visible": false})");
  EXPECT_THAT(Slugs(Json(Serve().Client().Get("/v1/plans?payer_type=user"))),
              ElementsAre("free", "pro", "business"));
}

TEST_F(ServeTest, RepricingMakesANewVersionAndKeepsTheOldOne) {
  RecurServer& server = Serve();
  auto client = server.Client();
  const std::string old_id = Json(client.Get("/v1/plans?payer_type=user"))["data"][1]["id"];

  std::string pro = (std::stringstream() << std::ifstream(plans_dir() + "/pro.json").rdbuf()).str();
  pro.replace(pro.find("\"amount\": 2000"), 14, "\"amount\": 2500");
  WriteFile(plans_dir() + "/pro.json", pro);
  auto reload = client.Post("/v1/plans/reload", Auth(), "", "application/json");
  ASSERT_TRUE(reload);
  EXPECT_EQ(reload->status, 200) << reload->body;
  EXPECT_EQ(json::parse(reload->body)["changes"]["repriced"], json::array({"pro"}));

  json repriced = Json(client.Get("/v1/plans?payer_type=user"))["data"][1];
  EXPECT_EQ(repriced["amount"], 2500);
  EXPECT_EQ(repriced["version"], 2);
  EXPECT_NE(repriced["id"], old_id);

  EXPECT_EQ(StoredText("SELECT id FROM plan_versions WHERE plan_slug = 'pro' AND version = 1"),
            old_id);
  EXPECT_EQ(
      StoredNumber("SELECT amount FROM plan_versions WHERE plan_slug = 'pro' AND version = 1"),
      2000);
  EXPECT_EQ(
      StoredNumber("SELECT amount FROM plan_versions WHERE plan_slug = 'pro' AND version = 2"),
      2500);
}

TEST_F(ServeTest, ARemovedPlanIsArchivedNotDeletedAndCanComeBack) {
  auto client = Serve().Client();
  const std::string business =
      (std::stringstream() << std::ifstream(plans_dir() + "/business.json").rdbuf()).str();
  std::filesystem::remove(plans_dir() + "/business.json");
  EXPECT_EQ(
      Json(client.Post("/v1/plans/reload", Auth(), "", "application/json"))["changes"]["archived"],
      json::array({"business"}));
  EXPECT_THAT(Slugs(Json(client.Get("/v1/plans?payer_type=user"))), ElementsAre("free", "pro"));
  EXPECT_EQ(StoredNumber("SELECT COUNT(*) FROM plans WHERE slug = 'business' AND archived_at IS "
                         "NOT NULL"),
            1);
  WriteFile(plans_dir() + "/business.json", business);
  json back = Json(client.Post("/v1/plans/reload", Auth(), "", "application/json"));
  EXPECT_EQ(back["changes"]["restored"], json::array({"business"}));
  EXPECT_EQ(back["changes"]["repriced"], json::array());
  json listed = Json(client.Get("/v1/plans?payer_type=user"));
  EXPECT_THAT(Slugs(listed), ElementsAre("free", "pro", "business"));
  EXPECT_EQ(listed["data"][2]["version"], 1);
}

TEST_F(ServeTest, AnInvalidReloadIsRefusedAndTheRunningCatalogStays) {
  auto client = Serve().Client();
  const std::string before = client.Get("/v1/plans")->body;
  WriteFile(plans_dir() + "/pro.json",
            R"({"slug": "pro", "name": "Pro", "payer_type": "user", "amount": 19.99,
                "currency": "USD", "free_trail_days": 14})");
  auto reload = client.Post("/v1/plans/reload", Auth(), "", "application/json");
  ASSERT_TRUE(reload);
  EXPECT_EQ(reload->status, 422);
  json error = json::parse(reload->body)["error"];
  EXPECT_EQ(error["code"], "catalog_invalid");
  EXPECT_THAT(error["message"].get<std::string>(),
              ::testing::HasSubstr("has 2 problems; the running catalog stays in force"));
  ASSERT_EQ(error["details"].size(), 2u);
  EXPECT_EQ(error["details"][0]["text"],
            plans_dir() +
                "/pro.json: free_trail_days: unknown key; did you mean "
                "\"free_trial_days\"?");
  EXPECT_EQ(error["details"][1]["location"], "amount");
  EXPECT_EQ(client.Get("/v1/plans")->body, before);
}

TEST_F(ServeTest, APlanCannotChangePayerType) {
  auto client = Serve().Client();
  WriteFile(plans_dir() + "/business.json",
            R"({"slug": "business", "name": "Business", "payer_type": "org", "amount": 5000,
                "currency": "USD"})");
  auto reload = client.Post("/v1/plans/reload", Auth(), "", "application/json");
  ASSERT_TRUE(reload);
  EXPECT_EQ(reload->status, 422);
  EXPECT_EQ(json::parse(reload->body)["error"]["details"][0]["text"],
            plans_dir() +
                "/business.json: payer_type: plan \"business\" is stored as a user plan "
                "and cannot change payer type (its subscribers are of that type); give "
                "the org plan a new slug");
}

TEST_F(ServeTest, SighupReloadsThePlanFiles) {
  RecurServer& server = Serve();
  WriteFile(plans_dir() + "/starter.json",
            R"({"slug": "starter", "name": "Starter", "payer_type": "user", "amount": 500,
                "currency": "USD"})");
  server.Signal(SIGHUP);
  ASSERT_TRUE(server.WaitForStderr("\"event\":\"catalog_reloaded\"", 10s)) << server.Stderr();
  EXPECT_THAT(Slugs(Json(server.Client().Get("/v1/plans?payer_type=user"))),
              ElementsAre("free", "starter", "pro", "business"));

  WriteFile(plans_dir() + "/starter.json", "{");
  server.Signal(SIGHUP);
  ASSERT_TRUE(server.WaitForStderr("\"event\":\"catalog_reload_refused\"", 10s));
  EXPECT_THAT(Slugs(Json(server.Client().Get("/v1/plans?payer_type=user"))),
              ElementsAre("free", "starter", "pro", "business"));
}

TEST_F(ServeTest, RefusesToStartOnAnInvalidCatalog) {
  WriteFile(plans_dir() + "/pro.json", R"({"slug": "pro", "name": "Pro", "payer_type": "user",
    "amount": 2000, "currency": "USD", "features": [{"slug": "a", "name": "A"},
    {"slug": "b", "name": "B"}, {"slug": "c", "name": "C", "limit": -1}]})");
  int exit_code = 0;
  std::string output;
  EXPECT_EQ(RecurServer::Start(Options(), &exit_code, &output), nullptr);
  EXPECT_EQ(exit_code, 1);
  EXPECT_THAT(output,
              ::testing::HasSubstr(plans_dir() + "/pro.json: features[2].limit: must be a "
                                                 "positive integer or \"unlimited\", got -1"));
  EXPECT_THAT(output, ::testing::HasSubstr("is invalid; not starting"));
}

}  // namespace
}  // namespace recur::testing::plans_api_test
