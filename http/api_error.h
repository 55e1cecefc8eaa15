// The one error format of the HTTP API, for every failure:
//   {"error": {"code": "...", "message": "...", "param": "...", "details": [...]}}
// `code` is stable and meant for programs, `message` for people; `param` names the offending
// parameter and appears only when there is one; `details` lists itemised problems (such as
// every problem of a refused plan catalog) and appears only when there are some.
// The HTTP status comes from the error's kind (HttpStatusFor): a new ErrorKind gets its status
// there, and the compiler asks for it.
// The routes that answer as Clerk's Backend API does (ErrorFormat::kClerk, the route table's
// last column) write the same error in Clerk's format instead (http/clerk_errors.h), with
// the same status; `details` go into its meta.
#pragma once

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/error.h"
#include "http/api_handler.h"

namespace recur {

int HttpStatusFor(ErrorKind kind);

// The answer to `error`: its status and its body in the format above, and a Retry-After header
// (in seconds) when the error says how long to wait. The server answers every
// Error a handler returns with it; a handler calls it itself only to add `details`.
ApiResponse ErrorResponse(const Error& error, nlohmann::json details = nullptr,
                          ErrorFormat format = ErrorFormat::kRecur);
// The same in `format`, without details.
ApiResponse ErrorResponse(const Error& error, ErrorFormat format);

// Logs `error`, met while answering `request`, as "request_failed" at level error when it is a
// failure of the server or of what it depends on (kUnavailable: a full disk, a locked database,
// an unreachable gateway; kInternal), so the operator sees it and not only the client.
void LogServerFailure(Instant now, const ApiRequest& request, const Error& error);

}  // namespace recur
