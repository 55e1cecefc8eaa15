#include "http/rendered_catalog.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace recur::rendered_catalog_test {
namespace {

using nlohmann::json;

TEST(WithMemberText, AddsTheTextAsTheValueOfANewMember) {
  const std::string text = WithMemberText(json{{"a", 1}}.dump(), "plan", R"({"slug":"pro"})");
  EXPECT_EQ(json::parse(text), (json{{"a", 1}, {"plan", {{"slug", "pro"}}}}));
}

TEST(WithMemberText, WorksOnAnEmptyObjectAndEscapesTheKey) {
  EXPECT_EQ(WithMemberText("{}", "data", "[]"), R"({"data":[]})");
  EXPECT_EQ(json::parse(WithMemberText("{}", "a\"b", "1")), (json{{"a\"b", 1}}));
}

TEST(ArrayText, JoinsTheTextsIntoAnArray) {
  EXPECT_EQ(ArrayText({}), "[]");
  EXPECT_EQ(json::parse(ArrayText({R"({"a":1})", "2"})), (json::array({{{"a", 1}}, 2})));
}

}  // namespace
}  // namespace recur::rendered_catalog_test
