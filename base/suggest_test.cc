#include "base/suggest.h"

#include <array>

#include <gtest/gtest.h>

namespace recur::suggest_test {
namespace {

TEST(EditDistance, CountsEachKindOfEditOnce) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("amount", "amount"), 0u);
  EXPECT_EQ(EditDistance("amout", "amount"), 1u);    // deletion
  EXPECT_EQ(EditDistance("amounts", "amount"), 1u);  // insertion
  EXPECT_EQ(EditDistance("amoumt", "amount"), 1u);   // substitution
  EXPECT_EQ(EditDistance("trail", "trial"), 1u);     // adjacent swap
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(DidYouMean, EndsAMessageWithTheClosestCandidateOrNothing) {
  constexpr std::array<std::string_view, 2> keys = {"starting_after", "limit"};
  EXPECT_EQ(DidYouMean("starting_afer", keys), "; did you mean starting_after?");
  EXPECT_EQ(DidYouMean("limt", keys), "; did you mean limit?");
  EXPECT_EQ(DidYouMean("page", keys), "");
  EXPECT_EQ(DidYouMean("limit", {}), "");
}

TEST(ClosestMatch, SuggestsPlausibleTyposOnly) {
  constexpr std::array<std::string_view, 3> keys = {"free_trial_days", "amount", "currency"};
  EXPECT_EQ(ClosestMatch("free_trail_days", keys), "free_trial_days");
  EXPECT_EQ(ClosestMatch("ammount", keys), "amount");
  EXPECT_EQ(ClosestMatch("curency", keys), "currency");
  EXPECT_EQ(ClosestMatch("trial_days", keys), std::nullopt);
  EXPECT_EQ(ClosestMatch("price", keys), std::nullopt);
  EXPECT_EQ(ClosestMatch("", keys), std::nullopt);
}

}  // namespace
}  // namespace recur::suggest_test
