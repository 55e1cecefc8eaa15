// Remembers what became of requests sent with an Idempotency-Key, so that a retried request gets
// the first answer and never repeats the change the first one made, even when the server died
// between making the change and answering. The contract every backend keeps; the contract tests
// (idempotency_store_contract_test.cc) run on each.
//
// A key's life:
//  1. Claim: the first request with a key claims it for the running server instance (a random
//     id per start of the server) and is handled.
//  2. While it is handled, every change a store makes on the handling thread (inside an
//     IdempotentRequestScope, idempotent_request_scope.h) records in its own transaction that
//     the key made a change and what it made (`made`: the id of the first thing it created or
//     changed, MadeByTransition for an account). So the change and the record of it commit
//     together: after any crash, a key either made its change and says so, or made none.
//  3. Complete: the answer is kept. Or Release, for an answer not worth keeping (a server error):
//     a key that made no change is forgotten, so a retry runs the request again; a key that made
//     one stays, unanswered and claimed by no one.
//
// Why a recorded change rather than the answer itself in the change's transaction: the answer
// is rendered by the HTTP layer after the service returns, and some requests commit more than
// once (a subscription with a charge commits the pending charge, asks the gateway, then commits
// the outcome). Recording "this key made X" in every one of those transactions needs no handler
// and no service to know about keys; a retry after a crash renders its answer from X as it
// stands (the HTTP layer knows how, per route).
//
// What a claim answers (kClaimed, kReplay, kInProgress, kMismatch, kRecover below):
//  - a key never seen, or seen more than `retention` before `now`: claimed (first use).
//  - the same key with another request fingerprint: kMismatch.
//  - answered: kReplay, the kept status and body.
//  - claimed by the instance asking: kInProgress (its request may still run: 409).
//  - claimed by another instance, or by no one (released), without a change: claimed again. A
//    claim by an earlier instance cannot still run: one server serves a database at a time (an
//    OS lock held for the process's life), and a process that no longer runs runs no request.
//    Its change would have committed with the record of it, so no record means no change.
//  - the same with a recorded change: kRecover with `made`; the key is claimed for the asker,
//    who renders the answer from `made` and completes the key with it (or releases it).
// A backend shared by several servers at once (PostgreSQL behind many nodes) cannot tell a dead
// instance from a live one by its id alone: there a claim must carry a lease (an expiry the
// claiming node renews while it handles the request, in the same database), a claim is taken
// over only once its lease has lapsed, and a node whose lease lapsed must not commit the change
// (the change's transaction checks the lease is still its own).
//
// Expiry: a key is kept for `retention` from its claim; PurgeIdempotencyKeys deletes expired
// ones in batches, and a claim treats an expired key as never seen.
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "domain/subscriptions/account.h"
#include "store/account_changes.h"

namespace recur {

struct IdempotencyClaim {
  enum class Outcome {
    kClaimed,     // first use (or after a claim that died without a change): handle the request
    kReplay,      // answered before: send `status` and `body`
    kInProgress,  // the first request with this key is still being handled by this instance
    kMismatch,    // the key was used for a different request
    kRecover,     // the first request made a change (`made`) but its answer was never kept
  };
  Outcome outcome = Outcome::kClaimed;
  int status = 0;
  std::string body;
  std::string made;
};

class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;
  // `request_hash` fingerprints the request (method, path, query, body); `instance_id` names the
  // running server instance. Keys claimed `retention` or longer before `now` count as unseen.
  virtual Result<IdempotencyClaim> ClaimIdempotencyKey(const std::string& key,
                                                       const std::string& request_hash,
                                                       const std::string& instance_id, Instant now,
                                                       std::chrono::milliseconds retention) = 0;
  // Keeps the answer of a claimed key.
  virtual Status CompleteIdempotencyKey(const std::string& key, int status,
                                        const std::string& body) = 0;
  // Gives up a claim whose answer is not kept (a server error a retry may fix): forgotten if
  // the key made no change, else left unanswered and claimed by no one (see above).
  virtual Status ReleaseIdempotencyKey(const std::string& key) = 0;
  // Deletes up to `limit` keys claimed before `claimed_before`; returns how many it deleted.
  virtual Result<int> PurgeIdempotencyKeys(Instant claimed_before, int limit) = 0;
};

// What a SaveTransition from `before` (null: a new payer) to `after`, whose writes are
// `changes`, made, for the record of a keyed change: the new payer; else its first new item;
// else its first new payment method; else its first changed item; else the payer.
std::string MadeByTransition(const Account* before, const Account& after,
                             const AccountChanges& changes);

}  // namespace recur
