// Enums written as text (stored columns, JSON, flags) have one function each that names every
// value: an exhaustive switch (a value left out does not compile, -Wswitch) that answers "" for
// a number that is no value. Reading a name back and listing the values follow from that one
// function, so the three cannot disagree. It needs the enum's values to be 0, 1, 2, ... (none
// given explicitly), as ours are. Pure.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace recur {

// Every value of `Enum`, in order: 0, 1, ... up to the first number `name_of` gives no name.
template <typename Enum, typename NameOf>
std::vector<Enum> EnumValues(NameOf name_of) {
  std::vector<Enum> values;
  while (!name_of(static_cast<Enum>(values.size())).empty()) {
    values.push_back(static_cast<Enum>(values.size()));
  }
  return values;
}

// The value `name_of` calls `name`, if any.
template <typename Enum, typename NameOf>
constexpr std::optional<Enum> ParseEnumName(std::string_view name, NameOf name_of) {
  for (int number = 0;; ++number) {
    const std::string_view candidate = name_of(static_cast<Enum>(number));
    if (candidate.empty()) return std::nullopt;
    if (candidate == name) return static_cast<Enum>(number);
  }
}

}  // namespace recur
