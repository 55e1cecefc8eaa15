// Where console sessions are kept: the sign-ins of operators to the console served at /console
// (services/sessions/console_sessions.h says what a session may do). As with payer sessions
// (payer_session_store.h), a store never sees a token: it keeps the SHA-256 of each
// (`token_hash`) and finds a session by that hash, so a copy of the database hands out no
// credential. Each session also has a short id that is no secret, for the access log to name it.
// The contract every backend keeps; the contract tests (console_session_store_contract_test.cc)
// run on each.
//  - Create keeps a session, and in the same write deletes every session expired at `now`, so
//    that the rows are bounded by the sessions alive.
//  - Find answers a kept session by its hash, expired or not (the caller tells, by its clock),
//    and none for a hash never kept or ended.
//  - End deletes the session of a hash and answers whether there was one: on a database several
//    nodes share, a session ended through one node is unknown to every node from that write on,
//    since no node keeps sessions in memory.
// Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "base/error.h"

namespace recur {

struct ConsoleSession {
  std::string token_hash;  // SHA-256 hex of the token; the token itself is never kept
  std::string id;          // "csess_...": names the session in logs; not a credential
  Instant created_at;
  Instant expires_at;  // no longer valid from this instant on
};

class ConsoleSessionStore {
 public:
  virtual ~ConsoleSessionStore() = default;
  virtual Status CreateConsoleSession(const ConsoleSession& session, Instant now) = 0;
  virtual Result<std::optional<ConsoleSession>> FindConsoleSession(
      const std::string& token_hash) = 0;
  virtual Result<bool> EndConsoleSession(const std::string& token_hash) = 0;
};

}  // namespace recur
