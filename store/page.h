// Lists as every store answers them: pages of at most `limit` elements (1 to 100, 10 unless
// asked), newest first, the next page starting after the last element of this one. A cursor
// (`starting_after`) that names no element of the list is an error, not an empty page, since
// an empty page would read as the end of the list. Pure.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/error.h"

namespace recur {

template <typename T>
struct Page {
  std::vector<T> data;
  bool has_more = false;
};

struct ListOptions {
  int limit = 10;              // 1..100; other values are brought into that range
  std::string starting_after;  // an id of the previous page's last element
};

// The page size `options` asks for, brought into 1..100.
int PageLimit(const ListOptions& options);

// The error for a `starting_after` that names no element of the list.
[[nodiscard]] std::unexpected<Error> UnknownStartingAfter(const std::string& id);

// The page of `limit` elements made of `read`, which holds up to one element more than
// `limit` when there is more to read after the page.
template <typename T>
Page<T> PageOf(std::vector<T> read, int limit) {
  Page<T> page{std::move(read), false};
  if (static_cast<int>(page.data.size()) > limit) {
    page.data.resize(static_cast<std::size_t>(limit));
    page.has_more = true;
  }
  return page;
}

}  // namespace recur
