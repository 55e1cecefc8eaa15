// The query parameters of a list route (docs/api.md#lists): `limit` (1 to 100) and
// `starting_after`, read into the stores' ListOptions (store/page.h). Pure.
#pragma once

#include "base/error.h"
#include "http/api_handler.h"
#include "store/page.h"

namespace recur {

// invalid_parameter (naming `limit`) for a limit that is not an integer from 1 to 100.
Result<ListOptions> ReadListOptions(const ApiRequest& request);

}  // namespace recur
