#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace recur::router_test {
namespace {

using ::testing::ElementsAre;
using Outcome = RouteMatch::Outcome;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plans_ = router_.Add("GET", "/v1/plans");
    reload_ = router_.Add("POST", "/v1/plans/reload");
    payer_ = router_.Add("GET", "/v1/payers/{id}");
    item_ = router_.Add("DELETE", "/v1/subscription_items/{id}");
    method_ = router_.Add("POST", "/v1/payers/{id}/payment_methods");
  }
  Router router_;
  std::size_t plans_, reload_, payer_, item_, method_;
};

TEST_F(RouterTest, FindsLiteralRoutes) {
  RouteMatch match = router_.Match("GET", "/v1/plans");
  EXPECT_EQ(match.outcome, Outcome::kFound);
  EXPECT_EQ(match.route, plans_);
  EXPECT_TRUE(match.params.empty());
  EXPECT_EQ(router_.Match("POST", "/v1/plans/reload").route, reload_);
}

TEST_F(RouterTest, CapturesParametersInOrder) {
  RouteMatch match = router_.Match("POST", "/v1/payers/cpayer_1/payment_methods");
  ASSERT_EQ(match.outcome, Outcome::kFound);
  EXPECT_EQ(match.route, method_);
  EXPECT_THAT(match.params, ElementsAre("cpayer_1"));
}

TEST_F(RouterTest, TellsUnknownPathsFromWrongMethods) {
  EXPECT_EQ(router_.Match("GET", "/v1/nothing").outcome, Outcome::kNotFound);
  EXPECT_EQ(router_.Match("GET", "/v1/plans/").outcome, Outcome::kNotFound);
  EXPECT_EQ(router_.Match("GET", "/v1/payers/").outcome, Outcome::kNotFound);  // empty param
  EXPECT_EQ(router_.Match("GET", "").outcome, Outcome::kNotFound);
  RouteMatch match = router_.Match("DELETE", "/v1/plans");
  EXPECT_EQ(match.outcome, Outcome::kMethodNotAllowed);
  EXPECT_THAT(match.allowed, ElementsAre("GET"));
  EXPECT_THAT(router_.Match("GET", "/v1/subscription_items/x").allowed, ElementsAre("DELETE"));
}

}  // namespace
}  // namespace recur::router_test
