#include "http/list_params.h"

#include <charconv>

namespace recur {

Result<ListOptions> ReadListOptions(const ApiRequest& request) {
  ListOptions options;
  if (request.HasQuery("limit")) {
    const std::string_view text = request.Query("limit");
    int limit = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (error != std::errc() || end != text.data() + text.size() || limit < 1 || limit > 100) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                       "limit must be an integer from 1 to 100", "limit");
    }
    options.limit = limit;
  }
  options.starting_after = request.Query("starting_after");
  return options;
}

}  // namespace recur
