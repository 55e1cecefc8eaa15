#include "http/session_access.h"

#include "services/billing/not_found.h"

namespace recur {

namespace {

SessionRefusal Forbidden() {
  return {403, Error{ErrorKind::kUnauthenticated, "forbidden",
                     "a payer session may not use this endpoint; it needs the secret key, from "
                     "the application's backend"}};
}

SessionRefusal NotFound(Error error) { return {404, std::move(error)}; }

}  // namespace

std::optional<SessionRefusal> RefuseSessionRequest(Access access,
                                                   const std::vector<std::string>& path_params,
                                                   const ApiRequest::QueryParams& query,
                                                   const std::string& session_payer,
                                                   const ResourceOwners& owners) {
  switch (access) {
    case Access::kPublic:
      return std::nullopt;
    case Access::kSecretKey:
      return Forbidden();
    case Access::kConsoleSignIn:  // not judged by a credential in the head
      return std::nullopt;
    case Access::kConsoleSession:
      return SessionRefusal{
          403, Error{ErrorKind::kUnauthenticated, "forbidden",
                     "a payer session may not use this endpoint; it is the operator console's, "
                     "with a console session"}};
    case Access::kPublicUnlessPayer: {
      auto named = query.find("payer_id");
      if (named != query.end() && named->second != session_payer) {
        return NotFound(PayerNotFound(named->second));
      }
      return std::nullopt;
    }
    case Access::kPayerSession:
      if (path_params.empty() || path_params[0] != session_payer) {
        return NotFound(PayerNotFound(path_params.empty() ? "" : path_params[0]));
      }
      return std::nullopt;
    case Access::kItemSession: {
      const std::string item_id = path_params.empty() ? "" : path_params[0];
      auto owner = owners.item(item_id);
      if (!owner) return SessionRefusal{0, owner.error()};  // its kind's status
      if (!*owner || **owner != session_payer) return NotFound(ItemNotFound(item_id));
      return std::nullopt;
    }
    case Access::kStatementSession: {
      const std::string statement_id = path_params.empty() ? "" : path_params[0];
      auto owner = owners.statement(statement_id);
      if (!owner) return SessionRefusal{0, owner.error()};  // its kind's status
      if (!*owner || **owner != session_payer) return NotFound(StatementNotFound(statement_id));
      return std::nullopt;
    }
    case Access::kAttemptSession: {
      const std::string attempt_id = path_params.empty() ? "" : path_params[0];
      auto owner = owners.attempt(attempt_id);
      if (!owner) return SessionRefusal{0, owner.error()};  // its kind's status
      if (!*owner || **owner != session_payer) return NotFound(AttemptNotFound(attempt_id));
      return std::nullopt;
    }
  }
  return Forbidden();
}

}  // namespace recur
