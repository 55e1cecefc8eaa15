#include "http/request_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace recur::request_id_test {
namespace {

using ::testing::MatchesRegex;

TEST(RequestIdTest, AWellFormedIncomingIdIsKept) {
  const std::string incoming = "trace-7f3a.b2:c/d+e=f@g_h";
  EXPECT_EQ(RequestIdFor(&incoming), incoming);
  const std::string longest(128, 'a');
  EXPECT_EQ(RequestIdFor(&longest), longest);
}

TEST(RequestIdTest, AMissingOrMalformedIncomingIdIsReplacedByAGeneratedOne) {
  const std::string too_long(129, 'a');
  for (const std::string& incoming :
       {std::string(), std::string("has space"), std::string("quote\""), std::string("é"),
        std::string("line\nbreak"), too_long}) {
    EXPECT_THAT(RequestIdFor(&incoming), MatchesRegex("req_[0-9A-Za-z]{22}")) << incoming;
  }
  EXPECT_THAT(RequestIdFor(nullptr), MatchesRegex("req_[0-9A-Za-z]{22}"));
}

TEST(RequestIdTest, GeneratedIdsDiffer) { EXPECT_NE(RequestIdFor(nullptr), RequestIdFor(nullptr)); }

TEST(RequestIdTest, AnErrorBodyGetsTheIdInItsErrorObject) {
  const std::string body = nlohmann::json{{"error", {{"code", "x"}, {"message", "m"}}}}.dump();
  const nlohmann::json with = nlohmann::json::parse(WithRequestId(body, "req_1"));
  EXPECT_EQ(
      with,
      (nlohmann::json{{"error", {{"code", "x"}, {"message", "m"}, {"request_id", "req_1"}}}}));
}

TEST(RequestIdTest, AClerkErrorBodyGetsTheIdAsClerkTraceId) {
  const nlohmann::json errors = {{"errors", {{{"code", "x"}, {"message", "m"}}}}};
  const nlohmann::json with = nlohmann::json::parse(WithRequestId(errors.dump(), "req_1"));
  nlohmann::json expected = errors;
  expected["clerk_trace_id"] = "req_1";
  EXPECT_EQ(with, expected);
}

TEST(RequestIdTest, AnyOtherBodyIsLeftAlone) {
  for (const std::string& body :
       {std::string(R"({"status":"ok"})"), std::string(R"({"errors":{}})"), std::string("")}) {
    EXPECT_EQ(WithRequestId(body, "req_1"), body);
  }
}

}  // namespace
}  // namespace recur::request_id_test
