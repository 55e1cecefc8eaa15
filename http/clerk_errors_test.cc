// Clerk's error format (clerk_errors.h), and that the routes' error format decides it
// (api_error.h): Recur's own routes keep Recur's.
#include "http/clerk_errors.h"

#include <gtest/gtest.h>

#include "http/api_error.h"

namespace recur::clerk_errors_test {
namespace {

using nlohmann::json;

TEST(ClerkErrors, AnErrorIsOneOfClerksErrorsWithRecursMessageAndCode) {
  const Error error{ErrorKind::kInvalidArgument, "invalid_parameter",
                    "end_now must be true or false", "end_now"};
  EXPECT_EQ(ClerkErrorsBody(error), json::parse(R"({"errors": [{"code": "form_param_format_invalid",
                                        "message": "is invalid",
                                        "long_message": "end_now must be true or false",
                                        "meta": {"param_name": "end_now",
                                                 "recur_code": "invalid_parameter"}}]})"));
}

TEST(ClerkErrors, CodesFollowTheKindAndTheCloserRecurCodes) {
  EXPECT_EQ(ClerkErrorCode({ErrorKind::kNotFound, "item_not_found", "no item"}),
            "resource_not_found");
  EXPECT_EQ(ClerkErrorCode({ErrorKind::kUnauthenticated, "unauthorized", "no key"}),
            "authentication_invalid");
  EXPECT_EQ(ClerkErrorCode({ErrorKind::kUnauthenticated, "forbidden", "not yours"}),
            "authorization_invalid");
  EXPECT_EQ(ClerkErrorCode({ErrorKind::kInvalidArgument, "unknown_parameter", "?"}),
            "form_param_unknown");
  EXPECT_EQ(ClerkErrorCode({ErrorKind::kInvalidArgument, "missing_parameter", "?"}),
            "form_param_missing");
  EXPECT_EQ(ClerkErrorCode({ErrorKind::kInvalidArgument, "invalid_json", "?"}),
            "request_body_invalid");
  EXPECT_EQ(ClerkErrorCode({ErrorKind::kInvalidArgument, "body_too_large", "?"}),
            "request_body_invalid");
  EXPECT_EQ(ClerkErrorCode({ErrorKind::kFailedPrecondition, "not_in_trial", "?"}),
            "unprocessable_entity");
  EXPECT_EQ(ClerkErrorCode({ErrorKind::kRateLimited, "rate_limited", "?"}), "too_many_requests");
}

TEST(ClerkErrors, AnErrorWithoutParameterHasNoParamName) {
  const json body = ClerkErrorsBody({ErrorKind::kNotFound, "item_not_found", "no item x"});
  EXPECT_FALSE(body["errors"][0]["meta"].contains("param_name"));
}

TEST(ClerkErrors, TheRoutesFormatDecidesTheBodyNotTheStatus) {
  const Error error{ErrorKind::kNotFound, "item_not_found", "no subscription item x"};
  const ApiResponse recur = ErrorResponse(error);
  const ApiResponse clerk = ErrorResponse(error, ErrorFormat::kClerk);
  EXPECT_EQ(recur.status, 404);
  EXPECT_EQ(clerk.status, 404);
  EXPECT_EQ(clerk.content_type, "application/json");
  EXPECT_EQ(json::parse(recur.body)["error"]["code"], "item_not_found");
  EXPECT_EQ(json::parse(clerk.body)["errors"][0]["code"], "resource_not_found");
}

TEST(ClerkErrors, DetailsGoIntoTheMeta) {
  const ApiResponse clerk = ErrorResponse({ErrorKind::kPaymentFailed, "payment_declined", "no"},
                                          {{"payment_attempt_id", "cpay_1"}}, ErrorFormat::kClerk);
  EXPECT_EQ(json::parse(clerk.body)["errors"][0]["meta"]["details"]["payment_attempt_id"],
            "cpay_1");
}

}  // namespace
}  // namespace recur::clerk_errors_test
