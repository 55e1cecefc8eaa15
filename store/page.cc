#include "store/page.h"

#include <algorithm>

namespace recur {

int PageLimit(const ListOptions& options) { return std::clamp(options.limit, 1, 100); }

std::unexpected<Error> UnknownStartingAfter(const std::string& id) {
  return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                   "starting_after " + id + " names no element of this list", "starting_after");
}

}  // namespace recur
