// The one answer to a parameter an endpoint does not know, wherever it came (a body key, a query
// parameter): an unknown_parameter error naming it, ending with "did you mean ...?" when a known
// parameter is a likely typo of it. Pure.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace recur {

// `kind` says where the name came from: "parameter" (a body key) or "query parameter".
Error UnknownParameter(std::string_view kind, const std::string& name,
                       std::span<const std::string_view> known);

}  // namespace recur
