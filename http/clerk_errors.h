// Errors as Clerk's Backend API writes them, for the routes that answer as Clerk's does
// (clerk_billing_api.cc):
//   {"errors": [{"code": "...", "message": "...", "long_message": "...",
//                "meta": {"param_name": "...", "recur_code": "..."}}]}
// `code` is Clerk's code for the kind of failure (ClerkErrorCode); `message` is Clerk's short
// text for that code; `long_message` is Recur's full message (what, where, why); `meta` names
// the offending parameter (param_name, only when there is one) and keeps Recur's own stable
// code (recur_code), for programs that want the finer distinction. The status is the one
// Recur's format would have (api_error.h). Pure functions.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace recur {

// Clerk's code for `error`: by Recur's code where Clerk has a closer one (an unknown or missing
// parameter, a body that is no JSON object or too large, a 403), else by its kind.
std::string_view ClerkErrorCode(const Error& error);

// The body above for `error`.
nlohmann::json ClerkErrorsBody(const Error& error);

}  // namespace recur
