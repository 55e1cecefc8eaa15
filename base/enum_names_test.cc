#include "base/enum_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace recur::enum_names_test {
namespace {

using ::testing::ElementsAre;

enum class Fruit { kApple, kPear, kQuince };

constexpr std::string_view FruitName(Fruit fruit) {
  switch (fruit) {
    case Fruit::kApple:
      return "apple";
    case Fruit::kPear:
      return "pear";
    case Fruit::kQuince:
      return "quince";
  }
  return "";
}

TEST(EnumNames, EveryValueIsListedInOrder) {
  EXPECT_THAT(EnumValues<Fruit>(FruitName),
              ElementsAre(Fruit::kApple, Fruit::kPear, Fruit::kQuince));
}

TEST(EnumNames, ANameReadsBackAsItsValueAndOtherTextAsNothing) {
  for (Fruit fruit : EnumValues<Fruit>(FruitName)) {
    EXPECT_EQ(ParseEnumName<Fruit>(FruitName(fruit), FruitName), fruit);
  }
  static_assert(ParseEnumName<Fruit>("quince", FruitName) == Fruit::kQuince);
  EXPECT_EQ(ParseEnumName<Fruit>("Pear", FruitName), std::nullopt);
  EXPECT_EQ(ParseEnumName<Fruit>("", FruitName), std::nullopt);
}

}  // namespace
}  // namespace recur::enum_names_test
