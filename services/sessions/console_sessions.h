// Console sessions: how an operator's browser holds on to a sign-in to the console served at
// /console. Signing in takes the secret API key (SignIn); the session's token then travels as an
// HttpOnly cookie, and every request that changes something must also carry the session's CSRF
// token, which the page reads from the sign-in's answer (the HTTP layer applies both:
// http/console_access.h). A session ends when it expires (`ttl` after sign-in, by the injected
// clock) or when it is ended (End: signing out).
// A token is "cs_" and 43 base62 characters (session_tokens.h), kept only as its SHA-256
// (console_session_store.h). The CSRF token is derived from the token (a SHA-256 of it under a
// label of its own), so it is never stored, is the same for every request of the session, and
// tells nothing of the token. Each session has an id ("csess_..."), no secret, that names it in
// the access log.
// Nothing is cached: every request reads its session from the store, so a sign-in or a sign-out
// through one node of a shared database holds on the others at once.
// Thread-safe; the store and clock outlive it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/error.h"
#include "store/console_session_store.h"

namespace recur {

// A live console session as a request made with it knows it.
struct LiveConsoleSession {
  std::string id;          // "csess_...": for logs
  std::string csrf_token;  // what X-CSRF-Token must carry
  Instant expires_at;
};

struct NewConsoleSession {
  std::string token;  // the cookie's value; the only time it is seen
  LiveConsoleSession session;
};

// Whether a presented secret key is the one in force.
using SecretKeyMatch = std::function<bool(std::string_view presented)>;

class ConsoleSessions {
 public:
  static constexpr std::chrono::seconds kDefaultTtl = std::chrono::hours(8);

  ConsoleSessions(ConsoleSessionStore& sessions, const Clock& clock, std::chrono::seconds ttl,
                  SecretKeyMatch key_matches)
      : sessions_(sessions), clock_(clock), ttl_(ttl), key_matches_(std::move(key_matches)) {}

  // A new session, valid for the ttl, when `secret_key` is the key in force; otherwise
  // kUnauthenticated "unauthorized" naming secret_key, and nothing is kept.
  Result<NewConsoleSession> SignIn(std::string_view secret_key);
  // The session of `token`; none when it is no session's, or its session has expired or ended.
  Result<std::optional<LiveConsoleSession>> Find(std::string_view token);
  // Ends the session of `token` at once; ending one that is over already is no error.
  Status End(std::string_view token);

  std::chrono::seconds ttl() const { return ttl_; }

 private:
  ConsoleSessionStore& sessions_;
  const Clock& clock_;
  std::chrono::seconds ttl_;
  SecretKeyMatch key_matches_;
};

}  // namespace recur
