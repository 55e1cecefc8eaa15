// The id of one request to the API: every answer carries it as `Request-Id`, every error body as
// `request_id`, and every log line written while the request is served as "request_id", so that
// a client's report and the server's logs meet. The client may choose it with a well-formed
// `X-Request-Id` (1 to 128 characters of letters, digits and - _ . : / + = @), as a proxy or
// a calling service that already names the request does; otherwise the server makes one
// (req_ and 22 random base62 characters). Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace recur {

// Whether `text` may serve as a request id.
bool IsWellFormedRequestId(std::string_view text);

// The id of a request whose X-Request-Id header is `incoming` (null when it has none).
std::string RequestIdFor(const std::string* incoming);

// `body` with "request_id" added to its error object, when it is the API's error format
// ({"error": {...}} as api_error.h writes it); with "clerk_trace_id" added beside "errors" when
// it is Clerk's ({"errors": [...]}, http/clerk_errors.h); otherwise `body` unchanged.
std::string WithRequestId(std::string body, std::string_view request_id);

}  // namespace recur
