// Cross-origin requests from browsers (CORS, the Fetch standard): which web pages' origins may
// call the API with a payer session, and the headers that tell a browser so. An operator lists
// the origins (`recur serve --allowed-origin`); with none listed the server sends no CORS header
// at all and answers OPTIONS as any other unrouted method.
// With origins listed:
//  - every answer says `Vary: Origin` (it depends on the Origin header), and an answer to a
//    listed origin carries `Access-Control-Allow-Origin` with that origin itself, never `*`,
//    and exposes the headers a client reads (Request-Id, Retry-After, Idempotent-Replayed);
//  - a preflight (OPTIONS with Access-Control-Request-Method) from a listed origin, to a path
//    whose routes a payer session may use, is answered 204 with those routes' methods, the
//    request headers they take (Authorization, Content-Type, Idempotency-Key, X-Request-Id) and
//    a Max-Age; any other preflight gets no Allow-Origin, so the browser refuses the request.
// Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace recur {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// An origin as a browser writes it in the Origin header: scheme ("http" or "https"), host and
// an optional port, nothing after ("https://app.example.com", "http://localhost:3000"). The
// scheme and host are lowered and a default port (80, 443) is dropped, as browsers do.
// "invalid_origin" (kInvalidArgument) saying what is wrong otherwise.
Result<std::string> ParseAllowedOrigin(std::string_view text);

// How long a browser may keep a preflight's answer.
inline constexpr int kPreflightMaxAgeSeconds = 600;

class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> allowed_origins)
      : allowed_origins_(std::move(allowed_origins)) {}

  bool enabled() const { return !allowed_origins_.empty(); }
  bool Allows(std::string_view origin) const;

  // The headers of an answer to a request that sent `origin` (none: no Origin header).
  HeaderList AnswerHeaders(std::optional<std::string_view> origin) const;
  // The headers of the 204 to a preflight from `origin` for a path whose routes a payer session
  // may use with `methods`, asked for `requested_method`; none when the browser is to refuse it
  // (the origin is not listed, or the method is not among `methods`).
  std::optional<HeaderList> PreflightHeaders(std::string_view origin,
                                             std::string_view requested_method,
                                             const std::vector<std::string>& methods) const;

 private:
  std::vector<std::string> allowed_origins_;  // as ParseAllowedOrigin gives them
};

}  // namespace recur
