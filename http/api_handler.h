// What a route handler of the API is: a function from a request value (ApiRequest) to a
// response value (ApiResponse) or the Error that stands in its place. Neither value knows the
// HTTP library: the server (http_server.h) makes the request from the library's, writes the
// response back, and answers every Error in the one error format (api_error.h).
// A handler answers JSON it builds as a tree (JsonResponse) or JSON text it wrote itself
// (JsonTextResponse: the read path writes its text straight into a string).
// Thread safety: a request and its response belong to the one call of the handler that serves
// them; handlers run concurrently and must be thread-safe.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace recur {

// Who may call a route: the rule of each route, kept in one place, the route table
// (billing_api.h). The secret key may call every route. A payer session (Authorization: Bearer
// ps_..., services/sessions/payer_sessions.h) may call only the routes whose access says so,
// and only for its own payer: another payer's ids answer as ids that do not exist would (404).
// A session on a route of kSecretKey is refused with 403 forbidden.
// A console session (the cookie an operator's browser gets by signing in to the console,
// http/console_access.h) may call every route the secret key may, when the request has no
// Authorization header; its changes need its CSRF token.
enum class Access {
  kPublic,     // anyone; a credential sent along is not looked at
  kSecretKey,  // Authorization: Bearer <the secret API key>
  // Anyone, unless the request names a payer (a payer_id query parameter, even an empty one):
  // then the secret key, or a session of that payer. What such a route tells without a key is
  // what a visitor with no account may know; whether a payer exists is not part of it. With a
  // session and no payer named, the payer is the session's.
  kPublicUnlessPayer,
  // The secret key, or a session of the payer the path's first {id} names.
  kPayerSession,
  // The secret key, or a session of the payer whose subscription item the path's {id} names.
  kItemSession,
  // The secret key, or a session of the payer whose statement the path's {id} names.
  kStatementSession,
  // The secret key, or a session of the payer whose payment attempt the path's {id} names.
  kAttemptSession,
  // Signing in to the console: anyone, with the secret key in the body, which the handler
  // checks. An address past its failed authentications is refused before the handler runs, and
  // a 401 the handler answers counts as a failed authentication of the address.
  kConsoleSignIn,
  // A console session's cookie alone (and its CSRF token for a change); no other credential.
  kConsoleSession,
};

// How a route writes its errors (api_error.h): Recur's one format, or, on the routes that
// answer as Clerk's Backend API does, Clerk's (http/clerk_errors.h).
enum class ErrorFormat { kRecur, kClerk };

// Whether a payer session may call a route of `access` at all.
bool AcceptsPayerSession(Access access);

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// A request's headers: names compared without regard to case, a name may repeat.
using HttpHeaders = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct AdmittedConsoleSession;  // console_access.h

// A request as a handler sees it. The views point into the server's request and are valid for
// the handler's call only.
struct ApiRequest {
  using QueryParams = std::multimap<std::string, std::string>;

  std::string_view method;
  std::string_view path;
  std::vector<std::string> path_params;  // the route's {name} segments, in order
  const QueryParams& query;              // decoded; a name may repeat
  std::string_view body;
  std::string_view client_ip;   // the peer's address
  std::string_view user_agent;  // "" when the client sent none
  // The payer a payer session acts for, checked before the handler runs (api_handler.h's
  // Access); "" when the request came with the secret key or no credential.
  std::string_view session_payer_id;
  std::string_view if_none_match;  // the If-None-Match header, "" when absent
  // Every header as received, for a handler that verifies a signature over them (the payment
  // gateway's webhooks); null where a request was made without them.
  const HttpHeaders* headers = nullptr;
  // The console session the request came with, checked before the handler runs (Access); null
  // when it came with another credential or none.
  const AdmittedConsoleSession* console_session = nullptr;
  // Whether the request came over HTTPS (client_address.h's CameOverHttps).
  bool https = false;

  bool HasQuery(std::string_view name) const;
  // The first value of query parameter `name`, "" when there is none.
  std::string_view Query(std::string_view name) const;
};

struct ApiResponse {
  int status = 200;
  std::string body;
  std::string_view content_type = "application/json";        // static text
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

using ApiHandler = std::function<Result<ApiResponse>(const ApiRequest&)>;

// Whether a request to a route of `access`, with the query parameters `query`, must carry a
// credential (the secret key, or a payer session where the route takes one). The server checks
// it before the handler runs, from the request line and headers.
bool NeedsCredential(Access access, const ApiRequest::QueryParams& query);

// A 200 (or `status`) answer of `body` as JSON.
ApiResponse JsonResponse(const nlohmann::json& body, int status = 200);
// A 200 answer of `text`, which is JSON already.
ApiResponse JsonTextResponse(std::string text);

// The object every list answers with: {"object": "list", "data": data, "has_more": has_more}.
nlohmann::json ListJson(nlohmann::json data, bool has_more);

// The answer to a service's result: `render(value)` as JSON, or the result's Error.
template <typename T, typename Render>
Result<ApiResponse> AnswerJson(const Result<T>& result, Render&& render) {
  if (!result) return std::unexpected(result.error());
  return JsonResponse(render(*result));
}

// The request body as a JSON object; an empty body is an empty object. Malformed JSON or a
// body that is not an object is an invalid_json / invalid_body error.
Result<nlohmann::json> ParseJsonBody(const ApiRequest& request);

// An unknown_parameter error naming the first query parameter not in `known`, with a "did you
// mean" for a likely typo (unknown_parameter.h).
Status RejectUnknownQueryParams(const ApiRequest& request,
                                std::initializer_list<std::string_view> known);

}  // namespace recur
