#include "http/end_now_param.h"

namespace recur {

Result<bool> ReadEndNow(const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {"end_now"}); !known) {
    return std::unexpected(known.error());
  }
  const std::string_view end_now = request.Query("end_now");
  if (!end_now.empty() && end_now != "true" && end_now != "false") {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "end_now must be true or false", "end_now");
  }
  return end_now == "true";
}

}  // namespace recur
