// CORS through the real `recur serve`: the origins an operator lists (--allowed-origin,
// RECUR_ALLOWED_ORIGINS) get their preflights answered and their answers marked for the
// browser; any other origin gets no Allow-Origin; with none listed, no CORS header at all.
#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::cors_test {
namespace {

using nlohmann::json;

constexpr const char* kApp = "https://app.example.test";
constexpr const char* kOther = "https://other.example.test";

class CorsTest : public ServeTest {
 protected:
  RecurServer& ServeFor(std::vector<std::string> args,
                        std::map<std::string, std::string> env = {}) {
    RecurServer::Options options = Options();
    options.args = std::move(args);
    options.env.merge(env);
    server_ = RecurServer::Start(options);
    if (!server_) throw std::runtime_error("recur serve did not start");
    return *server_;
  }

  // A new payer's session token.
  std::string SessionToken() {
    const std::string payer = NewPayer("user_1");
    payer_ = payer;
    Answer made = Call("POST", "/v1/payers/" + payer + "/sessions");
    if (made.status != 200) throw std::runtime_error(made.body.dump());
    return made.body["token"];
  }

  httplib::Result Preflight(const std::string& path, const std::string& origin,
                            const std::string& method) {
    return server_->Client().Options(
        path, {{"Origin", origin},
               {"Access-Control-Request-Method", method},
               {"Access-Control-Request-Headers", "authorization,content-type"}});
  }

  std::string payer_;
};

TEST_F(CorsTest, APreflightFromAListedOriginIsAnsweredForTheRoutesASessionMayUse) {
  ServeFor({"--allowed-origin", kApp, "--allowed-origin", "http://localhost:3000"});
  SessionToken();
  auto preflight = Preflight("/v1/payers/" + payer_ + "/subscription_items", kApp, "POST");
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"), kApp);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Methods"), "POST");
  EXPECT_THAT(preflight->get_header_value("Access-Control-Allow-Headers"),
              ::testing::HasSubstr("Authorization"));
  EXPECT_EQ(preflight->get_header_value("Access-Control-Max-Age"), "600");
  EXPECT_THAT(preflight->get_header_value("Vary"), ::testing::HasSubstr("Origin"));

  auto payment_methods = Preflight("/v1/payers/" + payer_ + "/payment_methods", kApp, "GET");
  ASSERT_TRUE(payment_methods);
  EXPECT_EQ(payment_methods->status, 204);
  EXPECT_EQ(payment_methods->get_header_value("Access-Control-Allow-Methods"), "POST, GET");
  auto second = Preflight("/v1/pricing_table", "http://localhost:3000", "GET");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->get_header_value("Access-Control-Allow-Origin"), "http://localhost:3000");
}

TEST_F(CorsTest, APreflightFromAnotherOriginOrForAKeyOnlyRouteIsRefused) {
  ServeFor({"--allowed-origin", kApp});
  SessionToken();
  auto other = Preflight("/v1/pricing_table", kOther, "GET");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
  EXPECT_EQ(json::parse(other->body)["error"]["code"], "cors_preflight_refused");
  auto key_only = Preflight("/v1/payers/" + payer_ + "/sessions", kApp, "POST");
  ASSERT_TRUE(key_only);
  EXPECT_EQ(key_only->status, 403);
  EXPECT_FALSE(key_only->has_header("Access-Control-Allow-Origin"));
}

TEST_F(CorsTest, AnAnswerNamesAListedOriginItselfAndNoOtherAndAlwaysVariesByOrigin) {
  ServeFor({}, {{"RECUR_ALLOWED_ORIGINS", std::string(kApp) + ", http://localhost:3000"}});
  const std::string token = SessionToken();
  const httplib::Headers from_app = {{"Origin", kApp}, {"Authorization", "Bearer " + token}};
  auto listed = server_->Client().Get("/v1/pricing_table", from_app);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_EQ(listed->get_header_value("Access-Control-Allow-Origin"), kApp);
  EXPECT_EQ(listed->get_header_value("Vary"), "Origin");
  EXPECT_THAT(listed->get_header_value("Access-Control-Expose-Headers"),
              ::testing::HasSubstr("Request-Id"));

  auto other = server_->Client().Get("/v1/plans?payer_type=user", {{"Origin", kOther}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
  EXPECT_EQ(other->get_header_value("Vary"), "Origin");

  // An error answer is marked too, so that the page can read it.
  auto refused = server_->Client().Get("/v1/payers/" + payer_, from_app);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->get_header_value("Access-Control-Allow-Origin"), kApp);
}

TEST_F(CorsTest, WithNoOriginListedNoAnswerHasACorsHeader) {
  Serve();
  const std::string token = SessionToken();
  auto answer = server_->Client().Get("/v1/pricing_table",
                                      {{"Origin", kApp}, {"Authorization", "Bearer " + token}});
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  for (const auto& [name, value] : answer->headers) {
    EXPECT_FALSE(name.starts_with("Access-Control-")) << name;
    EXPECT_NE(name, "Vary") << value;
  }
  auto preflight = Preflight("/v1/pricing_table", kApp, "GET");
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 405);
  EXPECT_FALSE(preflight->has_header("Access-Control-Allow-Origin"));
}

TEST_F(CorsTest, AnOriginThatIsNotOneStopsTheServerFromStartingNamingTheFlag) {
  for (const char* origin : {"https://app.example.test/", "app.example.test", "*"}) {
    RecurServer::Options options = Options();
    options.args = {"--allowed-origin", origin};
    int exit_code = 0;
    std::string output;
    EXPECT_EQ(RecurServer::Start(options, &exit_code, &output), nullptr) << origin;
    EXPECT_EQ(exit_code, 2) << origin;
    EXPECT_THAT(output, ::testing::HasSubstr("--allowed-origin")) << origin;
    EXPECT_THAT(output, ::testing::HasSubstr(origin)) << origin;
  }
}

}  // namespace
}  // namespace recur::testing::cors_test
