// Entitlement tokens from the real `recur serve`, verified offline from its JWKS; with
// RECUR_NODE_MODULES set (tools/test.sh installs jose there), by the npm package jose too.
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::entitlement_token_test {
namespace {

using nlohmann::json;

json DecodeSegment(std::string segment) {
  for (char& c : segment) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (segment.size() % 4 != 0) segment.push_back('=');
  std::string bytes(segment.size(), '\0');
  const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                   reinterpret_cast<const unsigned char*>(segment.data()),
                                   static_cast<int>(segment.size()));
  bytes.resize(static_cast<std::size_t>(size));
  while (!bytes.empty() && bytes.back() == '\0') bytes.pop_back();  // padding decodes to zeros
  return json::parse(bytes);
}

TEST_F(ServeTest, IssuesEntitlementTokensVerifiableWithThePublishedKey) {
  Serve();
  const std::string payer = NewPayer("user_42", "pm_card_visa");
  ASSERT_EQ(Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "pro"}}).status,
            200);
  Answer token = Call("POST", "/v1/payers/" + payer + "/entitlement_token", json::object());
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string jwt = token.body["jwt"];
  const std::size_t first_dot = jwt.find('.');
  const std::size_t second_dot = jwt.find('.', first_dot + 1);
  const json header = DecodeSegment(jwt.substr(0, first_dot));
  const json claims = DecodeSegment(jwt.substr(first_dot + 1, second_dot - first_dot - 1));

  auto jwks_answer = server_->Client().Get("/.well-known/jwks.json");  // public, no key
  ASSERT_TRUE(jwks_answer);
  ASSERT_EQ(jwks_answer->status, 200);
  const json jwks = json::parse(jwks_answer->body);
  ASSERT_EQ(jwks["keys"].size(), 1u);
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["kid"], jwks["keys"][0]["kid"]);

  EXPECT_EQ(claims["sub"], "user_42");
  EXPECT_EQ(claims["payer_id"], payer);
  EXPECT_EQ(claims["pla"], "u:pro");
  EXPECT_EQ(claims["fea"], "u:projects,u:storage_gb,u:custom_domains,u:api_access");
  EXPECT_EQ(claims["exp"].get<std::int64_t>() - claims["iat"].get<std::int64_t>(), 60);
  EXPECT_EQ(claims["nbf"], claims["iat"]);
  EXPECT_EQ(token.body["expires_at"], claims["exp"].get<std::int64_t>() * 1000);
  EXPECT_THAT(claims["iss"].get<std::string>(), ::testing::StartsWith("recur:ins_"));

  EXPECT_EQ(Call("POST", "/v1/payers/" + payer + "/entitlement_token", {{"ttl_seconds", 5}})
                .body["error"]["param"],
            "ttl_seconds");

  const char* modules = std::getenv("RECUR_NODE_MODULES");
  if (modules == nullptr || *modules == '\0') {
    GTEST_SKIP() << "claims checked; the signature check with jose needs RECUR_NODE_MODULES";
  }
  const std::string input = dir_ / "verify.json";
  WriteFile(input, json{{"jwks", jwks}, {"token", jwt}}.dump());
  CommandResult verified =
      RunCommand({"node", std::string(RECUR_SOURCE_DIR) + "/tests/interop/verify_jwt.mjs"}, input);
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(json::parse(verified.out), claims);
}

}  // namespace
}  // namespace recur::testing::entitlement_token_test
