// Payer sessions: short-lived credentials that let a browser act for one payer. An
// application's backend, holding the secret key, mints one for its signed-in user (Create) and
// hands the token to the browser, which sends it as `Authorization: Bearer <token>`; what such a
// request may do is the HTTP layer's route table (http/billing_api.h). A session ends when it
// expires (by the injected clock) or when the payer's sessions are revoked (RevokeAll).
// A token is "ps_" and 43 base62 characters (session_tokens.h); it is handed back
// once and kept only as its SHA-256, and a presented token is found by that hash
// (payer_session_store.h), so no comparison of secrets runs on the token itself.
// Nothing is cached: every request reads its session from the store, so a session made or
// revoked through one node of a shared database holds on the others at once.
// Thread-safe; the store and clock outlive it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/error.h"
#include "store/account_store.h"
#include "store/payer_session_store.h"

namespace recur {

struct NewPayerSession {
  std::string token;  // the only time it is seen
  Instant expires_at;
};

class PayerSessions {
 public:
  static constexpr std::chrono::seconds kDefaultTtl{3600};
  static constexpr std::chrono::seconds kMaxTtl{86400};

  PayerSessions(PayerSessionStore& sessions, AccountStore& accounts, const Clock& clock)
      : sessions_(sessions), accounts_(accounts), clock_(clock) {}

  // A new session of payer `payer_id`, valid for `ttl` (1 s to kMaxTtl; else
  // "invalid_parameter" naming ttl_seconds). "payer_not_found" when there is no such payer.
  Result<NewPayerSession> Create(const std::string& payer_id, std::chrono::seconds ttl);
  // Ends every session of the payer; returns how many there were (expired ones included).
  // "payer_not_found" when there is no such payer.
  Result<int> RevokeAll(const std::string& payer_id);
  // The payer `token` acts for; none when it is no session's, or its session has expired.
  Result<std::optional<std::string>> PayerOf(std::string_view token);

 private:
  Status RequirePayer(const std::string& payer_id);

  PayerSessionStore& sessions_;
  AccountStore& accounts_;
  const Clock& clock_;
};

}  // namespace recur
