// The element of a list whose `id` member equals `id`, or null when there is none. Lists of
// rows (a payer's items, attempts, methods) are short, so a scan is what a lookup costs. Pure.
#pragma once

#include <algorithm>
#include <string_view>
#include <vector>

namespace recur {

template <typename T>
const T* FindById(const std::vector<T>& list, std::string_view id) {
  auto found = std::ranges::find_if(list, [&](const T& element) { return element.id == id; });
  return found == list.end() ? nullptr : &*found;
}

template <typename T>
T* FindById(std::vector<T>& list, std::string_view id) {
  auto found = std::ranges::find_if(list, [&](const T& element) { return element.id == id; });
  return found == list.end() ? nullptr : &*found;
}

}  // namespace recur
