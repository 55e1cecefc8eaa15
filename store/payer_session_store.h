// Where payer sessions are kept: the short-lived credentials an application's backend mints for
// one of its signed-in users, so that a browser may act for that payer alone
// (services/sessions/payer_sessions.h says what a session may do). A store never sees a token:
// it keeps the SHA-256 of each (`token_hash`), and a session is found by that hash, so a copy
// of the database hands out no credential. The contract every backend keeps; the contract tests
// (payer_session_store_contract_test.cc) run on each.
//  - Create keeps a session, and in the same write deletes the payer's sessions expired at
//    `now`, so that a payer's rows are bounded by the sessions it has alive.
//  - Find answers a kept session by its hash, expired or not (the caller tells, by its clock),
//    and none for a hash never kept or revoked.
//  - Revoke deletes every session of a payer at once: on a database several nodes share, a
//    session revoked through one node is unknown to every node from that write on, since no
//    node keeps sessions in memory.
// Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "base/error.h"

namespace recur {

struct PayerSession {
  std::string token_hash;  // SHA-256 hex of the token; the token itself is never kept
  std::string payer_id;
  Instant created_at;
  Instant expires_at;  // no longer valid from this instant on
};

class PayerSessionStore {
 public:
  virtual ~PayerSessionStore() = default;
  virtual Status CreatePayerSession(const PayerSession& session, Instant now) = 0;
  virtual Result<std::optional<PayerSession>> FindPayerSession(const std::string& token_hash) = 0;
  // Returns how many sessions it deleted.
  virtual Result<int> RevokePayerSessions(const std::string& payer_id) = 0;
};

}  // namespace recur
