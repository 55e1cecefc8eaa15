#include "http/cors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace recur::cors_test {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST(AllowedOriginTest, AnOriginIsSchemeHostAndPortLoweredWithoutADefaultPort) {
  EXPECT_EQ(*ParseAllowedOrigin("https://app.example.com"), "https://app.example.com");
  EXPECT_EQ(*ParseAllowedOrigin("HTTP://LocalHost:3000"), "http://localhost:3000");
  EXPECT_EQ(*ParseAllowedOrigin("https://app.example.com:443"), "https://app.example.com");
  EXPECT_EQ(*ParseAllowedOrigin("http://app.example.com:80"), "http://app.example.com");
  EXPECT_EQ(*ParseAllowedOrigin("http://app.example.com:443"), "http://app.example.com:443");
  EXPECT_EQ(*ParseAllowedOrigin("http://[::1]:8000"), "http://[::1]:8000");
}

TEST(AllowedOriginTest, AnythingButAnOriginIsRefusedSayingWhy) {
  for (const char* text : {"app.example.com", "ftp://app.example.com", "https://app.example.com/",
                           "https://app.example.com/billing", "https://app.example.com?x=1",
                           "https://", "https://app.example.com:0", "https://app.example.com:99999",
                           "https://app.example.com:", "https://user@app.example.com",
                           "https://app example.com", "*"}) {
    auto origin = ParseAllowedOrigin(text);
    ASSERT_FALSE(origin) << text;
    EXPECT_EQ(origin.error().code, "invalid_origin");
    EXPECT_THAT(origin.error().message, ::testing::HasSubstr(text));
  }
}

TEST(CorsPolicyTest, WithNoOriginListedNoAnswerHasACorsHeader) {
  const CorsPolicy cors({});
  EXPECT_THAT(cors.AnswerHeaders("https://app.example.com"), IsEmpty());
  EXPECT_THAT(cors.AnswerHeaders(std::nullopt), IsEmpty());
}

TEST(CorsPolicyTest, AListedOriginIsAllowedByNameAndEveryAnswerVariesByOrigin) {
  const CorsPolicy cors({"https://app.example.com"});
  const HeaderList listed = cors.AnswerHeaders("https://app.example.com");
  EXPECT_THAT(listed, Contains(Pair("Access-Control-Allow-Origin", "https://app.example.com")));
  EXPECT_THAT(listed, Contains(Pair("Vary", "Origin")));
  for (const auto& [name, value] : listed) EXPECT_NE(value, "*") << name;
  const HeaderList other = cors.AnswerHeaders("https://evil.example.com");
  EXPECT_EQ(other, (HeaderList{{"Vary", "Origin"}}));
  EXPECT_EQ(cors.AnswerHeaders(std::nullopt), (HeaderList{{"Vary", "Origin"}}));
}

TEST(CorsPolicyTest, APreflightIsAnsweredForAListedOriginAndAMethodTheRoutesTake) {
  const CorsPolicy cors({"https://app.example.com"});
  auto headers = cors.PreflightHeaders("https://app.example.com", "POST", {"GET", "POST"});
  ASSERT_TRUE(headers);
  EXPECT_THAT(*headers, Contains(Pair("Access-Control-Allow-Origin", "https://app.example.com")));
  EXPECT_THAT(*headers, Contains(Pair("Access-Control-Allow-Methods", "GET, POST")));
  EXPECT_THAT(*headers, Contains(Pair("Access-Control-Allow-Headers",
                                      "Authorization, Content-Type, Idempotency-Key, "
                                      "X-Request-Id")));
  EXPECT_THAT(*headers, Contains(Pair("Access-Control-Max-Age", "600")));
  EXPECT_FALSE(cors.PreflightHeaders("https://evil.example.com", "POST", {"GET", "POST"}));
  EXPECT_FALSE(cors.PreflightHeaders("https://app.example.com", "DELETE", {"GET", "POST"}));
  EXPECT_FALSE(cors.PreflightHeaders("https://app.example.com", "GET", {}));
}

}  // namespace
}  // namespace recur::cors_test
