// The one error format of the HTTP API, for every failure:
//   {"error": {"code": "...", "message": "...", "param": "...", "details": [...]}}
// `code` is stable and meant for programs, `message` for people; `param` names the offending
// parameter and appears only when there is one; `details` lists itemised problems (such as
// every problem of a refused plan catalog) and appears only when there are some.
#pragma once

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace recur {

int HttpStatusFor(ErrorKind kind);

nlohmann::json ErrorBody(const Error& error, nlohmann::json details = nullptr);

}  // namespace recur
