// What a request made with a payer session may reach, judged from its route's Access
// (api_handler.h) and the route's parameters before the handler runs: the one place that applies
// the route table's rule to a session. A route a session may not use is refused with 403
// forbidden; a route it may use, asked about another payer's ids, is answered as those ids would
// be if they did not exist (the same 404 and body, services/billing/not_found.h), so that a
// session learns nothing of other payers.
// Pure but for the look-ups of `owners`, which the caller gives; thread-safe as they are.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "http/api_handler.h"

namespace recur {

// A refused session request: its HTTP status (403 or 404; 0 for an error met while judging it,
// answered with its kind's status) and its error.
struct SessionRefusal {
  int status = 403;
  Error error;
};

// The payer whose resource (a subscription item, a statement, a payment attempt) `id` is; none when
// there is no such resource.
using PayerOfResource = std::function<Result<std::optional<std::string>>(const std::string& id)>;

// Whose the resources are that routes of kItemSession, kStatementSession and kAttemptSession
// name.
struct ResourceOwners {
  PayerOfResource item;
  PayerOfResource statement;
  PayerOfResource attempt;
};

// The refusal of a request of the session of payer `session_payer` to a route of `access` with
// path parameters `path_params` and query `query`; none when the session may make it. An error
// of a look-up of `owners` is the refusal (the request cannot be judged).
std::optional<SessionRefusal> RefuseSessionRequest(Access access,
                                                   const std::vector<std::string>& path_params,
                                                   const ApiRequest::QueryParams& query,
                                                   const std::string& session_payer,
                                                   const ResourceOwners& owners);

}  // namespace recur
