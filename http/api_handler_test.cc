#include "http/api_handler.h"

#include <gtest/gtest.h>

namespace recur::api_handler_test {
namespace {

TEST(JsonResponse, BytesThatAreNotUtf8AreWrittenAsReplacementCharacters) {
  // As when a handler's error quotes a path such as /v1/payers/%FF: it used to throw.
  const ApiResponse response = JsonResponse({{"message", "no payer \xff"}}, 404);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, "{\"message\":\"no payer \xef\xbf\xbd\"}");
}

TEST(ParseJsonBody, ANumberOutOfRangeIsInvalidJsonSayingWhere) {
  const ApiRequest::QueryParams no_query;
  const ApiRequest request{"POST", "/v1/test_clocks", {}, no_query, "{\"frozen_time\":\n 1e400}"};
  auto body = ParseJsonBody(request);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, "invalid_json");
  EXPECT_EQ(body.error().message,
            "the request body is not valid JSON: line 2, column 2: the number 1e400 is out of "
            "range");
}

}  // namespace
}  // namespace recur::api_handler_test
