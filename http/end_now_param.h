// The one query parameter of a cancel (DELETE of a subscription item, in Recur's API and in
// Clerk's): end_now=true ends the item at once; end_now=false, or no end_now, at the end of its
// period (its trial, during one). @clerk/backend leaves out a false end_now, so its absence must
// mean the end of the period. Any other parameter, or another value, is refused.
#pragma once

#include "http/api_handler.h"

namespace recur {

Result<bool> ReadEndNow(const ApiRequest& request);

}  // namespace recur
